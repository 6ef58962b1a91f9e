from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from automation.lifecycle.ledger import PairState
from automation.model import Comment, Issue, IssueState
from automation.roster.config import Program
from automation.views.status import (
    Milestone,
    PairingStatus,
    from_record,
    pairing_status,
    to_record,
)
from tests.lifecycle.rules.world import (
    PAIR,
    START,
    comment,
    issue,
    ledger_issue,
    observed_on,
    pairing_issue,
    program,
)

GOALS = "## Goals\n\n### Ship it by 2026-03-01\n\n- [x] a\n- [x] b\n\n### Learn Go\n\n- [ ] c\n"


def status_on(
    today: date,
    issues: list[Issue],
    comments: Sequence[Comment] = (),
    roster: Program | None = None,
) -> PairingStatus:
    roster = roster or program()
    observed = observed_on(today, issues, comments, roster)
    return pairing_status(roster, observed, roster.pairings[0], today)


def test_a_running_pairing_in_numbers() -> None:
    today = START + timedelta(days=40)
    labels = ("mentorship", "mentorship::active", "mentorship-stalled", "mentorship-pace::behind")
    state = PairState(comment=5, history=((1, 0, 3), (2, 2, 3)), met=(1, 2), changed="2026-02-01")
    book = ledger_issue(90, "ledger/2026-01", {PAIR: state})
    talk = [comment(1, "bob", date(2026, 2, 10))]
    status = status_on(today, [pairing_issue(body=GOALS, labels=labels), book], talk)
    assert (status.phase, status.outcome, status.week, status.term_weeks) == (
        "active",
        "running",
        6,
        26,
    )
    assert (status.done, status.total) == (2, 3)
    assert [(g.title, g.done, g.total, g.due) for g in status.goals] == [
        ("Ship it by 2026-03-01", 2, 2, "2026-03-01"),
        ("Learn Go", 0, 1, None),
    ]
    assert status.history == ((1, 0, 3), (2, 2, 3))
    assert (status.last_activity, status.days_quiet) == (date(2026, 2, 10), 4)
    assert (status.checkins_expected, status.checkins_held) == (3, 2)
    assert (status.stalled, status.pace, status.retrospective) == (True, "behind", "none")
    assert status.next_milestone == Milestone("midpoint review", date(2026, 4, 5))


def test_an_early_end_with_its_retrospective_returned() -> None:
    roster = program(extra="ended: 2026-03-02\nended_reason: changed teams\n")
    retro = issue(20, f"pair/{PAIR}/retrospective/2026-03-02", state=IssueState.CLOSED)
    status = status_on(
        date(2026, 4, 1), [pairing_issue(state=IssueState.CLOSED), retro], roster=roster
    )
    assert (status.phase, status.outcome, status.ended_reason) == (
        "ended-early",
        "ended early",
        "changed teams",
    )
    assert status.retrospective == "returned"
    assert status.next_milestone is None
    assert [m.name for m in status.milestones] == ["start", "ended early"]


def test_an_upcoming_pairing_expects_nothing_yet() -> None:
    status = status_on(START - timedelta(days=3), [])
    assert (status.phase, status.outcome, status.checkins_expected) == (
        "upcoming",
        "not started",
        0,
    )
    assert status.pairing_url is None


def test_the_retrospective_shown_is_the_one_of_the_end_the_roster_holds() -> None:
    # An `ended: 2026-05-20` taken back: its retrospective, closed, is not the term's.
    stale = issue(20, f"pair/{PAIR}/retrospective/2026-05-20", state=IssueState.CLOSED)
    running = status_on(date(2026, 6, 1), [pairing_issue(), stale])
    assert (running.retrospective, running.retrospective_url) == ("none", None)
    fresh = issue(30, f"pair/{PAIR}/retrospective/2026-07-05", created=date(2026, 7, 5))
    closed = pairing_issue(state=IssueState.CLOSED)
    ended = status_on(date(2026, 7, 10), [closed, stale, fresh])
    assert (ended.retrospective, ended.retrospective_url) == ("open", fresh.url)


def test_a_row_kept_as_a_record_reads_on_a_later_day_as_worked_out_that_day() -> None:
    """A quiet pairing's row kept between runs (`to_record`, through JSON): on a later day
    in the same check-in period, its days quiet and week of the term count to that day."""
    state = PairState(comment=5, history=((1, 0, 3), (2, 2, 3)), met=(1, 2), changed="2026-02-01")
    book = ledger_issue(90, "ledger/2026-01", {PAIR: state})
    talk = [comment(1, "bob", date(2026, 2, 2))]
    issues = [pairing_issue(body=GOALS), book]
    kept_on, read_on = START + timedelta(days=33), START + timedelta(days=36)
    kept = status_on(kept_on, issues, talk)
    record = json.loads(json.dumps(to_record(kept)))
    later = status_on(read_on, issues, talk)
    assert ((kept.week, kept.days_quiet), (later.week, later.days_quiet)) == ((5, 5), (6, 8))
    assert from_record(record, read_on) == later


def test_a_record_with_other_fields_is_not_read() -> None:
    record = to_record(status_on(START + timedelta(days=33), [pairing_issue(body=GOALS)]))
    del record["awaiting"]
    with pytest.raises(ValueError, match="fields"):
        from_record(record, START + timedelta(days=34))
