"""The meeting a check-in period holds, and its agenda in the form the pair meets in.

Period 1 holds the first meeting (its agenda is in the pairing issue), the period with the
term's last day the last meeting, the period with the midpoint the midpoint meeting (with
`midpoint_review`), every other period a regular check-in. A pair that meets `sync` gets
the live agenda, `async` the written format (what to post, who answers by when), `either`
the live agenda, and the template that shows it adds a line on doing it in writing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from automation.lifecycle.rules.pair import Pair
from automation.lifecycle.timeline import Timeline

TEMPLATES = {
    "first": "agenda-first",
    "regular": "agenda-checkin",
    "midpoint": "agenda-midpoint",
    "last": "agenda-last",
}
TITLES = {
    "first": "First meeting",
    "regular": "Check-in",
    "midpoint": "Midpoint meeting",
    "last": "Last meeting",
}


def kind(timeline: Timeline, period: int, midpoint_review: bool) -> str:
    """`first`, `last`, `midpoint` or `regular`: the first wins over the last in a term of
    one period, the last over the midpoint in a term of two."""
    if period <= 1:
        return "first"
    if period == timeline.period(timeline.end - timedelta(days=1)):
        return "last"
    if midpoint_review and period == timeline.period(timeline.midpoint):
        return "midpoint"
    return "regular"


def post_by(timeline: Timeline, period: int) -> date:
    """In writing, the mentee posts by the middle of the period; the mentor answers by its
    last day, the check-in's due date."""
    starts, ends = timeline.period_start(period), timeline.period_end(period)
    return starts + timedelta(days=max(0, (ends - starts).days // 2))


def agenda(pair: Pair, period: int) -> dict[str, Any]:
    """The `agenda` a pairing issue or check-in shows for the meeting of `period`."""
    settings = pair.program.program
    timeline = pair.timeline
    meetings = pair.pairing.meetings(settings)
    which = kind(timeline, period, settings.midpoint_review)
    due = timeline.period_end(period)
    meeting = {
        "kind": which,
        "title": TITLES[which],
        "form": "async" if meetings.style == "async" else "sync",
        "style": meetings.style,
        "minutes": meetings.minutes,
        "every_days": meetings.every_days,
        "number": period,
        "starts": timeline.period_start(period),
        "ends": due,
        "post_by": post_by(timeline, period),
        "due": due,
    }
    text = pair.templates.comment(TEMPLATES[which], pair.context(meeting=meeting))
    return {
        "meeting": which,
        "title": meeting["title"],
        "style": meetings.style,
        "minutes": meetings.minutes,
        "post_by": meeting["post_by"],
        "due": due,
        "text": text.strip("\n"),
    }
