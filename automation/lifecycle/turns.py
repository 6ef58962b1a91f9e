"""Whose turn it is: the questions a pair asks each other, and which one waits for an answer.

A comment *asks* when its author's own prose has a question mark ending a word: a `?` after
a letter, digit or closing mark and before a space, a line end or closing punctuation
(`Is Friday OK?`, `(or Monday?)`); or when it makes an explicit ask: an open task item
(`- [ ] send me the draft`) or a line that starts with a label for one (`Ask:`, `Request:`,
`Action:`, `Action item:`, `Next step:`, `To do:`, `TODO:`, `For you:`, `Your turn`),
after a list marker or emphasis if any. Text that is not theirs or not prose does not count:
quoted lines (`> ...`), fenced and indented code, code spans and HTML comments, nor a `?`
inside a word or a link (`https://example.com/?q=1`). The text is only read, never quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from automation.messages.markdown import HTML_COMMENT, outside_fences

SIDES = ("mentor", "mentee")

_LINES = re.compile(r"\r\n|\r|\n")
_INDENTED = re.compile(r"^(?: {4}|\t)")
_QUOTED = re.compile(r"^ {0,3}>")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_QUESTION = re.compile(r"(?<=[\w)\]\"'*_])\?+(?=[\s)\]\"'*_.,!:;]|$)")
_ASK = re.compile(
    r"^ {0,3}(?:[-*+] +|\d{1,9}[.)] +)?(?:\[ \] +\S"
    r"|[*_]{0,2}(?:ask|request|action(?: items?)?|next steps?|to ?do|for you)[*_]{0,2} *:"
    r"|[*_]{0,2}your turn\b)",
    re.IGNORECASE,
)


def asks(text: str) -> bool:
    """Whether a comment asks a question, by the rule in this module's docstring."""
    code = blank = True  # indented code starts after a blank line, never inside a paragraph
    for line in outside_fences(_LINES.split(HTML_COMMENT.sub(" ", text))):
        code = bool(_INDENTED.match(line)) and (blank or code) and bool(line.strip())
        blank = not line.strip()
        if code or _QUOTED.match(line):
            continue
        prose = _CODE_SPAN.sub(" ", line)
        if _QUESTION.search(prose) or _ASK.match(prose):
            return True
    return False


def other(side: str) -> str:
    return "mentee" if side == "mentor" else "mentor"


@dataclass(frozen=True)
class Turn:
    """A question of one side that the other has not answered: `waiting` is the side whose
    turn it is, `asked` when the first question of the run of unanswered ones was asked."""

    waiting: str
    asked: datetime


def after(turn: Turn | None, side: str, asking: bool, at: datetime) -> Turn | None:
    """Whose turn it is after `side` commented at `at` (comments taken in order).

    Any comment by the side a question waits for answers it; a further question of the
    side that asked is part of the same wait, counted from the first."""
    if turn is not None and turn.waiting != side:
        return turn
    return Turn(other(side), at) if asking else None
