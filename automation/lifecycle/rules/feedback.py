"""Private feedback forms: one for each participant at the midpoint and at the end, read
back once answered (README, "Private feedback").

A form is a confidential issue assigned to its participant alone, so only they and the
coordinators see it (GitLab; on GitHub every reader of a repository reads all its issues,
so there are no forms there). Opening it is a one-time message: within CATCH_UP_DAYS of its
day or not at all. Once a score is ticked the run comments on the form and closes it: the
comment thanks the participant and, when the score is low or the mentee answers that the
pairing is not a good fit, mentions the coordinators (on the form itself, so it stays
private). Every answered form gets the same two writes, so no output that counts writes
tells a low score; and a closed form is not read again, so the coordinators are told once.
A form nobody answers is closed as not planned `feedback.open_days` after it opened.

An end form's key carries the end it was opened for. When the roster moves the end past
it (an `ended:` taken back or changed, an extension added after the end), the form is
closed as not planned with a word of why, unless it was answered (then it is read back
like any other: an answer is never dropped), and the real end opens fresh forms, which
are the ones the report counts. The run finds such a form by the ledger's number, since
forms are listed only near the milestones (observed.forms_of_a_moved_end).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from automation.goals.feedback import ROLES, Answers, form_key, read_form
from automation.lifecycle.actions import (
    Action,
    CloseIssue,
    OpenIssue,
    Target,
    Urgency,
    if_done,
)
from automation.lifecycle.observed import CATCH_UP_DAYS, local_day, part_of
from automation.lifecycle.rules.pair import Pair
from automation.messages.context import feedback_form
from automation.model import CloseReason, Issue, IssueState
from automation.roster.config import FeedbackRules
from automation.roster.handles import same_handle


def plan(pair: Pair) -> list[Action]:
    rules = pair.program.program.feedback
    if rules is None:
        return pair.nothing("no feedback forms (program.feedback is not set)")
    if pair.program.forge.api_flavour == "github":
        return pair.nothing("no feedback forms on GitHub")
    timeline = pair.timeline
    actions: list[Action] = []
    for role in ROLES:
        midpoint: tuple[str, ...] = ("feedback", "midpoint", role)
        issue = pair.observed.issues.get(pair.key(*midpoint))
        if issue is not None:
            if issue.state is IssueState.OPEN:
                actions += _read_back(pair, rules, midpoint, issue)
        elif rules.midpoint and pair.today < timeline.end and _due(pair, timeline.midpoint):
            actions.append(_open(pair, midpoint))
    for role in ROLES:
        current = False
        for parts, opened_for, form in _end_forms(pair, role):
            if opened_for >= timeline.end:
                current = True  # opened on or after the end the roster says
                if form.state is IssueState.OPEN:
                    actions += _read_back(pair, rules, parts, form)
            elif form.state is IssueState.OPEN:
                actions += _moved(pair, rules, parts, opened_for, form)
        if not current and rules.end and _due(pair, timeline.end):
            actions.append(_open(pair, ("feedback", "end", role, timeline.end.isoformat())))
    if not actions:
        pair.nothing(
            "forms at the midpoint ({midpoint}) and the end ({end})",
            midpoint=timeline.midpoint,
            end=timeline.end,
        )
    return actions


def _due(pair: Pair, day: date) -> bool:
    return pair.pairing_issue is not None and pair.within(day, CATCH_UP_DAYS)


def _end_forms(pair: Pair, role: str) -> list[tuple[tuple[str, ...], date, Issue]]:
    """The pairing's end forms of `role` seen tonight: the parts of each key, the end it
    was opened for, the issue. A key without its end (written by an older version) was
    opened for the end that held on the day it opened, or shortly before."""
    zone = pair.program.program.timezone
    found = []
    for key in pair.observed.by_pairing.get(pair.id, ()):
        if "/feedback/end/" not in key:
            continue  # most of a pairing's issues: not worth reading the key
        form = form_key(key)
        if form is None or form.milestone != "end" or form.role != role:
            continue
        issue = pair.observed.issues[key]
        opened_for = form.end or local_day(issue.created_at, zone)
        found.append((tuple(key.split("/")[2:]), opened_for, issue))
    return found


def _open(pair: Pair, parts: tuple[str, ...]) -> OpenIssue:
    """A form: `parts` are `feedback`, the milestone, the role, and for the end the end's
    date, so that an end the roster moves gets forms of its own."""
    key = pair.key(*parts)
    milestone, role = parts[1], parts[2]
    # Not the program's label: listing the pairings must not page through every form.
    draft = pair.draft(
        "feedback",
        key,
        (pair.labels.feedback,),
        form=feedback_form(milestone, role, _other_sees(pair, role), bool(_outside(pair))),
    )
    # Private whatever a template override says: its participant alone, confidential.
    draft = replace(draft, assignees=(getattr(pair.pairing, role),), confidential=True)
    return OpenIssue(key, pair.id, draft, Urgency.MILESTONE)


def _read_back(
    pair: Pair, rules: FeedbackRules, parts: tuple[str, ...], issue: Issue
) -> list[Action]:
    answers = read_form(issue.body, pair.dialect)
    target = pair.target(*parts)
    if not answers.answered:
        opened = local_day(issue.created_at, pair.program.program.timezone)
        if pair.today < opened + timedelta(days=rules.open_days):
            return []
        key = pair.key(*parts, "close")
        return [CloseIssue(key, pair.id, target, CloseReason.NOT_PLANNED, Urgency.HOUSEKEEPING)]
    form = feedback_form(parts[1], parts[2]) | {
        "score": answers.score,
        "fit": answers.fit,
        "reasons": _reasons(answers, rules.low_score),
    }
    # A coordinator who is one of the pair is not told of the other's answer.
    coordinators = _outside(pair)
    return pair.said_and_closed(
        parts,
        "answered",
        lambda key: pair.text("feedback-answered", key, form=form, coordinators=coordinators),
        CloseReason.COMPLETED,
        Urgency.MILESTONE,
    )


def _outside(pair: Pair) -> list[str]:
    """The coordinators who are not one of the pair."""
    ours = (pair.pairing.mentor, pair.pairing.mentee)
    return [
        c for c in pair.program.program.coordinators if not any(same_handle(c, h) for h in ours)
    ]


def _other_sees(pair: Pair, role: str) -> bool:
    """Whether the other of the pair is a coordinator, who sees every form (GitLab gives
    the coordinators Reporter access, which reads confidential issues)."""
    other = pair.pairing.mentor if role == "mentee" else pair.pairing.mentee
    return any(same_handle(other, c) for c in pair.program.program.coordinators)


def _moved(
    pair: Pair, rules: FeedbackRules, parts: tuple[str, ...], opened_for: date, issue: Issue
) -> list[Action]:
    """An open end form of an end the roster no longer holds: the term went on past it.
    An answer on it is kept (thanked and closed as completed, like any answered form, and
    the coordinators told of a low score); one not answered is closed as not planned with
    a word of why, and the real end opens a form of its own."""
    if read_form(issue.body, pair.dialect).answered:
        return _read_back(pair, rules, parts, issue)
    again = rules.end and pair.today < pair.timeline.end + timedelta(days=CATCH_UP_DAYS)
    form = feedback_form(parts[1], parts[2]) | {"opened_for": opened_for, "again": again}
    return pair.said_and_closed(
        parts,
        "moved",
        lambda key: pair.text("feedback-moved", key, form=form),
        CloseReason.NOT_PLANNED,
        Urgency.HOUSEKEEPING,
    )


def retired(pair: Pair, mine: list[Action]) -> tuple[str, ...]:
    """What the ledger keeps as retired after the plan `mine` (`PairState.retired`): the
    end forms of an end the roster no longer holds that are closed, or that `mine` closes
    (recorded only if that close is done)."""
    if pair.program.program.feedback is None:
        return pair.state.retired if pair.state else ()  # no forms: none to retire
    # part -> what the ledger writes for it, in the order of the parts
    kept = {part: part for part in pair.state.retired} if pair.state else {}
    closing = {a.key for a in mine if isinstance(a, CloseIssue)}
    end = pair.timeline.end
    for role in ROLES:
        for parts, opened_for, issue in _end_forms(pair, role):
            part = "/".join(parts)
            close = pair.key(*parts, "close")
            if opened_for >= end or part in kept:
                continue
            if issue.state is IssueState.CLOSED:
                kept[part] = part
            elif close in closing:
                kept[part] = if_done(part, [close])
    return tuple(kept[part] for part in sorted(kept))


def _reasons(answers: Answers, low_score: int) -> list[str]:
    reasons = []
    if answers.score is not None and answers.score <= low_score:
        reasons.append(f"a score of {answers.score} (the program's low mark is {low_score})")
    if answers.fit is False:
        reasons.append("that the pairing is not a good fit")
    return reasons


def open_forms(pair: Pair, mine: list[Action]) -> bool:
    """Whether a form of the pairing is open after the plan `mine` (which may open or close
    some): its term is not settled while one is, so the run keeps reading it."""
    closing = {a.key for a in mine if isinstance(a, CloseIssue)}
    opening = any(isinstance(a, OpenIssue) and part_of(a.key) == "feedback" for a in mine)
    return opening or any(
        issue.state is IssueState.OPEN and f"{key}/close" not in closing
        for key in pair.observed.by_pairing.get(pair.id, ())
        if part_of(key) == "feedback" and (issue := pair.observed.issues[key])
    )


def close_open(pair: Pair) -> list[Action]:
    """Close the pairing's open forms as not planned (a pairing taken out of the roster)."""
    return [
        CloseIssue(
            f"{key}/close",
            pair.id,
            Target(key, issue.number),
            CloseReason.NOT_PLANNED,
            Urgency.HOUSEKEEPING,
        )
        for key in pair.observed.by_pairing.get(pair.id, ())
        if part_of(key) == "feedback"
        and (issue := pair.observed.issues[key]).state is IssueState.OPEN
    ]
