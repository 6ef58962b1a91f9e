"""Kickoff: the pairing issue exists from the start of the term, and is open while it runs.

A pairing the bot meets after its end (a run after a long gap) still gets its issue: the
end of the term closes it in the same run, with its retrospective. A pairing issue the bot
closed at the end of a term is reopened if the roster moves the end later (an extension
added after the fact); one closed by a person stays closed (see README, "Closing by hand").
"""

from __future__ import annotations

from automation.lifecycle.actions import Action, OpenIssue, ReopenIssue, Urgency
from automation.lifecycle.rules.agenda import agenda
from automation.lifecycle.rules.pair import Pair
from automation.lifecycle.timeline import Phase
from automation.model import IssueState


def plan(pair: Pair) -> list[Action]:
    phase = pair.timeline.phase(pair.today)
    if phase is Phase.UPCOMING:
        return pair.nothing("the term starts {start}", start=pair.timeline.start)
    labels = pair.labels
    issue = pair.pairing_issue
    if issue is None:
        key = pair.key("pairing")
        # The pairing issue is the agenda of the period the bot met the pair in: the first
        # meeting's, unless it met them under way. A change of mentor: the new issue links
        # the old one and carries its unfinished goals, copied once here (the old issue is
        # never rewritten).
        meeting = agenda(pair, pair.timeline.first_counted_period)
        draft = pair.draft(
            "pairing",
            key,
            (labels.program, labels.phase("active")),
            agenda=meeting,
            follows=pair.follows(),
        )
        return [OpenIssue(key, pair.id, draft, Urgency.KICKOFF)]
    closed_by_bot = bool(
        {labels.phase("completed"), labels.phase("ended-early")} & set(issue.labels)
    )
    if phase is not Phase.ENDED and issue.state is IssueState.CLOSED and closed_by_bot:
        target = pair.target("pairing")
        return [ReopenIssue(f"{target.key}/reopen", pair.id, target, Urgency.KICKOFF)]
    if issue.state is IssueState.CLOSED and phase is not Phase.ENDED:
        return pair.nothing(
            "the pairing issue #{number} was closed by a person: it stays closed",
            number=issue.number,
        )
    return pair.nothing("the pairing issue #{number} exists", number=issue.number)
