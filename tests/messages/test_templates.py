from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.goals.checklist import parse
from automation.messages import templates as templates_module
from automation.messages.context import (
    SPECS,
    Link,
    example_context,
    example_extras,
    pairing_context,
)
from automation.messages.markdown import ZWSP
from automation.messages.templates import (
    DEFAULTS,
    TemplateError,
    Templates,
    _compiled,
    check_templates,
)
from automation.model import Draft
from automation.roster.config import Pairing, Program

TODAY = date(2026, 3, 2)
PAIRING_ISSUE = Link(7, "https://forge.example/acme/mentoring/-/issues/7")
ROSTER: dict[str, Any] = {
    "program": {"name": "SRE Mentorship"},
    "forge": {"kind": "gitlab", "project": "acme/mentoring"},
    "people": [
        {
            "handle": "alice",
            "name": "Alice Liddell",
            "roles": ["mentor"],
            "topics": ["incident response"],
        },
        {"handle": "carol", "name": "Carol Danvers", "roles": ["mentee"]},
    ],
    "pairings": [{"mentor": "alice", "mentee": "carol", "start": "2026-01-05"}],
}
PROGRAM = Program.model_validate(ROSTER)
PAIRING = PROGRAM.pairings[0]
EXTENDED = PAIRING.model_copy(
    update={
        "extended_until": date(2026, 9, 30),
        "extension_reason": "Finishing the on-call goal after a team move",
    }
)
ENDED_EARLY = PAIRING.model_copy(
    update={"ended": date(2026, 3, 2), "ended_reason": "Carol changed teams"}
)
ISSUES = sorted(name for name, spec in SPECS.items() if spec.kind == "issue")


def context(
    name: str,
    pairing: Pairing = PAIRING,
    program: Program = PROGRAM,
    pairing_issue: Link | None = PAIRING_ISSUE,
    **overrides: Any,
) -> dict[str, Any]:
    extras = example_extras(TODAY) | overrides
    return pairing_context(
        program, pairing, TODAY, pairing_issue, **{key: extras[key] for key in SPECS[name].extra}
    )


def render(name: str, values: dict[str, Any], templates: Templates | None = None) -> str:
    templates = templates or Templates()
    if SPECS[name].kind == "issue":
        return templates.issue(name, values).body
    return templates.comment(name, values)


def checkin(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = example_extras(TODAY)["checkin"]
    return values | changes


def section(body: str, heading: str) -> str:
    """The text under a level-2 heading, up to the next one."""
    after = body.split(f"\n{heading}\n", 1)[1]
    return after.split("\n## ", 1)[0]


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def error(call: Any, *args: Any) -> str:
    with pytest.raises(TemplateError) as caught:
        call(*args)
    return str(caught.value)


# ---------------------------------------------------------------- shipped templates


def test_a_template_ships_for_every_name_the_rules_render() -> None:
    assert sorted(path.stem for path in DEFAULTS.glob("*.md")) == sorted(SPECS)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_shipped_template_renders_with_the_example_context(name: str) -> None:
    text = render(name, example_context(PROGRAM, name, TODAY))

    assert text.strip()
    assert text.endswith("\n")
    # The progress comment is edited over and over: a mention there would be noise. The
    # templates about a request address whoever asked (the example's "dana"), except the
    # ones to the coordinators, who have none here (the asker follows their own issue).
    # The answer nudge addresses only the one whose turn it is (the example's mentor).
    person = "@dana" if SPECS[name].scope == "request" else "@carol"
    if name == "answer":
        person = "@" + PROGRAM.pairings[0].mentor
        assert "@carol" not in text
    # The example box is an extension asked of the coordinators.
    to_coordinators = ("request-waiting", "request-proposed", "box")
    assert (person in text) is (name not in ("progress", *to_coordinators))
    assert "mentorship:v" not in text  # the rules add the marker
    assert [line for line in text.splitlines() if line != line.rstrip()] == []


@pytest.mark.parametrize("pairing", [EXTENDED, ENDED_EARLY], ids=["extended", "ended-early"])
@pytest.mark.parametrize("name", sorted(n for n, spec in SPECS.items() if spec.scope == "pairing"))
def test_every_shipped_template_renders_for_extended_and_early_ended_pairings(
    name: str, pairing: Pairing
) -> None:
    assert render(name, context(name, pairing)).strip()


def test_shipped_templates_pass_the_check_with_and_without_a_roster() -> None:
    bare = Program.model_validate({"forge": ROSTER["forge"]})

    assert check_templates(Templates(), PROGRAM, TODAY) == []
    assert check_templates(Templates(), bare, TODAY) == []


# ---------------------------------------------------------------- the kickoff


def test_kickoff_names_both_people_the_term_and_the_cadence() -> None:
    body = render("pairing", context("pairing"))

    assert "Carol Danvers (@carol)" in body
    assert "Alice Liddell (@alice)" in body
    assert "from 2026-01-05 to 2026-07-05" in body
    assert "every 14 days, about 45 minutes, live or async" in body
    assert "program coordinators" in body
    assert "Extended" not in body


def test_kickoff_of_an_extended_pairing_shows_the_new_end_and_the_reason() -> None:
    body = render("pairing", context("pairing", EXTENDED))

    assert (
        "- **Extended until:** 2026-09-30 (Finishing the on-call goal after a team move)"
        in body.splitlines()
    )


def test_kickoff_has_a_before_we_start_checklist() -> None:
    steps = parse(section(render("pairing", context("pairing")), "## Before we start"))

    assert steps.total >= 3
    assert steps.done == 0


def test_kickoff_goals_section_has_one_example_goal_with_steps_and_a_hint() -> None:
    goals = section(render("pairing", context("pairing", follows=None)), "## Goals")
    headings = [line for line in goals.splitlines() if line.startswith("### ")]

    assert headings == [
        "### Example: automate the team's release notes with a CI job by 2026-04-05"
    ]
    assert parse(goals).total >= 3
    assert goals.index("<!--") < goals.index("-->") < goals.index("### ")


def test_kickoff_explains_the_goal_matrix_and_asks_for_the_purpose() -> None:
    body = render("pairing", context("pairing"))

    for quality in ("Time-bound", "Certain", "Specific", "Positive", "Measurable", "Personal"):
        assert f"| **{quality}** |" in body
    for role in ("mentee", "mentor"):
        assert (
            f"I'm a {role} because I care about *value*. *Value* drives me to be a {role} "
            "because *your why*."
        ) in body


# ---------------------------------------------------------------- check-ins


@pytest.mark.parametrize("name", ["checkin", "checkin-comment"])
def test_checkin_carries_forward_open_items_as_unchecked_tasks(name: str) -> None:
    carried = ["Book the shadowing slot (owner: @carol)", "Share the SLO doc (owner: @alice)"]
    lines = render(name, context(name, checkin=checkin(carried=carried))).splitlines()

    assert "- [ ] Book the shadowing slot (owner: @carol)" in lines
    assert "- [ ] Share the SLO doc (owner: @alice)" in lines


@pytest.mark.parametrize("name", ["checkin", "checkin-comment"])
def test_checkin_without_open_items_has_no_carried_section(name: str) -> None:
    text = render(name, context(name, checkin=checkin(carried=[])))

    assert "Carried forward" not in text
    assert parse(text).total == 0  # no placeholder tasks to carry into the next period


def test_checkin_links_the_pairing_issue_and_the_previous_checkin() -> None:
    lines = render("checkin", context("checkin")).splitlines()

    assert (
        "- Pairing issue, with your goals: [#7](https://forge.example/acme/mentoring/-/issues/7)"
        in lines
    )
    assert "- Previous check-in: [#12](https://forge.example/acme/mentoring/-/issues/12)" in lines


def test_first_checkin_without_links_or_goals_points_to_the_pairing_issue() -> None:
    values = context("checkin", pairing_issue=None, goals=[], checkin=checkin(previous=None))
    body = render("checkin", values)

    assert "Pairing issue" not in body
    assert "Previous check-in" not in body
    assert "No goals yet. Goals live in the pairing issue" in body


def test_checkin_lists_progress_per_goal() -> None:
    progress = section(render("checkin", context("checkin")), "## Progress on goals")

    assert "- **Run an incident review**: 2/4 steps (50%)" in progress
    assert "- **Ship the runbook**: 3/3 steps (100%)" in progress


def test_checkin_title_names_the_period_and_the_pair() -> None:
    draft = Templates().issue("checkin", context("checkin"))

    assert draft.title == "Check-in 3: Carol Danvers & Alice Liddell (2026-03-02)"


def test_checkin_comment_is_shorter_than_the_issue() -> None:
    issue = render("checkin", context("checkin"))
    comment = render("checkin-comment", context("checkin-comment"))

    assert len(comment) < len(issue) / 2


# ---------------------------------------------------------------- the ending


def test_extension_comment_gives_the_new_end_and_the_reason() -> None:
    text = render("extended", context("extended", EXTENDED))

    assert "runs until **2026-09-30** instead of 2026-07-05." in text
    assert "Reason: Finishing the on-call goal after a team move" in text


def test_early_end_comment_gives_the_date_the_reason_and_the_retrospective() -> None:
    text = render("ended-early", context("ended-early", ENDED_EARLY))

    assert "ended on 2026-03-02. Reason: Carol changed teams" in text
    assert "no fault" in text
    assert '"Retrospective: Carol Danvers & Alice Liddell"' in text


def test_closing_notes_name_the_retrospective_the_same_way_on_every_run() -> None:
    # Written in the run that opens the retrospective: no number to link yet, and a
    # rerun after a crash must write the same words.
    text = render("completed", context("completed"))

    assert '"Retrospective: Carol Danvers & Alice Liddell"' in text
    assert "#" not in text


def test_retrospective_lists_each_goal_with_its_result() -> None:
    goals = [
        {"title": "Run an incident review", "done": 2, "total": 4, "percent": 50, "due": None},
        # The rules pass goal titles quoted inert (markdown.inert): pipes escaped.
        {
            "title": "Read \\| summarise the SLOs",
            "done": 1,
            "total": 1,
            "percent": 100,
            "due": None,
        },
    ]
    lines = render("retrospective", context("retrospective", goals=goals)).splitlines()

    assert "| Run an incident review | 2/4 | 50% |" in lines
    assert "| Read \\| summarise the SLOs | 1/1 | 100% |" in lines


def test_retrospective_without_goals_says_none_were_recorded() -> None:
    body = render("retrospective", context("retrospective", goals=[]))

    assert "No goals were recorded in the pairing issue." in body
    assert "| Goal |" not in body


def test_retrospective_asks_both_roles_to_reflect_and_score() -> None:
    body = render("retrospective", context("retrospective"))

    assert "## Mentee: Carol Danvers" in body
    assert "## Mentor: Alice Liddell" in body
    assert body.count("**What worked?**") == 2
    assert body.count("(0 = not at all, 10 = absolutely)") == 2
    assert "[#7](https://forge.example/acme/mentoring/-/issues/7)" in body


# ---------------------------------------------------------------- front matter


def test_pairing_issue_front_matter_renders_title_assignees_and_confidential() -> None:
    draft = Templates().issue("pairing", context("pairing"))

    assert draft.title == "Mentorship: Carol Danvers & Alice Liddell"
    assert draft.labels == ()
    assert draft.assignees == ("carol", "alice")
    assert draft.confidential is True


@pytest.mark.parametrize("name", [name for name in ISSUES if name != "feedback"])
def test_issues_follow_the_programs_confidential_setting(name: str) -> None:
    public = Program.model_validate(ROSTER | {"program": {"confidential": False}})

    assert Templates().issue(name, context(name)).confidential is True
    assert Templates().issue(name, context(name, program=public)).confidential is False


def test_a_feedback_form_is_confidential_and_for_one_participant_whatever_the_setting() -> None:
    public = Program.model_validate(ROSTER | {"program": {"confidential": False}})
    draft = Templates().issue("feedback", context("feedback", program=public))

    assert draft.confidential is True
    assert draft.assignees == ("carol",)


def test_retrospective_title_names_the_pair() -> None:
    draft = Templates().issue("retrospective", context("retrospective"))

    assert draft.title == "Retrospective: Carol Danvers & Alice Liddell"


# A program of any shape the roster allows, for the properties of the shipped templates:
# `validate` renders only a program's own templates, so these must render for every program.
# One line of text, as program.yml's one-line fields take it.
LINE = st.characters(
    exclude_categories=("Cc", "Cs", "Zl", "Zp"),
    exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
)
NAMES = st.none() | st.text(LINE, min_size=1, max_size=12).filter(str.strip)
DAYS = st.dates(date(2025, 1, 1), date(2028, 12, 31))


@st.composite
def programs(draw: st.DrawFn) -> Program:
    settings: dict[str, Any] = {
        "name": draw(st.text(LINE, min_size=1, max_size=20).filter(str.strip)),
        "term_months": draw(st.integers(1, 36)),
        "checkin_style": draw(st.sampled_from(["issue", "comment"])),
        "meeting_style": draw(st.sampled_from(["sync", "async", "either"])),
        "follow_up_days": draw(st.sampled_from([0, 30])),
        "confidential": draw(st.booleans()),
        "private_contact": draw(NAMES),
        "coordinators": draw(st.sampled_from([[], ["coordinator"]])),
    }
    people = [
        {
            "handle": handle,
            "name": draw(NAMES),
            "roles": [role],
            "timezone": draw(st.sampled_from([None, "Europe/Berlin"])),
            "topics": draw(st.sampled_from([[], ["go", "incident response"]])),
        }
        for handle, role in (("alice", "mentor"), ("carol", "mentee"))
    ]
    start = draw(DAYS)
    pairing: dict[str, Any] = {"mentor": "alice", "mentee": "carol", "start": start}
    if draw(st.booleans()):
        pairing |= {"extended_until": date(2029, 6, 30), "extension_reason": "more time"}
    if draw(st.booleans()):
        pairing |= {"ended": start, "ended_reason": draw(NAMES)}
    pairing |= draw(
        st.fixed_dictionaries(
            {},
            optional={
                "term_months": st.integers(1, 36),
                "private": st.booleans(),
                "continue_informally": st.just("monthly"),
                "checkin_every_days": st.integers(1, 60),
                "meeting_style": st.sampled_from(["sync", "async", "either"]),
                "meeting_minutes": st.integers(15, 180),
            },
        )
    )
    roster = {
        "program": settings,
        "forge": {"kind": draw(st.sampled_from(["gitlab", "github"])), "project": "acme/m"},
        "people": people,
        "pairings": draw(st.sampled_from([[], [pairing]])),
    }
    return Program.model_validate(roster)


@given(programs(), DAYS)
def test_the_shipped_templates_pass_the_check_for_any_program_on_any_day(
    program: Program, today: date
) -> None:
    assert check_templates(Templates(), program, today) == []


HOSTILE = "@all <b>x</b> see #3 !4 ~bug https://forge.example/a/-/issues/5\n/close\n/assign @zed"
# The roster's words as a hostile hand would write them; line breaks too, which the loader
# refuses, for a Program built some other way.
HOSTILE_PROGRAM = PROGRAM.model_copy(
    update={
        "program": PROGRAM.program.model_copy(
            update={"name": "Prog <b>x</b> @all /close", "private_contact": HOSTILE}
        ),
        "people": [
            PROGRAM.people[0].model_copy(update={"name": HOSTILE, "topics": ["@dave", "#9"]}),
            PROGRAM.people[1].model_copy(update={"name": "/close\n/assign @zed"}),
        ],
    }
)
HOSTILE_PAIRINGS = [
    EXTENDED.model_copy(update={"extension_reason": HOSTILE, "follows_reason": HOSTILE}),
    ENDED_EARLY.model_copy(update={"ended_reason": HOSTILE}),
]
MENTIONED = re.compile(r"(?<![\w\u200b])@([\w.-]*\w)")
REFERENCE = re.compile(r"(?<![\w\u200b])[#!~][\w\"]|https?://")
HTML = re.compile(r"<[A-Za-z!/?]")


@pytest.mark.parametrize("pairing", HOSTILE_PAIRINGS, ids=["extended", "ended-early"])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_template_shows_the_rosters_words_inert(name: str, pairing: Pairing) -> None:
    values = example_context(HOSTILE_PROGRAM, name, TODAY)
    values |= pairing_context(HOSTILE_PROGRAM, pairing, TODAY, PAIRING_ISSUE)
    if SPECS[name].kind == "issue":
        draft = Templates().issue(name, values)
        texts = [draft.title, draft.body]
        assert set(draft.assignees) <= {"alice", "carol"}
    else:
        texts = [Templates().comment(name, values)]
    for text in texts:
        # Only handles, as the templates mean to: the pair, the coordinators, a request's
        # author, who ticked a box (the example context's "mentee").
        assert set(MENTIONED.findall(text)) <= {
            "alice",
            "carol",
            "coordinator",
            "dana",
            "mentee",
        }, text
        assert not [line for line in text.split("\n") if line.lstrip().startswith("/")], text
        assert "<b>" not in text
        assert "#3" not in text.replace(f"#{ZWSP}3", "")
        assert "zed" not in MENTIONED.findall(text)


def test_a_hostile_extension_reason_reads_as_text_on_one_line() -> None:
    values = context("extended", pairing=HOSTILE_PAIRINGS[0], program=HOSTILE_PROGRAM)
    assert render("extended", values).split("\n")[2] == (
        f"Reason: @{ZWSP}all <{ZWSP}b>x<{ZWSP}/b> see #{ZWSP}3 !{ZWSP}4 ~{ZWSP}bug "
        f"https:{ZWSP}//forge.example/a/-/issues/5 /close /assign @{ZWSP}zed"
    )


def shipped_copy(directory: Path, broken: str) -> Path:
    """The shipped templates copied to `directory`, the one named `broken` using a name no
    template gets."""
    directory.mkdir()
    for path in DEFAULTS.glob("*.md"):
        (directory / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    write(directory, broken, "{{ nope }}\n")
    return directory


def test_without_shipped_only_the_programs_own_templates_are_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = shipped_copy(tmp_path / "shipped", "quiet")
    monkeypatch.setattr(templates_module, "DEFAULTS", shipped)
    own = tmp_path / "own"
    own.mkdir()
    checkin = write(own, "checkin", '---\ntitle: "Check-in"\n---\nAgenda\n{% if %}\n')

    assert check_templates(Templates(), PROGRAM, TODAY, shipped=False) == []
    assert [p.split(": ", 1)[0] for p in check_templates(Templates(), PROGRAM, TODAY)] == [
        f"{shipped / 'quiet.md'}:1"
    ]
    assert check_templates(Templates(own), PROGRAM, TODAY, shipped=False) == [
        f"{checkin}:5: Expected an expression, got 'end of statement block'"
    ]


def test_a_programs_template_of_a_shipped_name_is_checked_in_its_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = shipped_copy(tmp_path / "shipped", "quiet")
    monkeypatch.setattr(templates_module, "DEFAULTS", shipped)
    own = tmp_path / "own"
    own.mkdir()
    quiet = write(own, "quiet", "Hello @{{ mentee.handle }}\n{{ days_quite }}\n")

    [problem] = check_templates(Templates(own), PROGRAM, TODAY, shipped=False)

    assert problem.startswith(f"{quiet}:2: 'days_quite' is undefined; ")


# ---------------------------------------------------------------- overrides


def test_override_dir_replaces_one_template_and_keeps_the_defaults(tmp_path: Path) -> None:
    write(
        tmp_path,
        "checkin",
        '---\ntitle: "Sync {{ checkin.number }}"\nlabels: [sync]\n---\nHi @{{ mentee.handle }}\n',
    )
    templates = Templates(tmp_path)

    assert templates.issue("checkin", context("checkin")) == Draft(
        title="Sync 3", body="Hi @carol\n", labels=("sync",)
    )
    assert templates.comment("quiet", context("quiet")) == render("quiet", context("quiet"))
    assert check_templates(templates, PROGRAM, TODAY) == []


# ---------------------------------------------------------------- compiled once


def test_every_templates_of_a_process_shares_one_compiled_body() -> None:
    assert Templates().get("pairing").body is Templates().get("pairing").body


def test_drafting_an_issue_again_compiles_nothing() -> None:
    templates = Templates()
    templates.issue("pairing", context("pairing"))
    compiled = _compiled.cache_info().misses

    templates.issue("pairing", context("pairing"))

    assert _compiled.cache_info().misses == compiled


def test_a_syntax_error_in_the_title_is_raised_at_every_draft(tmp_path: Path) -> None:
    path = write(tmp_path, "pairing", '---\ntitle: "Pair {% if %}"\n---\nBody\n')
    templates = Templates(tmp_path)

    messages = [error(templates.issue, "pairing", context("pairing")) for _ in range(2)]

    expected = f"{path}:2: title: Expected an expression, got 'end of statement block'"
    assert messages == [expected, expected]


# ---------------------------------------------------------------- errors


def test_undefined_name_in_the_body_names_file_line_and_name(tmp_path: Path) -> None:
    path = write(tmp_path, "quiet", "Hello @{{ mentee.handle }}\n{{ nope }}\n")

    assert error(Templates(tmp_path).comment, "quiet", context("quiet")) == (
        f"{path}:2: 'nope' is undefined; the names a template can use are: "
        "days_quiet, mentee, mentor, pairing, pairing_issue, program, today"
    )


def test_undefined_name_in_the_title_names_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, "pairing", '---\ntitle: "Pair {{ nope.id }}"\n---\nBody\n')

    assert error(Templates(tmp_path).issue, "pairing", context("pairing")) == (
        f"{path}:2: title: 'nope' is undefined; the names a template can use are: "
        "agenda, follows, mentee, mentor, pairing, pairing_issue, program, today"
    )


def test_syntax_error_line_counts_the_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path, "checkin", '---\ntitle: "Check-in"\n---\nAgenda\n{% if %}\n')

    assert error(Templates(tmp_path).get, "checkin") == (
        f"{path}:5: Expected an expression, got 'end of statement block'"
    )


def test_invalid_front_matter_yaml_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "pairing", "---\ntitle: [unclosed\n---\nBody\n")

    message = error(Templates(tmp_path).get, "pairing")

    assert message.startswith(f"{path}:2: invalid front matter: ")
    assert "expected ',' or ']'" in message


def test_unknown_front_matter_field_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "pairing", '---\ntitle: "Pair"\nlabel: [x]\n---\nBody\n')

    assert error(Templates(tmp_path).get, "pairing") == (
        f"{path}:2: unknown front matter field 'label'; use title, labels, assignees, confidential"
    )


def test_issue_template_without_a_title_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "retrospective", "---\nlabels: [retro]\n---\nBody\n")

    assert error(Templates(tmp_path).issue, "retrospective", context("retrospective")) == (
        f"{path}:1: an issue template needs title: in its front matter"
    )


def test_check_reports_an_unknown_template_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "check-in", "A typo in the name\n")

    assert check_templates(Templates(tmp_path), PROGRAM, TODAY) == [
        f"{path}: unknown template name 'check-in'; known: " + ", ".join(SPECS)
    ]


def test_check_reports_each_broken_override(tmp_path: Path) -> None:
    quiet = write(tmp_path, "quiet", "{{ nope }}\n")
    retrospective = write(tmp_path, "retrospective", "No front matter\n")

    problems = check_templates(Templates(tmp_path), PROGRAM, TODAY)

    assert [problem.split(": ", 1)[0] for problem in problems] == [
        f"{quiet}:1",
        f"{retrospective}:1",
    ]
    assert "'nope' is undefined" in problems[0]
    assert "needs title:" in problems[1]


def test_a_template_reaching_for_python_is_refused_at_its_line_and_runs_nothing(
    tmp_path: Path,
) -> None:
    ran = tmp_path / "ran"
    reach = f"{{{{ cycler.__init__.__globals__.os.popen('touch {ran}').read() }}}}"
    quiet = write(tmp_path, "quiet", f"Hi @{{{{ mentee.handle }}}},\n{reach}\n")

    assert check_templates(Templates(tmp_path), PROGRAM, TODAY, shipped=False) == [
        f"{quiet}:2: not allowed in a template: access to attribute '__init__' of 'type' "
        "object is unsafe; a template may use the names it is given and Jinja2's filters, "
        "tests and loops"
    ]
    assert not ran.exists()


def test_a_template_that_is_a_symbolic_link_is_refused_and_nothing_it_points_to_is_read(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "environ"
    secret.write_text("GITLAB_TOKEN=glpat-secret\n")
    link = tmp_path / "issues" / "quiet.md"
    link.parent.mkdir()
    link.symlink_to(secret)

    problems = check_templates(Templates(link.parent), PROGRAM, TODAY, shipped=False)
    assert problems == [
        f"{link}: is a symbolic link; a template is read only from a file of its own "
        "(copy the text into it)"
    ]
    assert "glpat" not in "".join(problems)


def test_a_template_may_not_change_what_it_is_given(tmp_path: Path) -> None:
    midpoint = write(tmp_path, "midpoint", "{{ goals.clear() }}Halfway.\n")

    [problem] = check_templates(Templates(tmp_path), PROGRAM, TODAY, shipped=False)
    assert problem.startswith(f"{midpoint}:1: not allowed in a template: ")
    assert "clear" in problem


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('{{ "x" * 100000000 }}', "repeating 1 item(s) 100000000 times makes more than the "),
        ("{{ 10 ** 100000000 }}", "an exponent of 100000000 is more than 1000"),
        (
            "{% set ns = namespace(s='xx') %}{% for i in range(40) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "`~` makes a text of more than 2,000,000 characters",
        ),
        (
            "{% set ns = namespace(s='xx') %}{% for i in range(40) %}"
            "{% set ns.s = ns.s + ns.s %}{% endfor %}",
            "`+` makes a text of more than 2,000,000 characters",
        ),
        ('{{ "x".ljust(99999999) }}', "a width or count of 99999999 is more than 2,000,000"),
        ('{{ "x"|center(99999999) }}', "a width or count of 99999999 is more than 2,000,000"),
        ('{{ "%99999999s"|format(1) }}', "a width in '%99999999s' could make a text longer"),
        ('{{ "{:>{}}".format(1, 99999999) }}', "a width in '{:>{}}' could make a text longer"),
        ('{{ ("a" * 2000)|replace("a", "b" * 2000) }}', "`replace` makes a text of more than"),
        ('{{ range(100000)|join("x" * 100) }}', "`join` makes a text of more than"),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "the render takes more than 200,000 loop turns and macro calls",
        ),
        (
            "{% macro twice(n) %}{% if n %}{{ twice(n - 1) }}{{ twice(n - 1) }}{% endif %}"
            "{% endmacro %}{{ twice(40) }}",
            "the render takes more than 200,000 loop turns and macro calls",
        ),
        (
            "{% for x in range(10) recursive %}"
            "{{ loop(range(10)) if loop.depth < 12 else '' }}{% endfor %}",
            "the render takes more than 200,000 loop turns and macro calls",
        ),
        (  # the budget's own names cannot be taken over by the template
            "{% set mentorship_step = dict %}{% for i in range(100000) %}"
            "{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "the render takes more than 200,000 loop turns and macro calls",
        ),
        ("{{ ((10 ** 1000) ** 1000) ** 1000 }}", "a number of more than 100,000 binary digits"),
        (
            '{% set s %}{% for i in range(900) %}{{ "x" * 1999999 }}{% endfor %}{% endset %}',
            "the render writes more than 10,000,000 characters in all",
        ),
        ('{{ "%(a)1999999999s" % {"a": "x"} }}', "a width in '%(a)1999999999s' could make"),
        ('{{ ("x" * 1999).replace("x", "y" * 2000) }}', "`replace` makes a text of more than"),
        ('{{ ("\\t" * 2000).expandtabs(1999999) }}', "`expandtabs` makes a text of more than"),
        ('{{ range(2000)|map("string")|join("x" * 1999999) }}', "`join` makes a text of more"),
        ('{{ ("x\\n" * 2000)|indent(1999999, true) }}', "`indent` makes a text of more than"),
        ("{{ (range(1000)|list)|batch(1)|sum(start=[]) }}", "`sum` adds numbers only"),
        ('{{ ("x" * 1999999)|wordwrap(1) }}', "`wordwrap` of more than 200,000 characters"),
    ],
)
def test_an_expression_that_would_outgrow_a_render_is_refused(
    tmp_path: Path, text: str, why: str
) -> None:
    quiet = write(tmp_path, "quiet", f"Hi.\n{text}\n")

    [problem] = check_templates(Templates(tmp_path), PROGRAM, TODAY, shipped=False)
    assert problem.startswith(f"{quiet}:2: not allowed in a template: {why}")


def test_widths_values_and_loops_a_template_needs_are_not_refused(tmp_path: Path) -> None:
    sized = (
        '{{ "%5d"|format(42) }} {{ "%d"|format(123456789) }} {{ "{:>4}".format(7) }} '
        '{{ "Issue %d of 12345678"|format(3) }} {{ "a" ~ "b" }} {{ [1] + [2] }} '
        '{{ "x".ljust(3) }} {{ range(3)|join(",") }} {{ "aa"|replace("a", "b") }}\n'
        '{{ [1, 2, 3]|sum }} {{ range(3)|map("string")|join("-") }} {{ "a-b".replace("-", "+") }} '
        '{{ "x\\ny"|indent(2) }} {{ "%(n)5d" % {"n": 3} }} {{ 2 ** 64 }} {{ 10 ** 300 }}\n'
        "{% for i in range(300) %}{% for j in range(300) %}{% endfor %}{% endfor %}done\n"
    )
    write(tmp_path, "quiet", sized)

    assert check_templates(Templates(tmp_path), PROGRAM, TODAY, shipped=False) == []


def test_a_template_writing_more_than_any_forge_keeps_is_refused_by_name(tmp_path: Path) -> None:
    loop = "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}"
    quiet = write(tmp_path, "quiet", loop)

    assert check_templates(Templates(tmp_path), PROGRAM, TODAY, shipped=False) == [
        f"{quiet}: the quiet template writes more than 2,000,000 characters, more than any "
        "forge keeps in an issue or a comment; shorten it"
    ]


def test_a_pairing_that_follows_another_links_it_and_carries_its_open_goals() -> None:
    body = render("pairing", context("pairing"))
    goals = section(body, "## Goals")

    assert "This pairing follows Carol Danvers's pairing with Ana" in body
    assert "[#5](https://forge.example/acme/mentoring/-/issues/5)" in body
    assert [line for line in goals.splitlines() if line.startswith("### ")] == [
        "### Ship the runbook by 2027-03-01"
    ]
    assert "Carried over from [#5]" in goals
    assert "1 step done there" in goals
    assert parse(goals).done == 0
    assert parse(goals).total == 2
    assert "Example:" not in goals


def test_the_change_of_mentor_notes_name_the_next_mentor_and_blame_nobody() -> None:
    note = render("changed-mentor", context("changed-mentor"))
    handover = render("handover", context("handover"))

    assert "Ana" in note
    assert "no fault" in note
    assert "Hand-over:" in note
    assert "What should Ana know to pick up from here?" in handover
    assert "Anything unfinished" in handover
    assert "What went well?" in handover


def test_the_no_fault_exit_says_how_to_ask_privately() -> None:
    gitlab = render("pairing", context("pairing", follows=None))
    github = PROGRAM.model_copy(
        update={
            "forge": PROGRAM.forge.model_copy(update={"kind": "github"}),
            "program": PROGRAM.program.model_copy(
                update={"private_contact": "mentoring-coordinators@acme.example"}
            ),
        }
    )
    asked = render("pairing", context("pairing", program=github, follows=None))

    assert '"change-mentor" description template' in gitlab
    assert "change-mentor" not in asked
    assert "write to mentoring-coordinators@acme.example" in asked


@pytest.mark.parametrize(
    ("contact", "shown"),
    [
        (
            "https://acme.example/mentoring/private#ask",
            "write to <https://acme.example/mentoring/private#ask>.",
        ),
        ("https://acme.example/ask @all", "write to https:\u200b//acme.example/ask @\u200ball."),
    ],
)
def test_a_web_address_to_ask_privately_is_a_link_and_anything_else_is_inert(
    contact: str, shown: str
) -> None:
    github = PROGRAM.model_copy(
        update={
            "forge": PROGRAM.forge.model_copy(update={"kind": "github"}),
            "program": PROGRAM.program.model_copy(update={"private_contact": contact}),
        }
    )
    assert shown in render("pairing", context("pairing", program=github, follows=None))
