"""Markdown task lists -> goals and progress, read the way GitHub or GitLab renders them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from operator import attrgetter
from typing import Any, NamedTuple, TypedDict

import cffi  # type: ignore[import-untyped]
from cmarkgfm import _cmark  # type: ignore[import-untyped]

from automation.lazy import lazy

# What counts as a task item is decided by block structure, so the block structure comes from
# cmark-gfm, GitHub's own Markdown engine (the `cmarkgfm` package), with its `table` extension
# and, for the GitHub dialect, its `tasklist` extension: GitHub's task items are exactly the
# list items the extension marks. GitLab renders with comrak, a port of cmark-gfm whose task
# items are read from the first paragraph of a list item; the same tree (without the tasklist
# extension) gives them. What is ours is only the reading of goals and sections on top.
#
# https://github.com/github/cmark-gfm/blob/master/extensions/tasklist.c
# https://github.com/kivikakk/comrak/blob/main/src/parser/mod.rs (tasklist, in postprocess)


class Dialect(StrEnum):
    GITHUB = "github"
    GITLAB = "gitlab"


class Step(NamedTuple):
    """A task item. A tuple, made by the hundred thousand when a cache is read: it equals
    the plain tuple of its fields, and nothing compares it with one."""

    text: str
    checked: bool
    line: int  # 1-based line of the task item in the body


@dataclass(frozen=True)
class Goal:
    title: str
    steps: tuple[Step, ...]
    due: str | None = None  # ISO date read from "by YYYY-MM-DD" in the title
    line: int = 0  # 1-based line of the goal's heading or list item

    @lazy  # asked for by every rule and status that counts the goal
    def done(self) -> int:
        return sum(step.checked for step in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class Checklist:
    """Every task item of a body (`done`/`total`), the mentee's goals under `## Goals` and
    the mentor's own growth goals under `## Mentor's goals`.

    `steps` holds every counted task item in body order; `outside` the ones that belong to no goal
    (including the box of a goal written as a task item with nested steps), so that
    `total == sum(goal.total for goal in goals + mentor_goals) + len(outside)`.
    """

    done: int
    total: int
    goals: tuple[Goal, ...]
    steps: tuple[Step, ...]
    outside: tuple[Step, ...] = ()
    mentor_goals: tuple[Goal, ...] = ()

    @lazy  # asked for by more than one rule; the observation cache keeps it too
    def fingerprint(self) -> str:
        """A short digest of every task item's text and state, the ledger's signature of
        the goals: it changes when someone ticks a box, unticks one or edits a step, and
        not when anything else in the body changes."""
        text = "\n".join(f"{int(step.checked)}{step.text}" for step in self.steps)
        return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=8).hexdigest()


class GoalJSON(TypedDict):
    title: str
    done: int
    total: int
    due: str | None


class ChecklistJSON(TypedDict):
    done: int
    total: int
    goals: list[GoalJSON]
    mentor_goals: list[GoalJSON]


# Bodies read already, by `body_key`: a quiet night's bodies are the night before's, and the
# observation cache (automation/forge/cached.py) keeps how they read between runs
# (`remember`, `remembered`), so that a body is parsed only when it changed.
_READ: dict[str, Checklist] = {}
_RECORDS: dict[str, list[Any]] = {}  # as kept by an earlier run, read when asked for
_USED: set[str] = set()  # the bodies this run read
_MEMO_LIMIT = 200_000  # bodies kept in a process before it starts over


def parse(body: str, dialect: Dialect = Dialect.GITHUB) -> Checklist:
    """Read the task items of `body` as `dialect` renders them, grouped into goals (once
    per body: the same body reads the same)."""
    key = body_key(body, dialect)
    found = _READ.get(key)
    if found is None:
        found = _recalled(key) or _parse(body, dialect)
        if len(_READ) >= _MEMO_LIMIT:
            _READ.clear()
            _USED.clear()
        _READ[key] = found
    _USED.add(key)
    return found


def _recalled(key: str) -> Checklist | None:
    kept = _RECORDS.get(key)
    try:
        return from_record(kept) if kept is not None else None
    except (TypeError, ValueError, IndexError):  # not as `to_record` writes it: read again,
        del _RECORDS[key]  # and kept for the next run as it reads now
        return None


def body_key(body: str, dialect: Dialect) -> str:
    digest = hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=16)
    return f"{dialect.value}:{digest.hexdigest()}"


def remember(records: Mapping[str, list[Any]]) -> None:
    """How bodies read in an earlier run, as `remembered` gave it: parsed again no more."""
    _RECORDS.update(records)


def forget() -> None:
    """Read every body afresh from now on (what a new process does without a cache)."""
    _READ.clear()
    _RECORDS.clear()
    _USED.clear()


def remembered() -> dict[str, list[Any]]:
    """How the bodies this run read read, to `remember` in the next run."""
    return {key: _RECORDS.get(key) or to_record(_READ[key]) for key in _USED if key in _READ}


def to_record(checklist: Checklist) -> list[Any]:
    """`checklist` as compact JSON values that `from_record` reads back equal."""
    index = {step: n for n, step in enumerate(checklist.steps)}

    def goals(found: tuple[Goal, ...]) -> list[Any]:
        return [[g.title, [index[s] for s in g.steps], g.due, g.line] for g in found]

    return [
        checklist.done,
        checklist.total,
        [[step.text, step.checked, step.line] for step in checklist.steps],
        [index[step] for step in checklist.outside],
        goals(checklist.goals),
        goals(checklist.mentor_goals),
        checklist.fingerprint,
    ]


def from_record(record: list[Any]) -> Checklist:
    done, total, steps_of, outside, goals_of, mentor_goals_of, signature = record
    steps = tuple(Step(str(text), bool(checked), int(line)) for text, checked, line in steps_of)

    def goals(found: list[Any]) -> tuple[Goal, ...]:
        return tuple(
            Goal(str(title), tuple(steps[n] for n in picks), due, int(line))
            for title, picks, due, line in found
        )

    checklist = Checklist(
        int(done),
        int(total),
        goals(goals_of),
        steps,
        tuple(steps[n] for n in outside),
        goals(mentor_goals_of),
    )
    checklist.__dict__["fingerprint"] = str(signature)  # as worked out when it was parsed
    return checklist


def _parse(body: str, dialect: Dialect) -> Checklist:
    """Read the task items of `body` as `dialect` renders them, grouped into goals.

    GitHub: a list item whose line starts with its marker, then `[ ]`, `[x]` or `[X]` and a space
    or tab (cmark-gfm's tasklist extension). GitLab: a list item whose first paragraph starts with
    a box and a space or tab; `[x]`/`[X]` is checked, a space or tab unchecked, and `[~]`
    (inapplicable) is left out of every count. Items in code, HTML blocks and tables never count.
    """
    gitlab = dialect is Dialect.GITLAB
    text = body.replace("\x00", "\ufffd")
    if not text.isascii():
        text = _SURROGATE.sub("\ufffd", text)
    # CR LF, CR and LF end a line, as in cmark; str.splitlines() would also break on U+2028, VT,
    # FF and others, which CommonMark reads as text (https://spec.commonmark.org/0.31.2/#line-ending)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if gitlab and (end := _front_matter_end(lines)) >= 0:
        # GitLab renders front matter as code: blank its lines, so the numbers stay the same
        text = "\n" * (end + 1) + "\n".join(lines[end + 1 :])
    return _assemble(_read(text, lines, gitlab))


def to_json(checklist: Checklist) -> ChecklistJSON:
    """The progress numbers of `checklist` as plain JSON values (no step text)."""
    return {
        "done": checklist.done,
        "total": checklist.total,
        "goals": [_goal_json(goal) for goal in checklist.goals],
        "mentor_goals": [_goal_json(goal) for goal in checklist.mentor_goals],
    }


def _goal_json(goal: Goal) -> GoalJSON:
    return {"title": goal.title, "done": goal.done, "total": goal.total, "due": goal.due}


# --- goals -----------------------------------------------------------------------------------

MENTEE, MENTOR = "mentee", "mentor"
# The level-2 headings that open a goal section, as `_plain` reads them (casefolded, with a
# typographic apostrophe read as a straight one), and whose goals they hold.
_SECTIONS = {"goals": MENTEE, "mentor's goals": MENTOR, "mentor goals": MENTOR}


def _assemble(read: _Read) -> Checklist:
    """Turn the task items and sections of the document into steps and goals."""
    items = read.tasks
    step_of: dict[int, Step] = {}
    steps: list[Step] = []
    for item in items:
        if item.box is not None and item.box != "~":
            step = Step(
                text=(item.title or "").strip(), checked=item.box in "xX", line=item.box_line
            )
            step_of[item.seq] = step
            steps.append(step)
    # Each section reads only its own items: a body of many `## Goals` sections stays linear.
    by_section: dict[int, list[_Item]] = {}
    for item in items:
        if item.section is not None:
            by_section.setdefault(id(item.section), []).append(item)
    goals: dict[str, list[Goal]] = {MENTEE: [], MENTOR: []}
    for section in read.sections:
        mine = by_section.get(id(section), [])
        if section.headings:
            goals[section.owner].extend(_heading_goals(section, mine, step_of))
        else:
            goals[section.owner].extend(_item_goals(section, mine, step_of))
    in_goal = {id(step) for owned in goals.values() for goal in owned for step in goal.steps}
    outside = tuple(step for step in steps if id(step) not in in_goal)
    return Checklist(
        done=sum(step.checked for step in steps),
        total=len(steps),
        goals=tuple(goals[MENTEE]),
        steps=tuple(steps),
        outside=outside,
        mentor_goals=tuple(goals[MENTOR]),
    )


def _heading_goals(section: _Section, items: list[_Item], step_of: dict[int, Step]) -> list[Goal]:
    """Each level >= 3 heading of the section is a goal; its task `items` are its steps."""
    buckets: list[list[Step]] = [[] for _ in section.headings]
    for item in items:
        if item.heading >= 0 and item.seq in step_of:
            buckets[item.heading].append(step_of[item.seq])
    return [
        _goal(title, line, tuple(bucket))
        for (title, line), bucket in zip(section.headings, buckets, strict=True)
    ]


def _item_goals(section: _Section, items: list[_Item], step_of: dict[int, Step]) -> list[Goal]:
    """Each outermost list item of the section with nested task `items` is a goal of those items.

    An outermost task item with no nested task items is a one-step goal counting itself; an
    outermost plain item (or GitLab `[~]` item) without nested task items is no goal.
    """
    nested: dict[int, list[Step]] = {}
    for item in items:
        outer = item.outer
        if outer is not None and outer is not item and item.seq in step_of:
            nested.setdefault(outer.seq, []).append(step_of[item.seq])
    goals = []
    for outer in section.outer_items:
        title = outer.title or ""
        if outer.seq in nested:
            goals.append(_goal(_plain(title), outer.line, tuple(nested[outer.seq])))
        elif outer.seq in step_of:
            goals.append(_goal(_plain(title), outer.line, (step_of[outer.seq],)))
    return goals


def _goal(title: str, line: int, steps: tuple[Step, ...]) -> Goal:
    return Goal(title=title, steps=steps, due=_due(title), line=line)


# "by 2027-03-01", "due 2027-03-01", "due: 2027-03-01", "(2027-03-01)". Linear: every repeated
# class is followed by a character it cannot match.
_DUE = re.compile(
    r"\b(?:by|due)\b:?[ \t]+([0-9]{4}-[0-9]{2}-[0-9]{2})\b|\(([0-9]{4}-[0-9]{2}-[0-9]{2})\)",
    re.IGNORECASE,
)


def _due(title: str) -> str | None:
    """The first real calendar date written as a due date in `title`, as an ISO string."""
    for match in _DUE.finditer(title):
        text = match.group(1) or match.group(2)
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            continue  # 2027-02-30 looks like a date but is none
    return None


_LINK = re.compile(r"!?\[([^\[\]]*)\](?:\([^()]*\)|\[[^\[\]]*\])")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9.+-]{1,31}:[^<>\s]*)>")
_DECORATION = re.compile(r"[\[<\\`*_~]")  # what `_plain` may remove
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _plain(text: str) -> str:
    """`text` without markdown decoration: links keep their text, emphasis and code marks go."""
    if _DECORATION.search(text) is None:
        return " ".join(text.split())
    text = _AUTOLINK.sub(r"\1", _LINK.sub(r"\1", text))
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in _ASCII_PUNCTUATION:
            out.append(text[i + 1])
            i += 2
        elif c == "`":
            i += 1
        elif c in "*_~":
            j = i
            while j < n and text[j] == c:
                j += 1
            before = text[i - 1] if i else " "
            after = text[j] if j < n else " "
            keep = (before.isspace() and after.isspace()) or (
                c == "_" and before.isalnum() and after.isalnum()
            )
            if keep:
                out.append(text[i:j])
            i = j
        else:
            out.append(c)
            i += 1
    return " ".join("".join(out).split())


def _heading_text(text: str) -> str:
    """ATX heading content without the optional closing run of `#`s (CommonMark 4.2)."""
    text = text.strip(" \t")
    bare = text.rstrip("#")
    if len(bare) != len(text) and (not bare or bare[-1] in " \t"):
        text = bare.rstrip(" \t")
    return text


# --- GitLab front matter -----------------------------------------------------------------------

# GitLab turns leading front matter into a code block before rendering, so no task in it counts.
# https://gitlab.com/gitlab-org/gitlab/-/blob/master/lib/gitlab/front_matter.rb
_FRONT_MATTER_OPEN = re.compile(r"(---|\+\+\+|;;;)[ \t]*[^ \t\r\n\f\v]*")
_FRONT_MATTER_CLOSE = re.compile(r"(---|\+\+\+|;;;|\.\.\.)[ \t\f\v]*")


def _front_matter_end(lines: list[str]) -> int:
    """Index of the line closing GitLab front matter at the top of `lines`, or -1."""
    i = 1 if lines and "coding:" in lines[0] else 0
    while i < len(lines) and not lines[i].strip(" \t\f\v"):
        i += 1
    opening = _FRONT_MATTER_OPEN.fullmatch(lines[i]) if i < len(lines) else None
    if opening is None:
        return -1
    for j in range(i + 1, len(lines)):
        closing = _FRONT_MATTER_CLOSE.fullmatch(lines[j])
        if closing is not None and closing.group(1) in (opening.group(1), "..."):
            return j
    return -1


# --- the tree, from cmark-gfm ------------------------------------------------------------------

# A lone surrogate has no UTF-8 form; cmark would read the bytes in its place as U+FFFD anyway.
_SURROGATE = re.compile(r"[\ud800-\udfff]")

# cmark-gfm's `_scan_tasklist`, matched against the whole source line: it tells which line set an
# item's box (normally the item's first; cmark-gfm lets a later line of the item set it again).
# The generated scanner accepts `[X]` and `spacechar` is [ \t\v\f]; `[0-9]+.` takes any single
# byte after the digits, which a non-ASCII character never is.
_GFM_TASK_LINE = re.compile(
    r"[ \t\v\f]*(?:[-+*]|[0-9]+[\x00-\x09\x0b-\x7f])[ \t\v\f]+\[([ xX])\][ \t\v\f]"
)
_ATX_OPENING = re.compile(r"#{1,6}(?=[ \t]|$)")
# An item of this many lines or fewer is searched line by line for a second box; a longer one
# by its blocks (so nested items are not searched again for each item around them).
_FEW_LINES = 8

# cmark_node_type (cmark-gfm.h); the table extension registers its node type at run time
_QUOTE, _LIST, _ITEM, _PARAGRAPH, _HEADING = 0x8002, 0x8003, 0x8004, 0x8008, 0x8009

# The part of cmark-gfm's C API (cmark-gfm.h, cmark-gfm-core-extensions.h) the reading needs.
# cmarkgfm's own binding declares only what rendering to HTML takes, so the same compiled
# library is opened a second time with these declarations.
#
# A call through them costs several times a memory read, and a walk makes one per step, so
# the walk reads the leading fields of `struct cmark_node` (src/node.h, the same since
# cmark-gfm 0.29.0.gfm.0) instead: `_engine` compares them with the getters over a probe
# document first, and keeps the getters if the layout differs.
_C_API = """
typedef struct cmark_node {
    struct { void *mem; unsigned char *ptr; int32_t asize, size; } content;
    struct cmark_node *next, *prev, *parent, *first_child, *last_child;
    void *user_data;
    void *user_data_free_func;
    int start_line, start_column, end_line, end_column, internal_offset;
    uint16_t type, flags;
    void *extension;
} cmark_node;
typedef struct cmark_parser cmark_parser;
typedef struct cmark_syntax_extension cmark_syntax_extension;
void cmark_gfm_core_extensions_ensure_registered(void);
cmark_syntax_extension *cmark_find_syntax_extension(const char *name);
cmark_parser *cmark_parser_new(int options);
int cmark_parser_attach_syntax_extension(cmark_parser *parser, cmark_syntax_extension *ext);
void cmark_parser_feed(cmark_parser *parser, const char *buffer, size_t len);
cmark_node *cmark_parser_finish(cmark_parser *parser);
void cmark_parser_free(cmark_parser *parser);
void cmark_node_free(cmark_node *node);
cmark_node *cmark_node_first_child(cmark_node *node);
cmark_node *cmark_node_next(cmark_node *node);
int cmark_node_get_type(cmark_node *node);
int cmark_node_get_start_line(cmark_node *node);
int cmark_node_get_start_column(cmark_node *node);
int cmark_node_get_end_line(cmark_node *node);
int cmark_node_get_heading_level(cmark_node *node);
const char *cmark_node_get_string_content(cmark_node *node);
void *cmark_node_get_syntax_extension(cmark_node *node);
int cmark_gfm_extensions_get_tasklist_item_checked(cmark_node *node);
extern int CMARK_NODE_TABLE;
"""


class _Node(NamedTuple):
    """How to read a node: through its fields or through the library's getters."""

    first_child: Callable[[Any], Any]
    next: Callable[[Any], Any]
    type: Callable[[Any], int]
    start_line: Callable[[Any], int]
    start_column: Callable[[Any], int]
    end_line: Callable[[Any], int]
    extension: Callable[[Any], Any]


_FIELDS = _Node(*map(attrgetter, _Node._fields))


def _getters(lib: Any) -> _Node:
    return _Node(
        first_child=lib.cmark_node_first_child,
        next=lib.cmark_node_next,
        type=lib.cmark_node_get_type,
        start_line=lib.cmark_node_get_start_line,
        start_column=lib.cmark_node_get_start_column,
        end_line=lib.cmark_node_get_end_line,
        extension=lib.cmark_node_get_syntax_extension,
    )


class _Engine(NamedTuple):
    ffi: Any
    lib: Any
    table: Any  # the syntax extensions
    tasklist: Any
    table_node: int  # CMARK_NODE_TABLE
    node: _Node


@cache
def _engine() -> _Engine:
    """cmark-gfm, loaded once per process."""
    ffi = cffi.FFI()
    ffi.cdef(_C_API)
    try:
        lib = ffi.dlopen(_cmark.__file__)
        lib.cmark_gfm_core_extensions_ensure_registered()
        engine = _Engine(
            ffi=ffi,
            lib=lib,
            table=lib.cmark_find_syntax_extension(b"table"),
            tasklist=lib.cmark_find_syntax_extension(b"tasklist"),
            table_node=lib.CMARK_NODE_TABLE,
            node=_getters(lib),
        )
        for name in re.findall(r"(cmark_\w+)\(", _C_API):
            getattr(lib, name)  # resolve every function now, not at the first body that needs it
    except (OSError, AttributeError) as error:
        raise RuntimeError(
            f"cannot read Markdown: the cmarkgfm package at {_cmark.__file__} does not export "
            f"cmark-gfm's C API on this platform ({error}); install cmarkgfm from a Linux or "
            "macOS wheel, or from source"
        ) from error
    if engine.table == ffi.NULL or engine.tasklist == ffi.NULL:
        raise RuntimeError("cannot read Markdown: cmark-gfm has no table or tasklist extension")
    if _fields_agree(engine):
        engine = engine._replace(node=_FIELDS)
    return engine


# Every kind of block, nested, a task item, a table, inline nodes, on CRLF lines.
_PROBE = "# a\r\n\r\n- [x] b *c*\r\n  > 1. d\r\n\r\n| e |\r\n|---|\r\n\r\n```\r\nf\r\n```\r\n"


def _fields_agree(engine: _Engine) -> bool:
    """Whether reading node fields gives what the getters give, for every node of the probe."""
    lib, getters = engine.lib, engine.node
    data = _PROBE.encode()
    parser = lib.cmark_parser_new(0)
    lib.cmark_parser_attach_syntax_extension(parser, engine.table)
    lib.cmark_parser_attach_syntax_extension(parser, engine.tasklist)
    lib.cmark_parser_feed(parser, data, len(data))
    root = lib.cmark_parser_finish(parser)
    lib.cmark_parser_free(parser)
    try:
        nodes, stack = 0, [root]
        while stack:
            node = stack.pop()
            if any(
                field(node) != getter(node) for field, getter in zip(_FIELDS, getters, strict=True)
            ):
                return False
            nodes += 1
            child = getters.first_child(node)
            while child:
                stack.append(child)
                child = getters.next(child)
        return nodes > 10
    finally:
        lib.cmark_node_free(root)


class _Item:
    """A list item the goals may need: its place, its first line and its box, if any."""

    __slots__ = ("box", "box_line", "heading", "line", "outer", "section", "seq", "title")

    def __init__(self, seq: int, line: int, section: _Section | None, heading: int) -> None:
        self.seq = seq
        self.line = line
        self.box_line = line
        self.section = section
        self.heading = heading
        self.outer: _Item | None = None
        self.title: str | None = None
        self.box: str | None = None


class _Section:
    """A `## Goals` section (or the mentor's): its goal headings and outermost list items."""

    __slots__ = ("headings", "outer_items", "owner")

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.headings: list[tuple[str, int]] = []
        self.outer_items: list[_Item] = []


class _Read(NamedTuple):
    tasks: list[_Item]  # the list items with a box, in body order
    sections: list[_Section]


def _read(text: str, lines: list[str], gitlab: bool) -> _Read:
    """Parse `text` with cmark-gfm and read its items and goal sections (`lines` is its source)."""
    engine = _engine()
    lib = engine.lib
    data = text.encode("utf-8")
    parser = lib.cmark_parser_new(0)
    try:
        lib.cmark_parser_attach_syntax_extension(parser, engine.table)
        if not gitlab:
            lib.cmark_parser_attach_syntax_extension(parser, engine.tasklist)
        lib.cmark_parser_feed(parser, data, len(data))
        root = lib.cmark_parser_finish(parser)
    finally:
        lib.cmark_parser_free(parser)
    try:
        return _Walk(engine, lines, gitlab).run(root)
    finally:
        lib.cmark_node_free(root)


class _Walk:
    """One pass over the block tree in document order (a stack, so nesting costs no recursion).

    Each step down the tree is a call into the C library, the dearest part of reading a body:
    only the blocks that can hold list items are entered, and a node's position is asked for
    only when it is needed.
    """

    def __init__(self, engine: _Engine, lines: list[str], gitlab: bool) -> None:
        node = engine.node
        self.engine = engine
        self.null = engine.ffi.NULL
        self.first_child = node.first_child
        self.next_sibling = node.next
        self.kind_of = node.type
        self.start_line = node.start_line
        self.start_column = node.start_column
        self.end_line = node.end_line
        self.extension = node.extension
        self.table = engine.table_node
        self.lines = lines
        self.gitlab = gitlab
        self.tasks: list[_Item] = []
        self.sections: list[_Section] = []
        self.section: _Section | None = None
        self.heading = -1
        self.seq = 0

    def run(self, root: Any) -> _Read:
        next_sibling, kind_of = self.next_sibling, self.kind_of
        child = self.first_child(root)
        while child:
            kind = kind_of(child)
            if kind in (_LIST, _QUOTE):
                self._container(child, kind)
            elif kind == _HEADING:
                self._on_heading(child)
            child = next_sibling(child)
        return _Read(self.tasks, self.sections)

    def _container(self, node: Any, kind: int) -> None:
        """Read the items of a list or block quote of the document, in order."""
        first_child, next_sibling = self.first_child, self.next_sibling
        kind_of, start_line = self.kind_of, self.start_line
        # (a block, its type, the outermost list item around it, its first line and a line
        # it cannot end after, 0 when unknown), the next to read last
        stack: list[tuple[Any, int, _Item | None, int, int]] = [(node, kind, None, 0, 0)]
        while stack:
            node, kind, outer, line, bound = stack.pop()
            child = first_child(node)
            if kind == _LIST:  # a list holds list items only; each ends before the next starts
                items = []
                while child:
                    items.append((child, start_line(child)))
                    child = next_sibling(child)
                for i in range(len(items) - 1, -1, -1):
                    after = items[i + 1][1] - 1 if i + 1 < len(items) else 0
                    stack.append((items[i][0], _ITEM, outer, items[i][1], after))
                continue
            children: list[tuple[Any, int]] = []
            while child:
                children.append((child, kind_of(child)))
                child = next_sibling(child)
            if kind == _ITEM:
                outer = self._item(node, line, bound, children, outer)
            for child, child_kind in reversed(children):
                if child_kind in (_LIST, _QUOTE):
                    stack.append((child, child_kind, outer, 0, 0))

    def _item(
        self,
        node: Any,
        line: int,
        bound: int,
        children: list[tuple[Any, int]],
        outer: _Item | None,
    ) -> _Item:
        """Record a list item (its title and box); return the outermost item around its blocks."""
        self.seq += 1
        item = _Item(self.seq, line, self.section, self.heading)
        if outer is None:
            outer = item
            if self.section is not None:
                self.section.outer_items.append(item)
        item.outer = outer
        after_box = -1
        if not self.gitlab and self.extension(node):
            item.box, item.box_line, after_box = self._gfm_box(node, line, bound, children)
        if children and self._starts_as_paragraph(children[0][1]):
            first, kind = children[0]
            # the text after a box read on the item's line starts a paragraph there
            text = self.lines[line - 1][after_box:].lstrip(" \t") if after_box >= 0 else ""
            first_line = line
            if not text:
                first_line = self.start_line(first)
                text = self._text(first, first_line)
            # an ATX heading is one line; `# h` after a box is paragraph text (or a setext title)
            atx = (
                _ATX_OPENING.match(text)
                if kind == _HEADING and self.end_line(first) == first_line
                else None
            )
            if atx is not None:
                item.title = _heading_text(text[atx.end() :])
            elif self.gitlab and len(text) >= 4 and _is_gitlab_box(text):
                # GitLab reads the box from the item's first paragraph (comrak's tasklist): one
                # that became a heading or a table has none
                item.title = text[3:]
                if kind == _PARAGRAPH:
                    item.box = text[1]
                    item.box_line = first_line
            else:
                item.title = text
        if item.box is not None:
            self.tasks.append(item)
        return outer

    def _starts_as_paragraph(self, kind: int) -> bool:
        """Whether a block of `kind` began as a paragraph (a setext heading, a table) or is ATX."""
        return kind in (_PARAGRAPH, _HEADING) or kind == self.table

    def _text(self, node: Any, line: int) -> str:
        """The source of `node`'s first line from where the node starts."""
        if line == 0:
            # cmark-gfm gives no position to what remains of a paragraph when a table takes its
            # last line; its content starts at its first line's text
            return self._content(node).split("\n", 1)[0]
        source = self.lines[line - 1]
        column = self.start_column(node) - 1  # in UTF-8 bytes
        if source.isascii():
            return source[column:]
        return source.encode("utf-8")[column:].decode("utf-8", "replace")

    def _content(self, node: Any) -> str:
        """The text of a paragraph or setext heading (never an empty one: cmark-gfm leaves an
        empty heading's content undefined)."""
        content = self.engine.lib.cmark_node_get_string_content(node)
        if content == self.null:
            return ""
        return str(self.engine.ffi.string(content).decode("utf-8", "replace"))

    def _gfm_box(
        self, node: Any, start: int, bound: int, children: list[tuple[Any, int]]
    ) -> tuple[str, int, int]:
        """The box the tasklist extension read last for this item, its line, and where the text
        after it starts when that line is the item's first (else -1).

        The extension reads a box on each line whose block is the item itself when the line is
        read: the item's first line, a line no child block covers, or the first line of a child
        that began as a paragraph. Its own checked state searches the whole line for `[x]`;
        here the box itself decides.
        """
        lines = self.lines
        end = min(bound or self.end_line(node), len(lines))
        found = 0
        if end - start <= _FEW_LINES and not any(map(_GFM_TASK_LINE.match, lines[start:end])):
            found = start  # no later line of the item could set its box again
        else:
            # cmark-gfm may end a block on the line that closed it (a setext heading, on the
            # next paragraph's line): a child's first line is read as its own. After a list,
            # the lines up to the next block are the list's (it stays open), never the item's.
            covered = start - 1
            previous, previous_kind = 0, 0
            for child, kind in children:
                first = self.start_line(child)
                if first == 0:
                    continue  # what remains of a paragraph before a table, which has its line
                if previous_kind != _LIST:
                    for number in range(covered + 1, first):
                        if _GFM_TASK_LINE.match(lines[number - 1]):
                            found = number
                    if (
                        first > previous
                        and self._starts_as_paragraph(kind)
                        and _GFM_TASK_LINE.match(lines[first - 1])
                    ):
                        found = first
                previous, previous_kind = first, kind
                covered = max(covered, self.end_line(child))
            if previous_kind != _LIST:
                for number in range(covered + 1, end + 1):
                    if _GFM_TASK_LINE.match(lines[number - 1]):
                        found = number
        match = _GFM_TASK_LINE.match(lines[found - 1]) if found else None
        if match is None:  # not expected: the extension's own reading of the line
            checked = self.engine.lib.cmark_gfm_extensions_get_tasklist_item_checked(node)
            return ("x" if checked else " "), start, -1
        return match.group(1), found, (match.end(1) + 1 if found == start else -1)

    def _on_heading(self, node: Any) -> None:
        """Headings of the document (not nested in quotes or items) delimit the goal sections."""
        line = self.start_line(node)
        source = self.lines[line - 1].lstrip("\ufeff" if line == 1 else " ").lstrip(" ")
        atx = _ATX_OPENING.match(source)
        if atx is not None:
            text = _heading_text(source[atx.end() :])
        else:  # setext: the content, without the link reference definitions before it
            content = self._content(node).strip(" \t\n")
            text = " ".join(part.strip(" \t") for part in content.split("\n"))
        level = self.engine.lib.cmark_node_get_heading_level(node)
        if level <= 2:
            self.section = None
            self.heading = -1
            owner = _SECTIONS.get(_plain(text).casefold().replace("\u2019", "'"))
            if level == 2 and owner is not None:
                self.section = _Section(owner)
                self.sections.append(self.section)
        elif self.section is not None:
            self.section.headings.append((_plain(text), line))
            self.heading = len(self.section.headings) - 1


def _is_gitlab_box(text: str) -> bool:
    return text[0] == "[" and text[1] in " \txX~" and text[2] == "]" and text[3] in " \t"
