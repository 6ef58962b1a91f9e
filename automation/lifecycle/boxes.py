"""The boxes of the pairing issue: what the pair asks of the nightly run by ticking one.

The pairing issue carries a short block of task items the bot wrote, between two hidden
lines (`<!-- mentorship:boxes -->` ... `<!-- /mentorship:boxes -->`). A ticked box is a
request, believed only for whom the forge's own history says ticked it (README, "Boxes on
the pairing issue"): GitLab writes a system note for every box ticked or unticked, authored
by whoever did it; GitHub keeps every revision of a description with its editor
(`userContentEdits`). Pure: text in, values out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from automation.lifecycle import markers
from automation.model import ChangeRequest, ChangeState, Comment, Tick
from automation.roster.handles import handle_key, handle_keys, same_handle

OPEN = "<!-- mentorship:boxes -->"
CLOSE = "<!-- /mentorship:boxes -->"


@dataclass(frozen=True)
class Box:
    name: str  # in marker keys: `pair/<id>/box/<name>/<when>`
    text: str  # the task item's text, exactly as the template writes it


MET = Box("met", "We met this period")
PAUSE = Box("pause", "Pause reminders for two weeks")
EXTEND = Box("extend", "Ask the coordinators for an extension")
END = Box("end", "Ask the coordinators to end this pairing")
BOXES: tuple[Box, ...] = (MET, PAUSE, EXTEND, END)
PAUSE_DAYS = 14  # reminders wait this long from the day the box was ticked
EXTEND_DAYS = 30  # the extension proposed to the coordinators, from the current end
_BY_TEXT = {box.text.casefold(): box for box in BOXES}
BY_NAME = {box.name: box for box in BOXES}
_STAMP = "%Y%m%dT%H%M%SZ"

_LINES = re.compile(r"\r\n|\r|\n")
_ITEM = re.compile(
    r"(?P<lead>[ \t]{0,3}[-*+][ \t]+\[)(?P<mark>[ xX])(?P<rest>\][ \t]+(?P<text>.*?))"
)
# GitLab's system note for a ticked box (app/services/system_notes/issuables_service.rb,
# `change_task_status`), the item's markdown escaped with backslashes.
_NOTE = re.compile(
    r"marked the (?:checklist item|task) \*\*(?P<text>.*)\*\* as (?P<state>completed|incomplete)"
)
_ESCAPED = re.compile(r"\\(.)")
# An extension or end ask's key, as the roster merge request's body lists it.
_ASK_KEY = re.compile(r"pair/[^/\s`|]+/box/(?:extend|end)/\d{8}T\d{6}Z")


def _segment(body: str) -> tuple[int, int]:
    """Where the first block the bot wrote lies in `body`, between its two hidden lines
    (characters; empty when there is none). Most bodies are read without a split."""
    start = body.find(OPEN)
    if start < 0:
        return 0, 0
    start += len(OPEN)
    end = body.find(CLOSE, start)
    return (start, end) if end >= 0 else (0, 0)


def _items(segment: str) -> Iterator[tuple[int, re.Match[str], Box]]:
    """The boxes of a block, each once: the index of its line, the match, the box."""
    seen: set[str] = set()
    for index, line in enumerate(_LINES.split(segment)):
        match = _ITEM.fullmatch(line.rstrip())
        box = box_of(match.group("text")) if match else None
        if match and box and box.name not in seen:
            seen.add(box.name)
            yield index, match, box


def states(body: str) -> dict[str, bool]:
    """Each box of the block by name: ticked or not. Boxes outside it are people's own."""
    start, end = _segment(body)
    return _states(body[start:end])


def _states(block: str) -> dict[str, bool]:
    return {box.name: m.group("mark") != " " for _, m, box in _items(block)}


def ticked(body: str) -> tuple[str, ...]:
    """The names of the boxes ticked in the block, in the block's order."""
    start, end = _segment(body)
    block = body[start:end]
    if "[x]" not in block and "[X]" not in block:
        return ()  # as most nights find them: a ticked item has one or the other
    return tuple(name for name, on in _states(block).items() if on)


def untick(body: str, names: Iterable[str]) -> str:
    """`body` with the named boxes of the block unticked; every other character kept."""
    wanted = set(names)
    start, end = _segment(body)
    parts = re.split(f"({_LINES.pattern})", body[start:end])
    lines = parts[0::2]
    for index, match, box in list(_items(body[start:end])):
        if box.name in wanted:
            line = lines[index]
            lines[index] = line[: match.start("mark")] + " " + line[match.end("mark") :]
    parts[0::2] = lines
    return body[:start] + "".join(parts) + body[end:]


def box_of(text: str) -> Box | None:
    """The box an item's text names, however it is cased or spaced."""
    return _BY_TEXT.get(text.strip().casefold())


def tick_of_note(body: str, author: str, at: datetime) -> Tick | None:
    """The box a GitLab system note says someone ticked or unticked, if it says so."""
    match = _NOTE.fullmatch(body.strip())
    if match is None:
        return None
    text = _ESCAPED.sub(r"\1", match.group("text"))
    return Tick(text, match.group("state") == "completed", author, at)


def ticks_of_revisions(revisions: Iterable[tuple[str, datetime, str | None]]) -> list[Tick]:
    """What each revision of a description changed in the boxes, and who made it: the
    revisions are `(editor, when, text)`, oldest first. A revision whose text the forge no
    longer shows (deleted from the history) breaks the chain: the change after it is
    nobody's."""
    out: list[Tick] = []
    before: dict[str, bool] | None = None
    for editor, at, text in revisions:
        if text is None:
            before = None
            continue
        now = states(text)
        if before is not None:
            for name, on in now.items():
                if before.get(name, False) != on:
                    out.append(Tick(BY_NAME[name].text, on, editor, at))
        before = now
    return out


def who_ticked(ticks: Iterable[Tick], name: str) -> Tick | None:
    """The latest record of box `name` being ticked, if the latest record of it is a tick."""
    mine = sorted(
        (t for t in ticks if (b := box_of(t.text)) and b.name == name), key=lambda t: t.at
    )
    return mine[-1] if mine and mine[-1].checked else None


@dataclass(frozen=True)
class Asked:
    """A box ticked, by whom (empty: the forge's history does not say) and when; `heeded`
    when that person may ask it of the pairing (one of the pair, or a coordinator); for an
    extension, the end it asks for, fixed when it is answered (a later end must not move it)."""

    box: Box
    by: str
    at: datetime
    heeded: bool
    until: date | None = None

    @property
    def stamp(self) -> str:
        """When, as marker keys carry it: a box ticked again later is a new request."""
        return self.at.astimezone(UTC).strftime(_STAMP)

    def attrs(self) -> dict[str, str]:
        """What the acknowledgement's marker keeps, so later runs know it was heard."""
        kept = {"by": self.by or "-", "heeded": "yes" if self.heeded else "no"}
        if self.until is not None:
            kept["until"] = self.until.isoformat()
        return kept


def asked(
    body: str, ticks: Sequence[Tick], edited: datetime, allowed: frozenset[str]
) -> list[Asked]:
    """The boxes ticked in the block of `body` and who ticked each, by the forge's history
    (`ticks`); one the history does not account for is dated by the issue's last edit."""
    out = []
    allowed_keys = handle_keys(allowed)  # a login in any case (roster/handles.py)
    for name in ticked(body):
        tick = who_ticked(ticks, name)
        by, at = (tick.author, tick.at) if tick is not None else ("", edited)
        out.append(Asked(BY_NAME[name], by, at, bool(by) and handle_key(by) in allowed_keys))
    return out


def answered(comments: Iterable[tuple[str, Comment]], prefix: str) -> list[Asked]:
    """The boxes the bot has acknowledged, from its own comments (keys `<prefix><name>/<when>`)."""
    out = []
    for key, comment in comments:
        if not key.startswith(prefix):
            continue
        name, _, stamp = key.removeprefix(prefix).partition("/")
        marker = markers.find(comment.body)
        if name not in BY_NAME or marker is None:
            continue
        try:
            at = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue
        by = marker.attrs.get("by", "-")
        heeded = marker.attrs.get("heeded") == "yes"
        try:
            until = date.fromisoformat(marker.attrs["until"]) if "until" in marker.attrs else None
        except ValueError:
            until = None
        out.append(Asked(BY_NAME[name], "" if by == "-" else by, at, heeded, until))
    return out


def declined_keys(changes: Iterable[ChangeRequest], bot: str) -> frozenset[str]:
    """The asks that roster merge requests the bot opened carried when they were closed
    without being merged: the coordinators' no."""
    found: set[str] = set()
    for change in changes:
        if same_handle(change.author, bot) and change.state is ChangeState.CLOSED:
            found.update(_ASK_KEY.findall(change.body))
    return frozenset(found)
