"""A request for a mentor as a plain value, read from the answers of the request form.

GitHub issue forms write each answer under a `### <label>` heading, `_No response_` for an
optional field left empty and `None` for a dropdown with nothing chosen; a multiple-choice
dropdown joins its choices with `, ` and checkboxes become `- [X] option` task items (GitHub's
own parser of these bodies: https://github.com/github/issue-parser, src/format.ts). The GitLab
description template asks under the same headings, so one parser reads both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from automation.messages.markdown import HTML_COMMENT
from automation.roster.config import check_handle, check_timezone
from automation.roster.handles import handle_key


class Mode(StrEnum):
    """How the mentee would rather meet."""

    SYNC = "sync"  # calls: time zones matter
    ASYNC = "async"  # comments on the pairing issue
    EITHER = "either"


@dataclass(frozen=True)
class Request:
    """Someone asking for a mentor: one request issue, its answers read."""

    number: int  # the request issue (GitLab iid, GitHub number)
    handle: str  # who asks: the author
    opened: date
    topics: tuple[str, ...] = ()
    goals: str = ""
    timezone: str | None = None
    mode: Mode = Mode.EITHER
    availability: str = ""
    avoid: tuple[str, ...] = ()  # handles never to propose, e.g. their manager


@dataclass(frozen=True)
class Unreadable:
    """An answer of a request that cannot be read: which field, and a sentence for the
    asker saying what and how to write it (quoting their words: make it inert to show it)."""

    field: str  # a key of LABELS
    says: str


# The form's labels: the GitHub issue form and the GitLab template must ask under these.
LABELS: Mapping[str, str] = {
    "topics": "Topics",
    "goals": "What do you want to achieve?",
    "timezone": "Time zone",
    "mode": "Sync or async",
    "availability": "Availability",
    "avoid": "People to avoid",
}

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # not str.splitlines(): U+2028 is text in an answer
# The closing `#`s and spaces are stripped after the match: a lazy group followed by
# `[ \t#]*` took quadratic time on a long line of `#` (one request stalled the night).
_HEADING = re.compile(r" {0,3}#{1,6}[ \t]+(.*)")
_FENCE = re.compile(r" {0,3}(```|~~~)")
_EMPTY = frozenset({"_no response_", "none"})
_ITEM = re.compile(r"(?:[-*+]|\d+[.)])[ \t]+")
_BOX = re.compile(r"\[([ xX])\][ \t]+")
_SEPARATORS = re.compile(r"[,;]")
_TOPIC_LENGTH = 60


def _key(label: str) -> str:
    """A heading as it is matched: case, spacing and end punctuation aside."""
    text = re.sub(r"\(optional\)", "", label, flags=re.IGNORECASE)
    return " ".join(re.sub(r"[^\w/ ]", " ", text).casefold().split())


_FIELDS = {_key(label): name for name, label in LABELS.items()}


def sections(body: str) -> dict[str, str]:
    """The answer under each known heading, by field name; other headings stay in the answer
    they are in (a goal written with its own `###` steps), headings in code fences too."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    fenced = False
    for line in _LINE_BREAK.split(HTML_COMMENT.sub("", body)):
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _HEADING.fullmatch(line)
        name = _FIELDS.get(_key(heading.group(1).rstrip(" \t#"))) if heading else None
        if name is not None and name not in found:
            current = found[name] = []
        elif current is not None:
            current.append(line)
    return {name: _answer(lines) for name, lines in found.items()}


def _answer(lines: Sequence[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines).strip()
    return "" if text.casefold() in _EMPTY else text


def parse_request(
    body: str, number: int, handle: str, opened: date
) -> tuple[Request, list[Unreadable]]:
    """The request an issue body asks for, and what is missing or unreadable in it (each
    problem a sentence for the asker: what, and how to fix it)."""
    answers = sections(body)
    problems: list[Unreadable] = []
    topics = _topics(answers.get("topics", ""))
    if not topics:
        problems.append(
            Unreadable(
                "topics",
                f"no topics under '### {LABELS['topics']}': mentors are matched on them; "
                "edit the request and name a topic or two",
            )
        )
    timezone = _timezone(answers.get("timezone", ""), problems)
    mode = _mode(answers.get("mode", ""), problems)
    avoid = _handles(answers.get("avoid", ""), problems)
    request = Request(
        number=number,
        handle=handle,
        opened=opened,
        topics=topics,
        goals=answers.get("goals", ""),
        timezone=timezone,
        mode=mode,
        availability=answers.get("availability", ""),
        avoid=avoid,
    )
    return request, problems


def _topics(answer: str) -> tuple[str, ...]:
    """Topics from a multiple-choice dropdown (`a, b`), checkboxes (ticked ones) or a list."""
    lines = [_ITEM.sub("", line.strip(), count=1) for line in answer.split("\n")]
    boxes = [_BOX.match(line) for line in lines]
    if any(boxes):  # checkboxes: the ticked ones
        lines = [
            line[box.end() :]
            for line, box in zip(lines, boxes, strict=True)
            if box and box.group(1) != " "
        ]
    seen: dict[str, str] = {}
    for line in lines:
        for part in _SEPARATORS.split(line):
            topic = " ".join(part.split())[:_TOPIC_LENGTH]
            if topic:
                seen.setdefault(topic.casefold(), topic)
    return tuple(seen.values())


def _timezone(answer: str, problems: list[Unreadable]) -> str | None:
    zone = answer.strip().strip("`")
    if not zone:
        return None
    try:
        return check_timezone(zone)
    except ValueError as exc:
        problems.append(Unreadable("timezone", f"'### {LABELS['timezone']}': {exc}"))
        return None


def _mode(answer: str, problems: list[Unreadable]) -> Mode:
    words = answer.casefold().split()
    first = words[0].strip(".,:;()") if words else ""
    for mode in Mode:
        if first == mode.value:
            return mode
    if first in {"", "no", "both", "any"}:
        return Mode.EITHER
    problems.append(
        Unreadable(
            "mode",
            f"'### {LABELS['mode']}': {answer!r} is not one of sync, async or either; "
            "choose one (either is fine)",
        )
    )
    return Mode.EITHER


def _handles(answer: str, problems: list[Unreadable]) -> tuple[str, ...]:
    handles: list[str] = []
    for part in _SEPARATORS.split(answer.replace("\n", ",")):
        written = _ITEM.sub("", part.strip(), count=1).strip()
        name = written.lstrip("@")
        if not written:
            continue
        try:
            handles.append(check_handle(name))
        except ValueError:
            problems.append(
                Unreadable(
                    "avoid",
                    f"'### {LABELS['avoid']}': {written!r} is not a username; list "
                    "usernames separated by commas (without @, so that nobody is notified)",
                )
            )
    unique: dict[str, str] = {}
    for handle in handles:
        unique.setdefault(handle_key(handle), handle)
    return tuple(unique.values())


# ---------------------------------------------------------------- as JSON


def request_to_json(request: Request) -> dict[str, Any]:
    """The stable JSON form of a request (`mentorship match --requests`)."""
    return {
        "number": request.number,
        "handle": request.handle,
        "opened": request.opened.isoformat(),
        "topics": list(request.topics),
        "goals": request.goals,
        "timezone": request.timezone,
        "mode": request.mode.value,
        "availability": request.availability,
        "avoid": list(request.avoid),
    }


def requests_from_json(data: object) -> tuple[list[Request], list[str]]:
    """Requests from their JSON form (a list of objects), and a located problem for each
    field that cannot be read (`[2].opened: ...`); entries with problems are left out."""
    if not isinstance(data, list):
        return [], ["expected a list of requests, each an object with number, handle, opened"]
    requests: list[Request] = []
    problems: list[str] = []
    first: dict[int, int] = {}  # request number -> the entry that gives it first
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            problems.append(f"[{i}]: expected an object with number, handle and opened")
            continue
        fields = _Fields(entry, f"[{i}]")
        request = fields.request()
        if request is not None and first.setdefault(request.number, i) != i:
            # Two proposals naming one request would be two pairings answering it.
            fields.problems.append(
                f"[{i}].number: request {request.number} is [{first[request.number]}] "
                "already; a request issue is in the queue once: remove one of them"
            )
        problems.extend(fields.problems)
        if request is not None and not fields.problems:
            requests.append(request)
    return requests, problems


_KNOWN = tuple(request_to_json(Request(1, "x", date.min)))


@dataclass
class _Fields:
    """One JSON entry read field by field, each problem located."""

    entry: Mapping[str, Any]
    where: str
    problems: list[str] = field(default_factory=list)

    def request(self) -> Request | None:
        for name in sorted(self.entry.keys() - set(_KNOWN)):
            self.problems.append(f"{self.where}.{name}: unknown field; known: {', '.join(_KNOWN)}")
        number = self.read("number", int, required=True)
        handle = self.read("handle", str, check_handle, required=True)
        opened = self.read("opened", str, _iso_date, required=True)
        timezone = self.read("timezone", str, check_timezone)
        mode = self.read("mode", str, _mode_value)
        topics = self.read_list("topics", lambda text: text)
        avoid = self.read_list("avoid", check_handle)
        if number is None or handle is None or opened is None:
            return None
        if number < 1:
            self.problems.append(f"{self.where}.number: {number} is not a request number")
        return Request(
            number=number,
            handle=handle,
            opened=date.fromisoformat(opened),
            topics=tuple(topics),
            goals=self.read("goals", str) or "",
            timezone=timezone,
            mode=Mode(mode) if mode else Mode.EITHER,
            availability=self.read("availability", str) or "",
            avoid=tuple(avoid),
        )

    def read(
        self,
        name: str,
        kind: type,
        check: Callable[[Any], object] = lambda value: value,
        *,
        required: bool = False,
    ) -> Any:
        value = self.entry.get(name)
        if value is None:
            if required:
                self.problems.append(f"{self.where}.{name}: required; add it")
            return None
        if not isinstance(value, kind) or isinstance(value, bool):
            self.problems.append(f"{self.where}.{name}: expected {kind.__name__}, got {value!r}")
            return None
        try:
            check(value)
        except ValueError as exc:
            self.problems.append(f"{self.where}.{name}: {exc}")
            return None
        return value

    def read_list(self, name: str, check: Callable[[str], object]) -> list[str]:
        values = self.read(name, list) or []
        good = []
        for i, value in enumerate(values):
            try:
                if not isinstance(value, str):
                    raise ValueError(f"expected text, got {value!r}")
                check(value)
                good.append(value)
            except ValueError as exc:
                self.problems.append(f"{self.where}.{name}[{i}]: {exc}")
        return good


def _mode_value(value: str) -> Mode:
    try:
        return Mode(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a mode; use sync, async or either") from None


def _iso_date(value: str) -> date:
    if not _DATE.fullmatch(value):
        raise ValueError(f"invalid date {value!r}; write it as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"invalid date {value!r} ({exc}); write it as YYYY-MM-DD") from None


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
