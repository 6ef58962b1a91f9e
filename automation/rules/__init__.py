"""The rules: pure planners, one per concern, composed into one plan for a day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from automation.actions import Action, CloseIssue, Target, Urgency
from automation.config import Program
from automation.model import CloseReason, IssueState
from automation.observe import Observed, live
from automation.rules import checkins, ending, kickoff, milestones, nudges, status
from automation.rules.pair import Pair
from automation.templates import Templates

Planner = Callable[[Pair], list[Action]]

# Order within a pairing is the order of writes: the issue first, then what refers to it.
PLANNERS: tuple[Planner, ...] = (
    kickoff.plan,
    checkins.plan,
    status.plan,
    milestones.plan,
    nudges.plan,
    ending.plan,
)


def plan(program: Program, observed: Observed, today: date, templates: Templates) -> list[Action]:
    """Every write that brings the forge to what the roster asks for on `today`."""
    actions: list[Action] = []
    for pairing in live(program, today):
        pair = Pair(program, pairing, today, observed, templates)
        for planner in PLANNERS:
            actions += planner(pair)
    actions += _duplicates(observed)
    return actions


def _duplicates(observed: Observed) -> list[Action]:
    """Two runs at once can both open an issue; the newer copy is closed as not planned."""
    actions: list[Action] = []
    for issue in observed.duplicates:
        if issue.state is IssueState.OPEN:
            key = f"duplicate/{issue.number}"
            actions.append(
                CloseIssue(
                    key,
                    "",
                    Target(key, issue.number),
                    CloseReason.NOT_PLANNED,
                    Urgency.HOUSEKEEPING,
                )
            )
    return actions
