"""Quiet pairings: the nights on which nothing of a pairing changed are not planned again.

Most pairings of a big program are quiet on most nights: no write, no change to their ledger
entry, nothing to ask the coordinators. A night remembers each quiet pairing with a digest of
everything its planning read (`inputs`) and `until`, the first day on which its plan could
differ with those inputs unchanged: only the day moves it (phases, periods, thresholds
counted from a day, catch-up windows, someone's return). A later night on a day in between
whose digest is the same skips the pairing and shows its dashboard row as kept, with its days
quiet counted to the day. The memo is kept between runs in the observation cache
(automation/forge/cached.py, `remember_records`, `remembered`).

Over-approximating is safe: an input too many or a boundary too early only plans a pairing
again sooner; a boundary left out would skip a day on which something was due. Each boundary
names the rule it comes from. With `MENTORSHIP_QUIET_SHADOW=1` (the test suite's default), a
pairing the memo skips is planned in full as well and its row worked out again, and the run
stops if either differs: every plan in the suite checks the memo.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from automation.lifecycle.actions import Action
from automation.lifecycle.observed import (
    CATCH_UP_DAYS,
    Observed,
    local_day,
    lookback_days,
    tended_until,
)
from automation.lifecycle.rules import nudges, progress, turns
from automation.lifecycle.rules.pair import Pair
from automation.lifecycle.rules.progress import GOAL_NUDGE_FROM, GOAL_NUDGE_UNTIL
from automation.messages.templates import Templates
from automation.roster.config import Program
from automation.views import status
from automation.views.status import PairingStatus

CATCH_UP = timedelta(days=CATCH_UP_DAYS)


def until(pair: Pair) -> date:
    """The first day after `pair.today` on which the pairing could be planned differently
    with its inputs unchanged (`pair.today + 1` when the day itself is an input)."""
    today = pair.today
    tomorrow = today + timedelta(days=1)
    program = pair.program
    settings = program.program
    if settings.adopted is None and pair.observed.adopted is None:
        return tomorrow  # the first run: the adoption day is today
    timeline = pair.timeline
    days: list[date] = []

    def at(*found: date | None) -> None:
        days.extend(d for d in found if d is not None)

    def window(day: date) -> None:  # `within(day, CATCH_UP_DAYS)`
        at(day, day + CATCH_UP)

    # Phases (kickoff, status, progress, nudges, turns, milestones, ending, afterwards,
    # feedback, bookkeeping's settled); a change of mentor to come moves the term on its day.
    at(timeline.start, timeline.ending_soon, timeline.end, timeline.planned_end)
    at(pair.pairing.ended_on, pair.pairing.extended_until, timeline.counted_from)
    # Check-in periods (checkins, the row's check-ins expected). The week of the term moves
    # the dashboard row alone, which `Tonight.rows` brings to the day.
    period = timeline.period(today)
    if period is not None:
        at(timeline.period_start(period + 1))
        # A comment check-in is posted while its period's start is among the comments read.
        at(timeline.period_start(period) + timedelta(days=lookback_days(program) + 1))
    # Milestones and feedback forms: said within CATCH_UP_DAYS of their day.
    window(timeline.midpoint)
    window(timeline.ending_soon)
    window(timeline.end)
    for day in pair.pairing.afterwards(settings):
        window(day)
    first_week = timeline.start + timedelta(days=GOAL_NUDGE_FROM)
    at(first_week, timeline.start + timedelta(days=GOAL_NUDGE_UNTIL))
    # The retrospective's reminder, and the forms that close unanswered.
    zone = settings.timezone
    for key in pair.observed.by_pairing.get(pair.id, ()):
        issue = pair.observed.issues[key]
        opened = max(timeline.end, local_day(issue.created_at, zone))
        window(opened + timedelta(days=settings.retrospective_reminder_days))
        if settings.feedback is not None:
            at(local_day(issue.created_at, zone) + timedelta(days=settings.feedback.open_days))
    # Quiet spells (nudges, the stalled label).
    stale = settings.stale
    since = nudges.quiet_since(pair)
    if since is not None:
        at(*_after(since, stale.first_meeting_days, stale.nudge_days, stale.stalled_days))
    if pair.last_activity is None:
        at(timeline.counted_from + timedelta(days=lookback_days(program) + 1))
    # Whose turn it is (the awaiting label, the answer nudge).
    found = turns.waiting(pair)
    if found is not None:
        window(found[1] + timedelta(days=stale.answer_days))
    # Someone's return, the end of a pause; ticks dated later than today.
    for handle in (pair.pairing.mentor, pair.pairing.mentee):
        person = program.person(handle)
        at(person.away_until if person else None)
    at(pair.paused_until)
    at(*(local_day(a.at, zone) for a in pair.asked))
    # The pace (progress.read): behind once the share of the term gone passes the goals done.
    at(*_pace_flip(pair))
    # The run stops looking after the pairing (observed.left_alone).
    at(tended_until(pair.pairing, program) + timedelta(days=1))
    return min((d for d in days if d > today), default=today + timedelta(days=366))


def _after(day: date, *spans: int) -> Iterable[date]:
    return (day + timedelta(days=n) for n in spans)


def _pace_flip(pair: Pair) -> tuple[date, ...]:
    """The first day `progress.read` judges the pair behind with its goals done as they are,
    found with the same comparison (`progress.behind_on`): around the day the sum gives,
    whose float may fall on either side of a whole number."""
    reading = pair.progress
    if reading is None or not reading.total or not pair.program.program.progress.pace_label:
        return ()
    timeline = pair.timeline
    since, end = timeline.counted_from, timeline.end
    share = reading.done / reading.total + pair.program.program.progress.tolerance
    near = since + timedelta(days=math.floor(share * max(1, (end - since).days)))
    days = [near + timedelta(days=n) for n in range(-2, 4)]
    behind = [progress.behind_on(day, reading.done, reading.total, pair) for day in days]
    pairs = zip(days[1:], behind[:-1], behind[1:], strict=True)
    flips = [day for day, was, now in pairs if now and not was]
    return tuple(flips)


@dataclass(frozen=True)
class Quiet:
    """A pairing found quiet on `since`: skipped until `until` while its inputs read `digest`."""

    digest: str
    since: date
    until: date
    # Its dashboard row (`status.to_record`), when the program has a dashboard.
    row: dict[str, Any] | None = None


# The quiet pairings of earlier plans, by pairing id: those of this process, and those an
# earlier run kept (`remember_records`).
_MEMO: dict[str, Quiet] = {}
_USED: set[str] = set()  # the pairings planned or skipped since the memo was read
_MEMO_LIMIT = 200_000  # pairings kept in a process before it starts over
# Plan a pairing the memo would skip as well, and stop if it was not quiet (the test suite).
SHADOW = os.environ.get("MENTORSHIP_QUIET_SHADOW") == "1"
COUNTS = {"skipped": 0, "planned": 0}  # pairing-nights in this process


def forget() -> None:
    """Plan every pairing from now on (what a new process does without a cache)."""
    _MEMO.clear()
    _USED.clear()


@contextmanager
def set_aside() -> Iterator[None]:
    """Plan every pairing inside, as a process without a memo would; the memo as it was after."""
    kept = dict(_MEMO)
    _MEMO.clear()
    try:
        yield
    finally:
        _MEMO.clear()
        _MEMO.update(kept)


def _digest(value: tuple[object, ...]) -> str:
    """The same in every process (unlike `hash`): kept between runs."""
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def program_inputs(program: Program, observed: Observed, templates: Templates) -> str:
    """What every pairing's planning reads of the program and the run (once per plan)."""
    return _digest(
        (
            program.model_dump_json(),
            templates.fingerprint(),
            observed.adopted,
            observed.bot,
            tuple(sorted(observed.forged)),
            tuple(sorted(observed.renamed.items())),
            tuple(sorted(observed.roster.declined)) if observed.roster else None,
        )
    )


def inputs(pair: Pair, program: str) -> str:
    """What the pairing's planning reads of it, with `program_inputs` (an over-approximation
    is safe: it only plans more): its issues, the bot's comments (the box answers among
    them), its ledger entry, the people's comments and ticks. A text is known by its
    `updated_at`: both forges move it at every edit, as observing since a watermark already
    relies on."""
    observed = pair.observed
    pid = pair.id
    issues = tuple(
        (k, i.number, i.url, i.state, i.labels, i.updated_at, i.created_at, i.tasks)
        for k in observed.by_pairing.get(pid, ())
        if (i := observed.issues[k])
    )
    comments = sorted((k, c.id, c.updated_at) for k, c in observed.comments_by_pairing.get(pid, ()))
    issue = pair.pairing_issue
    before = pair.followed_issue
    return _digest(
        (
            program,
            pid,
            issues,
            tuple(comments),
            observed.ledger.get(pid),
            observed.activity.get(pid),
            observed.turns.get(pid),
            observed.spoke.get(pid),
            observed.ticks.get(issue.number, ()) if issue else (),
            before.updated_at if before else None,
        )
    )


class Tonight:
    """What tonight's plan does with the memo: which pairings it skips, which it finds quiet."""

    def __init__(
        self, program: Program, observed: Observed, today: date, templates: Templates
    ) -> None:
        if len(_MEMO) >= _MEMO_LIMIT:
            forget()  # not in the middle of a plan: its skipped pairings' rows are read after
        self.today = today
        self.skipped: set[str] = set()  # quiet since an earlier night: not planned
        self.fresh: set[str] = set()  # found quiet tonight
        self._program = program_inputs(program, observed, templates)

    def digest(self, pair: Pair) -> str:
        """`inputs` of `pair`, with the program's digested once a plan."""
        _USED.add(pair.id)
        return inputs(pair, self._program)

    def skips(self, pair: Pair, digest: str) -> bool:
        """Whether `pair` is quiet tonight by the memo (planned anyway in the shadow mode)."""
        kept = _MEMO.get(pair.id)
        skip = kept is not None and kept.digest == digest and kept.since <= self.today < kept.until
        COUNTS["skipped" if skip else "planned"] += 1
        if skip:
            self.skipped.add(pair.id)
        return skip and not SHADOW

    def planned(self, pair: Pair, digest: str, writes: Sequence[Action], changed: bool) -> None:
        """Remember `pair` if its plan was quiet: no write, nothing `changed` in its ledger
        entry or asked of the coordinators."""
        pid = pair.id
        if writes or changed:
            if pid in self.skipped:
                kept = _MEMO[pid]
                raise AssertionError(
                    f"{pid} on {self.today}: skipped as quiet from {kept.since} until "
                    f"{kept.until}, but plans {[a.key for a in writes]} (ledger or asks "
                    f"changed: {changed})"
                )
            _MEMO.pop(pid, None)
        elif pid not in self.skipped:
            _MEMO[pid] = Quiet(digest, self.today, until(pair))
            self.fresh.add(pid)

    def rows(self) -> dict[str, PairingStatus]:
        """The kept dashboard rows of the pairings skipped tonight, days quiet to today (a
        row that does not read is left out: the dashboard works it out again)."""
        if SHADOW:
            return {}
        found = {}
        for pid in self.skipped:
            record = _MEMO[pid].row
            if record is not None:
                with suppress(TypeError, ValueError, KeyError):
                    found[pid] = status.from_record(record, self.today)
        return found

    def keep(self, statuses: Iterable[PairingStatus]) -> None:
        """Keep the rows of the pairings found quiet tonight; in the shadow mode, check the
        kept rows of those skipped against tonight's."""
        today = self.today
        for row in statuses:
            kept = _MEMO.get(row.id)
            if kept is None:
                continue
            if row.id in self.fresh:
                _MEMO[row.id] = replace(kept, row=status.to_record(row))
            elif SHADOW and row.id in self.skipped and kept.row is not None:
                was = status.from_record(kept.row, today)
                if was != row:
                    raise AssertionError(f"{row.id} on {today}: kept {was}, now {row}")


def remember_records(records: Mapping[str, list[Any]]) -> None:
    """The quiet pairings an earlier run kept (`remembered`): skipped while still quiet."""
    _USED.clear()
    for pid, record in records.items():
        try:
            digest, since, until_day, row = record
            _MEMO[pid] = Quiet(
                str(digest),
                date.fromisoformat(since),
                date.fromisoformat(until_day),
                dict(row) if row is not None else None,
            )
        except (TypeError, ValueError):
            _MEMO.pop(pid, None)  # not as `remembered` writes it: planned in full


def remembered() -> dict[str, list[Any]]:
    """The quiet pairings of the plans since the memo was read, for the observation cache
    (a pairing no longer tended drops out)."""
    return {
        pid: [kept.digest, kept.since.isoformat(), kept.until.isoformat(), kept.row]
        for pid, kept in _MEMO.items()
        if pid in _USED
    }
