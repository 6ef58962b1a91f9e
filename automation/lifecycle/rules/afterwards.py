"""After a completed term: one follow-up a month on, or a light monthly catch-up for a pair
that goes on informally (`continue_informally: monthly`), on the closed pairing issue.

Each is a one-time message, written within a few days of its date or not at all, like the
other milestones; an early end gets none (the pair may have parted for good reasons).
"""

from __future__ import annotations

from automation.lifecycle.actions import Action, PostComment, Urgency
from automation.lifecycle.observed import CATCH_UP_DAYS
from automation.lifecycle.rules.pair import Pair
from automation.roster.config import INFORMAL_MONTHS


def plan(pair: Pair) -> list[Action]:
    days = pair.pairing.afterwards(pair.program.program)
    if not days:
        return pair.nothing("no messages after this term")
    if pair.pairing_issue is None or pair.today < pair.timeline.end:
        return pair.nothing("after the term: from {day}", day=days[0])
    informal = pair.pairing.continue_informally is not None
    for number, day in enumerate(days, start=1):
        parts = ("informal", str(number)) if informal else ("follow-up",)
        if not pair.within(day, CATCH_UP_DAYS) or pair.comment(*parts) is not None:
            continue
        key = pair.key(*parts)
        catch_up = {"number": number, "of": INFORMAL_MONTHS} if informal else None
        body = pair.text("follow-up", key, catch_up=catch_up)
        return [PostComment(key, pair.id, pair.target("pairing"), body, Urgency.NUDGE)]
    return pair.nothing(
        "after the term: {days} (each said within {catch_up} days)",
        days=", ".join(day.isoformat() for day in days),
        catch_up=CATCH_UP_DAYS,
    )
