"""Markdown task lists -> goals and progress, read the way GitHub or GitLab renders them."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum
from typing import TypedDict

# What counts as a task item is decided by block structure, so this module carries a line-oriented
# port of the CommonMark block parser that GitHub uses (cmark-gfm 0.29.0.gfm.13, `src/blocks.c`
# with the `table` and `tasklist` extensions): container blocks (block quotes, lists and list
# items), leaf blocks (fenced and indented code, HTML blocks 1-7, thematic breaks, ATX and setext
# headings, paragraphs, GFM tables) and lazy continuation lines, with CommonMark tab stops. Inline
# markup is never parsed: no task marker can come from it. Every loop is iterative and every
# regular expression is linear, so hostile bodies cost time proportional to their size.
#
# https://spec.commonmark.org/0.31.2/#phase-1-block-structure
# https://github.github.com/gfm/#task-list-items-extension-
# https://github.com/github/cmark-gfm/blob/master/extensions/tasklist.c


class Dialect(StrEnum):
    GITHUB = "github"
    GITLAB = "gitlab"


@dataclass(frozen=True)
class Step:
    text: str
    checked: bool
    line: int  # 1-based line of the task item in the body


@dataclass(frozen=True)
class Goal:
    title: str
    steps: tuple[Step, ...]
    due: str | None = None  # ISO date read from "by YYYY-MM-DD" in the title
    line: int = 0  # 1-based line of the goal's heading or list item

    @property
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


def parse(body: str, dialect: Dialect = Dialect.GITHUB) -> Checklist:
    """Read the task items of `body` as `dialect` renders them, grouped into goals.

    GitHub: a list item whose line starts with its marker, then `[ ]`, `[x]` or `[X]` and a space
    or tab (cmark-gfm's tasklist extension). GitLab: a list item whose first paragraph starts with
    a box and a space or tab; `[x]`/`[X]` is checked, a space or tab unchecked, and `[~]`
    (inapplicable) is left out of every count. Items in code, HTML blocks and tables never count.
    """
    reader = _Reader(dialect is Dialect.GITLAB)
    lines = _LINE_BREAK.split(body.replace("\x00", "\ufffd"))
    if lines[-1] == "":
        lines.pop()  # a final line break ends the last line; it does not start a new one
    first = _front_matter_end(lines) + 1 if dialect is Dialect.GITLAB else 0
    reader.line_number = first
    for line in lines[first:]:
        reader.feed(line)
    return _assemble(reader)


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


def fingerprint(checklist: Checklist) -> str:
    """A short digest of every task item's text and state: it changes when someone ticks a
    box, unticks one or edits a step, and not when anything else in the body changes."""
    text = "\n".join(f"{int(step.checked)}{step.text}" for step in checklist.steps)
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=8).hexdigest()


# --- goals -----------------------------------------------------------------------------------

MENTEE, MENTOR = "mentee", "mentor"
# The level-2 headings that open a goal section, as `_plain` reads them (casefolded, with a
# typographic apostrophe read as a straight one), and whose goals they hold.
_SECTIONS = {"goals": MENTEE, "mentor's goals": MENTOR, "mentor goals": MENTOR}


def _assemble(reader: _Reader) -> Checklist:
    """Turn the task items and sections the reader saw into steps and goals."""
    items = sorted(reader.tasks, key=lambda item: item.seq)
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
    for section in reader.sections:
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
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _plain(text: str) -> str:
    """`text` without markdown decoration: links keep their text, emphasis and code marks go."""
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


# --- block structure ---------------------------------------------------------------------------

# Split on CR LF, CR and LF only: str.splitlines() would also break on U+2028, VT, FF and others,
# which CommonMark treats as ordinary characters (https://spec.commonmark.org/0.31.2/#line-ending).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

_TAB_STOP = 4
_CODE_INDENT = 4
# After this many blocks opened in one line, cmark-gfm reads no more list markers on it
# (blocks.c MAX_LIST_DEPTH), so `- - - ... [ ] x` nests no deeper.
_MAX_LIST_DEPTH = 100
# cmark-gfm ends a table whose short rows would need more invented cells than this (table.c).
_MAX_AUTOCOMPLETED_CELLS = 0x80000
_MAX_TABLE_COLUMNS = 0xFFFF

# cmark-gfm's `_scan_tasklist`, matched against the whole source line, not the item's content: a
# marker that is not the first thing on its line (`> - [ ] a`, `- - [ ] a`) never makes a task.
# The generated scanner accepts `[X]` and `spacechar` is [ \t\v\f]; `[0-9]+.` takes any single
# byte after the digits, which a non-ASCII character never is.
_GFM_TASK_LINE = re.compile(
    r"[ \t\v\f]*(?:[-+*]|[0-9]+[\x00-\x09\x0b-\x7f])[ \t\v\f]+\[([ xX])\][ \t\v\f]"
)
_SPACES_TABS = re.compile(r"[ \t]*")
_HTML_SPACE = frozenset(" \t\v\f\r\n")
_DELIMITER_ROW = re.compile(
    r"\|?[ \t\v\f]*:?-+:?[ \t\v\f]*(?:\|[ \t\v\f]*:?-+:?[ \t\v\f]*)*(?:\|[ \t\v\f]*)?\n"
)
_HTML_BLOCK_1 = frozenset({"script", "pre", "style", "textarea"})
_HTML_BLOCK_1_END = ("</script>", "</pre>", "</style>", "</textarea>")
_HTML_BLOCK_6 = frozenset(
    {
        "address", "article", "aside", "base", "basefont", "blockquote", "body", "caption",
        "center", "col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2",
        "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "iframe", "legend", "li", "link",
        "main", "menu", "menuitem", "nav", "noframes", "ol", "optgroup", "option", "p", "param",
        "section", "source", "title", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "track", "ul",
    }
)  # fmt: skip
_HTML_END = ("", "", "-->", "?>", ">", "]]>")  # what ends HTML blocks of types 2-5
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_:][A-Za-z0-9:._-]*")
_UNQUOTED_VALUE = re.compile(r"[^ \t\r\n\v\f\"'=<>`\x00]+")
_ALNUM = re.compile(r"[A-Za-z0-9]*")
_DIGITS = "0123456789"


class _Kind(IntEnum):
    """The blocks that can stay open from one line to the next."""

    DOCUMENT = 0
    QUOTE = 1
    LIST = 2
    ITEM = 3
    CODE = 4
    HTML = 5
    PARAGRAPH = 6
    TABLE = 7


_DOCUMENT, _QUOTE, _LIST, _ITEM = _Kind.DOCUMENT, _Kind.QUOTE, _Kind.LIST, _Kind.ITEM
_CODE, _HTML, _PARAGRAPH, _TABLE = _Kind.CODE, _Kind.HTML, _Kind.PARAGRAPH, _Kind.TABLE
_CONTAINERS = frozenset({_DOCUMENT, _QUOTE, _ITEM})


class _Item:
    """A list item the goals may need: its place, its first line and its box, if any."""

    __slots__ = ("box", "box_line", "heading", "line", "listed", "outer", "section", "seq", "title")

    def __init__(self, seq: int, line: int, section: _Section | None, heading: int) -> None:
        self.seq = seq
        self.line = line
        self.box_line = line
        self.section = section
        self.heading = heading
        self.outer: _Item | None = None
        self.title: str | None = None
        self.box: str | None = None
        self.listed = False


class _Section:
    """A `## Goals` section (or the mentor's): its goal headings and outermost list items."""

    __slots__ = ("headings", "outer_items", "owner")

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.headings: list[tuple[str, int]] = []
        self.outer_items: list[_Item] = []


class _Block:
    """An open block: what the next lines need to know to continue or close it."""

    __slots__ = (
        "columns",
        "fence_char",
        "fence_length",
        "fence_offset",
        "has_child",
        "html_type",
        "item",
        "kind",
        "lines",
        "list_key",
        "nonempty",
        "outer",
        "reach",
        "rows",
        "task_item",
        "visited",
        "width",
    )

    def __init__(self, kind: _Kind, parent: _Block | None) -> None:
        self.kind = kind
        self.has_child = False
        # the outermost list item around this block, and how many columns of indentation the
        # items around it take: both inherited, so nothing walks up the open blocks
        self.outer: _Item | None = parent.outer if parent is not None else None
        self.reach: int = parent.reach if parent is not None else 0
        self.item: _Item | None = None
        self.width = 0
        self.list_key = ""
        self.fence_char = ""
        self.fence_length = 0
        self.fence_offset = 0
        self.html_type = 0
        self.lines: list[str] = []
        self.visited = False
        self.task_item: _Item | None = None
        self.columns = 0
        self.rows = 0
        self.nonempty = 0


def _can_contain(parent: _Kind, child: _Kind) -> bool:
    if parent is _LIST:
        return child is _ITEM
    return parent in _CONTAINERS and child is not _ITEM


class _Reader:
    """Reads a body line by line, keeping the chain of open blocks (cmark's S_process_line)."""

    def __init__(self, gitlab: bool) -> None:
        self.gitlab = gitlab
        self.stack: list[_Block] = [_Block(_DOCUMENT, None)]
        self.line = "\n"
        self.line_number = 0
        self.offset = 0
        self.column = 0
        self.first_nonspace = 0
        self.first_nonspace_column = 0
        self.indent = 0
        self.blank = False
        self.partially_consumed_tab = False
        self.thematic_break_kill_pos = 0
        self.container = 0  # index in `stack` of the block the line's text goes to
        self.opened = False  # whether this line opened a block
        self.previous_whitespace = False
        self.item_count = 0
        self.tasks: list[_Item] = []
        self.sections: list[_Section] = []
        self.section: _Section | None = None
        self.heading = -1

    # -- one line ---------------------------------------------------------------------------

    def feed(self, text: str) -> None:
        self.line = line = text + "\n"
        self.offset = self.column = self.first_nonspace = self.first_nonspace_column = 0
        self.thematic_break_kill_pos = self.indent = 0
        self.blank = self.partially_consumed_tab = self.opened = False
        if self.line_number == 0 and line.startswith("\ufeff"):
            self.offset = 1
        self.line_number += 1
        whitespace = not text or (text[0] in " \t" and not text.strip(" \t"))
        if whitespace and self.previous_whitespace:
            self._repeat_blank()
            return
        self.previous_whitespace = whitespace
        matched = self._match_open_blocks()
        if matched < 0:
            return
        self.container = matched
        self._open_new_blocks(matched)
        self._add_text(matched)

    def _repeat_blank(self) -> None:
        """A whitespace-only line after another: only an item with no content yet can end.

        The first blank line already closed every block that a blank line closes (block quotes,
        paragraphs, tables, HTML blocks 6-7), so the rest all continue; checking them again would
        make runs of blank lines under deep nesting quadratic.
        """
        top = self.stack[-1]
        if top.kind is _ITEM and not top.has_child:
            self._find_first_nonspace()
            if self.first_nonspace_column < top.reach:
                self.stack.pop()

    # -- cursor (blocks.c S_find_first_nonspace / S_advance_offset) ---------------------------

    def _find_first_nonspace(self) -> None:
        line = self.line
        if self.first_nonspace <= self.offset:
            start = self.offset
            end = start if line[start] not in " \t" else _skip_spaces_tabs(line, start)
            column = self.column
            if end == start:
                pass
            elif line.find("\t", start, end) < 0:
                column += end - start
            else:
                for c in line[start:end]:
                    column += _TAB_STOP - column % _TAB_STOP if c == "\t" else 1
            self.first_nonspace = end
            self.first_nonspace_column = column
        self.indent = self.first_nonspace_column - self.column
        self.blank = line[self.first_nonspace] == "\n"

    def _advance(self, count: int, columns: bool) -> None:
        line = self.line
        last = len(line)
        while count > 0 and self.offset < last:
            if line[self.offset] == "\t":
                to_tab = _TAB_STOP - self.column % _TAB_STOP
                if columns:
                    self.partially_consumed_tab = to_tab > count
                    step = min(count, to_tab)
                    self.column += step
                    if not self.partially_consumed_tab:
                        self.offset += 1
                    count -= step
                else:
                    self.partially_consumed_tab = False
                    self.column += to_tab
                    self.offset += 1
                    count -= 1
            else:
                self.partially_consumed_tab = False
                self.offset += 1
                self.column += 1
                count -= 1

    def _advance_to_first_nonspace(self) -> None:
        self.offset = self.first_nonspace
        self.column = self.first_nonspace_column
        self.partially_consumed_tab = False

    def _advance_to(self, position: int) -> None:
        """Advance over plain characters (a block marker) up to `position`."""
        if self.offset < self.first_nonspace <= position:
            self._advance_to_first_nonspace()
        if self.line.find("\t", self.offset, position) >= 0:
            self._advance(position - self.offset, False)
        elif position > self.offset:
            self.column += position - self.offset
            self.offset = position
            self.partially_consumed_tab = False

    def _skip_rest(self) -> None:
        """Consume the rest of the line: the block that took it needs nothing more from it."""
        self.offset = len(self.line) - 1
        self.partially_consumed_tab = False

    # -- blocks.c check_open_blocks ----------------------------------------------------------

    def _match_open_blocks(self) -> int:
        """Index of the last open block the line continues, or -1 if a closing fence ate it."""
        stack = self.stack
        line = self.line
        for i in range(1, len(stack)):
            block = stack[i]
            kind = block.kind
            self._find_first_nonspace()
            if kind is _QUOTE:
                if self.indent > 3 or line[self.first_nonspace] != ">":
                    return i - 1
                self._advance(self.indent + 1, True)
                if line[self.offset] in " \t":
                    self._advance(1, True)
            elif kind is _ITEM:
                if self.indent >= block.width:
                    self._advance(block.width, True)
                elif self.blank and block.has_child:
                    self._advance_to_first_nonspace()
                else:
                    return i - 1
            elif kind is _CODE:
                if block.fence_length:
                    if self.indent <= 3 and line[self.first_nonspace] == block.fence_char:
                        length = _closing_fence(line, self.first_nonspace)
                        if length >= block.fence_length:
                            del stack[i:]
                            return -1
                    skip = block.fence_offset
                    while skip > 0 and line[self.offset] in " \t":
                        self._advance(1, True)
                        skip -= 1
                elif self.indent >= _CODE_INDENT:
                    self._advance(_CODE_INDENT, True)
                elif self.blank:
                    self._advance_to_first_nonspace()
                else:
                    return i - 1
            elif kind is _HTML:
                if block.html_type >= 6 and self.blank:
                    return i - 1
            elif kind is _PARAGRAPH:
                if self.blank:
                    return i - 1
            elif kind is _TABLE and _row_width(line, self.first_nonspace) == 0:
                return i - 1
            # a list continues as long as its items may: it never fails by itself
        return len(stack) - 1

    # -- blocks.c open_new_blocks ------------------------------------------------------------

    def _open_new_blocks(self, matched: int) -> None:
        stack = self.stack
        line = self.line
        maybe_lazy = stack[-1].kind is _PARAGRAPH
        all_matched = matched == len(stack) - 1
        depth = 0
        while True:
            block = stack[self.container]
            kind = block.kind
            if kind is _CODE or kind is _HTML:
                return
            depth += 1
            self._find_first_nonspace()
            indented = self.indent >= _CODE_INDENT
            position = self.first_nonspace
            c = line[position]
            if not indented and c == ">":
                self._advance_to(position + 1)
                if line[self.offset] in " \t":
                    self._advance(1, True)
                self._add_child(_QUOTE)
            elif not indented and c == "#" and (length := _atx_heading_start(line, position)):
                level = line.count("#", position, position + length)
                text = _heading_text(line[position + length : -1])
                parent = self._close_into(_PARAGRAPH)
                if parent.kind is _ITEM and not parent.has_child and parent.item is not None:
                    parent.item.title = text
                parent.has_child = True
                self._on_heading(parent, level, text, self.line_number)
                self._skip_rest()
                return
            elif not indented and c in "`~" and (length := _opening_fence(line, position)):
                code = self._add_child(_CODE)
                code.fence_char = c
                code.fence_length = length
                code.fence_offset = position - self.offset
                self._advance_to(position + length)
            elif (
                not indented
                and c == "<"
                and (
                    (html_type := _html_block_start(line, position))
                    or (
                        kind is not _PARAGRAPH
                        and (html_type := _html_block_start_7(line, position))
                    )
                )
            ):
                self._add_child(_HTML).html_type = html_type
            elif (
                not indented
                and kind is _PARAGRAPH
                and c in "=-"
                and (level := _setext_level(line, position))
            ):
                self._setext(block, level)
                return
            elif (
                not indented
                and not (kind is _PARAGRAPH and not all_matched)
                and self.thematic_break_kill_pos <= position
                and c in "*-_"
                and self._thematic_break(position)
            ):
                # a rule (like a heading) goes wherever a paragraph could, and ends there
                self._close_into(_PARAGRAPH).has_child = True
                self._skip_rest()
                return
            elif (
                (not indented or kind is _LIST)
                and self.indent < 4
                and depth < _MAX_LIST_DEPTH
                and (c in "*-+" or c in _DIGITS)
                and self._list_item(block, position)
            ):
                pass
            elif indented and not maybe_lazy and not self.blank:
                self._advance(_CODE_INDENT, True)
                self._add_child(_CODE)
            else:
                # the extensions, in cmark-gfm's order: table, then tasklist; both end the line's
                # block starts (https://github.com/github/cmark-gfm/blob/master/src/blocks.c)
                if not indented and kind is _PARAGRAPH:
                    self._table_header(block, position)
                elif not indented and kind is _TABLE:
                    self._table_row(block, position)
                elif kind is _ITEM and not self.gitlab:
                    self._gfm_task(block)
                return
            if stack[self.container].kind is _PARAGRAPH:
                return
            maybe_lazy = False

    def _add_child(self, kind: _Kind) -> _Block:
        """blocks.c add_child: close what cannot hold `kind`, then open it as the container."""
        parent = self._close_into(kind)
        parent.has_child = True
        # quotes in quotes carry no state: one object serves a whole run of `>>>>`
        child = parent if kind is _QUOTE and parent.kind is _QUOTE else _Block(kind, parent)
        self.stack.append(child)
        self.container = len(self.stack) - 1
        return child

    def _close_into(self, kind: _Kind) -> _Block:
        """Close the blocks the line did not continue, then up to one that can hold `kind`."""
        stack = self.stack
        del stack[self.container + 1 :]
        while not _can_contain(stack[-1].kind, kind):
            stack.pop()
        self.container = len(stack) - 1
        self.opened = True
        return stack[-1]

    def _list_item(self, container: _Block, position: int) -> bool:
        """blocks.c parse_list_marker plus the padding rules; opens the list and the item."""
        line = self.line
        interrupts = container.kind is _PARAGRAPH
        c = line[position]
        if c in "*-+":
            end = position + 1
            if line[end] not in " \t\n":
                return False
            if interrupts and line[_skip_spaces_tabs(line, end)] == "\n":
                return False
            key = c
        else:
            end = position
            start = 0
            digits = 0
            while True:
                start = start * 10 + ord(line[end]) - 48
                end += 1
                digits += 1
                if digits >= 9 or line[end] not in _DIGITS:
                    break
            if interrupts and start != 1:
                return False
            delimiter = line[end]
            if delimiter not in ".)":
                return False
            end += 1
            if line[end] not in " \t\n":
                return False
            if interrupts and line[_skip_spaces_tabs(line, end)] == "\n":
                return False
            key = delimiter
        matched = end - position
        marker_offset = self.indent
        self._advance_to(end)
        saved = (self.offset, self.column, self.partially_consumed_tab)
        while self.column - saved[1] <= 5 and line[self.offset] in " \t":
            self._advance(1, True)
        spaces = self.column - saved[1]
        if spaces >= 5 or spaces < 1 or line[self.offset] == "\n":
            padding = matched + 1
            self.offset, self.column, self.partially_consumed_tab = saved
            if spaces > 0:
                self._advance(1, True)
        else:
            padding = matched + spaces
        if container.kind is not _LIST or container.list_key != key:
            self._add_child(_LIST).list_key = key
        block = self._add_child(_ITEM)
        block.list_key = key
        block.width = marker_offset + padding
        block.reach += block.width
        self._open_item(block)
        return True

    def _thematic_break(self, position: int) -> bool:
        line = self.line
        c = line[position]
        count = 1
        i = position + 1
        while True:
            nxt = line[i]
            if nxt == c:
                count += 1
            elif nxt not in " \t":
                break
            i += 1
        if count >= 3 and nxt == "\n":
            return True
        self.thematic_break_kill_pos = i
        return False

    def _setext(self, paragraph: _Block, level: int) -> None:
        """A `===`/`---` line under a paragraph makes it a heading, unless only link
        reference definitions were in it (then the line is paragraph text)."""
        rest = _strip_link_reference_definitions("\n".join(paragraph.lines) + "\n")
        if not rest.strip(" \t\n"):
            paragraph.lines = []
            return  # the underline goes into the emptied paragraph, as cmark does
        if paragraph.task_item is not None:
            paragraph.task_item.box = None  # GitLab: an item starting with a heading is no task
        self.stack.pop()
        self.container = len(self.stack) - 1
        parent = self.stack[-1]
        text = " ".join(part.strip(" \t") for part in rest.strip(" \t\n").split("\n"))
        self._on_heading(parent, level, text, self.line_number - len(paragraph.lines))
        self._skip_rest()

    def _table_header(self, paragraph: _Block, position: int) -> None:
        """table.c try_opening_table_header: a delimiter row under a header row of equal width."""
        line = self.line
        if paragraph.visited or _DELIMITER_ROW.match(line, position) is None:
            return
        delimiter = _row_width(line, position)
        if not delimiter:
            return
        header_line = paragraph.lines[-1] + "\n"
        header = _row_width(header_line, 0)
        if header != delimiter:
            paragraph.visited = True
            return
        if len(paragraph.lines) == 1 and paragraph.task_item is not None:
            paragraph.task_item.box = None  # GitLab: the item now starts with a table
        paragraph.kind = _TABLE
        paragraph.lines = []
        paragraph.columns = header
        paragraph.rows = 1
        paragraph.nonempty = header
        self._skip_rest()

    def _table_row(self, table: _Block, position: int) -> None:
        if self.blank:
            return
        if table.columns * table.rows - table.nonempty > _MAX_AUTOCOMPLETED_CELLS:
            return
        width = _row_width(self.line, position)
        if not width:
            return
        table.rows += 1
        table.nonempty += min(width, table.columns)
        self._skip_rest()

    def _gfm_task(self, item: _Block) -> None:
        """The tasklist extension: the whole line must start `marker box space`."""
        match = _GFM_TASK_LINE.match(self.line)
        if match is None:
            return
        self._flag(item, match.group(1))
        self._advance(3, False)

    # -- blocks.c add_text_to_container -----------------------------------------------------

    def _add_text(self, matched: int) -> None:
        stack = self.stack
        self._find_first_nonspace()
        if (
            not self.opened
            and len(stack) - 1 != matched
            and not self.blank
            and stack[-1].kind is _PARAGRAPH
        ):
            stack[-1].lines.append(self._rest())  # a lazy continuation line
            return
        del stack[self.container + 1 :]
        block = stack[-1]
        kind = block.kind
        if kind is _CODE:
            return
        if kind is _HTML:
            if block.html_type <= 5 and _html_block_ends(
                block.html_type, self.line, self.first_nonspace
            ):
                stack.pop()
            return
        if self.blank:
            return
        self._advance_to_first_nonspace()
        if kind is _PARAGRAPH:
            block.lines.append(self._rest())
            return
        first = block.kind is _ITEM and not block.has_child
        paragraph = self._add_child(_PARAGRAPH)
        text = self._rest()
        paragraph.lines.append(text)
        if first and block.item is not None:
            self._first_paragraph(block, paragraph, text)

    def _rest(self) -> str:
        """The line from the cursor, with a partly consumed tab's remaining columns as spaces."""
        if self.partially_consumed_tab:
            spaces = " " * (_TAB_STOP - self.column % _TAB_STOP)
            return spaces + self.line[self.offset + 1 : -1]
        return self.line[self.offset : -1]

    # -- items, tasks and sections ------------------------------------------------------------

    def _open_item(self, block: _Block) -> None:
        self.item_count += 1
        item = _Item(self.item_count, self.line_number, self.section, self.heading)
        block.item = item
        if block.outer is None:
            block.outer = item
            if self.section is not None:
                self.section.outer_items.append(item)
        item.outer = block.outer

    def _first_paragraph(self, block: _Block, paragraph: _Block, text: str) -> None:
        item = block.item
        if item is None:
            return
        # GitLab reads the box from the item's first paragraph (comrak's tasklist)
        if self.gitlab and len(text) >= 4 and _is_gitlab_box(text):
            self._flag(block, text[1])
            paragraph.task_item = item
            text = text[3:]
        item.title = text

    def _flag(self, block: _Block, box: str) -> None:
        item = block.item
        if item is None:
            return
        if not item.listed:
            item.listed = True
            self.tasks.append(item)
        # cmark-gfm lets a later line of the item set its box again; the last one decides
        item.box = box
        item.box_line = self.line_number

    def _on_heading(self, parent: _Block, level: int, text: str, line: int) -> None:
        """Headings of the document (not nested in quotes or items) delimit the goal sections."""
        if parent.kind is not _DOCUMENT:
            return
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


# --- line scanners (cmark-gfm scanners.re, ext_scanners.re) -------------------------------------


def _is_gitlab_box(text: str) -> bool:
    return text[0] == "[" and text[1] in " \txX~" and text[2] == "]" and text[3] in " \t"


def _skip_spaces_tabs(line: str, i: int) -> int:
    return _end_of(_SPACES_TABS, line, i)


def _end_of(pattern: re.Pattern[str], line: str, i: int) -> int:
    """Where `pattern`, which may match nothing, stops matching from `line[i]`."""
    match = pattern.match(line, i)
    return match.end() if match is not None else i


def _atx_heading_start(line: str, position: int) -> int:
    end = position
    while end < len(line) and line[end] == "#" and end - position < 7:
        end += 1
    if not 1 <= end - position <= 6 or line[end] not in " \t\n":
        return 0
    if line[end] == "\n":
        return end - position + 1
    return _skip_spaces_tabs(line, end) - position


def _opening_fence(line: str, position: int) -> int:
    c = line[position]
    end = position
    while line[end] == c:
        end += 1
    if end - position < 3:
        return 0
    if c == "`" and line.find("`", end) >= 0:
        return 0  # a backtick fence's info string cannot hold a backtick
    return end - position


def _closing_fence(line: str, position: int) -> int:
    c = line[position]
    end = position
    while line[end] == c:
        end += 1
    if end - position < 3 or line[_skip_spaces_tabs(line, end)] != "\n":
        return 0
    return end - position


def _setext_level(line: str, position: int) -> int:
    c = line[position]
    end = position
    while line[end] == c:
        end += 1
    if line[_skip_spaces_tabs(line, end)] != "\n":
        return 0
    return 1 if c == "=" else 2


def _html_block_start(line: str, position: int) -> int:
    """HTML block types 1-6 (CommonMark 4.6), as cmark-gfm scans them."""
    if line.startswith("<!--", position):
        return 2
    if line.startswith("<?", position):
        return 3
    if line.startswith("<!", position):
        nxt = line[position + 2]
        if "A" <= nxt <= "Z":
            return 4
        if line[position + 2 : position + 9].upper() == "[CDATA[":
            return 5
        return 0
    start = position + 1
    closing = line[start] == "/"
    name_end = _end_of(_ALNUM, line, start + closing)
    name = line[start + closing : name_end].lower()
    after = line[name_end]
    if not closing and name in _HTML_BLOCK_1 and (after in _HTML_SPACE or after == ">"):
        return 1
    if name in _HTML_BLOCK_6 and (
        after in _HTML_SPACE or after == ">" or line.startswith("/>", name_end)
    ):
        return 6
    return 0


def _html_block_start_7(line: str, position: int) -> int:
    """HTML block type 7: one complete open or closing tag alone on its line."""
    i = position + 1
    if line[i] == "/":
        name = _TAG_NAME.match(line, i + 1)
        if name is None:
            return 0
        i = _skip_html_space(line, name.end())
        if line[i] != ">":
            return 0
        i += 1
    else:
        name = _TAG_NAME.match(line, i)
        if name is None:
            return 0
        i = name.end()
        while True:
            spaced = _skip_html_space(line, i)
            attribute = _ATTRIBUTE_NAME.match(line, spaced) if spaced > i else None
            if attribute is None:
                i = spaced
                break
            i = attribute.end()
            j = _skip_html_space(line, i)
            if line[j] == "=":
                j = _skip_html_space(line, j + 1)
                value_end = _attribute_value_end(line, j)
                if value_end < 0:
                    return 0
                i = value_end
        if line[i] == "/":
            i += 1
        if line[i] != ">":
            return 0
        i += 1
    return 7 if not line[i:-1].strip(" \t\f") else 0


def _skip_html_space(line: str, i: int) -> int:
    while line[i] in _HTML_SPACE and i < len(line) - 1:
        i += 1
    return i


def _attribute_value_end(line: str, i: int) -> int:
    quote = line[i]
    if quote in "'\"":
        end = line.find(quote, i + 1, len(line) - 1)
        return end + 1 if end >= 0 else -1
    unquoted = _UNQUOTED_VALUE.match(line, i)
    return unquoted.end() if unquoted is not None else -1


def _html_block_ends(html_type: int, line: str, position: int) -> bool:
    if html_type == 1:
        rest = line[position:].lower()
        return any(end in rest for end in _HTML_BLOCK_1_END)
    return line.find(_HTML_END[html_type], position) >= 0


def _row_width(line: str, position: int) -> int:
    """Cells in a one-line GFM table row (table.c row_from_string), 0 when it is no row."""
    last = len(line) - 1  # the line's "\n"
    i = position
    if line[i] == "|":
        i += 1
        while i < last and line[i] in " \t\v\f":
            i += 1
    cells = 0
    while i < last:
        start = i
        while i < last:
            c = line[i]
            if c == "|":
                break
            i += 2 if c == "\\" and line[i + 1] == "|" else 1
        has_pipe = i < last
        if i > start or has_pipe:
            cells += 1
        if has_pipe:
            i += 1
            while i < last and line[i] in " \t\v\f":
                i += 1
    return cells if cells <= _MAX_TABLE_COLUMNS else 0


# --- link reference definitions (cmark inlines.c cmark_parse_reference_inline) ------------------


def _strip_link_reference_definitions(content: str) -> str:
    """`content` without the link reference definitions that open it.

    Only needed to decide whether a paragraph under a setext underline has any text left.
    """
    position = 0
    while position < len(content) and content[position] == "[":
        end = _link_reference_definition(content, position)
        if end <= position:
            break
        position = end
    return content[position:]


def _link_reference_definition(text: str, i: int) -> int:
    """End of the definition starting at `text[i]`, or -1."""
    n = len(text)
    label_start = i + 1
    j = label_start
    while j < n and text[j] not in "[]":
        j += 2 if text[j] == "\\" and j + 1 < n and text[j + 1] in _ASCII_PUNCTUATION else 1
        if j - label_start > 1000:
            return -1
    if j >= n or text[j] != "]" or not text[label_start:j].strip(" \t\n"):
        return -1
    j += 1
    if j >= n or text[j] != ":":
        return -1
    j = _spaces_and_newline(text, j + 1)
    url_end = _link_destination_end(text, j)
    if url_end < 0:
        return -1
    before_title = url_end
    j = _spaces_and_newline(text, url_end)
    title_end = _link_title_end(text, j) if j != before_title else -1
    if title_end >= 0:
        end = _line_end_after_spaces(text, title_end)
        if end >= 0:
            return end
    return _line_end_after_spaces(text, before_title)


def _spaces_and_newline(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in " \t":
        i += 1
    if i < n and text[i] == "\n":
        i += 1
        while i < n and text[i] in " \t":
            i += 1
    return i


def _line_end_after_spaces(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in " \t":
        i += 1
    if i >= n:
        return i
    return i + 1 if text[i] == "\n" else -1


def _link_destination_end(text: str, i: int) -> int:
    n = len(text)
    if i < n and text[i] == "<":
        j = i + 1
        while j < n:
            c = text[j]
            if c == ">":
                return j + 1 if j + 1 < n else -1
            if c == "\\":
                j += 2
            elif c in "\n<":
                return -1
            else:
                j += 1
        return -1
    depth = 0
    j = i
    while j < n:
        c = text[j]
        if c == "\\" and j + 1 < n and text[j + 1] in _ASCII_PUNCTUATION:
            j += 2
        elif c == "(":
            depth += 1
            j += 1
            if depth > 32:
                return -1
        elif c == ")":
            if depth == 0:
                break
            depth -= 1
            j += 1
        elif c in " \t\n\r":
            if j == i:
                return -1
            break
        else:
            j += 1
    # cmark-gfm 0.29 accepts unbalanced "(" and control characters here; the spec does not
    return j if j < n else -1


def _link_title_end(text: str, i: int) -> int:
    """End of the longest link title at `text[i]` (quotes or parentheses), or -1.

    Tracks every position an escape-or-not reading can reach, so it is linear where a
    backtracking pattern would be exponential.
    """
    n = len(text)
    if i >= n or text[i] not in "\"'(":
        return -1
    close = ")" if text[i] == "(" else text[i]
    forbidden = "()" if close == ")" else close
    best = -1
    reachable = {i + 1}
    j = i + 1
    while j < n and reachable:
        if j in reachable:
            c = text[j]
            if c == close:
                best = j + 1
            if c not in forbidden:
                reachable.add(j + 1)
            if c == "\\" and j + 1 < n and text[j + 1] in _ASCII_PUNCTUATION:
                reachable.add(j + 2)
            reachable.discard(j)
        j += 1
    return best
