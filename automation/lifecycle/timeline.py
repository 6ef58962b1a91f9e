"""The dates of one pairing's term: milestones, check-in periods and the phase on a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from automation.lazy import lazy
from automation.roster.config import Pairing, Settings


class Phase(StrEnum):
    UPCOMING = "upcoming"
    ACTIVE = "active"
    ENDING_SOON = "ending-soon"
    ENDED = "ended"


@dataclass(frozen=True)
class Timeline:
    """Start S, planned end S + term, actual end (extension or early end), milestones, and
    the day the bot starts counting the pairing."""

    start: date
    planned_end: date
    end: date
    checkin_days: int
    ending_soon_days: int
    ended_early: bool
    extended: bool
    counted_from: date

    @classmethod
    def of(cls, pairing: Pairing, settings: Settings, adopted: date | None = None) -> Timeline:
        """`adopted` is the day the bot began tending the program (see observe.adoption):
        a pairing under way by then is counted from then, unless the roster says when."""
        since = pairing.adopted or adopted or pairing.start
        return cls(
            start=pairing.start,
            planned_end=pairing.planned_end(settings),
            end=pairing.end(settings),
            checkin_days=pairing.meetings(settings).every_days,
            ending_soon_days=settings.ending_soon_days,
            ended_early=pairing.ended_on is not None,
            extended=pairing.extended_until is not None and pairing.ended_on is None,
            counted_from=max(pairing.start, since),
        )

    @property
    def adopted_under_way(self) -> bool:
        """The bot met this pairing after its start."""
        return self.counted_from > self.start

    @property
    def first_counted_period(self) -> int:
        """The check-in period the bot met the pairing in (1 unless it met it under way):
        its agenda is the pairing issue, check-in issues follow from the next period."""
        return (self.counted_from - self.start).days // self.checkin_days + 1

    @lazy
    def midpoint(self) -> date:
        # Halfway through the planned term: an extension moves only the later milestones.
        return self.start + (self.planned_end - self.start) / 2

    @lazy
    def ending_soon(self) -> date:
        return self.end - timedelta(days=self.ending_soon_days)

    @lazy
    def term_weeks(self) -> int:
        return max(1, round((self.end - self.start).days / 7))

    def week(self, day: date) -> int:
        """1-based week of the term that `day` falls in (clamped to the term)."""
        return week_of(self.start, self.end, self.term_weeks, day)

    def phase(self, day: date) -> Phase:
        if day < self.start:
            return Phase.UPCOMING
        if day >= self.end:
            return Phase.ENDED
        if day >= self.ending_soon and not self.ended_early:
            return Phase.ENDING_SOON
        return Phase.ACTIVE

    def period(self, day: date) -> int | None:
        """1-based check-in period containing `day`, or None outside the term."""
        if not self.start <= day < self.end:
            return None
        return (day - self.start).days // self.checkin_days + 1

    def period_start(self, number: int) -> date:
        return self.start + timedelta(days=(number - 1) * self.checkin_days)

    def period_end(self, number: int) -> date:
        """Last day of period `number` (the next one starts the day after)."""
        return min(self.period_start(number + 1), self.end) - timedelta(days=1)


def week_of(start: date, end: date, term_weeks: int, day: date) -> int:
    """1-based week of a term of `term_weeks` from `start` to `end` that `day` falls in
    (clamped to the term)."""
    days = (min(max(day, start), end) - start).days
    return min(term_weeks, days // 7 + 1)
