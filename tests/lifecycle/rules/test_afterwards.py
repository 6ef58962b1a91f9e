from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from automation.lifecycle.ledger import PairState
from automation.lifecycle.observed import CATCH_UP_DAYS, tended
from automation.lifecycle.rules import bookkeeping
from automation.model import Issue, IssueState
from automation.roster.config import add_months
from tests.lifecycle.rules.world import (
    BOT,
    PAIR,
    comment,
    issue,
    lines,
    observed_on,
    pair_on,
    pairing_issue,
    plan_on,
    program,
)

END = date(2026, 7, 5)
RETRO = f"pair/{PAIR}/retrospective"


def closed(outcome: str = "completed") -> list[Issue]:
    """A term closed out: its pairing issue closed and labelled, its retrospective returned."""
    returned = issue(20, RETRO, state=IssueState.CLOSED, created=END)
    labels = ("mentorship", f"mentorship::{outcome}")
    return [pairing_issue(labels=labels, state=IssueState.CLOSED), returned]


def test_one_follow_up_a_month_after_a_completed_term() -> None:
    due = END + timedelta(days=30)
    assert plan_on(due - timedelta(days=1), closed()) == []
    actions = plan_on(due, closed())
    assert lines(actions) == [f"comment on #1: follow-up [pair/{PAIR}/follow-up]"]
    body = actions[0].body  # type: ignore[attr-defined]
    assert "@bob and @alice" in body
    assert "résumé" in body
    assert "OKRs" in body
    sent = comment(1, BOT, due, key=f"pair/{PAIR}/follow-up")
    assert plan_on(due + timedelta(days=1), closed(), [sent]) == []


def test_a_follow_up_missed_by_more_than_a_few_days_is_not_sent_late() -> None:
    assert plan_on(END + timedelta(days=30 + CATCH_UP_DAYS), closed()) == []


def test_no_follow_up_after_an_early_end_or_when_switched_off() -> None:
    ended = program(extra="ended: 2026-03-02\nended_reason: changed teams\n")
    assert plan_on(date(2026, 4, 1), closed("ended-early"), [], ended) == []
    roster = program()
    off = roster.model_copy(
        update={"program": roster.program.model_copy(update={"follow_up_days": 0})}
    )
    assert plan_on(END + timedelta(days=30), closed(), [], off) == []


def test_a_pair_that_goes_on_informally_gets_a_catch_up_each_month_for_three_months() -> None:
    informal = program(extra="continue_informally: monthly\n")
    days = [add_months(END, n) for n in (1, 2, 3)]
    sent = []
    for number, day in enumerate(days, start=1):
        actions = plan_on(day, closed(), sent, informal)
        assert lines(actions) == [
            f"comment on #1: informal/{number} [pair/{PAIR}/informal/{number}]"
        ], day
        assert f"Monthly catch-up {number} of 3" in actions[0].body  # type: ignore[attr-defined]
        sent.append(comment(1, BOT, day, key=f"pair/{PAIR}/informal/{number}"))
    assert plan_on(days[-1] + timedelta(days=1), closed(), sent, informal) == []


def test_the_pairing_is_tended_until_its_last_message_after_the_term() -> None:
    roster = program()
    settled = {PAIR: PairState(settled=END.isoformat())}
    last = END + timedelta(days=30 + CATCH_UP_DAYS)
    for day, wanted in ((last, [PAIR]), (last + timedelta(days=1), [])):
        observed = replace(observed_on(day, closed(), [], roster), ledger=settled)
        assert [p.id for p in tended(roster, observed, day)] == wanted, day


def test_messages_after_the_term_are_not_part_of_its_close_out() -> None:
    # The pairing is settled on the night of the end, follow-up or not: a follow-up lost
    # a month later is a message, not a state to reconcile.
    pair = pair_on(END + timedelta(days=30), closed())
    mine = plan_on(END + timedelta(days=30), closed())
    kept = bookkeeping.remembered(pair, mine)
    assert kept is not None
    assert kept[0].settled == END.isoformat()
