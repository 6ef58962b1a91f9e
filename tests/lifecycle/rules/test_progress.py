from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, timedelta

import pytest

from automation.goals.checklist import parse
from automation.lifecycle import ledger, markers
from automation.lifecycle.actions import (
    EditComment,
    EditIssueBody,
    OpenIssue,
    PostComment,
    Relabel,
    ReopenIssue,
    Target,
    Urgency,
)
from automation.lifecycle.ledger import PairState
from automation.lifecycle.rules import nudges, progress
from automation.lifecycle.rules import plan as plan_all
from automation.messages.templates import Templates
from automation.model import Issue, IssueState, TaskCounts
from tests.lifecycle.rules.world import (
    PAIR,
    START,
    comment,
    issue,
    lines,
    observed_on,
    pair_on,
    pairing_issue,
    program,
)

ON = "comment: true, pace_label: true, tolerance: 0.2, celebrate: true, goal_nudge: true"
GOALS = """## Goals

### Run an incident review by 2026-03-01

- [x] Shadow a review
- [ ] Facilitate one

### Join on-call by 2026-05-01

- [ ] Read the runbooks
- [ ] Shadow two shifts
"""


def body(text: str = GOALS) -> str:
    return f"## Before we start\n\n- [x] Coffee chat\n\n{text}"


def goals_issue(text: str = GOALS, **kwargs: object) -> Issue:
    return pairing_issue(body=body(text), **kwargs)


def remembered(issue: Issue, **changes: object) -> PairState:
    """The ledger entry a previous run would have written for `issue`."""
    pair = pair_on(START + timedelta(days=20), [issue], roster=program(progress=ON))
    reading = progress.read(pair)
    assert reading is not None
    state = PairState(
        comment=501,
        digest=reading.digest,
        signature=parse(issue.body).fingerprint,
        history=reading.history,
    )
    return replace(state, **changes)  # type: ignore[arg-type]


def with_ledger(state: PairState) -> Issue:
    """The ledger issue as a previous run left it, remembering `state` for the pairing."""
    return issue(
        90,
        None,
        body=ledger.render("ledger/2026-01", {PAIR: state}),
        labels=("mentorship", "mentorship::ledger"),
        state=IssueState.CLOSED,
    )


DAY = START + timedelta(days=20)
INCIDENT_REVIEW = progress.goal_key("Run an incident review")


def test_progress_comment_and_ledger_on_the_kickoff_night() -> None:
    actions = plan_all(
        program(progress=ON), observed_on(START, [], [], program(progress=ON)), START, Templates()
    )
    assert [(a.kind, a.key, a.after) for a in actions] == [
        ("open-issue", f"pair/{PAIR}/pairing", ()),
        # No pace label yet: the template's example goal is not a goal until touched.
        ("comment", f"pair/{PAIR}/progress", (f"pair/{PAIR}/pairing",)),
        (
            "open-issue",
            "ledger/2026-01",
            # only what it records; the comment itself waits for the issue
            (f"pair/{PAIR}/progress",),
        ),
        # Ledger issues are kept closed, out of people's way.
        ("close", "ledger/2026-01/close", ("ledger/2026-01",)),
        # showing the forge as the night leaves it
        ("open-issue", "dashboard", ()),
        # last, the program's ledger records the dashboard's number
        ("edit-issue", "ledger/program", ()),
    ]
    record = actions[-1]
    assert isinstance(record, EditIssueBody)
    assert '"issues":{"dashboard":"@ref:dashboard","ledger/2026-01":"@ref:ledger/2026-01"}' in (
        record.body
    )
    opened = actions[-4]
    assert isinstance(opened, OpenIssue)
    assert opened.draft.labels == ("mentorship", "mentorship::ledger")
    # The comment's id is known only once it exists: apply fills the reference in.
    assert f'"c":"@ref:pair/{PAIR}/progress"' in opened.draft.body


def test_comment_shows_goal_bars_and_the_forges_counts() -> None:
    [post, _] = progress.plan(pair_on(DAY, [goals_issue()], roster=program(progress=ON)))
    assert isinstance(post, PostComment)
    assert "### Goal progress: 1 of 4 goal steps (25%)" in post.body
    assert (
        "| Run an incident review by 2026-03-01 | `█████░░░░░` 50% | 1/2 | 2026-03-01 |"
        in post.body
    )
    assert "All task items in the description, as the forge counts them: 2/5." in post.body
    found = markers.find(post.body)
    assert found is not None
    assert found.attrs["digest"]


def test_comment_is_edited_only_when_progress_moved() -> None:
    same = goals_issue()
    state = remembered(same)
    roster = program(progress=ON)
    quiet = pair_on(DAY + timedelta(days=7), [same, with_ledger(state)], roster=roster)
    assert [a for a in progress.plan(quiet) if a.kind != "relabel"] == []
    ticked = goals_issue(GOALS.replace("- [ ] Facilitate one", "- [x] Facilitate one"))
    moved = pair_on(DAY, [ticked, with_ledger(state)], roster=roster)
    edits = [a for a in progress.plan(moved) if isinstance(a, EditComment)]
    assert [(e.comment_id, e.target.number) for e in edits] == [(501, 1)]
    assert "2 of 4 goal steps" in edits[0].body


def test_history_keeps_one_point_per_week_in_which_progress_moved() -> None:
    state = remembered(goals_issue(), history=((1, 0, 4),))
    ticked = goals_issue(GOALS.replace("- [ ] Read the runbooks", "- [x] Read the runbooks"))
    roster = program(progress=ON)
    monday = DAY - timedelta(days=6)  # day 14 of the term: week 3 starts
    reading = progress.read(pair_on(monday, [ticked, with_ledger(state)], roster=roster))
    assert reading is not None
    assert reading.history == ((1, 0, 4), (3, 2, 4))
    # A second change in the same week replaces that week's point.
    both = ticked.body.replace("- [ ] Facilitate one", "- [x] Facilitate one")
    moved = replace(state, history=reading.history)
    later = pair_on(
        DAY,  # the last day of week 3
        [goals_issue(both[len(body("")) :]), with_ledger(moved)],
        roster=roster,
    )
    again = progress.read(later)
    assert again is not None
    assert again.history == ((1, 0, 4), (3, 3, 4))


def test_small_wins_are_a_line_per_week_that_moved_forward_in_the_progress_comment() -> None:
    history = ((1, 0, 4), (2, 1, 4), (4, 0, 4), (5, 3, 5))
    assert progress.small_wins(history) == [(2, 1), (5, 3)]
    state = remembered(goals_issue(), history=((1, 0, 4), (2, 1, 4)))
    ticked = goals_issue(GOALS.replace("- [ ] Read the runbooks", "- [x] Read the runbooks"))
    [edit] = [
        a
        for a in progress.plan(
            pair_on(DAY, [ticked, with_ledger(state)], roster=program(progress=ON))
        )
        if isinstance(a, EditComment)
    ]
    start = START.isoformat()
    week3 = (START + timedelta(weeks=2)).isoformat()
    assert "**Small wins, week by week:**" in edit.body
    assert f"- Week 2 (from {(START + timedelta(weeks=1)).isoformat()}): 1 step done" in edit.body
    assert f"- Week 3 (from {week3}): 1 step done" in edit.body
    assert f"| 1 | {start} | 0/4 (0%) |" in edit.body


@pytest.mark.parametrize(
    ("day", "label"),
    [(20, "mentorship-pace::on-track"), (120, "mentorship-pace::behind")],
)
def test_pace_label_compares_progress_with_the_term_elapsed(day: int, label: str) -> None:
    pair = pair_on(START + timedelta(days=day), [goals_issue()], roster=program(progress=ON))
    [relabel] = [a for a in progress.plan(pair) if isinstance(a, Relabel)]
    assert relabel.add == (label,)


def test_a_completed_goal_is_celebrated_once_even_after_untick_and_retick() -> None:
    done = GOALS.replace("- [ ] Facilitate one", "- [x] Facilitate one")
    roster = program(progress=ON)
    first = progress.plan(pair_on(DAY, [goals_issue(done)], roster=roster))
    assert [a.key for a in first if a.key.startswith(f"pair/{PAIR}/celebrate/")] == [
        f"pair/{PAIR}/celebrate/{INCIDENT_REVIEW}"
    ]
    state = remembered(goals_issue(done), celebrated=(INCIDENT_REVIEW,))
    later = pair_on(
        DAY + timedelta(days=40), [goals_issue(done), with_ledger(state)], roster=roster
    )
    assert [a for a in progress.plan(later) if "celebrate" in a.key] == []


def test_a_goals_name_keeps_its_title_out_of_keys_and_stays_when_its_date_moves() -> None:
    title = "Leave my team because of Zed"
    assert progress.goal_key(f"{title} by 2026-03-01") == progress.goal_key(f"{title} (2026-04-15)")
    assert progress.goal_key(title) != progress.goal_key("Stay")
    done = f"## Goals\n\n### {title}\n\n- [x] Talk\n"
    actions = progress.plan(pair_on(DAY, [goals_issue(done)], roster=program(progress=ON)))
    assert any("/celebrate/" in a.key for a in actions)
    assert not [a.key for a in actions if "team" in a.key or "zed" in a.key.lower()]


def test_a_goal_celebrated_under_its_earlier_name_is_not_celebrated_again() -> None:
    done = GOALS.replace("- [ ] Facilitate one", "- [x] Facilitate one")
    roster = program(progress=ON)
    # The ledger of an earlier version: the goal's title as a slug.
    state = remembered(goals_issue(done), celebrated=("run-an-incident-review",))
    later = pair_on(DAY, [goals_issue(done), with_ledger(state)], roster=roster)
    actions = progress.plan(later)
    assert [a for a in actions if "celebrate" in a.key] == []
    kept = progress.state(later, actions)
    assert kept is not None
    assert kept.celebrated == (INCIDENT_REVIEW,)
    # No ledger entry, but its celebration posted under the earlier name: not posted again.
    key = f"pair/{PAIR}/celebrate/run-an-incident-review"
    posted = comment(1, "mentorship-bot", DAY - timedelta(days=1), key, "Goal complete")
    seen = pair_on(DAY, [goals_issue(done)], [posted], roster=roster)
    assert [a for a in progress.plan(seen) if "celebrate" in a.key] == []


MENTOR_GOALS = """
## Mentor's goals

### Example: ask better questions by 2026-04-01

- [ ] Read a chapter on coaching

### Give feedback that lands by 2026-05-01

- [x] Ask for feedback on my feedback
- [x] Try the situation-behaviour-impact format
"""


def test_the_mentors_own_goals_are_shown_and_celebrated_apart_from_the_mentees() -> None:
    roster = program(progress=ON)
    pair = pair_on(DAY, [goals_issue(GOALS + MENTOR_GOALS)], roster=roster)
    reading = progress.read(pair)
    assert reading is not None
    # The mentee's progress and pace are theirs alone; the untouched example counts nowhere.
    assert (reading.done, reading.total) == (1, 4)
    assert [g.title for g in reading.mentor_goals] == ["Give feedback that lands by 2026-05-01"]
    actions = progress.plan(pair)
    [post] = [a for a in actions if isinstance(a, PostComment) and a.key.endswith("/progress")]
    assert "### Goal progress: 1 of 4 goal steps (25%)" in post.body
    assert "**The mentor's own growth goals** (not counted in the progress above):" in post.body
    assert (
        "| Give feedback that lands by 2026-05-01 | `██████████` 100% | 2/2 | 2026-05-01 |"
        in post.body
    )
    [cheer] = [a for a in actions if "/celebrate/" in a.key]
    assert (
        cheer.key
        == f"pair/{PAIR}/celebrate/{progress.goal_key(reading.mentor_goals[0].title, mentor=True)}"
    )
    assert isinstance(cheer, PostComment)
    assert "Mentor's goal complete: Give feedback that lands by 2026-05-01" in cheer.body
    assert "Well done, @alice" in cheer.body
    # Remembered as celebrated under its own name, apart from a mentee goal of that name.
    state = progress.state(pair, actions)
    assert state is not None
    assert state.celebrated == (progress.goal_key(reading.mentor_goals[0].title, mentor=True),)


def test_a_mentors_goal_moving_edits_the_progress_comment() -> None:
    before = goals_issue(GOALS + MENTOR_GOALS.replace("- [x] Try", "- [ ] Try"))
    state = remembered(before)
    roster = program(progress=ON)
    after = goals_issue(GOALS + MENTOR_GOALS)
    moved = pair_on(DAY, [after, with_ledger(state)], roster=roster)
    assert [a.kind for a in progress.plan(moved) if a.key.endswith("/progress/edit")] == [
        "edit-comment"
    ]


def test_goal_nudge_in_the_first_two_weeks_names_what_is_missing() -> None:
    vague = (
        "## Goals\n\n### Example: lead a review by 2026-03-01\n\n- [ ] a\n- [ ] b\n\n"
        "### Learn Go\n\n- [ ] c\n"
    )
    roster = program(progress=ON)
    assert [
        a
        for a in progress.plan(
            pair_on(START + timedelta(days=6), [goals_issue(vague)], roster=roster)
        )
        if "goals" in a.key
    ] == []
    [nudge] = [
        a
        for a in progress.plan(
            pair_on(START + timedelta(days=7), [goals_issue(vague)], roster=roster)
        )
        if a.key.endswith("/goals")
    ]
    assert isinstance(nudge, PostComment)
    assert '"Example: lead a review by 2026-03-01" is still the example' in nudge.body
    assert '"Learn Go" has no date' in nudge.body
    good = pair_on(START + timedelta(days=7), [goals_issue()], roster=roster)
    assert [a for a in progress.plan(good) if a.key.endswith("/goals")] == []


def test_the_goal_nudge_names_every_thing_a_goal_lacks() -> None:
    goals = (
        "## Goals\n\n### Learn Go\n\n### Write a design\n\n- [ ] Draft\n\n"
        "### Ship by 2026-03-01\n\n- [ ] One\n- [ ] Two\n"
    )
    assert progress.goal_problems(parse(goals)) == [
        '"Learn Go" has no date (add "by YYYY-MM-DD" to its title) and no steps to tick (add a '
        "few `- [ ]` steps)",
        '"Write a design" has no date (add "by YYYY-MM-DD" to its title) and one step to tick '
        "(add a few `- [ ]` steps)",
    ]


def test_ticking_a_box_is_activity_that_keeps_a_pair_from_being_nudged() -> None:
    ticked = goals_issue(GOALS.replace("- [ ] Read the runbooks", "- [x] Read the runbooks"))
    ticked = replace(ticked, updated_at=ticked.updated_at + timedelta(days=20))
    state = remembered(goals_issue(), changed=None)
    met = [comment(1, "bob", START + timedelta(days=3))]
    pair = pair_on(
        START + timedelta(days=23), [ticked, with_ledger(state)], met, program(progress=ON)
    )
    assert pair.last_activity == date(2026, 1, 25)
    assert nudges.plan(pair) == []
    # Without the checklist change, the pair would have been nudged.
    idle = pair_on(
        START + timedelta(days=23),
        [goals_issue(), with_ledger(state)],
        met,
        program(progress=ON),
    )
    assert [a.key for a in nudges.plan(idle)] == [f"pair/{PAIR}/quiet/2026-01-08"]


def test_gitlab_task_counts_are_the_authority_and_a_difference_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    counted = replace(goals_issue(), tasks=TaskCounts(done=3, total=6))
    with caplog.at_level(logging.WARNING):
        [post, _] = progress.plan(pair_on(DAY, [counted], roster=program(progress=ON)))
    assert "as the forge counts them: 3/6." in post.body
    assert caplog.messages == [
        "pairing issue #1: GitLab counts 3/6 task items, the parser 2/5; using GitLab's"
    ]


def test_ledger_round_trip_and_a_damaged_body_reads_empty() -> None:
    states = {PAIR: PairState(501, "d", "s", "2026-01-07", ((1, 0, 4),), ("goal",))}
    assert ledger.parse(ledger.render("ledger/2026-01", states)) == states
    assert ledger.parse("<!-- mentorship-ledger\n{not json\n-->") == {}
    assert ledger.parse("") == {}


def test_ledger_written_only_when_a_state_changed() -> None:
    issue_now = goals_issue()
    roster = program(progress=ON)
    pair = pair_on(DAY, [issue_now], roster=roster)
    current = progress.state(pair, [])
    assert current is not None
    # As a run records it: the progress comment's id, its issues' numbers and the text of
    # its latest check-in.
    numbers = (("checkin/2", 2), ("pairing", 1))
    checkin = issue(2, f"pair/{PAIR}/checkin/2", labels=("mentorship-check-in",))
    agenda = ledger.described("checkin/2", checkin.body)
    stored = with_ledger(replace(current, comment=501, issues=numbers, agenda=agenda))
    seen = observed_on(DAY, [issue_now, checkin, stored], [], roster)
    actions = plan_all(roster, seen, DAY, Templates())
    assert [a for a in actions if a.key.startswith("ledger/2026")] == []
    moved = goals_issue(GOALS.replace("- [ ] Facilitate one", "- [x] Facilitate one"))
    seen = observed_on(DAY, [moved, checkin, stored], [], roster)
    actions = plan_all(roster, seen, DAY, Templates())
    [write] = [a for a in actions if a.key.startswith("ledger/2026")]
    assert isinstance(write, EditIssueBody)
    assert write.target.number == 90
    assert lines([write])[0].startswith("update #90: ledger/2026-01 [ledger/2026-01] after ")


def test_progress_read_once_is_read_again_when_the_plan_reopens_the_pairing_issue() -> None:
    closed = goals_issue(state=IssueState.CLOSED)
    pair = pair_on(START + timedelta(days=20), [closed], roster=program(progress=ON))
    assert pair.progress is None  # a closed pairing issue shows no progress
    same = pair.expecting([])
    assert same.progress is None
    key = f"pair/{PAIR}/pairing"
    reopened = pair.expecting([ReopenIssue(key, PAIR, Target(key, 1), Urgency.LABELS)])
    reading = reopened.progress
    assert reading is not None
    assert (reading.done, reading.total) == (1, 4)
