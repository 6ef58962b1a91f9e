"""Quiet pairs: a first-meeting nudge, a nudge after a quiet spell, then the stalled label.

Human activity is a comment by the mentee or mentor; the bot's own writes never count.
The stalled label itself is set by the status rule from `stalled()`. Quiet spells are
counted from the day the bot started counting the pairing at the earliest: a pairing it
meets under way is not stalled, nor nudged, for silence from before it was there.
"""

from __future__ import annotations

from datetime import date, timedelta

from automation.lifecycle.actions import Action, PostComment, Urgency
from automation.lifecycle.rules.pair import Pair
from automation.lifecycle.timeline import Phase


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
    away = pair.away_until
    if away is not None:
        who, until = away
        return pair.nothing(
            "the nudge waits while {who} is away until {until}", who=who, until=until
        )
    if pair.paused_until is not None:
        return pair.nothing("the pair paused reminders until {until}", until=pair.paused_until)
    if not pair.pairing_open:
        return pair.nothing("the pairing issue is not open")
    if pair.timeline.phase(pair.today) not in (Phase.ACTIVE, Phase.ENDING_SOON):
        return pair.nothing("nudges are for a term that runs")
    stale = pair.program.program.stale
    since = quiet_since(pair)
    if since is None:
        return pair.nothing("quiet for longer than the comments read: stalled, not nudged")
    quiet = pair.days_since(since)
    if pair.last_activity is None and not pair.timeline.adopted_under_way:
        # Nobody has spoken since the start: the first meeting has not happened.
        if stale.first_meeting_days <= quiet < stale.stalled_days:
            return _nudge(pair, "first-meeting", ("first-meeting",), quiet)
        return _not_yet(pair, "first-meeting", since, stale.first_meeting_days, quiet)
    if stale.nudge_days <= quiet < stale.stalled_days:
        return _nudge(pair, "quiet", ("quiet", since.isoformat()), quiet)
    return _not_yet(pair, "quiet", since, stale.nudge_days, quiet)


def _not_yet(pair: Pair, template: str, since: date, after: int, quiet: int) -> list[Action]:
    stalled_days = pair.program.program.stale.stalled_days
    if quiet >= stalled_days:
        return pair.nothing(
            "quiet since {since}, {quiet} days: stalled (from {stalled_days} days), not nudged",
            since=since,
            quiet=quiet,
            stalled_days=stalled_days,
        )
    return pair.nothing(
        "quiet since {since} ({quiet} days); the {name} nudge after {after} quiet days, on {day}",
        since=since,
        quiet=quiet,
        name=template,
        after=after,
        day=since + timedelta(days=after),
    )


def _nudge(pair: Pair, template: str, parts: tuple[str, ...], quiet: int) -> list[Action]:
    if pair.comment(*parts) is not None:
        return pair.nothing("the {name} nudge for this quiet spell was posted", name=template)
    key = pair.key(*parts)
    body = pair.text(template, key, days_quiet=quiet)
    return [PostComment(key, pair.id, pair.target("pairing"), body, Urgency.NUDGE)]
