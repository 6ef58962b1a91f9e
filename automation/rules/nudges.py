"""Quiet pairs: a first-meeting nudge, a nudge after a quiet spell, then the stalled label.

Human activity is a comment by the mentee or mentor; the bot's own writes never count.
The stalled label itself is set by the status rule from `stalled()`. Quiet spells are
counted from the day the bot started counting the pairing at the earliest: a pairing it
meets under way is not stalled, nor nudged, for silence from before it was there.
"""

from __future__ import annotations

from datetime import date

from automation.actions import Action, PostComment, Urgency
from automation.rules.pair import Pair
from automation.timeline import Phase


def quiet_since(pair: Pair) -> date | None:
    """The day the current quiet spell began (the day counting began if nobody spoke
    since), or None if that is before the window of comments we read (so: quiet for at
    least that long)."""
    since = pair.timeline.counted_from
    last = pair.last_activity
    if last is not None:
        return max(last, since)
    return since if since >= pair.window_start else None


def stalled(pair: Pair) -> bool:
    if pair.away or pair.timeline.phase(pair.today) not in (Phase.ACTIVE, Phase.ENDING_SOON):
        return False
    since = quiet_since(pair)
    days = pair.program.program.stale.stalled_days
    return since is None or pair.days_since(since) >= days


def plan(pair: Pair) -> list[Action]:
    if pair.away or not pair.pairing_open:
        return []
    if pair.timeline.phase(pair.today) not in (Phase.ACTIVE, Phase.ENDING_SOON):
        return []
    stale = pair.program.program.stale
    since = quiet_since(pair)
    if since is None:
        return []
    quiet = pair.days_since(since)
    if pair.last_activity is None and not pair.timeline.adopted_under_way:
        # Nobody has spoken since the start: the first meeting has not happened.
        if stale.first_meeting_days <= quiet < stale.stalled_days:
            return _nudge(pair, "first-meeting", ("first-meeting",), quiet)
        return []
    if stale.nudge_days <= quiet < stale.stalled_days:
        return _nudge(pair, "quiet", ("quiet", since.isoformat()), quiet)
    return []


def _nudge(pair: Pair, template: str, parts: tuple[str, ...], quiet: int) -> list[Action]:
    if pair.comment(*parts) is not None:
        return []
    key = pair.key(*parts)
    body = pair.text(template, key, days_quiet=quiet)
    return [PostComment(key, pair.id, pair.target("pairing"), body, Urgency.NUDGE)]
