"""The checks across program.yml's records: here, the "did you mean" of a long roster."""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from automation.roster.checks import _FEW_HANDLES, _closest
from automation.roster.config import parse_program

# Few letters, so that many handles are alike and ties are common.
HANDLE = st.text(alphabet="abcde-1", min_size=1, max_size=9)


@settings(max_examples=60)
@given(
    handles=st.lists(HANDLE, min_size=_FEW_HANDLES + 1, max_size=_FEW_HANDLES + 60, unique=True),
    names=st.lists(HANDLE, min_size=1, max_size=10),
)
def test_a_long_roster_finds_the_match_difflib_finds(handles: list[str], names: list[str]) -> None:
    closest = _closest(handles)
    for name in names:
        assert closest(name) == difflib.get_close_matches(name, handles, n=1)


def test_a_misspelt_manager_outside_a_long_roster_is_still_pointed_out() -> None:
    people = "\n".join(f"  - {{handle: person{i}, roles: [mentee]}}" for i in range(400))
    text = (
        "forge: {kind: gitlab, project: acme/mentoring}\n"
        "people:\n"
        "  - {handle: alice, roles: [mentor]}\n"
        "  - {handle: bob, roles: [mentee], manager: alise}\n"
        f"{people}\n"
    )
    warnings = [(p.loc, p.message) for p in parse_program(text)._checked or ()]
    assert warnings == [
        (
            ("people", 1, "manager"),
            "'alise' is not in people:; did you mean 'alice'? "
            "(a manager outside the program needs no entry)",
        )
    ]
