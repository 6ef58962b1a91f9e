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
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from automation.goals.feedback import ROLES, Answers, read_form
from automation.lifecycle.actions import Action, CloseIssue, OpenIssue, PostComment, Target, Urgency
from automation.lifecycle.observed import CATCH_UP_DAYS, local_day, part_of
from automation.lifecycle.rules.pair import Pair
from automation.messages.context import feedback_form
from automation.model import CloseReason, Issue, IssueState
from automation.roster.config import FeedbackRules


def plan(pair: Pair) -> list[Action]:
    rules = pair.program.program.feedback
    if rules is None:
        return pair.nothing("no feedback forms (program.feedback is not set)")
    if pair.program.forge.api_flavour == "github":
        return pair.nothing("no feedback forms on GitHub")
    timeline = pair.timeline
    actions: list[Action] = []
    for milestone, day, wanted in (
        ("midpoint", timeline.midpoint, rules.midpoint and pair.today < timeline.end),
        ("end", timeline.end, rules.end),
    ):
        for role in ROLES:
            parts = ("feedback", milestone, role)
            issue = pair.observed.issues.get(pair.key(*parts))
            if issue is not None:
                if issue.state is IssueState.OPEN:
                    actions += _read_back(pair, rules, parts, issue)
            elif wanted and pair.pairing_issue is not None and pair.within(day, CATCH_UP_DAYS):
                actions.append(_open(pair, milestone, role))
    if not actions:
        pair.nothing(
            "forms at the midpoint ({midpoint}) and the end ({end})",
            midpoint=timeline.midpoint,
            end=timeline.end,
        )
    return actions


def _open(pair: Pair, milestone: str, role: str) -> OpenIssue:
    key = pair.key("feedback", milestone, role)
    # Not the program's label: listing the pairings must not page through every form.
    draft = pair.draft(
        "feedback", key, (pair.labels.feedback,), form=feedback_form(milestone, role)
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
    actions: list[Action] = []
    after: tuple[str, ...] = ()
    key = pair.key(*parts, "answered")
    if pair.comment(*parts, "answered") is None:  # a rerun after a lost close: said already
        form = feedback_form(parts[1], parts[2]) | {
            "score": answers.score,
            "fit": answers.fit,
            "reasons": _reasons(answers, rules.low_score),
        }
        coordinators = list(pair.program.program.coordinators)
        body = pair.text("feedback-answered", key, form=form, coordinators=coordinators)
        actions.append(PostComment(key, pair.id, target, body, Urgency.MILESTONE))
        after = (key,)
    close = pair.key(*parts, "close")
    actions.append(
        CloseIssue(close, pair.id, target, CloseReason.COMPLETED, Urgency.MILESTONE, after)
    )
    return actions


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
