from __future__ import annotations

import difflib
import textwrap
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from automation.roster.config import Pairing, parse_program
from automation.roster.edit import (
    Amendment,
    NewPairing,
    NewPerson,
    RosterEditError,
    add_to_roster,
    amend_roster,
    amendment_lines,
    pairing_lines,
)
from automation.roster.source import ConfigError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "program.example.yml").read_text(encoding="utf-8")
START = date(2027, 1, 4)


def added_lines(before: str, after: str) -> list[str]:
    """The diff of two texts, which must hold additions only."""
    diff = list(difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)))
    assert not [line for line in diff if line.startswith("- ")], "a line was changed"
    return [line[2:] for line in diff if line.startswith("+ ")]


def test_the_example_gets_its_entries_after_the_last_of_each_list() -> None:
    after = add_to_roster(
        EXAMPLE,
        [NewPairing("alice", "dave", START, 12), NewPairing("alice", "erin", START, 13)],
        [NewPerson("erin", "Europe/Paris")],
    )
    assert added_lines(EXAMPLE, after) == [
        "  - handle: erin\n",
        "    roles: [mentee]\n",
        "    timezone: Europe/Paris\n",
        "  - mentor: alice\n",
        "    mentee: dave\n",
        "    start: 2027-01-04\n",
        "    request: 12\n",
        "  - mentor: alice\n",
        "    mentee: erin\n",
        "    start: 2027-01-04\n",
        "    request: 13\n",
    ]
    # The commented-out lines under the last pairing stay with it, the new one follows.
    assert (
        "    # meeting_minutes: 30       # of about half an hour (otherwise the program's rules)\n"
        "  - mentor: alice\n    mentee: dave\n" in after
    )
    loaded = parse_program(after)
    assert [p.id for p in loaded.pairings][-2:] == [
        "alice--dave--2027-01-04",
        "alice--erin--2027-01-04",
    ]
    assert loaded.person("erin") is not None


def test_adding_what_is_there_adds_nothing() -> None:
    once = add_to_roster(EXAMPLE, [NewPairing("alice", "dave", START, 12)], [NewPerson("erin")])
    assert (
        add_to_roster(once, [NewPairing("alice", "dave", START, 12)], [NewPerson("erin")]) == once
    )
    # The same request with another mentor is answered already; so is the same pair and start.
    assert add_to_roster(once, [NewPairing("bob", "carol", START, 12)]) == once
    assert add_to_roster(once, [NewPairing("alice", "dave", START, None)]) == once
    # Twice in one call is once.
    twice = add_to_roster(EXAMPLE, [NewPairing("alice", "dave", START, 12)] * 2)
    assert twice.count("request: 12") == 1


def test_the_list_keeps_its_own_indentation_and_spacing() -> None:
    text = textwrap.dedent("""\
        forge: {kind: gitlab, project: a/b}
        people:
        -   handle: alice
            roles: [mentor]

        -   handle: bob
            roles: [mentee]
        pairings:
        - mentor: alice
          mentee: bob
          start: 2026-01-05   # first term
        # a comment at the list's own level belongs to what follows
        """)
    after = add_to_roster(text, [NewPairing("alice", "bob", START)], [NewPerson("carol")])
    assert after == textwrap.dedent("""\
        forge: {kind: gitlab, project: a/b}
        people:
        -   handle: alice
            roles: [mentor]

        -   handle: bob
            roles: [mentee]

        -   handle: carol
            roles: [mentee]
        pairings:
        - mentor: alice
          mentee: bob
          start: 2026-01-05   # first term
        - mentor: alice
          mentee: bob
          start: 2027-01-04
        # a comment at the list's own level belongs to what follows
        """)


def test_flow_lists_get_flow_entries_and_missing_lists_are_added() -> None:
    # A trailing comma is kept where it is: it now separates the new entry.
    text = "forge: {kind: gitlab, project: a/b}\npeople: [{handle: a, roles: [mentor]},]"
    after = add_to_roster(text, [NewPairing("a", "b", START, 3)], [NewPerson("b")])
    assert after == (
        "forge: {kind: gitlab, project: a/b}\n"
        "people: [{handle: a, roles: [mentor]}, {handle: b, roles: [mentee]}]\n"
        "pairings:\n"
        "  - mentor: a\n"
        "    mentee: b\n"
        "    start: 2027-01-04\n"
        "    request: 3\n"
    )
    empty = (
        "forge: {kind: gitlab, project: a/b}\n"
        "people: [{handle: a, roles: [mentor]}, {handle: b, roles: [mentee]}]\n"
        "pairings: [ ]\n"
    )
    assert add_to_roster(empty, [NewPairing("a", "b", START)]).endswith(
        "pairings: [{mentor: a, mentee: b, start: 2027-01-04} ]\n"
    )


def test_a_block_text_as_the_last_value_and_no_final_line_break() -> None:
    text = (
        "forge: {kind: gitlab, project: a/b}\n"
        "people: [{handle: a, roles: [mentor]}, {handle: b, roles: [mentee]}]\n"
        "pairings:\n"
        "  - mentor: a\n"
        "    mentee: b\n"
        "    start: 2026-01-05\n"
        "    ended: 2026-02-02\n"
        "    ended_reason: >\n"
        "      moved on\n"
        "\n"
        "\n"
        "# end"
    )
    after = add_to_roster(text, [NewPairing("a", "b", START)])
    assert added_lines(text, after) == [
        "  - mentor: a\n",
        "    mentee: b\n",
        "    start: 2027-01-04\n",
    ]
    assert after.index("start: 2027") < after.index("# end")
    assert parse_program(after).pairings[0].ended_reason == "moved on"
    last = (
        "forge: {kind: gitlab, project: a/b}\npeople: []\n"
        "pairings:\n  - {mentor: a, mentee: b, start: 2026-01-05}"
    )
    with pytest.raises(ConfigError):  # a and b are not people: the input must be valid
        add_to_roster(last, [NewPairing("a", "b", START)])


def test_windows_line_breaks_stay_windows_line_breaks() -> None:
    text = EXAMPLE.replace("\n", "\r\n")
    after = add_to_roster(text, [NewPairing("alice", "dave", START, 12)])
    assert "\n" not in after.replace("\r\n", "")
    assert after.replace("\r\n", "\n") == add_to_roster(
        EXAMPLE, [NewPairing("alice", "dave", START, 12)]
    )


@pytest.mark.parametrize("handle", ["yes", "on", "null", "1e3", "0b11", "1_000", "2026-01-05"])
def test_handles_yaml_would_read_as_something_else_are_quoted(handle: str) -> None:
    lines = pairing_lines([NewPairing(handle, "b", START)], [NewPerson(handle)])
    assert f"handle: '{handle}'" in lines
    assert f"mentor: '{handle}'" in lines


def test_a_top_level_flow_mapping_is_refused_with_what_to_do() -> None:
    text = (
        "{forge: {kind: gitlab, project: a/b},\n"
        " people: [{handle: a, roles: [mentor]}, {handle: b, roles: [mentee]}]}\n"
    )
    with pytest.raises(RosterEditError, match="add the lines by hand"):
        add_to_roster(text, [NewPairing("a", "b", START)])


# ---------------------------------------------------------------- any roster, any proposals

HANDLES = ("alice", "bob", "yes", "o.k", "x-1", "1e3")


@st.composite
def block_list(draw: st.DrawFn, key: str, entries: list[dict[str, str]]) -> str:
    """`key:` and its entries in one of the layouts people write."""
    if draw(st.booleans()) and entries:
        items = ", ".join("{" + ", ".join(f"{k}: {v}" for k, v in e.items()) + "}" for e in entries)
        trailing = draw(st.sampled_from(["", ",", " "]))
        return f"{key}: [{items}{trailing}]\n"
    if not entries:
        return f"{key}: []\n"
    dash = draw(st.sampled_from([0, 2, 4]))
    offset = draw(st.sampled_from([2, 4]))
    spaced = draw(st.booleans())
    out = [f"{key}:\n"]
    for i, entry in enumerate(entries):
        if spaced and i:
            out.append("\n")
        for j, (k, v) in enumerate(entry.items()):
            lead = " " * dash + ("-" + " " * (offset - 1) if j == 0 else " " * offset)
            comment = draw(st.sampled_from(["", "  # note"]))
            out.append(f"{lead}{k}: {v}{comment}\n")
    if draw(st.booleans()):
        out.append(" " * (dash + offset) + "# ended: 2026-12-01\n")
    return "".join(out)


@st.composite
def rosters(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    mentors = draw(st.lists(st.sampled_from(HANDLES), min_size=1, max_size=3, unique=True))
    mentees = [f"m{i}" for i in range(draw(st.integers(1, 3)))]
    people = [{"handle": f"'{h}'", "roles": "[mentor]"} for h in mentors]
    people += [{"handle": h, "roles": "[mentee]"} for h in mentees]
    pairings = [
        {"mentor": f"'{draw(st.sampled_from(mentors))}'", "mentee": m, "start": "2026-01-05"}
        | ({"request": str(n)} if draw(st.booleans()) else {})
        for n, m in enumerate(draw(st.lists(st.sampled_from(mentees), unique=True)), start=1)
    ]
    parts = [
        "forge: {kind: gitlab, project: acme/mentoring}\n",
        draw(block_list("people", people)),
    ]
    if draw(st.booleans()) or pairings:
        parts.append(draw(block_list("pairings", pairings)))
    if draw(st.booleans()):
        parts.insert(0, "# program.yml\nprogram:\n  name: Test   # shown in issues\n\n")
    text = "".join(parts)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text, mentors, mentees


@st.composite
def proposals(draw: st.DrawFn, mentors: list[str], mentees: list[str]) -> list[NewPairing]:
    newcomers = ["n1", "n2"]
    return [
        NewPairing(
            draw(st.sampled_from(mentors)),
            draw(st.sampled_from(mentees + newcomers)),
            date(2030 + i, 1, 7),
            draw(st.none() | st.integers(1, 6)),
        )
        for i in range(draw(st.integers(0, 4)))
    ]


def is_kept_in(before: str, after: str) -> bool:
    """Every character of `before`, in order, in `after`."""
    rest = iter(after)
    return all(c in rest for c in before)


@given(st.data())
def test_any_roster_with_proposals_validates_and_differs_only_by_the_added_entries(
    data: st.DataObject,
) -> None:
    text, mentors, mentees = data.draw(rosters())
    new = data.draw(proposals(mentors, mentees))
    people = [NewPerson(p.mentee) for p in new if p.mentee not in mentees]
    before = parse_program(text)
    after = add_to_roster(text, new, people)
    loaded = parse_program(after)
    assert is_kept_in(text, after)
    expected: list[Pairing] = list(before.pairings)
    for pairing in new:
        held = {p.request for p in expected if p.request} | {
            (p.mentor, p.mentee, p.start) for p in expected
        }
        if (
            pairing.request not in held
            and (pairing.mentor, pairing.mentee, pairing.start) not in held
        ):
            expected.append(
                Pairing(
                    mentor=pairing.mentor,
                    mentee=pairing.mentee,
                    start=pairing.start,
                    request=pairing.request,
                )
            )
    assert loaded.pairings == expected
    assert [p.handle for p in loaded.people] == [p.handle for p in before.people] + list(
        dict.fromkeys(p.handle for p in people)
    )
    assert add_to_roster(after, new, people) == after
    if "\r\n" in text:
        assert "\n" not in after.replace("\r\n", "")


# ---------------------------------------------------------------- amending a pairing

TOP = (
    "forge: {kind: gitlab, project: a/b}\n"
    "people: [{handle: a, roles: [mentor]}, {handle: b, roles: [mentee]}]\n"
)
REASON = "asked for on the pairing issue by @dana on 2026-03-22"


def extension(mentor: str, mentee: str, start: date, until: date) -> Amendment:
    return Amendment(
        mentor, mentee, start, (("extended_until", until), ("extension_reason", REASON))
    )


def ending(mentor: str, mentee: str, start: date, day: date) -> Amendment:
    return Amendment(mentor, mentee, start, (("ended", day), ("ended_reason", REASON)))


def test_an_extension_goes_under_the_pairing_before_its_commented_out_lines() -> None:
    asked = extension("bob", "dave", date(2026, 10, 5), date(2027, 5, 1))
    after = amend_roster(EXAMPLE, [asked])
    assert added_lines(EXAMPLE, after) == [
        "    extended_until: 2027-05-01\n",
        f"    extension_reason: {REASON}\n",
    ]
    assert "    start: 2026-10-05\n    extended_until: 2027-05-01\n" in after
    assert "extension_reason: " + REASON + "\n    # request: 14" in after
    pairing = next(p for p in parse_program(after).pairings if p.mentee == "dave")
    assert (pairing.extended_until, pairing.extension_reason) == (date(2027, 5, 1), REASON)


def test_a_key_already_set_gets_its_new_value_in_place_comment_kept() -> None:
    asked = extension("alice", "bob", date(2026, 5, 4), date(2027, 1, 29))
    after = amend_roster(EXAMPLE, [asked])
    assert "    extended_until: 2027-01-29  # moves the end and the milestones before it" in after
    assert f"    extension_reason: {REASON}\n  - mentor: bob" in after
    assert len(after.splitlines()) == len(EXAMPLE.splitlines())
    # Amending twice amends once.
    assert amend_roster(after, [asked]) == after


def test_quoted_values_and_blank_lines_and_a_last_line_without_a_break() -> None:
    text = (
        "forge: {kind: gitlab, project: a/b}\n"
        "people:\n"
        "  - {handle: a, roles: [mentor]}\n"
        "  - {handle: 'b', roles: [mentee]}\n"
        "pairings:\n"
        "\n"
        "    -   mentor: 'a'\n"
        '        mentee: "b"\n'
        "        start: '2026-01-05'\n"
        "        ended_reason: 'old, quoted'\n"
        "        ended: '2026-03-01'   # by hand\n"
        "\n"
        "    -   mentor: a\n"
        "        mentee: b\n"
        "        start: 2026-06-01"
    )
    after = amend_roster(text, [ending("a", "b", date(2026, 6, 1), date(2026, 7, 1))])
    assert after == text + f"\n        ended: 2026-07-01\n        ended_reason: {REASON}"
    first = ending("a", "b", date(2026, 1, 5), date(2026, 2, 1))
    again = amend_roster(text, [first])
    assert f"        ended_reason: {REASON}\n        ended: 2026-02-01   # by hand\n\n    -" in (
        again
    )
    assert [p.ended for p in parse_program(again).pairings] == [date(2026, 2, 1), None]


def test_a_flow_entry_gets_its_fields_inside_its_braces() -> None:
    text = (
        "forge: {kind: gitlab, project: a/b}\n"
        "people: [{handle: a, roles: [mentor]}, {handle: b, roles: [mentee]}]\n"
        "pairings:\n"
        "  - {mentor: a, mentee: b, start: 2026-01-05}  # the first\n"
        "  - {mentor: a, mentee: b, start: 2026-08-01, request: 4,}\n"
    )
    after = amend_roster(
        text,
        [
            ending("a", "b", date(2026, 1, 5), date(2026, 2, 1)),
            extension("a", "b", date(2026, 8, 1), date(2027, 3, 1)),
        ],
    )
    assert after == (
        "forge: {kind: gitlab, project: a/b}\n"
        "people: [{handle: a, roles: [mentor]}, {handle: b, roles: [mentee]}]\n"
        "pairings:\n"
        "  - {mentor: a, mentee: b, start: 2026-01-05, ended: 2026-02-01, "
        f"ended_reason: {REASON}}}"
        "  # the first\n"
        "  - {mentor: a, mentee: b, start: 2026-08-01, request: 4, extended_until: 2027-03-01, "
        f"extension_reason: {REASON},}}\n"
    )
    loaded = parse_program(after).pairings
    assert (loaded[0].ended, loaded[1].extended_until) == (date(2026, 2, 1), date(2027, 3, 1))


def test_a_reason_that_yaml_would_misread_is_quoted() -> None:
    text = f"{TOP}pairings:\n  - {{mentor: a, mentee: b, start: 2026-01-05}}\n"
    odd = Amendment(
        "a", "b", date(2026, 1, 5), (("ended", START), ("ended_reason", "yes, {now}: # done"))
    )
    after = amend_roster(text, [odd])
    assert parse_program(after).pairings[0].ended_reason == "yes, {now}: # done"


def test_a_pairing_the_roster_does_not_hold_is_left_out() -> None:
    assert amend_roster(EXAMPLE, [ending("zed", "dave", START, START)]) == EXAMPLE


def test_a_flow_list_of_pairings_or_a_multiline_value_is_refused_with_what_to_do() -> None:
    flow = f"{TOP}pairings: [{{mentor: a, mentee: b, start: 2026-01-05}}]\n"
    with pytest.raises(RosterEditError, match="block list"):
        amend_roster(flow, [ending("a", "b", date(2026, 1, 5), START)])
    folded = (
        f"{TOP}pairings:\n"
        "  - mentor: a\n    mentee: b\n    start: 2026-01-05\n"
        "    ended: 2026-02-01\n    ended_reason: >\n      long\n"
    )
    with pytest.raises(RosterEditError, match="on one line"):
        amend_roster(folded, [ending("a", "b", date(2026, 1, 5), START)])


def test_amending_keeps_crlf_line_breaks() -> None:
    text = (
        TOP.replace("\n", "\r\n")
        + "pairings:\r\n  - mentor: a\r\n    mentee: b\r\n    start: 2026-01-05\r\n"
    )
    after = amend_roster(text, [ending("a", "b", date(2026, 1, 5), START)])
    assert after == text + f"    ended: {START}\r\n    ended_reason: {REASON}\r\n"


def test_amendment_lines_read_back_as_the_entry_they_amend() -> None:
    # `on` and `no` are booleans to program.yml's YAML 1.1 loader: quoted, they stay handles.
    change = Amendment(
        "on", "no", START, (("ended", date(2027, 3, 1)), ("ended_reason", "asked: by @no"))
    )
    lines = amendment_lines(change)
    assert lines == (
        "- mentor: 'on'\n  mentee: 'no'\n  start: 2027-01-04\n  ended: 2027-03-01\n"
        "  ended_reason: 'asked: by @no'\n"
    )
    (entry,) = yaml.safe_load(lines)
    assert entry == {
        "mentor": "on",
        "mentee": "no",
        "start": START,
        "ended": date(2027, 3, 1),
        "ended_reason": "asked: by @no",
    }
