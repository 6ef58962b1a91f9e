"""The queue of requests for a mentor, as facts: who waits, how long, how fast people are
matched, and how full the mentors are. Pure: built from the roster, the request issues
and a day; the nightly run, the dashboard and the report share it."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from automation.lifecycle.observed import local_day
from automation.model import Issue, IssueState
from automation.roster.config import Program
from automation.roster.mentors import Mentor, at_or_over_limit, mentor_table


@dataclass(frozen=True)
class Queue:
    """The requests still waiting for a mentor, by number: the day each was opened."""

    waiting: Mapping[int, date]
    typical_wait: int | None  # median days from request to match, of those seen lately

    def context(self) -> dict[str, Any]:
        return {"length": len(self.waiting), "typical_wait": self.typical_wait}


def queue(program: Program, requests: Mapping[int, Issue], today: date) -> Queue:
    """Open requests no pairing answers yet, not expired; `requests` are the request
    issues a run read (open ones, and closed ones lately changed)."""
    zone = program.program.timezone
    answered = {p.request for p in program.pairings if p.request is not None}
    expire = program.program.requests.expire_days
    waiting = {
        number: opened
        for number, issue in requests.items()
        if issue.state is IssueState.OPEN
        and number not in answered
        and (today - (opened := local_day(issue.created_at, zone))).days < expire
    }
    return Queue(waiting, _median(_matched_waits(program, requests)))


def _matched_waits(program: Program, requests: Mapping[int, Issue]) -> list[int]:
    """Days from each answered request to its close (the night its pairing started)."""
    answered = {p.request for p in program.pairings if p.request is not None}
    return [
        (issue.closed_at - issue.created_at).days
        for number, issue in requests.items()
        if number in answered and issue.closed_at is not None
    ]


def _median(days: list[int]) -> int | None:
    return round(statistics.median(days)) if days else None


@dataclass(frozen=True)
class QueueFigures:
    """What the dashboard and the report show of the queue and the mentors on a day."""

    waiting: int
    median_wait: int | None  # days, of the requests waiting
    longest_wait: int | None
    matched: int  # requests answered by a pairing, of those read
    median_to_match: int | None  # days from a request to its pairing
    mentors: int
    mentors_at_limit: int  # at or over their limit (running and upcoming mentees)
    by_week: tuple[tuple[date, int], ...] = ()  # requests waiting at the start of each week

    @property
    def at_limit_percent(self) -> int | None:
        return round(100 * self.mentors_at_limit / self.mentors) if self.mentors else None

    def record(self) -> dict[str, Any]:
        """As report.json carries it."""
        return {
            "waiting": self.waiting,
            "median_wait_days": self.median_wait,
            "longest_wait_days": self.longest_wait,
            "matched": self.matched,
            "median_days_to_match": self.median_to_match,
            "mentors": self.mentors,
            "mentors_at_or_over_limit": self.mentors_at_limit,
        }


def queue_figures(
    program: Program,
    requests: Mapping[int, Issue],
    today: date,
    *,
    weeks: bool = False,
    now: Queue | None = None,
    table: Sequence[Mentor] | None = None,
) -> QueueFigures:
    """The figures as of `today`; `weeks` adds the queue's length week by week, from the
    week of the first request (the report reads every request; a nightly run does not).
    `now` (the queue today) and `table` (the mentors' table today), when the caller has
    them already."""
    now = queue(program, requests, today) if now is None else now
    waits = sorted((today - opened).days for opened in now.waiting.values())
    matched = _matched_waits(program, requests)
    full, mentors = at_or_over_limit(mentor_table(program, today) if table is None else table)
    return QueueFigures(
        waiting=len(waits),
        median_wait=_median(waits),
        longest_wait=waits[-1] if waits else None,
        matched=len(matched),
        median_to_match=_median(matched),
        mentors=mentors,
        mentors_at_limit=full,
        by_week=_by_week(program, requests, today) if weeks else (),
    )


def _by_week(
    program: Program, requests: Mapping[int, Issue], today: date
) -> tuple[tuple[date, int], ...]:
    """Requests waiting on each Monday from the first request's week to today's: opened
    by then, not yet closed, not yet expired."""
    zone = program.program.timezone
    expire = timedelta(days=program.program.requests.expire_days)
    spans = [
        (
            local_day(issue.created_at, zone),
            local_day(issue.closed_at, zone) if issue.closed_at is not None else None,
        )
        for issue in requests.values()
    ]
    if not spans:
        return ()
    first = min(opened for opened, _ in spans)
    monday = first - timedelta(days=first.weekday())
    out = []
    while monday <= today:
        count = sum(
            1
            for opened, closed in spans
            if opened <= monday < opened + expire and (closed is None or closed > monday)
        )
        out.append((monday, count))
        monday += timedelta(days=7)
    return tuple(out)
