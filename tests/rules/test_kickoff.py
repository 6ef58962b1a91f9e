from __future__ import annotations

from datetime import date, timedelta

from automation import markers
from automation.actions import OpenIssue, Urgency
from tests.rules.world import PAIR, START, issue, lines, pairing_issue, plan_on


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
    # The stalled label acts on the new issue, so it waits for it; the check-in, which
    # links the pairing issue, opens on the next run, once that link exists.
    assert [(a.key, a.after) for a in rest] == [
        (f"pair/{PAIR}/pairing/labels", (f"pair/{PAIR}/pairing",)),
    ]


def test_existing_pairing_issue_is_not_opened_again() -> None:
    assert plan_on(START + timedelta(days=1), [pairing_issue()]) == []


def test_a_marker_typed_by_a_human_is_not_trusted() -> None:
    forged = issue(1, f"pair/{PAIR}/pairing", author="bob")
    assert lines(plan_on(START, [forged])) == [
        f"open issue 'Mentorship: Bob & Alice' [pair/{PAIR}/pairing]"
    ]


def test_no_pairing_issue_for_a_term_already_over() -> None:
    assert plan_on(date(2026, 7, 6)) == []
