"""The checks of program.yml that span its records: handles, roles, dates, overlaps,
changes of mentor, requests answered; the soft limit of mentees and absences as warnings."""

from __future__ import annotations

import difflib
import functools
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from automation.roster.handles import handle_key, same_handle
from automation.roster.source import Loc, Problem

if TYPE_CHECKING:
    from automation.roster.config import Pairing, Person, Program, Settings


def cross_check(program: Program, today: date | None = None) -> list[Problem]:
    """Rules that span records: handles, roles, dates, overlaps; soft limit as warnings.

    The soft-limit check looks from `today` on; without `today` it is skipped.
    """
    checked = program._checked  # what loading it found (a program never changes)
    problems = list(checked) if checked is not None else undated_checks(program)
    if today is not None:
        settings = program.program
        ends = [pairing.end(settings) for pairing in program.pairings]
        problems.extend(_soft_limit(program, today, ends))
        problems.extend(_away(program, today, ends))
        problems.extend(_changes_to_come(program, today))
    return problems


def _changes_to_come(program: Program, today: date) -> Iterator[Problem]:
    """A change of mentor dated later than today: the old pairing's issues say nothing of it
    before its day, but on GitHub everyone who reads the repository reads program.yml and
    the dashboard, so the old mentor may learn of it there."""
    if program.forge.api_flavour != "github":
        return
    for i, pairing in enumerate(program.pairings):
        before = program.followed(pairing)
        if before is None or pairing.start <= today:
            continue
        yield Problem(
            ("pairings", i, "follows"),
            f"everyone who reads the repository reads this change of mentor, and the "
            f"dashboard shows it from the next nightly run, so {before.mentor} may learn of "
            f"it before {pairing.start}; add it once {before.mentor} has been told, or on "
            "the day",
            warning=True,
        )


def undated_checks(program: Program) -> list[Problem]:
    problems: list[Problem] = []
    people = {p.handle: p for p in program.people}
    # How people: writes each handle, by its key: a handle given in another case is found
    # by one lookup, not by comparing it with every handle (15,000 people, each a manager).
    spellings: dict[str, str] = {}
    for person in program.people:
        spellings.setdefault(handle_key(person.handle), person.handle)
    closest = _closest(list(people))
    problems.extend(_listed_twice(program.people))
    for i, person in enumerate(program.people):
        if person.manager is not None:
            problems.extend(_check_manager(closest, spellings, i, person))
    for i, pairing in enumerate(program.pairings):
        # Only an early end asks for the follower (whose follows_reason explains it).
        follower = program.follower(pairing) if pairing.ended is not None else None
        problems.extend(_check_pairing(program.program, people, spellings, i, pairing, follower))
    problems.extend(_overlaps(program))
    problems.extend(_requests_answered_twice(program))
    problems.extend(_follows(program))
    problems.extend(_teams_to_prefer(program))
    problems.extend(_feedback_forms(program))
    return problems


def _listed_twice(people: Sequence[Person]) -> Iterator[Problem]:
    """A handle listed again, in any case: one account (roster/handles.py)."""
    first: dict[str, int] = {}
    for i, person in enumerate(people):
        j = first.setdefault(handle_key(person.handle), i)
        if j == i:
            continue
        earlier = people[j].handle
        same = "" if earlier == person.handle else f" as {earlier!r} (usernames ignore case)"
        yield Problem(
            ("people", i, "handle"),
            f"{person.handle} is listed twice: people[{j}] lists them already{same}; "
            "keep one entry",
        )


def _check_pairing(
    settings: Settings,
    people: Mapping[str, Person],
    spellings: Mapping[str, str],
    i: int,
    pairing: Pairing,
    program_follower: Pairing | None = None,
) -> Iterator[Problem]:
    loc: Loc = ("pairings", i)
    for role in ("mentor", "mentee"):
        handle = getattr(pairing, role)
        person = people.get(handle)
        if person is None:
            yield Problem((*loc, role), _unknown_person(handle, people, spellings))
        elif role not in person.roles:
            yield Problem(
                (*loc, role), f"{handle} is not a {role}; add {role} to their roles in people:"
            )
    if same_handle(pairing.mentor, pairing.mentee):
        yield Problem(
            loc, f"{pairing.mentor} cannot mentor themselves; pair them with someone else"
        )
    mentee = people.get(pairing.mentee)
    if mentee is not None and same_handle(mentee.manager, pairing.mentor):
        yield Problem(
            (*loc, "mentor"),
            f"{pairing.mentor} is {pairing.mentee}'s manager (people: manager:); "
            "mentoring works best outside the reporting line",
            warning=True,
        )
    planned = pairing.planned_end(settings)
    if pairing.extended_until is not None:
        if pairing.extension_reason is None:
            yield Problem(
                (*loc, "extended_until"),
                "an extension needs a reason; add extension_reason: to this pairing",
            )
        if pairing.extended_until <= planned:
            yield Problem(
                (*loc, "extended_until"),
                f"{pairing.extended_until} is not after the planned end {planned}; "
                "an extension moves the end later",
            )
    elif pairing.extension_reason is not None:
        yield Problem(
            (*loc, "extension_reason"), "there is no extended_until to explain; remove it"
        )
    if pairing.ended is not None:
        # A pairing that hands over to another takes that one's follows_reason.
        if pairing.ended_reason is None and program_follower is None:
            yield Problem(
                (*loc, "ended"), "an early end needs a reason; add ended_reason: to this pairing"
            )
        if pairing.ended < pairing.start:
            yield Problem(
                (*loc, "ended"),
                f"{pairing.ended} is before the start {pairing.start}; fix one of the dates",
            )
    elif pairing.ended_reason is not None:
        yield Problem(
            (*loc, "ended_reason"), "there is no ended: date to explain; add ended: or remove this"
        )
    if pairing.adopted is not None and pairing.adopted < pairing.start:
        yield Problem(
            (*loc, "adopted"),
            f"{pairing.adopted} is before the start {pairing.start}; the bot counts a pairing "
            "from its start at the earliest: remove adopted: or move it on or after the start",
        )


def _unknown_person(handle: str, people: Mapping[str, Person], spellings: Mapping[str, str]) -> str:
    spelled = spellings.get(handle_key(handle))
    if spelled is not None:
        # One account, but the bot keys a pairing's issues by the handles as written.
        return (
            f"{handle!r} is written {spelled!r} in people:; write a handle the same way "
            "everywhere in program.yml"
        )
    close = difflib.get_close_matches(handle, list(people), n=1)
    hint = f"did you mean {close[0]!r}?" if close else "add them to people:"
    return f"unknown person {handle!r}; {hint}"


def _check_manager(
    closest: Callable[[str], list[str]], spellings: Mapping[str, str], i: int, person: Person
) -> Iterator[Problem]:
    loc: Loc = ("people", i, "manager")
    if person.manager is None:
        return
    if same_handle(person.manager, person.handle):
        yield Problem(loc, f"{person.handle} cannot be their own manager; remove manager:")
        return
    if handle_key(person.manager) in spellings:
        return
    close = closest(person.manager)
    if close:
        # A manager outside the program needs no entry, but a misspelt one would let the
        # matching propose the real manager.
        yield Problem(
            loc,
            f"{person.manager!r} is not in people:; did you mean {close[0]!r}? "
            "(a manager outside the program needs no entry)",
            warning=True,
        )


def _closest(handles: list[str]) -> Callable[[str], list[str]]:
    """The listed handle closest to a name, if any, as `difflib.get_close_matches` finds
    it, worked out once per name: a manager outside the program is the manager of many.
    Each lookup compares every handle: a program of thousands of people whose managers
    are not in it took minutes, so a long list is searched through `_Letters`."""

    @functools.cache
    def letters() -> _Letters:  # built at the first name looked up, if any
        return _Letters(handles)

    @functools.cache
    def close(name: str) -> list[str]:
        if len(handles) <= _FEW_HANDLES:
            return difflib.get_close_matches(name, handles, n=1, cutoff=_CUTOFF)
        return letters().closest(name)

    return close


_CUTOFF = 0.6  # difflib's default: how alike a "did you mean" must be
_FEW_HANDLES = 200  # below this, difflib alone is quick enough


class _Letters:
    """`difflib.get_close_matches(name, handles, n=1)`, the same answer for a long list.

    difflib's `quick_ratio` (twice the characters two texts share, with repeats, over
    their lengths) bounds their `ratio` from above, and `get_close_matches` compares fully
    only the handles whose bound reaches the cutoff. Here the bound is computed for every
    handle at once, from a table of how many of each character each handle has, and the
    handles are compared fully from the highest bound down, stopping where the bound falls
    under the best ratio found: no handle after that can beat it (nor tie it, which
    `get_close_matches` settles by the larger text)."""

    def __init__(self, handles: list[str]) -> None:
        import numpy as np

        self._handles = handles
        alphabet = sorted({c for handle in handles for c in handle})
        self._row = {c: i for i, c in enumerate(alphabet)}
        counts = np.zeros((len(alphabet), len(handles)), dtype=np.int32)
        for j, handle in enumerate(handles):
            for c in handle:
                counts[self._row[c], j] += 1
        self._counts = counts
        self._lengths = np.array([len(h) for h in handles], dtype=np.float64)

    def closest(self, name: str) -> list[str]:
        import numpy as np

        shared = np.zeros(len(self._handles), dtype=np.int32)
        for c in set(name):
            row = self._row.get(c)
            if row is not None:
                shared += np.minimum(self._counts[row], name.count(c))
        # As difflib computes quick_ratio: 2.0 * matches / (len(a) + len(b)).
        bound = 2.0 * shared / (len(name) + self._lengths)
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(name)
        best: tuple[float, str] | None = None
        for j in np.argsort(-bound, kind="stable"):
            if bound[j] < _CUTOFF or (best is not None and bound[j] < best[0]):
                break
            handle = self._handles[j]
            matcher.set_seq1(handle)
            ratio = matcher.ratio()
            if ratio >= _CUTOFF and (best is None or (ratio, handle) > best):
                best = (ratio, handle)
        return [best[1]] if best is not None else []


def _requests_answered_twice(program: Program) -> Iterator[Problem]:
    first: dict[int, int] = {}
    for i, pairing in enumerate(program.pairings):
        if pairing.request is None:
            continue
        earlier = first.setdefault(pairing.request, i)
        if earlier != i:
            yield Problem(
                ("pairings", i, "request"),
                f"request {pairing.request} is answered by pairings[{earlier}] already; "
                "a request becomes one pairing: remove request: from one of them",
            )


def _follows(program: Program) -> Iterator[Problem]:
    """A change of mentor names an earlier pairing of the same mentee, with another
    mentor, still running when the new one starts; one pairing follows it."""
    settings = program.program
    taken: dict[str, int] = {}
    for i, pairing in enumerate(program.pairings):
        loc: Loc = ("pairings", i)
        if pairing.follows is None:
            if pairing.follows_reason is not None:
                yield Problem(
                    (*loc, "follows_reason"),
                    "there is no follows: to explain; add follows: or remove this",
                )
            continue
        before = program.followed(pairing)
        if before is None:
            earlier = [
                p
                for p in program.pairings
                if p.mentee == pairing.mentee and p.start < pairing.start
            ]
            named = ", ".join(sorted({p.mentor for p in earlier} | {p.id for p in earlier}))
            yield Problem(
                (*loc, "follows"),
                f"{pairing.mentee} has no earlier pairing with '{pairing.follows}'; "
                + (f"name its mentor or its id: {named}" if named else "remove follows:"),
            )
            continue
        if before.mentee != pairing.mentee:
            yield Problem(
                (*loc, "follows"),
                f"{before.id} is {before.mentee}'s pairing, not {pairing.mentee}'s; a change "
                "of mentor follows an earlier pairing of the same mentee",
            )
            continue
        if before.start >= pairing.start:
            yield Problem(
                (*loc, "follows"),
                f"{before.id} starts on {before.start}, not before this pairing "
                f"({pairing.start}); follows: names the earlier pairing",
            )
            continue
        if before.mentor == pairing.mentor:
            yield Problem(
                (*loc, "follows"),
                f"{before.id} has the same mentor; a change of mentor names another one "
                "(to go on with the same mentor, extend that pairing with extended_until:)",
            )
            continue
        j = taken.setdefault(before.id, i)
        if j != i:
            yield Problem(
                (*loc, "follows"),
                f"pairings[{j}] follows {before.id} already; one pairing follows another",
            )
        end = before.extended_until or before.planned_end(settings)
        if before.ended is None and end <= pairing.start:
            yield Problem(
                (*loc, "follows"),
                f"{before.id} ends on {end}, before this pairing starts; follows: is for "
                "a change of mentor during a term: remove it",
            )
        elif before.ended is not None and before.ended > pairing.start:
            yield Problem(
                (*loc, "follows"),
                f"{before.id} ends on {before.ended}, after this pairing starts on "
                f"{pairing.start}: {pairing.mentee} has two mentors until then",
                warning=True,
            )
        if pairing.follows_reason is None:
            yield Problem(
                (*loc, "follows"),
                "a change of mentor needs a reason; add follows_reason: to this pairing",
            )


def _teams_to_prefer(program: Program) -> Iterator[Problem]:
    prefer = program.program.matching.prefer
    if prefer != "none" and not any(p.team for p in program.people):
        yield Problem(
            ("program", "matching", "prefer"),
            f"{prefer} needs teams, and nobody in people: has team:; add team: to people",
            warning=True,
        )


def _feedback_forms(program: Program) -> Iterator[Problem]:
    feedback = program.program.feedback
    if feedback is None or not (feedback.midpoint or feedback.end):
        return
    if program.forge.api_flavour == "github":
        yield Problem(("program", "feedback"), FEEDBACK_ON_GITHUB, warning=True)
    elif not program.program.coordinators:
        yield Problem(
            ("program", "feedback"),
            "low scores are brought to the coordinators, and program.coordinators names "
            "nobody; add the coordinators' handles",
            warning=True,
        )


# Said by `validate` and in every run summary of a GitHub program with `feedback:`.
FEEDBACK_ON_GITHUB = (
    "private feedback forms are skipped on GitHub: every reader of a repository reads all "
    "its issues, so a form cannot be private to one participant; remove feedback: or move "
    'the program to GitLab (README, "Private feedback")'
)


def _overlaps(program: Program) -> Iterator[Problem]:
    settings = program.program
    by_pair: dict[tuple[str, str], list[int]] = {}
    for i, pairing in enumerate(program.pairings):
        by_pair.setdefault((pairing.mentor, pairing.mentee), []).append(i)
    for indices in by_pair.values():
        if len(indices) == 1:
            continue
        indices.sort(key=lambda i: program.pairings[i].start)
        for a, b in itertools.pairwise(indices):
            first, second = program.pairings[a], program.pairings[b]
            if second.start < first.end(settings):
                # Report on the later entry in the file: that is usually the new one.
                other = program.pairings[min(a, b)]
                yield Problem(
                    ("pairings", max(a, b)),
                    f"overlaps pairings[{min(a, b)}] ({other.mentor} mentoring {other.mentee}, "
                    f"{other.start} to {other.end(settings)}); "
                    "start the new term after the old one ends",
                )


def active_on(program: Program, day: date) -> list[Pairing]:
    """Pairings whose term includes `day` (start inclusive, end exclusive)."""
    settings = program.program
    return [p for p in program.pairings if p.start <= day < p.end(settings)]


def _soft_limit(program: Program, today: date, ends: Sequence[date]) -> Iterator[Problem]:
    """`ends`: each pairing's end."""
    settings = program.program
    by_mentor: dict[str, list[tuple[int, Pairing, date]]] = {}
    for i, (pairing, end) in enumerate(zip(program.pairings, ends, strict=True)):
        if end > today:
            by_mentor.setdefault(pairing.mentor, []).append((i, pairing, end))
    for person in program.people:
        limit = person.capacity if person.capacity is not None else settings.soft_limit
        mine = by_mentor.get(person.handle, [])
        if len(mine) <= limit:
            continue
        # The busiest day from today on is the start of one of the pairings (or today).
        for day in sorted({max(today, p.start) for _, p, _ in mine}):
            current = [(i, p) for i, p, end in mine if p.start <= day < end]
            if len(current) > limit:
                last = max(i for i, _ in current)
                mentees = ", ".join(p.mentee for _, p in current)
                yield Problem(
                    ("pairings", last, "mentor"),
                    f"{person.handle} mentors {len(current)} people at once from {day} "
                    f"(soft limit {limit}): {mentees}",
                    warning=True,
                )
                break


def _away(program: Program, today: date, ends: Sequence[date]) -> Iterator[Problem]:
    """`ends`: each pairing's end."""
    away: dict[str, date | None] = {}
    for person in program.people:
        away.setdefault(person.handle, person.away_until)  # the first of a duplicate
    for i, (pairing, end) in enumerate(zip(program.pairings, ends, strict=True)):
        if end <= today:
            continue
        for role in ("mentor", "mentee"):
            handle = getattr(pairing, role)
            until = away.get(handle)
            if until is not None and until > max(today, pairing.start):
                yield Problem(
                    ("pairings", i, role), f"{handle} is away until {until}", warning=True
                )
