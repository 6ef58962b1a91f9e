"""Kickoff: the pairing issue exists from the start of the term."""

from __future__ import annotations

from automation.actions import Action, OpenIssue, Urgency
from automation.rules.pair import Pair
from automation.timeline import Phase


def plan(pair: Pair) -> list[Action]:
    if pair.pairing_issue is not None or pair.timeline.phase(pair.today) is Phase.ENDED:
        return []
    if pair.timeline.phase(pair.today) is Phase.UPCOMING:
        return []
    labels = pair.labels
    key = pair.key("pairing")
    draft = pair.draft("pairing", key, (labels.program, labels.phase("active")))
    return [OpenIssue(key, pair.id, draft, Urgency.KICKOFF)]
