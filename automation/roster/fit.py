"""Who may mentor whom, and how well: the terms of a proposal's fit.

A mentor may take a request when they share a topic, take mentees, are not away at the
start, have room, are not the mentee's manager nor someone the request avoids, and do not
mentor them already (nor did before, unless the program allows it). The fit is a sum of
weighted terms (program.yml `program.matching.weights`), each with the words that explain it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from automation.roster.config import MatchingRules, Pairing, Person, Program
from automation.roster.handles import handle_key, same_handle
from automation.roster.mentors import Mentor, mentor_table
from automation.roster.request import Mode, Request

_HOURS_APART_AT_MOST = 12
_UNKNOWN_HOURS = 6  # an unknown zone counts as half as far as the farthest


@dataclass(frozen=True)
class Term:
    """One reason in a proposal's score: its points and what they are for."""

    name: str  # topics, time zone, places, team, repeat
    points: float
    detail: str


@dataclass(frozen=True)
class Candidate:
    """A mentor who shares a topic with a request: why they are not possible, or the terms
    of their fit other than places."""

    index: int  # into Fits.mentors
    mentor: Mentor
    excluded: str | None
    terms: tuple[Term, ...]

    @property
    def base(self) -> float:
        return sum(t.points for t in self.terms)


@dataclass(frozen=True)
class Place:
    """One place a mentor offers: `k` is 0 for their first new mentee, 1 for the second."""

    mentor: int  # into Fits.mentors
    k: int


@dataclass(frozen=True)
class Fits:
    """The roster as matching sees it on a day, indexed for a queue of any length."""

    rules: MatchingRules
    start: date
    allow_over_limit: bool
    mentors: tuple[Mentor, ...]  # by handle: the order ties are broken in
    people: Mapping[str, Person]  # by handle_key
    history: Mapping[tuple[str, str], tuple[Pairing, ...]]  # (mentor, mentee) keys -> pairings
    ends: Mapping[str, date]  # pairing id -> the end of its term
    by_topic: Mapping[str, tuple[int, ...]]  # topic (casefolded) -> indices into mentors
    offsets: Mapping[str, float]  # time zone -> hours from UTC on the day

    @classmethod
    def of(
        cls,
        program: Program,
        day: date,
        start: date,
        allow_over_limit: bool,
        zones: Iterable[str | None] = (),
    ) -> Fits:
        mentors = tuple(sorted(mentor_table(program, day), key=lambda m: m.handle))
        by_topic: dict[str, list[int]] = {}
        for i, mentor in enumerate(mentors):
            for topic in {t.casefold() for t in mentor.topics}:
                by_topic.setdefault(topic, []).append(i)
        history: dict[tuple[str, str], list[Pairing]] = {}
        for pairing in program.pairings:
            history.setdefault(_pair(pairing.mentor, pairing.mentee), []).append(pairing)
        return cls(
            rules=program.program.matching,
            start=start,
            allow_over_limit=allow_over_limit,
            mentors=mentors,
            # the first of a handle listed twice
            people={handle_key(p.handle): p for p in reversed(program.people)},
            history={pair: tuple(found) for pair, found in history.items()},
            ends={p.id: p.end(program.program) for p in program.pairings},
            by_topic={topic: tuple(found) for topic, found in by_topic.items()},
            offsets=_offsets({*zones, *(p.timezone for p in program.people)}, day),
        )

    def candidates(self, request: Request) -> tuple[Candidate, ...]:
        """The mentors who share a topic with the request, in handle order."""
        wanted: dict[str, str] = {}
        for topic in request.topics:
            wanted.setdefault(topic.casefold(), topic)
        shared: dict[int, list[str]] = {}
        for key, topic in wanted.items():
            for index in self.by_topic.get(key, ()):
                shared.setdefault(index, []).append(topic)
        mentee = self.person(request.handle)
        return tuple(
            self._candidate(request, mentee, index, _topics(len(wanted), shared[index], self))
            for index in sorted(shared)
        )

    def _candidate(
        self, request: Request, mentee: Person | None, index: int, topics: Term
    ) -> Candidate:
        mentor = self.mentors[index]
        excluded = self._excluded(request, mentor, mentee)
        terms = () if excluded else (topics, *self._terms(request, mentor, mentee))
        return Candidate(index, mentor, excluded, terms)

    def person(self, handle: str) -> Person | None:
        """The roster's entry of a handle, in any case."""
        return self.people.get(handle_key(handle))

    def spelled(self, handle: str) -> str:
        """A handle as people: writes it, so that lines added to program.yml name the
        person the same way as their entry."""
        person = self.person(handle)
        return handle if person is None else person.handle

    def room(self, mentor: Mentor) -> int:
        """The places a mentor offers today."""
        return mentor.free + (mentor.over_limit_room if self.allow_over_limit else 0)

    def places(self, candidates: Iterable[Sequence[Candidate]]) -> list[Place]:
        """Every place a request could take, from the candidates of each request: each
        possible mentor's places, never more than the requests they fit."""
        wanted: dict[int, int] = {}
        for found in candidates:
            for candidate in found:
                if candidate.excluded is None:
                    wanted[candidate.index] = wanted.get(candidate.index, 0) + 1
        return [
            Place(index, k)
            for index in sorted(wanted)
            for k in range(min(wanted[index], self.room(self.mentors[index])))
        ]

    def _excluded(self, request: Request, mentor: Mentor, mentee: Person | None) -> str | None:
        handle = mentor.handle
        if same_handle(handle, request.handle):
            return "themselves"
        manager = mentee.manager if mentee is not None else None
        if any(same_handle(handle, a) for a in request.avoid) or same_handle(manager, handle):
            return "excluded"  # said without the name: it may be their manager
        if not mentor.available:
            return "not taking mentees"
        away = self.people[handle_key(handle)].away_until
        if away is not None and away > self.start:
            return f"away until {away}"
        before = self.history.get(_pair(handle, request.handle), ())
        if any(self.ends[p.id] > self.start for p in before):
            return "mentoring them already"
        if before and not self.rules.allow_repeat:
            return "mentored them before"
        if self.room(mentor) == 0:
            return "full"
        return None

    def _terms(self, request: Request, mentor: Mentor, mentee: Person | None) -> Iterator[Term]:
        weights = self.rules.weights
        zone = request.timezone or (mentee.timezone if mentee else None)
        yield self._time_zone(request.mode, zone, mentor.timezone, weights.timezone)
        if self.rules.prefer != "none":
            yield _team(self.rules.prefer, mentee.team if mentee else None, mentor, weights.team)
        before = self.history.get(_pair(mentor.handle, request.handle), ())
        if before:
            first = min(p.start for p in before)
            yield Term("repeat", -weights.repeat, f"mentored them before (from {first})")

    def _time_zone(self, mode: Mode, mine: str | None, theirs: str | None, weight: float) -> Term:
        if mode is Mode.ASYNC:
            return Term("time zone", 0.0, "async: no meeting to schedule")
        if mine is None or theirs is None:
            return Term("time zone", -weight * _UNKNOWN_HOURS / _HOURS_APART_AT_MOST, "unknown")
        apart = abs(self.offsets[mine] - self.offsets[theirs]) % 24
        hours = min(apart, 24 - apart)
        detail = "same hours" if hours == 0 else f"{hours:g}h apart"
        return Term("time zone", 0.0 - weight * hours / _HOURS_APART_AT_MOST, detail)


def _pair(mentor: str, mentee: str) -> tuple[str, str]:
    return handle_key(mentor), handle_key(mentee)


def _offsets(zones: Iterable[str | None], day: date) -> dict[str, float]:
    """Hours from UTC of each zone at noon UTC on the day (summer time moves them)."""
    noon = datetime.combine(day, time(12), tzinfo=UTC)
    offsets = {}
    for zone in {z for z in zones if z}:
        offset = noon.astimezone(ZoneInfo(zone)).utcoffset() or timedelta()
        offsets[zone] = offset.total_seconds() / 3600
    return offsets


def _topics(wanted: int, shared: Sequence[str], fits: Fits) -> Term:
    points = fits.rules.weights.topics * len(shared) / wanted
    return Term("topics", points, f"{len(shared)} of {wanted}: {', '.join(shared)}")


def _team(prefer: str, mine: str | None, mentor: Mentor, weight: float) -> Term:
    theirs = mentor.team
    if mine is None or theirs is None:
        return Term("team", 0.0, "team unknown")
    same = mine.casefold() == theirs.casefold()
    met = same == (prefer == "same-team")
    detail = f"same team ({theirs})" if same else f"other team ({theirs})"
    return Term("team", weight if met else 0.0, detail)


def place_term(mentor: Mentor, k: int, weight: float) -> Term:
    """The share of the mentor's limit still free before this place: a mentor with more
    room fits better, and a place past the limit costs."""
    free = mentor.free - k
    if free > 0:
        return Term("places", weight * free / mentor.limit, f"{free} of {mentor.limit} free")
    taken = mentor.mentees + k + 1
    return Term(
        "places",
        -weight * (1 - free) / max(1, mentor.limit),
        f"over the limit: {taken} mentees of {mentor.limit}",
    )


def why_not(request: Request, candidates: Sequence[Candidate], allow_over_limit: bool) -> str:
    """Why no mentor is proposed, in words the request's author may read: a manager or a
    person they asked to avoid is counted, never named."""
    if not candidates:
        return f"no mentor offers these topics: {', '.join(request.topics)}"
    fitting = [c.mentor.handle for c in candidates if c.excluded is None]
    if fitting:
        return (
            f"the mentors who fit ({', '.join(fitting)}) have no place left after the "
            "other proposals"
        )
    by_reason: dict[str, list[Mentor]] = {}
    for candidate in candidates:
        by_reason.setdefault(candidate.excluded or "", []).append(candidate.mentor)
    parts = [_reason(reason, mentors, allow_over_limit) for reason, mentors in by_reason.items()]
    return "no mentor who shares a topic can take a mentee: " + "; ".join(parts)


def _reason(reason: str, mentors: Sequence[Mentor], allow_over_limit: bool) -> str:
    if reason == "excluded":
        return f"{len(mentors)} excluded (your manager, or someone you asked to avoid)"
    if reason == "themselves":
        return "you (a mentor of these topics yourself)"
    handles = ", ".join(m.handle for m in mentors)
    if reason == "full":
        room = not allow_over_limit and any(m.over_limit_room for m in mentors)
        hint = " (the wiggle room is open with --allow-over-limit)" if room else ""
        return f"{handles} at their limit{hint}"
    return f"{handles} {reason}"
