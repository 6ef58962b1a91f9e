from __future__ import annotations

from datetime import date, timedelta

from automation.goals.checklist import parse
from automation.lifecycle.actions import OpenIssue, PostComment
from automation.lifecycle.observed import lookback_days
from automation.lifecycle.rules import checkins
from automation.model import IssueState
from tests.lifecycle.rules.world import (
    BOT,
    PAIR,
    START,
    comment,
    issue,
    lines,
    pair_on,
    pairing_issue,
    program,
)

PERIOD_2 = START + timedelta(days=14)
PERIOD_3 = START + timedelta(days=28)
ACTIVITY = [comment(1, "bob", START + timedelta(days=2))]


def checkin(number: int, period: int, **kwargs: object) -> object:
    kwargs.setdefault("labels", ("mentorship-check-in",))
    return issue(number, f"pair/{PAIR}/checkin/{period}", **kwargs)  # type: ignore[arg-type]


def test_first_period_has_no_checkin_the_kickoff_is_its_agenda() -> None:
    assert checkins.plan(pair_on(PERIOD_2 - timedelta(days=1), [pairing_issue()], ACTIVITY)) == []


def test_checkin_issue_opens_with_the_second_period() -> None:
    [action] = checkins.plan(pair_on(PERIOD_2, [pairing_issue()], ACTIVITY))
    assert isinstance(action, OpenIssue)
    assert action.key == f"pair/{PAIR}/checkin/2"
    assert action.draft.title == "Check-in 2: Bob & Alice (2026-01-19)"
    assert action.draft.labels == ("mentorship-check-in",)
    assert parse(action.draft.body).total == 0  # nothing to carry yet


def test_next_checkin_carries_open_items_then_closes_the_previous() -> None:
    previous = checkin(
        2,
        2,
        body="## Action items\n\n- [x] Book the review\n- [ ] Draft the runbook (owner: @bob)\n",
    )
    actions = checkins.plan(pair_on(PERIOD_3, [pairing_issue(), previous], ACTIVITY))
    assert lines(actions) == [
        f"open issue 'Check-in 3: Bob & Alice (2026-02-02)' [pair/{PAIR}/checkin/3]",
        f"close #2 as completed [pair/{PAIR}/checkin/2/close] after pair/{PAIR}/checkin/3",
    ]
    opened = actions[0]
    assert isinstance(opened, OpenIssue)
    # Carried as quoted text: the item mentions nobody again (a zero-width space after @).
    assert "- [ ] Draft the runbook (owner: @\u200bbob)" in opened.draft.body
    assert "Book the review" not in opened.draft.body


def test_a_closed_previous_checkin_is_left_alone() -> None:
    previous = checkin(2, 2, state=IssueState.CLOSED)
    current = checkin(3, 3)
    assert (
        checkins.plan(
            pair_on(PERIOD_3 + timedelta(days=1), [pairing_issue(), previous, current], ACTIVITY)
        )
        == []
    )


def test_checkin_as_a_comment_when_the_program_says_so() -> None:
    [action] = checkins.plan(
        pair_on(PERIOD_2, [pairing_issue()], ACTIVITY, program(style="comment"))
    )
    assert isinstance(action, PostComment)
    assert action.key == f"pair/{PAIR}/checkin/2"
    assert action.target.number == 1


def test_a_comment_check_in_of_a_period_longer_than_the_window_is_posted_once() -> None:
    # Pairs meeting every 60 days: their check-in comment leaves the comments a run reads
    # (the last `lookback_days`) before the period ends, and is not posted again.
    roster = program(style="comment", extra="checkin_every_days: 60\n")
    start = START + timedelta(days=60)
    posted = comment(1, BOT, start, f"pair/{PAIR}/checkin/2", "check-in 2")

    def planned(day: date) -> list[str]:
        return [a.key for a in checkins.plan(pair_on(day, [pairing_issue()], [posted], roster))]

    assert planned(start) == []
    assert planned(start + timedelta(days=lookback_days(roster) + 1)) == []
    assert planned(start + timedelta(days=59)) == []
    assert planned(start + timedelta(days=60)) == [f"pair/{PAIR}/checkin/3"]
    # Never posted (the runs stopped): posted while the period's start is among the
    # comments read, not after.
    unposted = pair_on(start + timedelta(days=lookback_days(roster)), [pairing_issue()], [], roster)
    assert [a.key for a in checkins.plan(unposted)] == [f"pair/{PAIR}/checkin/2"]
    late = pair_on(start + timedelta(days=lookback_days(roster) + 1), [pairing_issue()], [], roster)
    assert checkins.plan(late) == []


def test_no_checkins_while_a_human_has_closed_the_pairing_issue() -> None:
    closed = pairing_issue(state=IssueState.CLOSED)
    assert checkins.plan(pair_on(PERIOD_3, [closed], ACTIVITY)) == []
