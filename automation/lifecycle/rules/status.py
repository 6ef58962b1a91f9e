"""The pairing issue's labels while the term runs: phase, stalled and whose turn it is
(and dropping `extended` if the roster no longer extends the term; adding it is the
milestone rule's, after its comment; taking the end's label off a reopened issue waits for
the comment that tells why, rules/kickoff.py)."""

from __future__ import annotations

from automation.lifecycle.actions import Action, Relabel, Urgency
from automation.lifecycle.rules import kickoff, nudges, turns
from automation.lifecycle.rules.pair import Pair
from automation.lifecycle.timeline import Phase


def plan(pair: Pair) -> list[Action]:
    issue = pair.pairing_issue
    phase = pair.timeline.phase(pair.today)
    if issue is None or not pair.pairing_open or phase not in (Phase.ACTIVE, Phase.ENDING_SOON):
        return pair.nothing("labels are kept while the term runs on an open pairing issue")
    labels = pair.labels
    wanted = {labels.phase(phase.value)}
    if pair.timeline.extended and labels.extended in issue.labels:
        wanted.add(labels.extended)
    if nudges.stalled(pair):
        wanted.add(labels.stalled)
    side = turns.awaiting(pair)
    if side is not None:
        wanted.add(labels.awaiting(side))
    owned = {*labels.phases, labels.extended, labels.stalled, *labels.awaitings}
    have = set(issue.labels)
    add = tuple(sorted(wanted - have))
    remove = tuple(sorted((owned & have) - wanted))
    if not add and not remove:
        return pair.nothing("the labels are right: {labels}", labels=", ".join(sorted(wanted)))
    return [
        Relabel(
            pair.key("pairing", "labels"),
            pair.id,
            pair.target("pairing"),
            add,
            remove,
            Urgency.LABELS,
            # A reopened issue keeps its end's label until the pair were told why.
            kickoff.reopen_note(pair),
        )
    ]
