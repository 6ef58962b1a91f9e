"""Whose turn it is: a question one of the pair asked that the other has not answered.

After `stale.answer_days` the side whose turn it is gets one nudge for that question (the
first of a run of unanswered ones), mentioning only them, and the pairing issue is labelled
`-awaiting::mentor` or `::mentee` (by the status rule, from `awaiting()`) until they
comment. Questions are read from the comments in the window (automation/lifecycle/observed.py), the
same on day D whatever nights ran before, so the label converges; the window reaches back
far enough for the nudge's whole catch-up time. The wait counts from the day the bot
started counting the pairing at the earliest.
"""

from __future__ import annotations

from datetime import date, timedelta

from automation.lifecycle.actions import Action, PostComment, Urgency
from automation.lifecycle.observed import CATCH_UP_DAYS, local_day
from automation.lifecycle.rules.pair import Pair
from automation.lifecycle.timeline import Phase
from automation.lifecycle.turns import Turn


def waiting(pair: Pair) -> tuple[Turn, date] | None:
    """The unanswered question while the term runs, and the day its wait began."""
    turn = pair.observed.turns.get(pair.id)
    if turn is None or pair.timeline.phase(pair.today) not in (Phase.ACTIVE, Phase.ENDING_SOON):
        return None
    asked = local_day(turn.asked, pair.program.program.timezone)
    return turn, max(asked, pair.timeline.counted_from)


def awaiting(pair: Pair) -> str | None:
    """The side a question has waited on for `stale.answer_days` or more: `mentor` or
    `mentee`."""
    found = waiting(pair)
    if found is None:
        return None
    turn, since = found
    days = pair.program.program.stale.answer_days
    return turn.waiting if pair.days_since(since) >= days else None


def plan(pair: Pair) -> list[Action]:
    found = waiting(pair)
    if found is None:
        return pair.nothing("no question waits for an answer")
    turn, since = found
    away = pair.away_until
    if away is not None:
        return pair.nothing(
            "a question waits for the {side}; the nudge waits while {who} is away until {until}",
            side=turn.waiting,
            who=away[0],
            until=away[1],
        )
    if pair.paused_until is not None:
        return pair.nothing(
            "a question waits for the {side}; the pair paused reminders until {until}",
            side=turn.waiting,
            until=pair.paused_until,
        )
    if not pair.pairing_open:
        return pair.nothing("the pairing issue is not open")
    days = pair.program.program.stale.answer_days
    due = since + timedelta(days=days)
    if not pair.within(due, CATCH_UP_DAYS):
        return pair.nothing(
            "a question waits for the {side} since {since}; the answer nudge "
            + ("is due {due}" if pair.today < due else "was due {due}: its moment passed"),
            side=turn.waiting,
            since=since,
            due=due,
        )
    asked = local_day(turn.asked, pair.program.program.timezone).isoformat()
    parts = ("answer", turn.waiting, asked)
    if pair.comment(*parts) is not None:
        return pair.nothing("the {side} was nudged to answer", side=turn.waiting)
    key = pair.key(*parts)
    context = {"waiting": turn.waiting, "asked": asked, "days": pair.days_since(since)}
    body = pair.text("answer", key, turn=context)
    return [PostComment(key, pair.id, pair.target("pairing"), body, Urgency.NUDGE)]
