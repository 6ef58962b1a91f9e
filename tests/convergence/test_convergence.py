"""Convergence: after one run on any day, whatever the nights before it, the forge is where
runs every night would have left it; and planning right after a run finds nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.roster.config import add_months
from automation.sandbox import RunningSandbox
from tests.convergence.world import (
    BASE,
    BOXES,
    EXAMPLES,
    MENTEES,
    MENTORS,
    Entry,
    Scenario,
    Talk,
    explored,
    play,
)

CHECKIN_DAYS = 7  # program.checkin_every_days in world.HEAD
GAPS = st.one_of(st.integers(1, 10), st.sampled_from([14, 21, 30, 31, 45, 60, 90, 120, 182]))


@st.composite
def entries(draw: st.DrawFn) -> tuple[Entry, ...]:
    count = draw(st.integers(1, 3))
    out = []
    for mentee in MENTEES[:count]:
        start = BASE + timedelta(days=draw(st.integers(0, 50)))
        extended = draw(st.booleans()) and draw(st.integers(0, 3)) == 0
        out.append(
            Entry(
                mentor=draw(st.sampled_from(MENTORS)),
                mentee=mentee,
                start=start,
                term_months=draw(st.sampled_from([1, 2])),
                extended_until=start + timedelta(days=75) if extended else None,
            )
        )
    return tuple(out)


def edited(draw: st.DrawFn, roster: tuple[Entry, ...], day: date, first: date) -> tuple[Entry, ...]:
    """The roster after one edit on `day`: an early end or an extension (dated before or
    after the edit), a pairing taken out, a start moved, or a new pairing.

    Not drawn, as the README's "Roster edits" says: an edit that brings back to life a term
    already over on `day` (an extension or a later start recorded after the end, running
    past `day`): daily runs closed that term and opened its retrospective, a run that never
    saw the end did not, until the new end. Nor a start moved into another check-in period
    of the first run (`first`) for a pairing met under way: daily runs may have opened a
    check-in under the old dates for the period the pairing issue is the agenda of under
    the new ones."""
    changed = _edited(draw, roster, day)
    before = {(e.mentor, e.mentee): e for e in roster}
    revived = [
        e
        for e in changed
        if (old := before.get((e.mentor, e.mentee))) and _end(old) <= day < _end(e)
    ]
    met_in = [
        e
        for e in changed
        if (old := before.get((e.mentor, e.mentee)))
        and _met_in(old.start, first) != _met_in(e.start, first)
    ]
    return roster if revived or met_in else changed


def _met_in(start: date, first: date) -> int:
    """The check-in period of a term from `start` that the first run met it in."""
    return (first - start).days // CHECKIN_DAYS + 1 if start < first else 1


def _end(entry: Entry) -> date:
    if entry.ended:
        return entry.ended
    return entry.extended_until or add_months(entry.start, entry.term_months)


def _edited(draw: st.DrawFn, roster: tuple[Entry, ...], day: date) -> tuple[Entry, ...]:
    kind = draw(st.sampled_from(["end", "extend", "remove", "move", "add"]))
    index = draw(st.integers(0, len(roster) - 1))
    entry = roster[index]
    rest = roster[:index] + roster[index + 1 :]
    if kind == "end":
        ended = entry.start + timedelta(days=draw(st.integers(1, 27)))
        return (*rest, Entry(entry.mentor, entry.mentee, entry.start, entry.term_months, ended))
    if kind == "extend":
        until = entry.start + timedelta(days=31 * entry.term_months + draw(st.integers(3, 40)))
        changed = Entry(entry.mentor, entry.mentee, entry.start, entry.term_months, None, until)
        return (*rest, changed)
    if kind == "remove":
        return rest
    if kind == "move":
        # Once a term has begun, its start moves only earlier (a start recorded late):
        # moved later, check-ins it opened would be for periods not begun (README).
        shifts = [-6, -2, 3, 9] if entry.start > day else [-6, -2]
        moved = entry.start + timedelta(days=draw(st.sampled_from(shifts)))
        return (*rest, Entry(entry.mentor, entry.mentee, moved, entry.term_months))
    free = [m for m in MENTEES if m not in {e.mentee for e in roster}]
    start = day + timedelta(days=draw(st.integers(0, 20)))
    return (*roster, Entry(draw(st.sampled_from(MENTORS)), free[0], start, 1))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    roster = draw(entries())
    first = BASE + timedelta(days=draw(st.integers(-7, 70)))
    runs = [first]
    for gap in draw(st.lists(GAPS, min_size=1, max_size=5)):
        runs.append(runs[-1] + timedelta(days=gap))
    rosters = [(first, roster)]
    if draw(st.booleans()):
        day = first + timedelta(days=draw(st.integers(1, max(1, (runs[-1] - first).days))))
        rosters.append((day, edited(draw, roster, day, first)))
    talks = tuple(
        Talk(
            day=first + timedelta(days=draw(st.integers(0, (runs[-1] - first).days))),
            mentee=draw(st.sampled_from(MENTEES[:3])),
            what=draw(
                st.sampled_from(["comment", "comment", "ask", "goals", "tick", "met", "pause"])
            ),
            by_mentor=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 8)))
    )
    # A box ticked again before a run has unticked it is no change on the forge: only the
    # nightly schedule would have seen two ticks, so a pair ticks each box once.
    seen: set[tuple[str, str]] = set()
    once = []
    for talk in talks:
        if talk.what in BOXES and (talk.mentee, talk.what) in seen:
            continue
        seen.add((talk.mentee, talk.what))
        once.append(talk)
    return Scenario(tuple(rosters), tuple(once), tuple(runs))


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
@explored(EXAMPLES)
@given(scenario=scenarios(), cached=st.booleans())
def test_any_schedule_of_runs_leaves_what_daily_runs_would(
    sandbox: RunningSandbox, flavour: str, scenario: Scenario, cached: bool, tmp_path: Path
) -> None:
    """Half the examples observe incrementally (README, "Incremental observation")."""
    cache = tmp_path / f"cache-{flavour}.json.gz"
    cache.unlink(missing_ok=True)  # one tmp_path serves every example
    play(scenario, flavour, sandbox, cache=cache if cached else None)
