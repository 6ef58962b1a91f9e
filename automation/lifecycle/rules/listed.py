"""The bot's issues keep the labels the night's listings find them by.

Someone who may label issues (GitHub's triage, GitLab's Reporters) can take them off. The
run then reads each by the number its ledger records (night/observe.py) and puts the
labels back, where a run that took the issue for missing would open a second one, or
forget what a ledger issue remembers.
"""

from __future__ import annotations

from automation.lifecycle.actions import Action, Relabel, Target, Urgency
from automation.lifecycle.labels import Labels
from automation.lifecycle.observed import Observed, labels_of, pairing_of
from automation.roster.config import Program


def plan(program: Program, observed: Observed) -> list[Action]:
    labels = Labels(program.program.label_prefix)
    actions: list[Action] = []
    for key, issue in sorted(observed.issues.items()):
        missing = tuple(label for label in labels_of(key, labels) if label not in issue.labels)
        if missing:
            target = Target(key, issue.number)
            pairing = pairing_of(key) or ""
            actions.append(Relabel(f"{key}/listed", pairing, target, missing, (), Urgency.LABELS))
    return actions
