from __future__ import annotations

from datetime import date, timedelta

from automation.lifecycle.actions import PostComment
from automation.lifecycle.rules import milestones, status
from automation.model import Comment
from tests.lifecycle.rules.world import BOT, PAIR, comment, lines, pair_on, pairing_issue, program

MIDPOINT = date(2026, 4, 5)
ENDING_SOON = date(2026, 6, 21)
EXTENDED = "extended_until: 2026-09-01\nextension_reason: more time\n"


def talking(day: date) -> list[Comment]:
    return [comment(1, "bob", day - timedelta(days=1))]


def test_midpoint_prompt_on_the_midpoint() -> None:
    assert milestones.plan(pair_on(MIDPOINT - timedelta(days=1), [pairing_issue()])) == []
    [action] = milestones.plan(pair_on(MIDPOINT, [pairing_issue()]))
    assert isinstance(action, PostComment)
    assert action.key == f"pair/{PAIR}/midpoint"


def test_a_missed_midpoint_catches_up_within_two_weeks_then_lets_go() -> None:
    late = MIDPOINT + timedelta(days=13)
    assert [a.key for a in milestones.plan(pair_on(late, [pairing_issue()]))] == [
        f"pair/{PAIR}/midpoint"
    ]
    assert milestones.plan(pair_on(late + timedelta(days=1), [pairing_issue()])) == []


def test_midpoint_prompt_is_written_once() -> None:
    sent = comment(1, BOT, MIDPOINT, key=f"pair/{PAIR}/midpoint")
    assert milestones.plan(pair_on(MIDPOINT + timedelta(days=1), [pairing_issue()], [sent])) == []


def test_ending_soon_label_and_guidance_two_weeks_before_the_end() -> None:
    pair = pair_on(ENDING_SOON, [pairing_issue()], talking(ENDING_SOON))
    assert lines(status.plan(pair)) == [
        f"label #1 +mentorship::ending-soon -mentorship::active [pair/{PAIR}/pairing/labels]"
    ]
    assert lines(milestones.plan(pair)) == [f"comment on #1: ending-soon [pair/{PAIR}/ending-soon]"]


def test_extension_comment_and_label_then_quiet() -> None:
    day = date(2026, 5, 1)
    pair = pair_on(day, [pairing_issue()], talking(day), program(extra=EXTENDED))
    assert status.plan(pair) == []
    assert lines(milestones.plan(pair)) == [
        f"comment on #1: extended/2026-09-01 [pair/{PAIR}/extended/2026-09-01]",
        f"label #1 +mentorship-extended [pair/{PAIR}/extended/2026-09-01/label] "
        f"after pair/{PAIR}/extended/2026-09-01",
    ]
    told = [*talking(day), comment(1, BOT, day, key=f"pair/{PAIR}/extended/2026-09-01")]
    rerun = pair_on(day, [pairing_issue()], told, program(extra=EXTENDED))
    assert lines(milestones.plan(rerun)) == [
        f"label #1 +mentorship-extended [pair/{PAIR}/extended/2026-09-01/label]"
    ]
    labelled = pairing_issue(labels=("mentorship", "mentorship::active", "mentorship-extended"))
    after = pair_on(day, [labelled], talking(day), program(extra=EXTENDED))
    assert status.plan(after) == []
    assert milestones.plan(after) == []


def test_extension_moves_ending_soon() -> None:
    labelled = pairing_issue(labels=("mentorship", "mentorship::active", "mentorship-extended"))
    roster = program(extra=EXTENDED)
    assert milestones.plan(pair_on(ENDING_SOON, [labelled], [], roster)) == []
    assert [a.key for a in milestones.plan(pair_on(date(2026, 8, 18), [labelled], [], roster))] == [
        f"pair/{PAIR}/ending-soon"
    ]
