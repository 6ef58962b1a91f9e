"""The table of available mentors: who can mentor, their limit, their mentees and free places.

Wikimedia's SRE mentorship policy facilitates "match-making using the table of available
mentors" and keeps "a soft limit of two mentees per mentor, allowing some wiggle room". Pure:
built from the roster and a day.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from automation.messages.markdown import cell, plural, row, spreadsheet_cell
from automation.roster.config import Person, Program


@dataclass(frozen=True)
class Mentor:
    """One line of the table: a person with the mentor role on a day."""

    handle: str
    name: str | None
    team: str | None
    limit: int  # their own capacity, or the program's soft limit
    active: int  # mentees whose term runs on the day
    upcoming: int  # mentees whose term starts later (already on the roster)
    wiggle_room: int  # places over the limit `match --allow-over-limit` may propose
    available: bool  # `available:` in program.yml
    topics: tuple[str, ...]
    timezone: str | None
    away_until: date | None  # only while it is after the day

    @property
    def mentees(self) -> int:
        """Mentees who hold a place: running and upcoming terms."""
        return self.active + self.upcoming

    @property
    def free(self) -> int:
        """Places left under the limit."""
        return max(0, self.limit - self.mentees)

    @property
    def over_limit_room(self) -> int:
        """Places past the limit still within the wiggle room."""
        return max(0, self.limit + self.wiggle_room - max(self.limit, self.mentees))

    @property
    def status(self) -> str:
        """Whether they can take a mentee now, and if not, why."""
        if not self.available:
            return "not taking mentees"
        if self.away_until is not None:
            return f"away until {self.away_until}"
        if self.free == 0:
            return "at the limit" if self.mentees == self.limit else "over the limit"
        return "available"

    @property
    def accepting(self) -> bool:
        return self.status == "available"


def limit_of(person: Person, program: Program) -> int:
    """A mentor's limit: their own `capacity`, else the program's soft limit."""
    return person.capacity if person.capacity is not None else program.program.soft_limit


def mentor_table(program: Program, day: date) -> list[Mentor]:
    """Everyone with the mentor role, in roster order, as of `day`."""
    settings = program.program
    active: Counter[str] = Counter()
    upcoming: Counter[str] = Counter()
    for pairing in program.pairings:
        if pairing.end(settings) > day:
            (active if pairing.start <= day else upcoming)[pairing.mentor] += 1
    return [
        Mentor(
            handle=person.handle,
            name=person.name,
            team=person.team,
            limit=limit_of(person, program),
            active=active[person.handle],
            upcoming=upcoming[person.handle],
            wiggle_room=settings.matching.wiggle_room,
            available=person.available,
            topics=tuple(person.topics),
            timezone=person.timezone,
            away_until=person.away_until if person.away_until and person.away_until > day else None,
        )
        for person in program.people
        if "mentor" in person.roles
    ]


def at_or_over_limit(table: Sequence[Mentor]) -> tuple[int, int]:
    """Mentors at or over their limit, of all mentors: (count, of)."""
    return sum(1 for m in table if m.mentees >= m.limit), len(table)


# ---------------------------------------------------------------- output

_COLUMNS = (
    "mentor",
    "team",
    "limit",
    "active",
    "upcoming",
    "free",
    "over-limit room",
    "status",
    "topics",
    "time zone",
)


def _cells(mentor: Mentor) -> tuple[str, ...]:
    return (
        mentor.handle,
        mentor.team or "",
        str(mentor.limit),
        str(mentor.active),
        str(mentor.upcoming),
        str(mentor.free),
        str(mentor.over_limit_room),
        mentor.status,
        ", ".join(mentor.topics),
        mentor.timezone or "",
    )


def to_markdown(table: Sequence[Mentor], day: date) -> str:
    """The table as Markdown, and one line of totals."""
    lines = [
        f"## Available mentors on {day}",
        "",
        row(_COLUMNS),
        row("---" for _ in _COLUMNS),
        *(row(cell(value) for value in _cells(m)) for m in table),
        "",
        _totals(table),
    ]
    return "\n".join(lines) + "\n"


def _totals(table: Sequence[Mentor]) -> str:
    accepting = [m for m in table if m.accepting]
    free = sum(m.free for m in accepting)
    full, of = at_or_over_limit(table)
    return (
        f"{len(accepting)} of {of} mentor{plural(of)} can take a mentee "
        f"({free} free place{plural(free)}); "
        f"{full} at or over their limit"
    )


def to_json(table: Sequence[Mentor], day: date) -> dict[str, object]:
    """The stable JSON form: {"date", "mentors": [...]} with every column."""
    return {
        "date": day.isoformat(),
        "mentors": [
            {
                "handle": m.handle,
                "name": m.name,
                "team": m.team,
                "limit": m.limit,
                "active": m.active,
                "upcoming": m.upcoming,
                "free": m.free,
                "over_limit_room": m.over_limit_room,
                "available": m.available,
                "away_until": m.away_until.isoformat() if m.away_until else None,
                "status": m.status,
                "topics": list(m.topics),
                "timezone": m.timezone,
            }
            for m in table
        ],
    }


def to_csv(table: Sequence[Mentor]) -> str:
    """One row per mentor, the Markdown table's columns; topics joined with `; `."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for mentor in table:
        cells = list(_cells(mentor))
        cells[8] = "; ".join(mentor.topics)
        writer.writerow([spreadsheet_cell(c) for c in cells])
    return out.getvalue()
