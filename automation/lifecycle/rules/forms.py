"""The labels the request and offer forms apply, created before anyone opens a form.

A form applies only labels that exist (GitHub's issue forms skip an unknown label, GitLab's
`/label` quick action too), and the run finds requests and offers by those labels: on a new
program a request opened before they exist would go unseen. The program's ledger records
them once made or found, so only the nights before that list the project's labels
(night/observe.py); a label deleted later is `mentorship doctor`'s to report.
"""

from __future__ import annotations

from collections.abc import Sequence

from automation.lifecycle import ledger
from automation.lifecycle.actions import Action, CreateLabel, Urgency, if_done
from automation.lifecycle.labels import Labels, Made
from automation.lifecycle.observed import Observed
from automation.roster.config import Program


def wanted(program: Program) -> tuple[Made, ...]:
    """The labels the forms apply, with their colours and descriptions."""
    return Labels(program.program.label_prefix).forms


def unknown(program: Program, observed: Observed) -> bool:
    """Whether the ledger does not record every label the forms apply as made: then the
    run lists the project's labels (one paged read)."""
    return not {made.name for made in wanted(program)} <= observed.labels_made


def plan(program: Program, observed: Observed) -> list[Action]:
    """Create each label the forms apply that the project's labels, as listed tonight,
    lack; nothing when they were not listed (the ledger records them as made)."""
    existing = observed.label_names
    if existing is None:
        return []
    return [
        CreateLabel(key(made.name), "", made.name, made.color, made.description, Urgency.KICKOFF)
        for made in wanted(program)
        if made.name not in existing
    ]


def key(name: str) -> str:
    return f"label/{name}"


def recorded(program: Program, observed: Observed, actions: Sequence[Action]) -> str | None:
    """What the program's ledger keeps of the labels after this plan: their names once
    they exist, which tonight's creations must all succeed for (`if_done`: one that fails
    leaves null, and the next run lists the labels again); None when nothing is known."""
    names = ledger.labels_value(made.name for made in wanted(program))
    if not unknown(program, observed):
        return names
    if observed.label_names is None:
        return ledger.labels_value(observed.labels_made) if observed.labels_made else None
    creates = [a.key for a in actions if isinstance(a, CreateLabel)]
    return if_done(names, creates) if creates else names
