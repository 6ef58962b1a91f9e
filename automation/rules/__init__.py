"""The rules: pure planners, one per concern, composed into one plan for a day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from automation.actions import Action, CloseIssue, OpenIssue, Target, Urgency
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
            planned = planner(pair)
            actions += planned
            pair = pair.expecting(planned)
    actions += _duplicates(observed)
    return _ordered(actions)


def _ordered(actions: list[Action]) -> list[Action]:
    """An action waits for the issue it acts on, and for its pairing's issue, when this
    plan opens them: nothing about a pairing happens if its issue could not be opened."""
    opened = {a.key for a in actions if isinstance(a, OpenIssue)}
    out: list[Action] = []
    for action in actions:
        target = getattr(action, "target", None)
        needs = [f"pair/{action.pairing}/pairing"]
        if isinstance(target, Target) and target.number is None:
            needs.append(target.key)
        waits = [k for k in needs if k in opened and k != action.key and k not in action.after]
        if waits:
            action = replace(action, after=(*action.after, *dict.fromkeys(waits)))
        out.append(action)
    return out


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
