"""Program success figures: the shares programs measure themselves by, counted from statuses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from automation.views.status import PairingStatus
from automation.views.status import percent as status_percent

CONSISTENT_SHARE = 0.75  # check-ins held of those expected, to count as meeting consistently
ACHIEVED_SHARE = 0.5  # steps done of a goal's steps, to count it as at least half achieved
PHASES = ("upcoming", "active", "ending-soon", "completed", "ended-early")
OVER = frozenset({"completed", "ended-early"})
SHARE_BINS = ("0-24%", "25-49%", "50-74%", "75-99%", "100%")  # quarters, and all done
NO_GOALS = "no goals yet"


@dataclass(frozen=True)
class Share:
    """`count` of `of`; no share when nothing is counted yet."""

    count: int
    of: int

    @property
    def share(self) -> float | None:
        return round(self.count / self.of, 4) if self.of else None

    @property
    def percent(self) -> str:
        return f"{round(100 * self.count / self.of)}%" if self.of else "n/a"


@dataclass(frozen=True)
class Figures:
    """The report's headline numbers; private pairings count here like any other."""

    pairings: int
    private: int
    # Mentorships: a mentee's terms joined by changes of mentor count once.
    mentorships: int
    mentor_changes: int
    by_phase: tuple[tuple[str, int], ...]
    meeting_consistently: Share
    goals_half_achieved: Share
    completed_term: Share
    retrospectives_returned: Share
    checkins: Share  # check-ins held of those expected, every pairing together
    goal_steps: Share  # goal steps done of all goal steps
    # The mentors' own growth goals at least half achieved, of those with steps.
    mentor_goals_half_achieved: Share = Share(0, 0)

    def phase_count(self, phase: str) -> int:
        return dict(self.by_phase).get(phase, 0)


def meets_consistently(status: PairingStatus) -> bool:
    """Held at least 75% of the check-ins expected so far (a pairing expecting none does not)."""
    expected = status.checkins_expected
    return expected > 0 and status.checkins_held >= CONSISTENT_SHARE * expected


def term_over(status: PairingStatus) -> bool:
    return status.phase in OVER


def percent(done: int, total: int) -> int | None:
    """As `status.percent`, but None (shown as n/a) when there is nothing to count."""
    return status_percent(done, total) if total else None


def program_figures(statuses: Sequence[PairingStatus]) -> Figures:
    started = [s for s in statuses if s.checkins_expected > 0]
    goals = [g for s in statuses for g in s.goals if g.total > 0]
    mentors = [g for s in statuses for g in s.mentor_goals if g.total > 0]
    over = [s for s in statuses if term_over(s)]
    # A term handed over to a new mentor is not a mentorship that ended.
    ended = [s for s in over if not s.followed_by]
    changes = sum(1 for s in statuses if s.follows)
    return Figures(
        pairings=len(statuses),
        private=sum(1 for s in statuses if s.private),
        mentorships=len(statuses) - changes,
        mentor_changes=changes,
        by_phase=tuple((p, sum(1 for s in statuses if s.phase == p)) for p in PHASES),
        meeting_consistently=Share(sum(1 for s in started if meets_consistently(s)), len(started)),
        goals_half_achieved=Share(sum(1 for g in goals if g.share >= ACHIEVED_SHARE), len(goals)),
        completed_term=Share(sum(1 for s in ended if s.outcome == "completed"), len(ended)),
        retrospectives_returned=Share(
            sum(1 for s in over if s.retrospective == "returned"), len(over)
        ),
        checkins=Share(
            sum(s.checkins_held for s in statuses), sum(s.checkins_expected for s in statuses)
        ),
        goal_steps=Share(sum(s.done for s in statuses), sum(s.total for s in statuses)),
        mentor_goals_half_achieved=Share(
            sum(1 for g in mentors if g.share >= ACHIEVED_SHARE), len(mentors)
        ),
    )


def active_by_week(statuses: Sequence[PairingStatus]) -> tuple[tuple[date, int], ...]:
    """Pairings running at the start of each week, from the first start to the last end."""
    if not statuses:
        return ()
    first, last = min(s.start for s in statuses), max(s.end for s in statuses)
    weeks = range(0, (last - first).days + 1, 7)
    days = [first + timedelta(days=offset) for offset in weeks]
    return tuple((day, sum(1 for s in statuses if s.start <= day < s.end)) for day in days)


def share_bin(done: int, total: int) -> str:
    """The quarter `done` of `total` falls in (whole numbers, so 3 of 4 is exactly 75%)."""
    return SHARE_BINS[4 if done >= total else min(3, 4 * done // total)]


def _binned(pairs: Sequence[tuple[int, int]]) -> list[tuple[str, int]]:
    labels = [share_bin(done, total) for done, total in pairs]
    return [(label, labels.count(label)) for label in SHARE_BINS]


def goal_share_bins(statuses: Sequence[PairingStatus]) -> tuple[tuple[str, int], ...]:
    """How many pairings have done what share of their goal steps; started ones without goals
    apart."""
    counts = _binned([(s.done, s.total) for s in statuses if s.total > 0])
    waiting = sum(1 for s in statuses if s.total == 0 and s.phase != "upcoming")
    return (*counts, (NO_GOALS, waiting))


def kept_share_bins(statuses: Sequence[PairingStatus]) -> tuple[tuple[str, int], ...]:
    """How many started pairings held what share of their expected check-ins."""
    return tuple(
        _binned([(s.checkins_held, s.checkins_expected) for s in statuses if s.checkins_expected])
    )
