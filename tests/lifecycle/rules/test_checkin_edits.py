"""A check-in's description edited by the pair counts as the pair's activity."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from automation.lifecycle import ledger
from automation.lifecycle.actions import OpenIssue
from automation.lifecycle.ledger import PairState
from automation.lifecycle.rules import bookkeeping, nudges, status
from automation.model import Issue, IssueState
from automation.views.status import pairing_status
from tests.lifecycle.rules.world import (
    PAIR,
    START,
    at,
    comment,
    issue,
    ledger_issue,
    observed_on,
    pair_on,
    pairing_issue,
    plan_on,
    program,
)

AGENDA = "## Agenda\n\n- [ ] What went well\n"


def day(n: int) -> date:
    return START + timedelta(days=n)


def checkin(body: str = AGENDA, updated: int = 14, state: IssueState = IssueState.OPEN) -> Issue:
    opened = issue(2, f"pair/{PAIR}/checkin/2", labels=("mentorship-check-in",), body=body)
    return replace(opened, created_at=at(day(14)), updated_at=at(day(updated)), state=state)


def books(**kept: object) -> Issue:
    """The ledger as the run that opened check-in 2 left it."""
    agenda = ledger.described("checkin/2", checkin().body)
    return ledger_issue(50, "ledger/2026-01", {PAIR: PairState(agenda=agenda, **kept)})  # type: ignore[arg-type]


MET = [comment(1, "bob", day(3))]
NOTES = AGENDA + "\nNotes: the runbook draft is up for review.\n"


def test_an_edited_check_in_description_is_the_pairs_activity() -> None:
    edited = checkin(NOTES, updated=20)
    pair = pair_on(day(31), [pairing_issue(), edited, books()], MET)
    assert pair.checkin_edited == day(20)
    assert pair.last_activity == day(20)
    assert nudges.plan(pair) == []  # 11 days quiet, not 28 since the comment


def test_an_unchanged_description_is_not_activity_whatever_its_updated_at() -> None:
    touched = checkin(updated=19)  # a label or the bot's close moves updated_at, not the text
    pair = pair_on(day(21), [pairing_issue(), touched, books()], MET)
    assert pair.checkin_edited is None
    assert pair.last_activity == day(3)
    assert [a.key for a in nudges.plan(pair)] == [f"pair/{PAIR}/quiet/2026-01-08"]


def test_an_edit_keeps_the_pairing_from_stalling() -> None:
    edited = checkin(NOTES, updated=20)
    assert status.plan(pair_on(day(40), [pairing_issue(), edited, books()], MET)) == []
    [stall] = status.plan(pair_on(day(40), [pairing_issue(), checkin(), books()], MET))
    assert stall.add == ("mentorship-stalled",)  # type: ignore[attr-defined]


def test_the_ledger_keeps_the_edit_and_takes_in_the_new_text() -> None:
    edited = checkin(NOTES, updated=20)
    pair = pair_on(day(31), [pairing_issue(), edited, books()], MET)
    kept = bookkeeping.remembered(pair, [])
    assert kept is not None
    state, _ = kept
    assert state.edited == "2026-01-25"
    assert state.agenda == ledger.described("checkin/2", edited.body)
    # The next run remembers the day; a later touch that keeps the text is not an edit.
    later = replace(edited, updated_at=at(day(33)))
    remembered = ledger_issue(50, "ledger/2026-01", {PAIR: state})
    again = pair_on(day(34), [pairing_issue(), later, remembered], MET)
    assert again.checkin_edited == day(20)
    assert bookkeeping.remembered(again, []) is None


def test_a_closed_check_in_is_not_read_for_edits() -> None:
    closed = checkin(NOTES, updated=25, state=IssueState.CLOSED)
    assert pair_on(day(31), [pairing_issue(), closed, books()], MET).checkin_edited is None


def test_a_check_in_recorded_without_its_text_is_not_followed() -> None:
    # Opened by an earlier version, or in the run that opened its pairing issue.
    numbers = (("checkin/2", 2), ("pairing", 1))
    unknown = ledger_issue(50, "ledger/2026-01", {PAIR: PairState(issues=numbers)})
    pair = pair_on(day(31), [pairing_issue(), checkin(NOTES, updated=20), unknown], MET)
    assert pair.checkin_edited is None
    assert pair.agenda([]) == ""


def test_a_check_in_the_ledger_never_recorded_is_taken_in_as_it_is() -> None:
    # Opened by a run stopped before its ledger write: the rerun keeps its text.
    unknown = ledger_issue(50, "ledger/2026-01", {PAIR: PairState()})
    pair = pair_on(day(14), [pairing_issue(), checkin(), unknown])
    assert pair.checkin_edited is None
    kept = bookkeeping.remembered(pair, [])
    assert kept is not None
    assert kept[0].agenda == ledger.described("checkin/2", checkin().body)


def test_a_check_in_opened_with_its_pairing_issue_is_not_followed() -> None:
    opened = [a for a in plan_on(day(14)) if isinstance(a, OpenIssue)]
    assert [a.key.rsplit("/", 1)[1] for a in opened] == ["pairing", "2"]
    assert pair_on(day(14)).agenda(opened) == ""


def test_the_run_that_opens_a_check_in_keeps_its_text() -> None:
    [opened] = [a for a in plan_on(day(14), [pairing_issue()]) if isinstance(a, OpenIssue)]
    pair = pair_on(day(14), [pairing_issue()])
    assert opened.key == f"pair/{PAIR}/checkin/2"
    assert pair.agenda([opened]) == ledger.described("checkin/2", opened.draft.body)


def test_the_dashboard_counts_the_edit_as_the_last_activity() -> None:
    roster = program()
    agenda = ledger.described("checkin/2", checkin(NOTES).body)
    state = PairState(agenda=agenda, edited="2026-01-25")
    remembered = ledger_issue(50, "ledger/2026-01", {PAIR: state})
    observed = observed_on(day(31), [pairing_issue(), checkin(NOTES, 20), remembered], MET, roster)
    shown = pairing_status(roster, observed, roster.pairings[0], day(31))
    assert (shown.last_activity, shown.days_quiet) == (day(20), 11)
