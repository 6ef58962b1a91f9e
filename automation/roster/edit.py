"""Adding pairings (and new mentees) to program.yml's text, and amending a pairing already
there (an extension, an end), keeping every other byte.

ruamel.yaml reads the document (the position of each node) and writes the new entries (YAML
quoting, in the list's own indentation); the entries go in after the last one of their list.
A whole ruamel round trip would not do: dumping program.example.yml back re-indents every
list to one style and moves comments, so a coordinator reviewing the merge request would
see lines they never asked to change. pre-commit's autoupdate edits people's files the same
way, only the lines it means to change.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from automation.roster.config import Program, parse_program


@dataclass(frozen=True)
class NewPairing:
    """A pairing to add: what `pairings:` gets."""

    mentor: str
    mentee: str
    start: date
    request: int | None = None


@dataclass(frozen=True)
class NewPerson:
    """Someone who asked for a mentor and is not in `people:` yet."""

    handle: str
    timezone: str | None = None


@dataclass(frozen=True)
class Amendment:
    """Fields to set on the pairing of `mentor`, `mentee` and `start` (`extended_until` and
    `extension_reason`, or `ended` and `ended_reason`), in this order."""

    mentor: str
    mentee: str
    start: date
    fields: tuple[tuple[str, str | date], ...]


class RosterEditError(Exception):
    """program.yml is written in a shape the edit cannot extend; the message says what to do."""


# The list's layout: the column of its dashes, and how far the entries' keys sit past them.
_DEFAULT_DASH, _DEFAULT_OFFSET = 2, 2


@dataclass(frozen=True)
class _Edit:
    at: int  # index into the text
    text: str
    end: int | None = None  # what it replaces ends here (None: an insert at `at`)


def _spliced(text: str, edits: Sequence[_Edit]) -> str:
    """`text` with every edit made, in the text's own line endings. From the end backwards,
    so that each position still points into the original text; of two at the same place,
    the later goes in first."""
    newline = "\r\n" if "\r\n" in text else "\n"
    out = text
    for _, edit in sorted(enumerate(edits), key=lambda o: (o[1].at, o[0]), reverse=True):
        end = edit.at if edit.end is None else edit.end
        out = out[: edit.at] + edit.text.replace("\n", newline) + out[end:]
    return out


def add_to_roster(
    text: str, pairings: Sequence[NewPairing], people: Sequence[NewPerson] = ()
) -> str:
    """`text` with the pairings and people added that it does not hold yet.

    `text` must be a valid program.yml (ConfigError otherwise). A pairing is there already
    when one answers the same request, or has the same mentor, mentee and start; a person
    when their handle is listed. So adding twice adds once.
    """
    program = parse_program(text)
    root = _compose(text)
    listed = {person.handle for person in program.people}
    new_people: dict[str, NewPerson] = {}
    for person in people:
        if person.handle not in listed:
            new_people.setdefault(person.handle, person)
    held = _Held.of(program)
    new_pairings: list[NewPairing] = []
    for pairing in pairings:
        if not held.holds(pairing):
            new_pairings.append(pairing)
            held = held.plus(pairing)
    # Of two at the same place (both lists missing), people come first.
    return _spliced(
        text,
        [
            *_additions(text, root, "people", [_person(p) for p in new_people.values()]),
            *_additions(text, root, "pairings", [_pairing(p) for p in new_pairings]),
        ],
    )


def amend_roster(text: str, amendments: Sequence[Amendment]) -> str:
    """`text` with each amendment's fields set on its pairing's entry: a key already there
    gets the new value in place of its old one, a missing key a line of its own after the
    entry's last (in the entry's indentation; inside the braces of a flow entry). A pairing
    the roster does not hold is left out: there is nothing to amend.

    `text` must be a valid program.yml (ConfigError otherwise). Setting what is set already
    changes nothing, so amending twice amends once.
    """
    parse_program(text)
    root = _compose(text)
    node = next(
        (v for k, v in root.value if isinstance(k, ScalarNode) and k.value == "pairings"), None
    )
    if not amendments or not isinstance(node, SequenceNode):
        return text
    if node.flow_style:
        raise RosterEditError(
            "program.yml writes pairings: as one flow list (`[...]`); write it as a block "
            "list (`- ` entries on lines of their own) to have entries amended"
        )
    edits: list[_Edit] = []
    for amendment in amendments:
        entry = next((e for e in node.value if _is_entry(e, amendment)), None)
        if entry is not None:
            edits += _amend(text, entry, amendment.fields)
    return _spliced(text, edits)


def pairing_lines(pairings: Sequence[NewPairing], people: Sequence[NewPerson] = ()) -> str:
    """The lines `add_to_roster` adds to a roster written in the example's layout."""
    parts = []
    if people:
        parts.append("people:\n" + _block(_DEFAULT_DASH, _DEFAULT_OFFSET, map(_person, people)))
    if pairings:
        parts.append(
            "pairings:\n" + _block(_DEFAULT_DASH, _DEFAULT_OFFSET, map(_pairing, pairings))
        )
    return "".join(parts)


def amendment_lines(amendment: Amendment) -> str:
    """The pairing's entry with the amendment's fields, as a coordinator would write them
    into `pairings:` by hand (the dash at the first column)."""
    entry = CommentedMap(
        mentor=_text(amendment.mentor), mentee=_text(amendment.mentee), start=amendment.start
    )
    for key, value in amendment.fields:
        entry[key] = value if isinstance(value, date) else _text(value)
    return _block(0, _DEFAULT_OFFSET, [entry])


# ---------------------------------------------------------------- what is there


@dataclass(frozen=True)
class _Held:
    """The pairings a roster holds, as far as adding twice is concerned."""

    requests: frozenset[int]
    pairs: frozenset[tuple[str, str, date]]

    @classmethod
    def of(cls, program: Program) -> _Held:
        return cls(
            frozenset(p.request for p in program.pairings if p.request is not None),
            frozenset((p.mentor, p.mentee, p.start) for p in program.pairings),
        )

    def holds(self, pairing: NewPairing) -> bool:
        same = (pairing.mentor, pairing.mentee, pairing.start)
        return pairing.request in self.requests or same in self.pairs

    def plus(self, pairing: NewPairing) -> _Held:
        requests = {pairing.request} if pairing.request is not None else set()
        return _Held(
            self.requests | requests,
            self.pairs | {(pairing.mentor, pairing.mentee, pairing.start)},
        )


def _scalar(node: Node, key: str) -> str | None:
    """The plain value of `key` in a mapping node (None when absent or not a scalar)."""
    if not isinstance(node, MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            return v.value if isinstance(v, ScalarNode) else None
    return None


def _is_entry(node: Node, amendment: Amendment) -> bool:
    start = _scalar(node, "start")
    try:
        day = date.fromisoformat(start.strip()) if start else None
    except ValueError:
        day = None
    mentor, mentee = _scalar(node, "mentor"), _scalar(node, "mentee")
    return (mentor, mentee, day) == (amendment.mentor, amendment.mentee, amendment.start)


def _compose(text: str) -> MappingNode:
    try:
        root = YAML().compose(text)
    except YAMLError as exc:
        raise RosterEditError(f"program.yml is not valid YAML ({exc}); fix it first") from None
    if not isinstance(root, MappingNode) or root.flow_style:
        raise RosterEditError(
            "program.yml's top level is not a block mapping (`forge:` ... on lines of their "
            "own); add the lines by hand"
        )
    return root


# ---------------------------------------------------------------- where and how


def _additions(
    text: str, root: MappingNode, key: str, entries: Sequence[CommentedMap]
) -> Iterator[_Edit]:
    if not entries:
        return
    node = next((v for k, v in root.value if isinstance(k, ScalarNode) and k.value == key), None)
    if node is None:
        yield _new_list(text, root, key, entries)
    elif isinstance(node, SequenceNode) and node.flow_style:
        yield _into_flow(text, node, entries)
    elif isinstance(node, SequenceNode) and node.value:
        yield _after_last(text, node, entries)
    else:
        raise RosterEditError(
            f"program.yml: {key}: is neither a list nor missing; write it as a list "
            f"(`{key}:` and `- ` entries, or `{key}: []`)"
        )


def _new_list(text: str, root: MappingNode, key: str, entries: Sequence[CommentedMap]) -> _Edit:
    """The list and its key at the end of the document."""
    if re.search(r"^\.\.\.[ \t]*$", text, re.MULTILINE):
        raise RosterEditError(
            f"program.yml ends its document with `...`; add `{key}: []` before it, then again"
        )
    indent = " " * root.start_mark.column
    lines = _block(_DEFAULT_DASH, _DEFAULT_OFFSET, entries)
    body = "".join(f"{indent}{line}\n" for line in f"{key}:\n{lines}".split("\n")[:-1])
    separator = "" if not text or text.endswith(("\n", "\r")) else "\n"
    return _Edit(len(text), separator + body)


def _into_flow(text: str, node: SequenceNode, entries: Sequence[CommentedMap]) -> _Edit:
    """`[a, b]` becomes `[a, b, {new}]`, a trailing comma kept in its place."""
    rendered = ", ".join(_flow(entry) for entry in entries)
    if not node.value:
        return _Edit(node.start_mark.index + 1, rendered)
    at = node.value[-1].end_mark.index
    rest = text[at : node.end_mark.index]
    comma = re.match(r"[ \t\r\n]*,", rest)
    if comma:
        return _Edit(at + comma.end(), " " + rendered)
    return _Edit(at, ", " + rendered)


def _after_last(text: str, node: SequenceNode, entries: Sequence[CommentedMap]) -> _Edit:
    """New entries after the last one, in the list's own indentation; comments indented
    under the last entry (a commented-out `ended:`) stay with it."""
    last = node.value[-1]
    dash = node.start_mark.column
    offset = max(2, last.start_mark.column - dash) if isinstance(last, MappingNode) else 2
    end = _line_end(text, _content_end(text, _end_of(last).index))
    end = _comments_below(text, end, dash)
    body = _block(dash, offset, entries, blank=_spaced(text, last))
    if end == len(text):  # the last line has no line break
        return _Edit(end, "\n" + body.removesuffix("\n"))
    return _Edit(end + 1, body)


def _end_of(node: Node) -> Any:
    """The end mark of the last thing written in `node` (its last value, deepest first)."""
    while isinstance(node, MappingNode | SequenceNode) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    return node.end_mark


def _content_end(text: str, index: int) -> int:
    """Back from `index` over white space: a block scalar's end mark lies past its line
    breaks and the blank lines after it."""
    while index > 0 and text[index - 1] in " \t\r\n":
        index -= 1
    return index


def _line_end(text: str, index: int) -> int:
    """The index of the line break ending the line of `index` (the text's length if none)."""
    found = text.find("\n", index)
    return len(text) if found < 0 else found


def _comments_below(text: str, end: int, dash: int) -> int:
    """The end of the comment lines right below `end` that are indented past the list's
    dashes (blank lines between them included), else `end`."""
    at = end
    while at < len(text):
        line_end = _line_end(text, at + 1)
        line = text[at + 1 : line_end].rstrip("\r")
        stripped = line.lstrip(" ")
        if stripped.startswith("#") and len(line) - len(stripped) > dash:
            end = at = line_end
        elif not stripped:
            at = line_end
        else:
            break
    return end


def _spaced(text: str, entry: Node) -> bool:
    """Whether a blank line comes right before the entry (then one comes before each new one)."""
    line_start = text.rfind("\n", 0, entry.start_mark.index) + 1
    previous = text.rfind("\n", 0, max(0, line_start - 1)) + 1
    return line_start > 0 and not text[previous : line_start - 1].strip()


def _amend(text: str, entry: MappingNode, fields: Sequence[tuple[str, str | date]]) -> list[_Edit]:
    """The edits that set `fields` on one pairing's entry."""
    values = {k.value: v for k, v in entry.value if isinstance(k, ScalarNode)}
    edits: list[_Edit] = []
    missing: list[tuple[str, str | date]] = []
    for key, value in fields:
        old = values.get(key)
        if old is None:
            missing.append((key, value))
            continue
        if not isinstance(old, ScalarNode) or old.style in ("|", ">"):
            raise RosterEditError(
                f"program.yml: the pairing of {_scalar(entry, 'mentor')} and "
                f"{_scalar(entry, 'mentee')} writes {key}: over several lines; write it on "
                "one line, then again"
            )
        shown = _rendered(key, value, flow=entry.flow_style)
        edits.append(_Edit(old.start_mark.index, shown, old.end_mark.index))
    if not missing:
        return edits
    last = entry.value[-1][1]
    if entry.flow_style:
        at = last.end_mark.index
        rest = text[at : entry.end_mark.index]
        comma = re.match(r"[ \t\r\n]*,", rest)
        pairs = ", ".join(f"{k}: {_rendered(k, v, flow=True)}" for k, v in missing)
        if comma:
            edits.append(_Edit(at + comma.end(), f" {pairs},"))
        else:
            edits.append(_Edit(at, f", {pairs}"))
        return edits
    indent = " " * entry.value[0][0].start_mark.column
    end = _line_end(text, _content_end(text, _end_of(entry).index))
    if end > 0 and text[end - 1] == "\r":
        end -= 1
    lines = "".join(f"\n{indent}{k}: {_rendered(k, v, flow=False)}" for k, v in missing)
    edits.append(_Edit(end, lines))
    return edits


def _rendered(key: str, value: str | date, *, flow: bool) -> str:
    """`value` as YAML writes it after `key: `, in a block or a flow mapping."""
    entry = CommentedMap({key: value if isinstance(value, date) else _text(value)})
    if flow:
        return _flow(entry).removeprefix("{").removesuffix("}").split(": ", 1)[1]
    out = io.StringIO()
    _yaml().dump(entry, out)
    return out.getvalue().rstrip("\n").split(": ", 1)[1]


# ---------------------------------------------------------------- writing YAML


def _pairing(pairing: NewPairing) -> CommentedMap:
    entry = CommentedMap(
        mentor=_text(pairing.mentor), mentee=_text(pairing.mentee), start=pairing.start
    )
    if pairing.request is not None:
        entry["request"] = pairing.request
    return entry


def _person(person: NewPerson) -> CommentedMap:
    roles = CommentedSeq(["mentee"])
    roles.fa.set_flow_style()  # `roles: [mentee]`, as the example writes roles
    entry = CommentedMap(handle=_text(person.handle), roles=roles)
    if person.timezone is not None:
        entry["timezone"] = _text(person.timezone)
    return entry


def _text(value: str) -> str:
    """A string that program.yml's loader reads back as the same string.

    The loader is PyYAML, which follows YAML 1.1: `yes`, `on`, `0b11` or `1_000` are a
    boolean and numbers there, plain text to ruamel's YAML 1.2 emitter, so quote them.
    """
    try:
        plain = yaml.safe_load(value) == value
    except yaml.YAMLError:
        plain = False
    return value if plain else SingleQuotedScalarString(value)


def _yaml(**indent: int) -> YAML:
    writer = YAML()
    writer.width = 4096  # never fold a line
    # Every pairing of a matching starts on the same day: one date object, which ruamel
    # would write once with an anchor (&id001) and then as aliases.
    writer.representer.ignore_aliases = lambda data: True
    writer.indent(**indent)
    return writer


def _block(dash: int, offset: int, entries: Iterable[CommentedMap], *, blank: bool = False) -> str:
    """Block list entries: the dash at column `dash`, keys `offset` past it."""
    out = io.StringIO()
    _yaml(mapping=2, sequence=offset, offset=0).dump(CommentedSeq(entries), out)
    shown = []
    for line in out.getvalue().split("\n")[:-1]:
        if blank and line.startswith("-"):
            shown.append("\n")
        shown.append(" " * dash + line + "\n")
    return "".join(shown)


def _flow(entry: CommentedMap) -> str:
    entry.fa.set_flow_style()
    out = io.StringIO()
    _yaml().dump(entry, out)
    return out.getvalue().strip()
