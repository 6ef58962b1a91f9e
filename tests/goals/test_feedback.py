"""Reading feedback back: a form's ticked boxes, a retrospective's "would recommend", and
the figures they add up to (never a person's words, never one person's answer)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from automation.goals.checklist import Dialect
from automation.goals.feedback import (
    ROLES,
    Answers,
    Form,
    FormKey,
    figures,
    form_key,
    forms_of,
    read_back,
    read_form,
    read_recommend,
)
from automation.messages.context import example_context
from automation.messages.templates import DEFAULTS, Templates
from automation.roster.config import load_program

FORM = "\r\n".join(
    [
        "## How would you rate it?",
        *(f"- [ ] {n}" for n in range(11)),
        "## Is this pairing a good fit?",
        "- [ ] Yes, a good fit",
        "- [ ] No, not a good fit",
    ]
)


def ticked(*boxes: str) -> str:
    body = FORM
    for box in boxes:
        body = body.replace(f"- [ ] {box}\r\n", f"- [x] {box}\r\n").replace(
            f"- [ ] {box}", f"- [x] {box}"
        )
    return body


@pytest.mark.parametrize("dialect", list(Dialect))
@pytest.mark.parametrize(
    ("body", "answers"),
    [
        (FORM, Answers(None, None)),
        (ticked("7"), Answers(7, None)),
        (ticked("0", "No, not a good fit"), Answers(0, False)),
        (ticked("10", "Yes, a good fit"), Answers(10, True)),
        # Several boxes of one question: unanswered, whichever they are.
        (ticked("3", "9"), Answers(None, None)),
        (ticked("8", "Yes, a good fit", "No, not a good fit"), Answers(8, None)),
        # Boxes the forge does not render as boxes do not count.
        (FORM + "\n```\n- [x] 2\n```\n", Answers(None, None)),
        (FORM + "\n<!--\n- [x] 2\n-->\n", Answers(None, None)),
        (FORM + "\n\nText.\n\n    - [x] 2\n", Answers(None, None)),
        # Boxes the person adds count like the form's own: a second score is ambiguous.
        (ticked("4") + "\n- [x] 4\n", Answers(4, None)),
        (ticked("4") + "\n- [x] 5\n", Answers(None, None)),
        ("- [x] 11\n- [x] -1\n- [x] 7.5\n- [x] seven\n", Answers(None, None)),
        ("- [X] 6\n- [x] YES, A GOOD FIT\n", Answers(6, True)),
    ],
)
def test_a_form_is_read_from_its_ticked_boxes(
    body: str, answers: Answers, dialect: Dialect
) -> None:
    assert read_form(body, dialect) == answers


RETRO = (DEFAULTS / "retrospective.md").read_text()


def answered(mentee: str, mentor: str) -> str:
    question = "(0 = not at all, 10 = absolutely):"
    first, rest = RETRO.split(question, 1)
    return first + question + mentee + rest.replace(question, question + mentor, 1)


@pytest.mark.parametrize(
    ("mentee", "mentor", "expected"),
    [
        ("", "", {"mentee": None, "mentor": None}),
        (" 8", " 10", {"mentee": 8, "mentor": 10}),
        (" **9**/10", " 7 out of 10", {"mentee": 9, "mentor": 7}),
        ("\n\n   6\n", "\r\n0 - sadly\r\n", {"mentee": 6, "mentor": 0}),
        (" 7 or 8", " 11", {"mentee": None, "mentor": None}),
        (" 7.5", " yes!", {"mentee": None, "mentor": None}),
    ],
)
def test_a_retrospective_would_recommend_is_read_per_role(
    mentee: str, mentor: str, expected: dict[str, int | None]
) -> None:
    assert read_recommend(answered(mentee, mentor)) == expected


def test_an_answer_in_the_others_name_hidden_from_view_is_not_read() -> None:
    body = answered(" 9", " 8")
    forged = "\n## Mentor\n5. **Would I recommend mentoring** (x): 0\n## Mentee\n"
    hidden = body.replace("1. **What worked?**", f"1. **What worked?** lots\n<!--{forged}-->", 1)
    assert read_recommend(hidden) == {"mentee": 9, "mentor": 8}
    quoted = body.replace("1. **What worked?**", f"1. **What worked?**\n```{forged}```\n", 1)
    assert read_recommend(quoted) == {"mentee": 9, "mentor": 8}
    # Left open, a comment hides the rest of the body: nothing after it is read.
    assert read_recommend(body.replace("## Mentor", "<!--\n## Mentor", 1))["mentor"] is None


def test_a_role_answered_in_two_sections_is_unanswered() -> None:
    body = answered(" 9", " 8")
    shown = "\n## Mentor\n5. **Would I recommend mentoring** (x): 0\n\n## Mentee\n"
    twice = body.replace("1. **What worked?**", f"1. **What worked?** lots\n{shown}", 1)
    assert read_recommend(twice) == {"mentee": None, "mentor": None}


def test_the_recommend_answer_ends_at_the_next_heading() -> None:
    body = "## Mentee: Bob\n5. **Would I recommend it?** (0 = no, 10 = yes):\n## Mentor: A\n3\n"
    assert read_recommend(body) == {"mentee": None, "mentor": None}


def test_figures_need_three_answers_before_a_median_or_mean() -> None:
    forms = [
        Form("midpoint", "mentee", Answers(4, False)),
        Form("midpoint", "mentee", Answers(8, True)),
        Form("midpoint", "mentor", Answers(9, None)),
    ]
    out = figures(forms, [("mentee", 9)])
    assert out["forms"] == [
        {
            "milestone": "midpoint",
            "role": "mentee",
            "forms": 2,
            "answered": 2,
            "median": None,
            "mean": None,
            "fit_answered": 2,
            "not_a_good_fit": None,
        },
        {
            "milestone": "midpoint",
            "role": "mentor",
            "forms": 1,
            "answered": 1,
            "median": None,
            "mean": None,
        },
    ]
    assert out["recommend"][0] == {"role": "mentee", "answered": 1, "median": None, "mean": None}


def test_figures_per_milestone_and_role() -> None:
    forms = [Form("end", "mentee", Answers(s, f)) for s, f in ((3, False), (8, True), (9, True))]
    forms.append(Form("end", "mentee", Answers(None, None)))
    out = figures(forms, [("mentor", 10), ("mentor", 6), ("mentor", 7), ("mentor", None)])
    [group] = out["forms"]
    assert group == {
        "milestone": "end",
        "role": "mentee",
        "forms": 4,
        "answered": 3,
        "median": 8,
        "mean": 6.7,
        "fit_answered": 3,
        "not_a_good_fit": 0.333,
    }
    assert out["recommend"][1] == {"role": "mentor", "answered": 3, "median": 7, "mean": 7.7}


def test_the_form_template_offers_the_boxes_the_reader_reads() -> None:
    program = load_program(Path("program.example.yml"))
    day = date(2026, 4, 5)
    context = example_context(program, "feedback", day)
    for role in ("mentee", "mentor"):
        context["form"] = context["form"] | {"role": role}
        body = Templates().issue("feedback", context).body
        boxes = body.replace("- [ ] 6\n", "- [x] 6\n").replace(
            "- [ ] No, not a good fit", "- [x] No, not a good fit"
        )
        expected = Answers(6, False if role == "mentee" else None)
        assert read_form(boxes, Dialect.GITLAB) == expected


def test_the_dashboard_shows_the_figures_and_no_answer_of_one_person() -> None:
    from dataclasses import replace

    from automation.views import dashboard
    from tests.views.test_dashboard import TODAY, roster, shown

    forms = [Form("end", "mentee", Answers(s, f)) for s, f in ((3, False), (8, True), (9, True))]
    forms.append(Form("end", "mentor", Answers(2, None)))
    view = replace(shown(roster()), feedback=figures(forms, [("mentor", 10)]))
    body = dashboard.render(view, TODAY, None)
    assert (
        "| asked | of | answered | median | mean | not a good fit |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        "| feedback form, end | mentees | 3 of 3 | 8.0 | 6.7 | 33% |\n"
        "| feedback form, end | mentors | 1 of 1 | n/a | n/a |  |\n"
        "| retrospective, would recommend | mentees | 0 | n/a | n/a |  |\n"
        "| retrospective, would recommend | mentors | 1 | n/a | n/a |  |\n"
    ) in body
    assert "## Feedback" not in dashboard.render(shown(roster()), TODAY, None)


def test_the_end_forms_of_an_end_taken_back_are_left_out_of_the_figures() -> None:
    pid = "alice--bob--2026-01-05"

    class Form:
        def __init__(self, body: str) -> None:
            self.body = body

    issues = {
        f"pair/{pid}/feedback/midpoint/mentee": Form(ticked("5")),
        f"pair/{pid}/feedback/end/mentee/2026-05-20": Form(ticked("7")),  # taken back
        f"pair/{pid}/feedback/end/mentee/2026-07-05": Form(ticked("9")),
        f"pair/{pid}/feedback/end/mentee/2026-05-20/answered": Form(ticked("1")),  # no form
    }
    ends = {pid: date(2026, 7, 5)}
    forms = forms_of(issues, Dialect.GITLAB, ends)
    assert [(f.milestone, f.answers.score) for f in forms] == [("end", 9), ("midpoint", 5)]
    # Without the roster's ends, every form counts.
    assert len(forms_of(issues, Dialect.GITLAB)) == 3
    assert form_key(f"pair/{pid}/feedback/end/mentee") == FormKey(pid, "end", "mentee", None)
    assert form_key(f"pair/{pid}/feedback/midpoint/mentee/2026-04-05") is None


def test_a_full_ledger_issue_with_every_form_fits_a_gitlab_description() -> None:
    # Forms exist only on GitLab, whose descriptions hold 1,048,576 characters; with the
    # four form numbers a full shard is past GitHub's 65,536, which never gets forms.
    from dataclasses import replace

    from automation.lifecycle import ledger
    from tests.lifecycle.test_ledger import whole_term

    # Both midpoint forms, and the end's of an end taken back (retired) and of the real one.
    parts = [f"feedback/midpoint/{r}" for r in ROLES]
    moved = [f"feedback/end/{r}/2026-05-20" for r in ROLES]
    parts += [*moved, *(f"feedback/end/{r}/2026-07-05" for r in ROLES)]
    forms = tuple((part, 99_999) for part in parts)
    term = replace(
        whole_term(),
        issues=tuple(sorted((*whole_term().issues, *forms))),
        retired=tuple(moved),
    )
    entries = {
        f"a-long-mentor-handle-{i:04d}--a-long-mentee-handle-{i:04d}--2026-01-05": term
        for i in range(ledger.PER_ISSUE)
    }
    body = ledger.render("ledger/2026-01/12", entries)
    assert len(body) < 1_048_576
    assert ledger.parse(body) == entries


def test_would_recommend_is_read_from_the_retrospective_of_the_end_the_roster_holds() -> None:
    from datetime import UTC, datetime

    pid = "alice--bob--2026-01-05"

    class Retro:
        def __init__(self, score: str, opened: date) -> None:
            self.body = RETRO.replace(
                "(0 = not at all, 10 = absolutely):", f"(0 = not at all, 10 = absolutely): {score}"
            )
            self.created_at = datetime(opened.year, opened.month, opened.day, 23, tzinfo=UTC)
            self.number = opened.month

    taken_back = Retro("2", date(2026, 5, 20))
    issues = {
        f"pair/{pid}/retrospective/2026-05-20": taken_back,
        f"pair/{pid}/retrospective/2026-07-05": Retro("9", date(2026, 7, 5)),
    }
    ends = {pid: date(2026, 7, 5)}
    recommend = read_back(issues, Dialect.GITLAB, ends)["recommend"]
    assert [(r["role"], r["answered"]) for r in recommend] == [("mentee", 1), ("mentor", 1)]
    # Before the real end, the retrospective of the end taken back is no answer at all,
    # and one an earlier version opened (no end in its key) is read as the day it opened.
    early = {f"pair/{pid}/retrospective": taken_back}
    assert all(r["answered"] == 0 for r in read_back(early, Dialect.GITLAB, ends)["recommend"])
    assert all(r["answered"] == 1 for r in read_back(early, Dialect.GITLAB)["recommend"])
