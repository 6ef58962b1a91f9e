from __future__ import annotations

from datetime import date, timedelta

from automation.lifecycle import markers
from automation.lifecycle.actions import OpenIssue, Urgency, issue_ref
from tests.lifecycle.rules.world import PAIR, START, issue, lines, pairing_issue, plan_on


def test_nothing_before_the_start() -> None:
    assert plan_on(START - timedelta(days=1)) == []


def test_pairing_issue_opens_on_the_start_day() -> None:
    [action] = plan_on(START)
    assert isinstance(action, OpenIssue)
    assert action.key == f"pair/{PAIR}/pairing"
    assert action.urgency is Urgency.KICKOFF
    draft = action.draft
    assert draft.title == "Mentorship: Bob & Alice"
    assert draft.labels == ("mentorship", "mentorship::active")
    assert draft.assignees == ("bob", "alice")
    assert draft.confidential is True
    found = markers.find(draft.body)
    assert found is not None
    assert found.key == f"pair/{PAIR}/pairing"
    assert "## Goals" in draft.body


def test_a_late_first_run_opens_it_and_follows_up_in_the_same_run() -> None:
    first, *rest = plan_on(START + timedelta(days=40))
    assert lines([first]) == [f"open issue 'Mentorship: Bob & Alice' [pair/{PAIR}/pairing]"]
    # Everything else acts on the new issue, so it waits for it: the current period's
    # check-in (which links it: apply fills the link in) and the stalled label. One run
    # leaves nothing for the next.
    assert [(a.key, a.after) for a in rest] == [
        (f"pair/{PAIR}/checkin/3", (f"pair/{PAIR}/pairing",)),
        (f"pair/{PAIR}/pairing/labels", (f"pair/{PAIR}/pairing",)),
    ]
    checkin = rest[0]
    assert isinstance(checkin, OpenIssue)
    assert f"[#{issue_ref(f'pair/{PAIR}/pairing', 'number')}]" in checkin.draft.body


def test_existing_pairing_issue_is_not_opened_again() -> None:
    assert plan_on(START + timedelta(days=1), [pairing_issue()]) == []


def test_a_marker_typed_by_a_human_is_not_trusted() -> None:
    forged = issue(1, f"pair/{PAIR}/pairing", author="bob")
    assert lines(plan_on(START, [forged])) == [
        f"open issue 'Mentorship: Bob & Alice' [pair/{PAIR}/pairing]"
    ]


def test_a_term_over_before_the_bot_was_adopted_is_left_alone() -> None:
    assert plan_on(date(2026, 7, 6), adopted=None) == []
    assert plan_on(date(2026, 7, 6), adopted=date(2026, 7, 5)) == []


def test_a_term_that_ended_in_a_gap_between_runs_is_opened_and_closed_in_one_run() -> None:
    actions = plan_on(date(2026, 9, 1))
    pairing, retro = f"pair/{PAIR}/pairing", f"pair/{PAIR}/retrospective/2026-07-05"
    assert [(a.key, a.after) for a in actions] == [
        (pairing, ()),
        (retro, (pairing,)),
        (f"pair/{PAIR}/completed", (retro, pairing)),
        (f"pair/{PAIR}/pairing/labels", (retro, pairing)),
        (f"{pairing}/close", (retro, f"pair/{PAIR}/completed", f"{pairing}/labels", pairing)),
    ]
