"""A change of mentor: the old pairing hands over, the new one links it and carries the
goals left open there."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from automation.goals.checklist import parse
from automation.lifecycle.actions import CloseIssue, EditIssueBody, OpenIssue, PostComment
from automation.lifecycle.rules.pair import Pair
from automation.messages.templates import Templates
from automation.model import CloseReason, IssueState
from automation.roster.config import Program, parse_program
from tests.lifecycle.rules.world import issue, lines, observed_on, plan_on

OLD = "alice--bob--2026-01-05"
NEW = "carol--bob--2026-03-02"
CHANGE = date(2026, 3, 2)

ROSTER = """\
program:
  name: Test program
  progress: {comment: false, pace_label: false, celebrate: false, goal_nudge: false}
forge: {kind: gitlab, project: acme/mentoring, bot: mentorship-bot}
people:
  - {handle: alice, name: Alice, roles: [mentor]}
  - {handle: carol, name: Carol, roles: [mentor]}
  - {handle: bob, name: Bob, roles: [mentee]}
pairings:
  - {mentor: alice, mentee: bob, start: 2026-01-05}
  - mentor: carol
    mentee: bob
    start: 2026-03-02
    follows: alice
    follows_reason: Bob moved to the platform team
"""

GOALS = """\
## Goals

### Ship the runbook by 2026-06-01

- [x] Outline the alerts
- [ ] Draft the paging section @all /close #3
- [ ] Review it with on-call <!-- hidden

### Learn Terraform

- [x] Read the guide
- [x] Write a module
"""


def roster() -> Program:
    return parse_program(ROSTER, Path("program.yml"))


def old_issue(body: str = GOALS, **kwargs: object) -> object:
    kwargs.setdefault("labels", ("mentorship", "mentorship::active"))
    return issue(1, f"pair/{OLD}/pairing", body=body, **kwargs)  # type: ignore[arg-type]


def test_the_old_pairing_ends_where_the_new_one_starts() -> None:
    old, new = roster().pairings

    assert old.end(roster().program) == CHANGE
    assert old.ended_on == CHANGE
    assert old.ended is None
    assert roster().follower(old) == new


HANDOVER = f"pair/{OLD}/retrospective/2026-03-02"  # the retrospective of the old term's end


def test_the_old_pairing_hands_over_with_its_own_note_and_a_short_retrospective() -> None:
    actions = [a for a in plan_on(CHANGE, [old_issue()], [], roster()) if OLD in a.key]

    assert lines(actions) == [
        f"open issue 'Hand-over: Bob & Alice' [{HANDOVER}]",
        f"comment on #1: ended-early [pair/{OLD}/ended-early] after {HANDOVER}",
        f"label #1 +mentorship::ended-early -mentorship::active [pair/{OLD}/pairing/labels] "
        f"after {HANDOVER}",
        f"close #1 as not planned [pair/{OLD}/pairing/close] after {HANDOVER},"
        f"pair/{OLD}/ended-early,pair/{OLD}/pairing/labels",
    ]
    handover, note, _, close = actions
    assert isinstance(handover, OpenIssue)
    assert "What should Carol know to pick up from here?" in handover.draft.body
    assert "Ship the runbook by 2026-06-01 | 1/3 | 33%" in handover.draft.body
    assert isinstance(note, PostComment)
    assert "goes on with a new mentor, Carol, from 2026-03-02" in note.body
    assert "no fault of either of you" in note.body
    assert "Reason" not in note.body  # the roster's reason stays with the coordinators
    assert isinstance(close, CloseIssue)
    assert close.reason is CloseReason.NOT_PLANNED


def test_the_new_pairing_issue_links_the_old_one_and_carries_its_unfinished_goals() -> None:
    actions = plan_on(CHANGE, [old_issue()], [], roster())
    opened = [a for a in actions if isinstance(a, OpenIssue) and a.key == f"pair/{NEW}/pairing"]

    assert len(opened) == 1
    body = opened[0].draft.body
    assert "follows Bob's pairing with Alice (2026-01-05 to 2026-03-02)" in body
    assert "[#1](https://gitlab.example/acme/mentoring/-/issues/1)" in body
    goals = parse(body[body.index("## Goals") :])
    assert [(g.title, g.done, g.total) for g in goals.goals] == [
        ("Ship the runbook by 2026-06-01", 0, 2)
    ]
    assert "Learn Terraform" not in body  # reached: nothing to carry
    assert "Outline the alerts" not in body  # done there
    assert "Carried over from [#1](https://gitlab.example/acme/mentoring/-/issues/1)" in body
    assert "1 step done there" in body


def test_carried_goals_are_quoted_inert() -> None:
    body = next(
        a.draft.body
        for a in plan_on(CHANGE, [old_issue()], [], roster())
        if isinstance(a, OpenIssue) and a.key == f"pair/{NEW}/pairing"
    )

    assert "- [ ] Draft the paging section @\u200ball /close #\u200b3" in body
    assert "<!-- hidden" not in body
    assert "@all" not in body


def test_goals_are_carried_once_and_the_old_issue_is_never_rewritten() -> None:
    new = issue(
        5,
        f"pair/{NEW}/pairing",
        body="## Goals\n\n### My own goal\n\n- [ ] step\n",
        labels=("mentorship", "mentorship::active"),
        created=CHANGE,
    )
    changed = old_issue(GOALS.replace("- [ ] Review", "- [x] Review"))
    later = CHANGE + timedelta(days=1)

    actions = plan_on(later, [changed, new], [], roster())

    assert not [a for a in actions if isinstance(a, OpenIssue) and NEW in a.key]
    assert not [a for a in actions if isinstance(a, EditIssueBody)]
    assert all(getattr(a, "target", None) is None or a.target.number != 5 for a in actions)


def test_the_old_pairing_issue_only_gets_comments_labels_and_its_close() -> None:
    actions = plan_on(CHANGE, [old_issue()], [], roster())

    on_old = [a for a in actions if getattr(a, "target", None) and a.target.number == 1]
    assert on_old
    assert not [a for a in on_old if isinstance(a, EditIssueBody)]


def test_without_the_old_issue_the_new_one_still_opens_and_names_the_old_mentor() -> None:
    program = roster()
    observed = observed_on(CHANGE, [], [], program)
    pair = Pair(program, program.pairings[1], CHANGE, observed, Templates())

    follows = pair.follows()

    assert follows is not None
    assert follows["issue"] is None
    assert follows["goals"] == []
    assert follows["mentor"]["name"] == "Alice"


def test_an_old_pairing_closed_by_an_early_end_before_the_change_hands_over_too() -> None:
    text = ROSTER.replace(
        "  - {mentor: alice, mentee: bob, start: 2026-01-05}",
        "  - {mentor: alice, mentee: bob, start: 2026-01-05, ended: 2026-02-16}",
    )
    program = parse_program(text, Path("program.yml"))
    actions = plan_on(date(2026, 2, 16), [old_issue()], [], program)

    handover = next(a for a in actions if a.key == f"pair/{OLD}/retrospective/2026-02-16")
    assert isinstance(handover, OpenIssue)
    assert handover.draft.title == "Hand-over: Bob & Alice"
    closed = old_issue(state=IssueState.CLOSED, labels=("mentorship", "mentorship::ended-early"))
    opened = [
        a
        for a in plan_on(CHANGE, [closed], [], program)
        if isinstance(a, OpenIssue) and a.key == f"pair/{NEW}/pairing"
    ]
    assert "Ship the runbook by 2026-06-01" in opened[0].draft.body


def test_no_follow_up_after_a_term_handed_over_to_a_new_mentor() -> None:
    program = roster()
    old, new = program.pairings

    assert old.afterwards(program.program) == ()
    assert new.afterwards(program.program) != ()


def test_an_old_term_with_its_own_end_is_dated_by_that_end_in_the_new_issue() -> None:
    text = ROSTER.replace(
        "  - {mentor: alice, mentee: bob, start: 2026-01-05}",
        "  - {mentor: alice, mentee: bob, start: 2026-01-05, ended: 2026-02-16}",
    )
    program = parse_program(text, Path("program.yml"))
    closed = old_issue(state=IssueState.CLOSED, labels=("mentorship", "mentorship::ended-early"))
    body = next(
        a.draft.body
        for a in plan_on(CHANGE, [closed], [], program)
        if isinstance(a, OpenIssue) and a.key == f"pair/{NEW}/pairing"
    )

    assert "follows Bob's pairing with Alice (2026-01-05 to 2026-02-16)" in body
