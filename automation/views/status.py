"""Where every pairing stands on a day: the numbers the dashboard, reports and histories show.

Pure: built from the roster, what `automation.night.observe.read` saw and the date. Numbers
and states only; goal titles are included for reports that opt in (`include_goal_text`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, timedelta
from typing import Any

from automation.goals.checklist import Checklist, Dialect, Goal, parse
from automation.lifecycle import retrospectives
from automation.lifecycle.labels import Labels
from automation.lifecycle.observed import Observed, adoption, last_spoke
from automation.lifecycle.timeline import Phase, Timeline, week_of
from automation.lifecycle.turns import SIDES
from automation.model import Issue, IssueState
from automation.roster.config import Pairing, Program

_BAR = 10


def bar(done: int, total: int) -> str:
    """Progress as ten blocks of text: `████░░░░░░`."""
    filled = round(_BAR * done / total) if total else 0
    return "█" * filled + "░" * (_BAR - filled)


def percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


def counted(goals: Iterable[Goal]) -> tuple[Goal, ...]:
    """The goals that count: every goal but the template's example while it is untouched
    (its title still starts with "Example" and no step is ticked)."""
    return tuple(
        goal for goal in goals if not (goal.title.lower().startswith("example") and goal.done == 0)
    )


def counted_goals(checklist: Checklist) -> tuple[Goal, ...]:
    """The mentee's goals that count."""
    return counted(checklist.goals)


@dataclass(frozen=True)
class GoalStatus:
    title: str
    done: int
    total: int
    due: str | None

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 0.0


def _statuses(goals: Iterable[Goal]) -> tuple[GoalStatus, ...]:
    return tuple(GoalStatus(g.title, g.done, g.total, g.due) for g in goals)


@dataclass(frozen=True)
class Milestone:
    name: str
    day: date


@dataclass(frozen=True)
class PairingStatus:
    """One pairing on `today`."""

    id: str
    mentor: str
    mentee: str
    start: date
    planned_end: date
    end: date
    phase: str  # upcoming, active, ending-soon, completed, ended-early, extended-active
    week: int
    term_weeks: int
    outcome: str  # running, completed, extended, ended early, not started
    ended_reason: str | None
    extension_reason: str | None
    private: bool
    goals: tuple[GoalStatus, ...]
    done: int
    total: int
    history: tuple[tuple[int, int, int], ...]  # (week of the term, done, total)
    last_activity: date | None
    days_quiet: int | None  # days since the mentee or mentor last spoke, if seen
    checkins_expected: int
    checkins_held: int
    stalled: bool
    pace: str | None  # on-track, behind, or None
    retrospective: str  # none, open, returned
    pairing_url: str | None
    retrospective_url: str | None
    next_milestone: Milestone | None
    milestones: tuple[Milestone, ...]
    checkin_every_days: int  # the pair's own cadence (a check-in period's length)
    # The mentor's own growth goals: shown and counted apart, never in progress or pace.
    mentor_goals: tuple[GoalStatus, ...] = ()
    # A change of mentor: the pairing this one follows, and the one that follows it (ids).
    follows: str | None = None
    followed_by: str | None = None
    awaiting: str | None = None  # a question waits on the mentor or the mentee (its label)

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 0.0

    def week_start(self, week: int) -> date:
        """The first day of a week of the term (1-based), as the history counts weeks."""
        return self.start + timedelta(weeks=week - 1)


def _retro_state(issue: Issue | None) -> str:
    if issue is None:
        return "none"
    return "returned" if issue.state is IssueState.CLOSED else "open"


def milestones(pairing: Pairing, program: Program, timeline: Timeline) -> tuple[Milestone, ...]:
    """`timeline` is the pairing's (the day the bot began counting it does not matter)."""
    marks = [Milestone("start", timeline.start)]
    if program.program.midpoint_review and timeline.midpoint < timeline.end:
        marks.append(Milestone("midpoint review", timeline.midpoint))
    if not timeline.ended_early:
        marks.append(Milestone("ending soon", timeline.ending_soon))
    ended = "changed mentor" if program.follower(pairing) else "ended early"
    marks.append(Milestone(ended if timeline.ended_early else "end", timeline.end))
    return tuple(sorted(marks, key=lambda m: m.day))


def pairing_status(
    program: Program,
    observed: Observed,
    pairing: Pairing,
    today: date,
    checklist: Checklist | None = None,
) -> PairingStatus:
    """`checklist` is the pairing issue's, when the caller has parsed it already."""
    settings = program.program
    labels = Labels(settings.label_prefix)
    timeline = Timeline.of(pairing, settings, adoption(program, observed, today))
    key = f"pair/{pairing.id}"
    issue = observed.issues.get(f"{key}/pairing")
    # The retrospective of the end the roster holds: not one of an end taken back.
    keys = observed.by_pairing.get(pairing.id, ())
    retro = retrospectives.current_of(
        observed.issues, keys, pairing.id, timeline.end, settings.timezone
    )
    state = observed.ledger.get(pairing.id)
    if checklist is None and issue is not None:
        checklist = parse(issue.body, Dialect(program.forge.api_flavour))
    goals = _statuses(counted_goals(checklist) if checklist else ())
    mentor_goals = _statuses(counted(checklist.mentor_goals) if checklist else ())
    phase = timeline.phase(today)
    if phase is Phase.ENDED:
        outcome = "ended early" if timeline.ended_early else "completed"
        shown_phase = "ended-early" if timeline.ended_early else "completed"
    elif phase is Phase.UPCOMING:
        outcome, shown_phase = "not started", "upcoming"
    else:
        outcome, shown_phase = ("extended" if timeline.extended else "running"), phase.value
    # The pair's last change to their goals or to a check-in's description.
    edits = (state.changed, state.edited) if state else ()
    changed = max((date.fromisoformat(d) for d in edits if d), default=None)
    # Every check-in period that has begun since the bot met the pairing is one meeting
    # expected (the first is the kickoff, or the pairing issue of a pairing met under way).
    first = timeline.first_counted_period
    current = timeline.period(min(today, timeline.end - timedelta(days=1))) or 0
    expected = max(0, current - first + 1)
    held = len([p for p in state.met if p >= first]) if state else 0
    last_activity = last_spoke(observed, pairing.id, settings.timezone, changed)
    marks = milestones(pairing, program, timeline)
    have = set(issue.labels) if issue else set()
    pace = None
    if issue is not None:
        if labels.pace("behind") in issue.labels:
            pace = "behind"
        elif labels.pace("on-track") in issue.labels:
            pace = "on-track"
    return PairingStatus(
        id=pairing.id,
        mentor=pairing.mentor,
        mentee=pairing.mentee,
        start=timeline.start,
        planned_end=timeline.planned_end,
        end=timeline.end,
        phase=shown_phase,
        week=timeline.week(today),
        term_weeks=timeline.term_weeks,
        outcome=outcome,
        ended_reason=pairing.ended_reason,
        extension_reason=pairing.extension_reason,
        private=pairing.private,
        goals=goals,
        done=sum(g.done for g in goals),
        total=sum(g.total for g in goals),
        history=state.history if state else (),
        last_activity=last_activity,
        days_quiet=_days_since(last_activity, today),
        checkins_expected=expected,
        checkins_held=min(expected, held),
        stalled=bool(issue and labels.stalled in issue.labels),
        pace=pace,
        retrospective=_retro_state(retro),
        pairing_url=issue.url if issue else None,
        retrospective_url=retro.url if retro else None,
        next_milestone=next((m for m in marks if m.day > today), None),
        milestones=marks,
        checkin_every_days=timeline.checkin_days,
        mentor_goals=mentor_goals,
        follows=before.id if (before := program.followed(pairing)) else None,
        followed_by=after.id if (after := program.follower(pairing)) else None,
        awaiting=next((s for s in SIDES if labels.awaiting(s) in have), None),
    )


def program_status(
    program: Program,
    observed: Observed,
    today: date,
    checklists: Mapping[str, Checklist] | None = None,
    kept: Mapping[str, PairingStatus] | None = None,
) -> list[PairingStatus]:
    """Every pairing; `checklists` (by pairing id) spares parsing issues read already, and
    `kept` rows of an earlier day still true today spare working them out again."""
    known = checklists or {}
    rows = kept or {}
    return [
        rows[p.id] if p.id in rows else pairing_status(program, observed, p, today, known.get(p.id))
        for p in program.pairings
    ]


def to_record(row: PairingStatus) -> dict[str, Any]:
    """`row` as JSON values that `from_record` reads back equal (kept between runs)."""
    return {f.name: _plain(getattr(row, f.name)) for f in fields(PairingStatus)}


def from_record(record: dict[str, Any], today: date) -> PairingStatus:
    """The row `to_record` kept on an earlier day, on `today`: the days quiet and the week of
    the term counted to it, the rest as it was (a row is kept only while nothing else of it
    can change)."""
    values = dict(record)
    if values.keys() != _FIELDS:
        raise ValueError(f"a kept row has the fields {sorted(values)}")
    for name in ("start", "planned_end", "end", "last_activity"):
        values[name] = date.fromisoformat(values[name]) if values[name] else None
    for name in ("goals", "mentor_goals"):
        values[name] = tuple(GoalStatus(**goal) for goal in values[name])
    values["history"] = tuple(map(tuple, values["history"]))
    values["milestones"] = tuple(_milestone(m) for m in values["milestones"])
    values["next_milestone"] = (
        _milestone(values["next_milestone"]) if values["next_milestone"] else None
    )
    values["days_quiet"] = _days_since(values["last_activity"], today)
    values["week"] = week_of(values["start"], values["end"], values["term_weeks"], today)
    # Every field, as the check above makes sure: the frozen dataclass's __init__ would set
    # them one `object.__setattr__` at a time, two thirds of the time a row takes to read.
    row = object.__new__(PairingStatus)
    row.__dict__.update(values)
    return row


_FIELDS = {f.name for f in fields(PairingStatus)}


def _days_since(day: date | None, today: date) -> int | None:
    return (today - day).days if day else None


def _milestone(record: dict[str, Any]) -> Milestone:
    return Milestone(str(record["name"]), date.fromisoformat(record["day"]))


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value
