"""Check-ins: one per period from the second period on, carrying open action items forward.

The kickoff issue is the agenda of the first meeting; check-in N opens on the first day of
period N (or the first run after) and the previous check-in issue is closed once it exists.
"""

from __future__ import annotations

from typing import Any

from automation.actions import Action, CloseIssue, OpenIssue, PostComment, Target, Urgency
from automation.checklist import parse
from automation.context import Link
from automation.model import CloseReason, IssueState
from automation.rules.pair import Pair


def carried_items(body: str, pair: Pair) -> list[str]:
    """Unfinished task items of the previous check-in: its action items and carried ones."""
    return [step.text for step in parse(body, pair.dialect).steps if not step.checked]


def plan(pair: Pair) -> list[Action]:
    period = pair.timeline.period(pair.today)
    # A check-in links its pairing issue, so it waits for one that exists: a rerun after a
    # crash must write the same words as an uninterrupted run would have.
    pairing_issue = pair.observed.issues.get(pair.key("pairing"))
    if period is None or period < 2 or pairing_issue is None:
        return []
    if pairing_issue.state is not IssueState.OPEN:
        return []
    if pair.program.program.checkin_style == "comment":
        return _comment(pair, period)
    return _issue(pair, period)


def _context(pair: Pair, period: int, previous: Link | None, carried: list[str]) -> dict[str, Any]:
    timeline = pair.timeline
    return {
        "checkin": {
            "number": period,
            "starts": timeline.period_start(period),
            "ends": timeline.period_end(period),
            "carried": carried,
            "previous": previous,
        },
        "goals": pair.goals(),
    }


def _comment(pair: Pair, period: int) -> list[Action]:
    key = pair.key("checkin", str(period))
    if pair.comment("checkin", str(period)) is not None:
        return []
    previous = pair.comment("checkin", str(period - 1))
    carried = carried_items(previous.body, pair) if previous else []
    body = pair.text("checkin-comment", key, **_context(pair, period, None, carried))
    return [PostComment(key, pair.id, pair.target("pairing"), body, Urgency.CHECKIN)]


def _issue(pair: Pair, period: int) -> list[Action]:
    key = pair.key("checkin", str(period))
    actions: list[Action] = []
    previous = pair.issue("checkin", str(period - 1))
    if pair.issue("checkin", str(period)) is None:
        carried = carried_items(previous.body, pair) if previous else []
        link = Link(previous.number, previous.url) if previous else None
        labels = (pair.labels.checkin,)
        draft = pair.draft("checkin", key, labels, **_context(pair, period, link, carried))
        actions.append(OpenIssue(key, pair.id, draft, Urgency.CHECKIN))
    for number in range(1, period):
        old = pair.issue("checkin", str(number))
        if old is not None and old.state is IssueState.OPEN:
            target = Target(pair.key("checkin", str(number)), old.number)
            actions.append(
                CloseIssue(
                    f"{target.key}/close",
                    pair.id,
                    target,
                    CloseReason.COMPLETED,
                    Urgency.CHECKIN,
                    after=(key,),
                )
            )
    return actions
