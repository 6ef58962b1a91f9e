"""Private feedback read back: the answers of a feedback form and of a retrospective's
"would recommend", and the figures they add up to. Only scores and yes/no answers are read;
people's words are never.

A form's answers are task items the participant ticks in the issue body (README, "Private
feedback"): one box per score from 0 to 10, and for the mentee a yes and a no box for "is
this pairing a good fit?". Ticking more than one box of a question leaves it unanswered,
since no single answer can be told from it; a box is read as the forge renders it (never in
code blocks, HTML or comments: `automation/goals/checklist.py`).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from automation.goals.checklist import Dialect, parse
from automation.lifecycle import retrospectives
from automation.messages.markdown import HTML_COMMENT, outside_fences

if TYPE_CHECKING:
    from automation.roster.config import Program

MILESTONES = ("midpoint", "end")
ROLES = ("mentee", "mentor")
SCORES = tuple(str(n) for n in range(11))
# The texts of the "good fit" boxes, as the template writes them (case is ignored).
FIT_YES = "yes, a good fit"
FIT_NO = "no, not a good fit"
# A figure over fewer answers than this would show one person's answer: left out.
MIN_ANSWERS = 3

_T = TypeVar("_T")


@dataclass(frozen=True)
class Answers:
    score: int | None = None  # 0-10, or None when unanswered (or ticked ambiguously)
    fit: bool | None = None  # the mentee's "good fit?", None when unanswered or not asked

    @property
    def answered(self) -> bool:
        return self.score is not None


def read_form(body: str, dialect: Dialect) -> Answers:
    """The answers ticked in a feedback form's body."""
    scores: set[int] = set()
    fit: set[bool] = set()
    for step in parse(body, dialect).steps:
        if not step.checked:
            continue
        text = step.text.strip().lower()
        if text in SCORES:
            scores.add(int(text))
        elif text == FIT_YES:
            fit.add(True)
        elif text == FIT_NO:
            fit.add(False)
    return Answers(_one(scores), _one(fit))


def _one(found: set[_T]) -> _T | None:
    return next(iter(found)) if len(found) == 1 else None


# The retrospective's question (templates/issues/retrospective.md) and the two
# sections it is asked in.
_SECTION = re.compile(r"^##\s+(Mentee|Mentor)\b", re.IGNORECASE)
_HEADING = re.compile(r"^#{1,6}\s")
_RECOMMEND = re.compile(r"would i recommend", re.IGNORECASE)
_NEXT_ITEM = re.compile(r"^\s*(\d+[.)]|[-*+]\s)")
_OUT_OF_TEN = re.compile(r"\s*(/|out of)\s*10\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w.])")


def read_recommend(body: str) -> dict[str, int | None]:
    """The mentee's and the mentor's 0-10 "would I recommend" in a retrospective body.

    The answer is what follows the question (the first in each section), on its line after
    the closing `):` and on the lines up to the next list item or heading. It counts when it
    holds exactly one whole number from 0 to 10 ("8", "8/10", "8 out of 10"); anything else
    is unanswered. The body is read as the forge shows it: what an HTML comment hides and
    what a code block quotes are not read, so neither of the pair can answer in the
    other's name unseen; and a role whose section is there twice is unanswered."""
    out: dict[str, int | None] = dict.fromkeys(ROLES)
    asked: set[str] = set()
    sections: list[str] = []
    role: str | None = None
    answer: list[str] | None = None
    for line in _shown_lines(body):
        heading = _HEADING.match(line)
        if answer is not None and role is not None and (heading or _NEXT_ITEM.match(line)):
            out[role] = _score(" ".join(answer))
            answer = None
        if heading:
            section = _SECTION.match(line)
            role = section.group(1).lower() if section else None
            if role is not None:
                sections.append(role)
        elif answer is not None:
            answer.append(line)
        elif role is not None and role not in asked and _RECOMMEND.search(line):
            asked.add(role)
            answer = [line.rsplit("):", 1)[1] if "):" in line else ""]
    if answer is not None and role is not None:
        out[role] = _score(" ".join(answer))
    return {role: None if sections.count(role) > 1 else score for role, score in out.items()}


def _shown_lines(body: str) -> list[str]:
    """The lines of `body` that the forge shows as text: without HTML comments, and
    without the lines of fenced code blocks."""
    return list(outside_fences(re.split(r"\r\n|\r|\n", HTML_COMMENT.sub("", body))))


def _score(text: str) -> int | None:
    numbers = _NUMBER.findall(_OUT_OF_TEN.sub("", text))
    if len(numbers) != 1 or not numbers[0].isdigit():
        return None
    value = int(numbers[0])
    return value if value <= 10 else None


@dataclass(frozen=True)
class FormKey:
    """What a form's key names: `pair/<id>/feedback/<milestone>/<role>`, and for an end
    form the end it was opened for after it (`/<YYYY-MM-DD>`), so that an end the roster
    moves gets forms of its own."""

    pairing: str
    milestone: str
    role: str
    end: date | None  # None for a midpoint form, and an end form opened before ends were kept


def form_key(key: str) -> FormKey | None:
    """The form a bot issue's key names, or None when it names no form."""
    parts = key.split("/")
    if len(parts) not in (5, 6) or parts[0] != "pair" or parts[2] != "feedback":
        return None
    if parts[3] not in MILESTONES or parts[4] not in ROLES:
        return None
    end = None
    if len(parts) == 6:
        if parts[3] != "end":
            return None
        try:
            end = date.fromisoformat(parts[5])
        except ValueError:
            return None
    return FormKey(parts[1], parts[3], parts[4], end)


@dataclass(frozen=True)
class Form:
    """One feedback form as read back: when, whose role, what was ticked."""

    milestone: str
    role: str
    answers: Answers


def forms_of(
    issues: Mapping[str, Any], dialect: Dialect, ends: Mapping[str, date] | None = None
) -> list[Form]:
    """The feedback forms among the bot's issues by key (`form_key`). With `ends` (pairing
    id -> its end as the roster says), an end form opened for an earlier end, one the
    roster took back, is left out: the real end's form is that term's answer."""
    out = []
    for key, issue in sorted(issues.items()):
        found = form_key(key)
        if found is None:
            continue
        end = (ends or {}).get(found.pairing)
        if found.end is not None and end is not None and found.end < end:
            continue
        out.append(Form(found.milestone, found.role, read_form(issue.body, dialect)))
    return out


def figures(forms: Iterable[Form], recommend: Iterable[tuple[str, int | None]]) -> dict[str, Any]:
    """Counts, medians and means per milestone and role, and the share of mentees who
    answered that the pairing is not a good fit; the retrospectives' "would recommend" per
    role. A median or mean over fewer than MIN_ANSWERS answers is None (README)."""
    forms = list(forms)
    groups = []
    for milestone in MILESTONES:
        for role in ROLES:
            mine = [f.answers for f in forms if f.milestone == milestone and f.role == role]
            if not mine:
                continue
            fits = [a.fit for a in mine if a.fit is not None]
            group = {"milestone": milestone, "role": role, "forms": len(mine)}
            group |= _stats([a.score for a in mine if a.score is not None])
            if role == "mentee":
                misfit = sum(not fit for fit in fits)
                share = round(misfit / len(fits), 3) if len(fits) >= MIN_ANSWERS else None
                group |= {"fit_answered": len(fits), "not_a_good_fit": share}
            groups.append(group)
    recommend = list(recommend)
    recommended = [
        {"role": role, **_stats([s for r, s in recommend if r == role and s is not None])}
        for role in ROLES
    ]
    return {"min_answers": MIN_ANSWERS, "forms": groups, "recommend": recommended}


def _stats(scores: list[int]) -> dict[str, Any]:
    enough = len(scores) >= MIN_ANSWERS
    return {
        "answered": len(scores),
        "median": float(statistics.median(scores)) if enough else None,
        "mean": round(statistics.fmean(scores), 1) if enough else None,
    }


def read_back(
    issues: Mapping[str, Any],
    dialect: Dialect,
    ends: Mapping[str, date] | None = None,
    zone: str = "UTC",
) -> dict[str, Any]:
    """The figures of every feedback form and retrospective among the bot's issues by key
    (an `Observed.issues`); `ends` as `forms_of` takes them, and for the retrospectives:
    a pairing's is the one of the end the roster holds, not one of an end taken back
    (`retrospectives.current`; without its end, the newest). `zone` is the program's time
    zone, in which a retrospective without its end in its key was opened."""
    recommend = [
        (role, score)
        for retro in _retrospectives(issues, ends or {}, zone)
        for role, score in read_recommend(retro.issue.body).items()
    ]
    return figures(forms_of(issues, dialect, ends), recommend)


def _retrospectives(
    issues: Mapping[str, Any], ends: Mapping[str, date], zone: str
) -> list[retrospectives.Retrospective]:
    """Each pairing's retrospective of the end the roster holds, by pairing id."""
    keys: dict[str, list[str]] = {}
    for key in sorted(issues):
        named = retrospectives.end_of(key)
        if named is not None:
            keys.setdefault(named[0], []).append(key)
    out = []
    for pairing, found in sorted(keys.items()):
        each = retrospectives.of(issues, tuple(found), pairing, zone)
        end = ends.get(pairing)
        chosen = retrospectives.current(each, end) if end is not None else each[-1]
        if chosen is not None:
            out.append(chosen)
    return out


def program_read_back(program: Program, issues: Mapping[str, Any]) -> dict[str, Any]:
    """`read_back` of a program's issues by key, its pairings' ends as the roster holds them."""
    settings = program.program
    ends = {p.id: p.end(settings) for p in program.pairings}
    return read_back(issues, Dialect(program.forge.api_flavour), ends, settings.timezone)
