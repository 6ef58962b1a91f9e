"""Markdown pieces the bot writes into issues: people's words made inert, table rows,
plurals; and people's words made inert in the CSV files coordinators open."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# A zero-width space after a sigil stops the forges' reference and mention filters, which
# match on the rendered text (GitHub and GitLab alike), while the text reads the same.
# Renovate quotes user text the same way. Quoting quoted text changes nothing (check-ins
# carry items from check-in to check-in): the first rule drops every zero-width space, and
# the others put them back where they were, and escape no pipe or backtick twice.
ZWSP = "\u200b"
# Characters that change how the text around them reads while showing nothing: the bidi
# controls (embeddings, overrides, isolates, marks; an unbalanced right-to-left override
# turns the bot's own words after it around) and the zero-width ones (which would hide
# a sigil from the rules below). Dropped, not escaped: Markdown has no visible escape for
# them, and an entity renders as the character itself. The only zero-width spaces in
# quoted text are thus the ones the rules below put there.
# The control characters too, but line feeds and tabs: a terminal runs the escape
# sequences they start (a goal title in `progress` or `history` would clear a
# coordinator's screen or write to their clipboard).
INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (INVISIBLE, ""),
    (re.compile(r"^\s+|\s+$"), ""),  # what was only shown apart by an invisible character
    (re.compile(r"\s+"), " "),  # one line: no line-start quick action, list or heading
    # @user, @all, @group; #12, !12 (merge requests), ~label, %milestone, $snippet, &epic
    # and &#64; (an entity that would render as @), ![image] (a remote picture); at the end
    # too, where the bot's own text goes on ("@" then "." from a template). An "@" after a
    # letter or digit mentions nobody on either forge (GitLab's user reference pattern
    # starts with (?<!\w), GitHub's mentions with a non-word character): an e-mail address
    # stays one.
    (re.compile(r"((?<!\w)@|[#!~%$&])(?=[\w\"&#\[\\|`.-]|$)"), r"\1" + ZWSP),
    (re.compile(r"(?<=:)(?=//)"), ZWSP),  # URLs: a link to an issue cross-references it
    (re.compile("<"), "<" + ZWSP),  # no HTML: <!-- would hide the bot's text
    # no table cell split, no code span, no link (`[text](//host)`, `[text](http:x)`):
    # escaped unless a backslash of its own escapes it already (an odd number before it;
    # an even number are backslashes written out)
    (re.compile(r"(?<!\\)((?:\\\\)*)([|`\[])"), r"\1\\\2"),
    (re.compile(r"\\$"), "\\" + ZWSP),  # a trailing backslash would escape what follows
    (re.compile(r"^/"), ZWSP + "/"),  # a quick action needs / first
)
# What any rule above would change: a text without it (most handles, names and titles)
# is already inert, and is not run through every rule.
_ACTIVE = re.compile(rf"[^\S ]| {{2}}|[@#!~%$&<|`\\\[]|://|^/|{INVISIBLE.pattern}")


def inert(text: str) -> str:
    """People's words, quoted in what the bot writes, made unable to act: one line that
    mentions nobody, references and closes nothing, runs no quick action, opens no HTML,
    code span, link or table cell, and turns no text around (bidi controls, zero-width
    and control characters are dropped)."""
    out = text.strip()
    if _ACTIVE.search(out) is None:
        return out
    for pattern, replacement in _RULES:
        out = pattern.sub(replacement, out)
    return out


def visible(text: str) -> str:
    """`text` without the invisible characters that change how it reads or what a terminal
    does (`INVISIBLE`): for people's words shown where Markdown is not (the report's HTML
    escapes the rest; a terminal shows the rest as it is)."""
    return INVISIBLE.sub("", text)


def row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def as_kept(text: str) -> str:
    """`text` as any forge keeps it: GitLab drops carriage returns and trailing white space
    from descriptions and notes, so two texts are the same when these are."""
    lines = text.replace("\r", "").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def cell(value: str) -> str:
    """Words in a table cell: inert, so one line with no pipe to split the row."""
    return inert(value)


# A spreadsheet reads a cell that starts with one of these as a formula: `=HYPERLINK(...)`
# as a topic would run when a coordinator opens the CSV (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: str) -> str:
    """Words in a CSV cell: shown, never run as a formula (a leading `'` tells the
    spreadsheet the cell is text, as OWASP advises; Excel, LibreOffice and Google Sheets
    alike hide it)."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


# An HTML comment, which the forges show nothing of; an unclosed one hides the rest.
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def outside_fences(lines: Iterable[str]) -> Iterator[str]:
    """The lines that are not fenced code, nor a fence's opening or closing line."""
    fence: str | None = None
    for line in lines:
        opening = _FENCE.match(line)
        if fence is not None:
            if opening is not None and _closes(opening, fence, line):
                fence = None
        elif opening is not None:
            fence = opening.group(1)
        else:
            yield line


def _closes(opening: re.Match[str], fence: str, line: str) -> bool:
    """A fence closes with the same character, at least as long, nothing after it."""
    mark = opening.group(1)
    return mark[0] == fence[0] and len(mark) >= len(fence) and not line[opening.end() :].strip()


def plural(n: int) -> str:
    return "" if n == 1 else "s"
