"""The rules: pure planners, one per concern, composed into one plan for a day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from automation import collector
from automation.goals.checklist import Checklist
from automation.lifecycle.actions import (
    Action,
    CloseIssue,
    OpenIssue,
    ReopenIssue,
    Target,
    Urgency,
    if_done,
)
from automation.lifecycle.ledger import PairState
from automation.lifecycle.observed import Observed, tended, withdrawn
from automation.lifecycle.rules import (
    afterwards,
    bookkeeping,
    boxes,
    checkins,
    dashboard,
    ending,
    feedback,
    forms,
    kickoff,
    listed,
    milestones,
    nudges,
    progress,
    quiet,
    requests,
    status,
    turns,
    withdrawal,
)
from automation.lifecycle.rules.pair import Pair
from automation.lifecycle.rules.reasons import Reasons
from automation.messages.templates import Templates
from automation.model import CloseReason, IssueState
from automation.roster.config import Program

Planner = Callable[[Pair], list[Action]]

# Order within a pairing is the order of writes: the issue first, then what refers to it.
PLANNERS: tuple[Planner, ...] = (
    kickoff.plan,
    boxes.plan,  # before what reads the pairing issue: it unticks the boxes it answers
    checkins.plan,
    status.plan,
    milestones.plan,
    progress.plan,
    nudges.plan,
    turns.plan,
    ending.plan,
    afterwards.plan,
    feedback.plan,
)


def plan(
    program: Program,
    observed: Observed,
    today: date,
    templates: Templates,
    reasons: Reasons | None = None,
) -> list[Action]:
    """Every write that brings the forge to what the roster asks for on `today`; with
    `reasons`, also what each rule decided for that pairing, and why."""
    with collector.paused():
        return _plan(program, observed, today, templates, reasons)


def _plan(
    program: Program,
    observed: Observed,
    today: date,
    templates: Templates,
    reasons: Reasons | None,
) -> list[Action]:
    # The labels the forms apply first: each later night's requests depend on them.
    actions: list[Action] = forms.plan(program, observed)
    states: dict[str, tuple[PairState, tuple[str, ...]]] = {}
    checklists: dict[str, Checklist] = {}
    roster_asks: list[boxes.RosterAsk] = []
    tonight = quiet.Tonight(program, observed, today, templates)
    for pairing in tended(program, observed, today):
        why = reasons if reasons is not None and reasons.pairing == pairing.id else None
        pair = Pair(program, pairing, today, observed, templates, reasons=why)
        digest = tonight.digest(pair)
        if why is None and tonight.skips(pair, digest):
            continue
        mine: list[Action] = []
        for planner in PLANNERS:
            planned = planner(pair)
            if why is not None:
                why.decided(rule_name(planner), planned)
            mine += planned
            pair = pair.expecting(planned)
        actions += mine
        asks = boxes.pending(pair)
        roster_asks += asks
        if pair.checklist is not None:
            checklists[pairing.id] = pair.checklist
        kept = bookkeeping.remembered(pair, mine)
        if kept is not None:
            states[pairing.id] = kept
        tonight.planned(pair, digest, mine, changed=kept is not None or bool(asks))
    handles = {p.handle for p in program.people}
    for pairing_id in withdrawn(program, observed):
        entry = withdrawal.pairing_of(pairing_id, handles)
        if entry is None:
            continue
        pair = Pair(program, entry, today, observed, templates)
        mine = withdrawal.plan(pair)
        actions += mine
        done = "removed" if not mine else if_done("removed", [a.key for a in mine])
        states[pairing_id] = (replace(pair.state or PairState(), settled=done), ())
    opened = [a.key for a in actions if isinstance(a, OpenIssue)]
    asked, queue_kept = requests.plan(program, observed, today, templates, opened, roster_asks)
    actions += asked
    actions += _duplicates(observed)
    actions += listed.plan(program, observed)
    actions += bookkeeping.ledgers(program, observed, states)
    # The dashboard shows the forge as every other write of the night leaves it; the
    # program's ledger records its number.
    actions += dashboard.plan(program, observed, today, actions, checklists, tonight)
    actions += bookkeeping.program_record(program, observed, today, actions, queue_kept)
    return _ordered(actions)


def rule_name(planner: Planner) -> str:
    """What people call a rule: its module's name (`nudges`, `ending`)."""
    return planner.__module__.rsplit(".", 1)[-1]


def _ordered(actions: list[Action]) -> list[Action]:
    """An action waits for the issue it acts on, and for its pairing's issue, when this
    plan opens or reopens them: nothing about a pairing happens if its issue could not be
    opened."""
    # issue key -> the key of the action that makes it exist (or open again)
    opened = {a.key: a.key for a in actions if isinstance(a, OpenIssue)}
    opened |= {a.target.key: a.key for a in actions if isinstance(a, ReopenIssue)}
    out: list[Action] = []
    for action in actions:
        target = getattr(action, "target", None)
        needs = [f"pair/{action.pairing}/pairing"]
        if isinstance(target, Target) and (target.number is None or target.key in opened):
            needs.append(target.key)
        found = [opened[k] for k in needs if k in opened]
        waits = [k for k in found if k != action.key and k not in action.after]
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
