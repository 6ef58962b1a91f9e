"""A pairing's retrospectives: one per end, keyed by the end it was opened for, and which
of them is the term's (README, "An end taken back").

A retrospective's key is `pair/<id>/retrospective/<YYYY-MM-DD>`, the end it was opened
for. One opened by an earlier version has the key `pair/<id>/retrospective`: it was
opened on the night of its end or on the first night after, so its end is read as the
day it was opened (in the program's time zone). A retrospective opens on or after its
end, so one opened for a day before the end program.yml now says was opened for an end
the roster took back (or moved): it is stale, and the current one is the newest opened
on or after the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from automation.model import Issue

PART = "retrospective"


@dataclass(frozen=True)
class Retrospective:
    """One retrospective of a pairing as seen tonight."""

    key: str  # its full key
    parts: tuple[str, ...]  # the key after `pair/<id>/`: ("retrospective", "2026-07-05")
    opened_for: date  # the end it was opened for
    issue: Issue

    @property
    def dated(self) -> bool:
        """Whether its key carries its end (one opened by an earlier version does not)."""
        return len(self.parts) == 2


def parts_for(end: date) -> tuple[str, str]:
    """The key parts (after `pair/<id>/`) of the retrospective of `end`."""
    return (PART, end.isoformat())


def end_of(key: str) -> tuple[str, date | None] | None:
    """The pairing id and the end a retrospective's key names (None for the undated key
    of an earlier version), or None when `key` names no retrospective."""
    parts = key.split("/")
    if len(parts) not in (3, 4) or parts[0] != "pair" or parts[2] != PART:
        return None
    if len(parts) == 3:
        return parts[1], None
    try:
        return parts[1], date.fromisoformat(parts[3])
    except ValueError:
        return None


def of(
    issues: Mapping[str, Issue], keys: tuple[str, ...] | None, pairing: str, zone: str
) -> list[Retrospective]:
    """The retrospectives of `pairing` among `issues` (by key; `keys` are the pairing's
    keys when the caller has them, else every key is looked at), oldest end first."""
    found = []
    for key in keys if keys is not None else tuple(issues):
        if f"/{PART}" not in key:
            continue  # most of a pairing's issues: not worth reading the key
        named = end_of(key)
        if named is None or named[0] != pairing:
            continue
        issue = issues[key]
        opened_for = named[1] or issue.created_at.astimezone(ZoneInfo(zone)).date()
        found.append(Retrospective(key, tuple(key.split("/")[2:]), opened_for, issue))
    return sorted(found, key=lambda r: (r.opened_for, r.issue.number))


def current(retrospectives: list[Retrospective], end: date) -> Retrospective | None:
    """The retrospective of the end the roster holds: the newest opened for it or later."""
    held = [r for r in retrospectives if r.opened_for >= end]
    return held[-1] if held else None


def stale(retrospectives: list[Retrospective], end: date) -> list[Retrospective]:
    """The retrospectives of an end the roster no longer holds (taken back or moved)."""
    return [r for r in retrospectives if r.opened_for < end]


def current_of(
    issues: Mapping[str, Issue],
    keys: tuple[str, ...] | None,
    pairing: str,
    end: date,
    zone: str,
) -> Issue | None:
    """The issue of the retrospective of the end the roster holds, if it exists."""
    found = current(of(issues, keys, pairing, zone), end)
    return found.issue if found else None
