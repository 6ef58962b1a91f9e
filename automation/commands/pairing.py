"""A pairing named on the command line (`explain PAIRING`, `--pairing` on `plan` and
`apply`): its id as `plan` prints it, the stand-in of a private one, or `mentor--mentee`."""

from __future__ import annotations

import difflib

from automation.errors import ExpectedError
from automation.night.run import Disclosure
from automation.roster.config import Pairing, Program
from automation.roster.handles import same_handle


class UnknownPairing(ExpectedError):
    """A pairing named on the command line that program.yml does not have."""


def find_pairing(program: Program, name: str) -> Pairing:
    """The pairing `name` means: its id as `plan` prints it (`mentor--mentee--start`), the
    stand-in `plan` shows for a private one, or `mentor--mentee` when only one pairing of
    theirs is in the roster."""
    shown = Disclosure.of(program)
    names: dict[str, list[Pairing]] = {}
    for pairing in program.pairings:
        for alias in (pairing.id, shown.pairing(pairing.id), _pair_of(pairing)):
            names.setdefault(alias, []).append(pairing)
    found = list({p.id: p for p in names.get(name.strip(), [])}.values())
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(p.id for p in found)
        raise UnknownPairing(f"{name!r} names {len(found)} pairings ({ids}); give one of them")
    hint = _hint(program, shown, name.strip())
    raise UnknownPairing(
        f"no pairing {name!r} in program.yml: {hint} (a pairing is named "
        "mentor--mentee--start, as `mentorship plan` prints it)"
    )


def _hint(program: Program, shown: Disclosure, name: str) -> str:
    """The pairings of a person named alone, else the names closest to `name`: ids as `plan`
    prints them and `mentor--mentee` (not for a private pairing, which shows a stand-in)."""
    theirs = [
        shown.pairing(p.id)
        for p in program.pairings
        if same_handle(name, p.mentor) or same_handle(name, p.mentee)
    ]
    if theirs:
        return f"{name} is in {', '.join(theirs)}"
    names = {shown.pairing(p.id) for p in program.pairings}
    names |= {_pair_of(p) for p in program.pairings if p.id == shown.pairing(p.id)}
    close = difflib.get_close_matches(name, sorted(names), 3)
    return f"did you mean {', '.join(close)}?" if close else "see `mentorship plan`"


def _pair_of(pairing: Pairing) -> str:
    return f"{pairing.mentor}--{pairing.mentee}"


def pairing_id(program: Program, name: str | None) -> str | None:
    """The id of the one pairing --pairing names, None for all of them."""
    return None if name is None else find_pairing(program, name).id
