"""Proposing mentors for the whole queue of requests at once: the assignment of best fit.

Each mentor offers places (their free places, and with `allow_over_limit` the wiggle room
past their limit); each request may take one place of a mentor who fits it
(`automation.roster.fit`). The assignment answers as many requests as can be answered and, of
those assignments, has the greatest total fit; SciPy's `linear_sum_assignment` solves it
over the places. Pure: the roster, the requests and the day in, proposals out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from automation.messages.markdown import cell, plural, row
from automation.roster.config import Program
from automation.roster.edit import NewPairing, NewPerson, pairing_lines
from automation.roster.fit import Candidate, Fits, Place, Term, place_term, why_not
from automation.roster.handles import handle_key
from automation.roster.request import Request

_UNITS = 1000  # scores are compared in thousandths: closer than that is a tie

Assign = Callable[[Sequence[Request], Mapping[int, Sequence[Candidate]], Fits], dict[int, Place]]


@dataclass(frozen=True)
class Proposal:
    """A mentor for a request, why, and what program.yml gets for it."""

    request: Request
    mentor: str
    terms: tuple[Term, ...]
    over_limit: bool
    pairing: NewPairing
    person: NewPerson | None  # the mentee, when people: does not list them yet

    @property
    def score(self) -> float:
        return round(sum(t.points for t in self.terms), 3)


@dataclass(frozen=True)
class Unmatched:
    """A request no mentor is proposed for, and why in words its author may read."""

    request: Request
    reason: str


@dataclass(frozen=True)
class Matching:
    """What `mentorship match` proposes on a day."""

    day: date
    start: date  # the start of every proposed pairing
    proposals: tuple[Proposal, ...]
    unmatched: tuple[Unmatched, ...]
    answered: tuple[tuple[Request, str], ...]  # requests a pairing names already, and its id
    warnings: tuple[str, ...]

    @property
    def total(self) -> float:
        return round(sum(p.score for p in self.proposals), 3)


def next_start(day: date) -> date:
    """The Monday after `day`: a week to review and merge the roster change."""
    return day + timedelta(days=7 - day.weekday())


def match(
    program: Program,
    requests: Sequence[Request],
    day: date,
    *,
    start: date | None = None,
    allow_over_limit: bool = False,
) -> Matching:
    """Propose a mentor for each request that one fits, on `day`, for terms from `start`:
    the most requests answered, then the greatest total fit."""
    return _matching(program, requests, day, start, allow_over_limit, _assign)


def greedy_match(
    program: Program,
    requests: Sequence[Request],
    day: date,
    *,
    start: date | None = None,
    allow_over_limit: bool = False,
) -> Matching:
    """The baseline `match` is measured against: each request in queue order takes the
    best-fitting mentor with a place left."""
    return _matching(program, requests, day, start, allow_over_limit, _assign_greedy)


def _matching(
    program: Program,
    requests: Sequence[Request],
    day: date,
    start: date | None,
    allow_over_limit: bool,
    assign: Assign,
) -> Matching:
    start = start or next_start(day)
    queue = sorted(requests, key=lambda r: (r.opened, r.number))
    answered = list(_answered(program, queue))
    settled = {r.number for r, _ in answered}
    waiting = [r for r in queue if r.number not in settled]
    if not waiting:  # nothing to match: the mentors' loads are not worked out
        return Matching(day, start, (), (), tuple(answered), ())
    refused = dict(_refused(program, waiting))
    fits = Fits.of(program, day, start, allow_over_limit, [r.timezone for r in waiting])
    candidates = {r.number: fits.candidates(r) for r in waiting if r.number not in refused}
    open_requests = [r for r in waiting if r.number in candidates]
    proposals = _proposals(open_requests, assign(open_requests, candidates, fits), candidates, fits)
    matched = {p.request.number for p in proposals}
    unmatched = [
        Unmatched(r, refused.get(r.number) or why_not(r, candidates[r.number], allow_over_limit))
        for r in waiting
        if r.number not in matched
    ]
    return Matching(
        day=day,
        start=start,
        proposals=tuple(proposals),
        unmatched=tuple(unmatched),
        answered=tuple(answered),
        warnings=tuple(_over_limit_warnings(proposals, fits)),
    )


# ---------------------------------------------------------------- before matching


def _answered(program: Program, queue: Sequence[Request]) -> Iterator[tuple[Request, str]]:
    by_request = {p.request: p.id for p in program.pairings if p.request is not None}
    for request in queue:
        if request.number in by_request:
            yield request, by_request[request.number]


def _refused(program: Program, queue: Sequence[Request]) -> Iterator[tuple[int, str]]:
    """Requests that cannot be matched whoever the mentor: why, by request number."""
    first: dict[str, int] = {}
    for request in queue:
        person = program.person(request.handle)
        earlier = first.setdefault(handle_key(request.handle), request.number)
        if earlier != request.number:
            yield request.number, f"{request.handle} asked already in request {earlier}"
        elif person is not None and "mentee" not in person.roles:
            yield (
                request.number,
                f"{request.handle} is in people: without the mentee role; add mentee to "
                "their roles in program.yml, then match again",
            )
        elif not request.topics:
            yield request.number, "the request names no topics; add a topic or two"


# ---------------------------------------------------------------- the assignment


def _assign(
    requests: Sequence[Request], candidates: Mapping[int, Sequence[Candidate]], fits: Fits
) -> dict[int, Place]:
    """Request number -> place: as many requests answered as can be, then the best fit."""
    places = fits.places(candidates[r.number] for r in requests)
    if not requests or not places:
        return {}
    values = _values(requests, candidates, places, fits)
    # How many can be answered at all; then the best fit among the assignments that answer
    # that many: one "no place" column worth 0 for each request left over.
    possible = np.where(np.isfinite(values), 1.0, -np.inf)
    _, columns = _solve(possible, spare=len(requests))
    answerable = int(np.sum(columns < len(places)))
    rows, columns = _solve(values, spare=len(requests) - answerable)
    return {
        requests[row].number: places[column]
        for row, column in zip(rows, columns, strict=True)
        if column < len(places)
    }


def _assign_greedy(
    requests: Sequence[Request], candidates: Mapping[int, Sequence[Candidate]], fits: Fits
) -> dict[int, Place]:
    """Each request in turn takes the place of greatest fit left (ties: first by handle)."""
    weight = fits.rules.weights.capacity
    taken: dict[int, int] = {}
    assigned = {}
    for request in requests:
        best: tuple[float, Place] | None = None
        for candidate in candidates[request.number]:
            k = taken.get(candidate.index, 0)
            if candidate.excluded is not None or k >= fits.room(candidate.mentor):
                continue
            score = candidate.base + place_term(candidate.mentor, k, weight).points
            if best is None or score > best[0]:
                best = score, Place(candidate.index, k)
        if best is not None:
            assigned[request.number] = best[1]
            taken[best[1].mentor] = best[1].k + 1
    return assigned


def _solve(values: NDArray[np.float64], *, spare: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The assignment of greatest total, every row taking a column of `values` or one of
    `spare` extra columns worth 0."""
    padded = np.hstack([values, np.zeros((values.shape[0], spare))])
    rows, columns = linear_sum_assignment(padded, maximize=True)
    return rows, columns


def _values(
    requests: Sequence[Request],
    candidates: Mapping[int, Sequence[Candidate]],
    places: Sequence[Place],
    fits: Fits,
) -> NDArray[np.float64]:
    """What each request taking each place is worth; -inf where that mentor is not possible.

    Fit counts in whole thousandths, plus a bonus for the mentor's place in handle order
    that breaks ties: the bonuses of a whole assignment add up to less than a thousandth, so
    they never outweigh a better fit, and among equal fits the mentors first by handle win.
    The numbers are whole and stay below 2**53, where float arithmetic is exact; past that
    (a queue far larger than any program's) ties are left to the solver's order.
    """
    mentors = len(fits.mentors)
    weight = fits.rules.weights.capacity
    place_mentor = np.array([p.mentor for p in places])
    place_points = np.array(
        [place_term(fits.mentors[p.mentor], p.k, weight).points for p in places]
    )
    base = np.full((len(requests), mentors), -np.inf)
    for i, request in enumerate(requests):
        for candidate in candidates[request.number]:
            if candidate.excluded is None:
                base[i, candidate.index] = candidate.base
    units: NDArray[np.float64] = np.round((base[:, place_mentor] + place_points) * _UNITS)
    scale = len(requests) * mentors + 1
    largest = float(np.max(np.abs(units[np.isfinite(units)]), initial=0.0))
    if len(requests) * (largest + 1) * scale >= 2**53:
        return units
    bonus = (mentors - 1 - place_mentor).astype(np.float64)
    return units * scale + bonus


# ---------------------------------------------------------------- the proposals


def _proposals(
    requests: Sequence[Request],
    assigned: Mapping[int, Place],
    candidates: Mapping[int, Sequence[Candidate]],
    fits: Fits,
) -> list[Proposal]:
    """A proposal per answered request, in queue order; a mentor's places go to their
    requests in queue order (the total is the same whichever takes which)."""
    taken: dict[int, int] = {}
    proposals = []
    for request in requests:
        place = assigned.get(request.number)
        if place is None:
            continue
        k = taken[place.mentor] = taken.get(place.mentor, -1) + 1
        mentor = fits.mentors[place.mentor]
        candidate = next(c for c in candidates[request.number] if c.index == place.mentor)
        places = place_term(mentor, k, fits.rules.weights.capacity)
        topics, zone, *rest = candidate.terms
        listed = fits.person(request.handle) is not None
        mentee = fits.spelled(request.handle)
        proposals.append(
            Proposal(
                request=request,
                mentor=mentor.handle,
                terms=(topics, zone, places, *rest),
                over_limit=k >= mentor.free,
                pairing=NewPairing(mentor.handle, mentee, fits.start, request.number),
                person=None if listed else NewPerson(request.handle, request.timezone),
            )
        )
    return proposals


def _over_limit_warnings(proposals: Sequence[Proposal], fits: Fits) -> Iterator[str]:
    by_mentor: dict[str, list[int]] = {}
    for proposal in proposals:
        if proposal.over_limit:
            by_mentor.setdefault(proposal.mentor, []).append(proposal.request.number)
    for mentor in fits.mentors:
        over = by_mentor.get(mentor.handle)
        if over:
            numbers = ", ".join(str(n) for n in over)
            yield (
                f"{mentor.handle} is proposed over their limit: "
                f"{mentor.mentees + mentor.free + len(over)} mentees of {mentor.limit} "
                f"(wiggle room {mentor.wiggle_room}), for request{'s' if len(over) > 1 else ''} "
                f"{numbers}"
            )


# ---------------------------------------------------------------- figures


def days_to_match(program: Program, requests: Sequence[Request]) -> dict[int, int]:
    """Days from each request's opening to the start of the pairing that answers it
    (`request:` in pairings), by request number; requests not answered yet are left out."""
    opened = {r.number: r.opened for r in requests}
    return {
        p.request: (p.start - opened[p.request]).days
        for p in program.pairings
        if p.request is not None and p.request in opened
    }


# ---------------------------------------------------------------- output


def roster_lines(matching: Matching) -> str:
    """The program.yml lines that carry out every proposal."""
    people = [p.person for p in matching.proposals if p.person is not None]
    return pairing_lines([p.pairing for p in matching.proposals], people)


def _why(proposal: Proposal) -> str:
    return "; ".join(f"{t.name} {t.points:+.2f} ({t.detail})" for t in proposal.terms)


def to_markdown(matching: Matching) -> str:
    """Proposals with their reasons, the requests left unmatched and why, and the lines
    for program.yml."""
    lines = [
        f"## Proposed mentors on {matching.day} (terms from {matching.start})",
        "",
    ]
    if matching.proposals:
        columns = ("request", "mentee", "mentor", "score", "why")
        lines += [row(columns), row("---" for _ in columns)]
        lines += [
            row(
                (
                    str(p.request.number),
                    p.request.handle,
                    p.mentor,
                    f"{p.score:.2f}",
                    cell(_why(p)),
                )
            )
            for p in matching.proposals
        ]
        lines.append("")
    asked = len(matching.proposals) + len(matching.unmatched)
    lines.append(
        f"{len(matching.proposals)} of {asked} request{plural(asked)} matched, "
        f"total fit {matching.total:.2f}."
    )
    if matching.unmatched:
        lines += ["", "### Not matched", ""]
        lines += [
            f"- request {u.request.number} ({u.request.handle}): {cell(u.reason)}"
            for u in matching.unmatched
        ]
    if matching.answered:
        lines += ["", "### Answered already", ""]
        lines += [
            f"- request {r.number} ({r.handle}): {pairing}" for r, pairing in matching.answered
        ]
    if matching.proposals:
        lines += [
            "",
            "### program.yml lines to add",
            "",
            "```yaml",
            roster_lines(matching).rstrip("\n"),
            "```",
        ]
    return "\n".join(lines) + "\n"


def to_json(matching: Matching) -> dict[str, object]:
    """The stable JSON form of a matching."""
    return {
        "date": matching.day.isoformat(),
        "start": matching.start.isoformat(),
        "total": matching.total,
        "proposals": [
            {
                "request": p.request.number,
                "mentee": p.request.handle,
                "mentor": p.mentor,
                "score": p.score,
                "over_limit": p.over_limit,
                "terms": [
                    {"name": t.name, "points": round(t.points, 3), "detail": t.detail}
                    for t in p.terms
                ],
                "new_person": p.person is not None,
            }
            for p in matching.proposals
        ],
        "unmatched": [
            {"request": u.request.number, "mentee": u.request.handle, "reason": u.reason}
            for u in matching.unmatched
        ],
        "answered": [{"request": r.number, "pairing": pairing} for r, pairing in matching.answered],
        "warnings": list(matching.warnings),
        "lines": roster_lines(matching),
    }
