"""Kickoff: the pairing issue exists from the start of the term, and is open while it runs.

A pairing the bot meets after its end (a run after a long gap) still gets its issue: the
end of the term closes it in the same run, with its retrospective. A pairing issue the bot
closed at the end of a term is reopened if the roster moves the end later (an extension
added after the fact, an `ended:` taken back); one closed by a person stays closed (see
README, "Closing by hand").

A reopen is told to the pair, once: a comment whose key carries the end taken back. The
end's phase label (`completed`, `ended-early`) is the lasting record that it is owed: it
stays on the reopened issue until the comment is written (rules/status.py waits for it),
so a run killed between the reopen and the comment writes it on the rerun. An extension
added after the end is told by its own `extended` comment (rules/milestones.py): not twice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from automation.lifecycle import retrospectives
from automation.lifecycle.actions import Action, OpenIssue, PostComment, ReopenIssue, Urgency
from automation.lifecycle.observed import local_day
from automation.lifecycle.rules import ending
from automation.lifecycle.rules.agenda import agenda
from automation.lifecycle.rules.pair import Pair
from automation.lifecycle.timeline import Phase
from automation.model import Issue, IssueState


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
    closed_by_bot = ended_label(pair, issue)
    if phase is not Phase.ENDED and closed_by_bot:
        actions: list[Action] = []
        if issue.state is IssueState.CLOSED:
            target = pair.target("pairing")
            actions.append(ReopenIssue(f"{target.key}/reopen", pair.id, target, Urgency.KICKOFF))
        return actions + _why(pair, issue)
    if issue.state is IssueState.CLOSED and phase is not Phase.ENDED:
        return pair.nothing(
            "the pairing issue #{number} was closed by a person: it stays closed",
            number=issue.number,
        )
    return pair.nothing("the pairing issue #{number} exists", number=issue.number)


def ended_label(pair: Pair, issue: Issue) -> bool:
    """Whether the pairing issue carries the phase label of an end (the bot closed it)."""
    return bool(
        {pair.labels.phase("completed"), pair.labels.phase("ended-early")} & set(issue.labels)
    )


def reopen_note(pair: Pair) -> tuple[str, ...]:
    """The key of the comment telling why the pairing issue was reopened, when this plan
    writes it: the pairing issue's labels change only after it (rules/status.py)."""
    issue = pair.pairing_issue
    if issue is None or not ended_label(pair, issue):
        return ()
    # Asked by another rule: kickoff's reasons are told under kickoff only.
    return tuple(a.key for a in _why(replace(pair, reasons=None), issue))


def _why(pair: Pair, issue: Issue) -> list[Action]:
    """The comment that tells the pair why their pairing issue is open again: the roster
    no longer ends the term on the end the bot closed it at."""
    stale = retrospectives.stale(ending.of_pair(pair), pair.timeline.end)
    zone = pair.program.program.timezone
    # The end taken back: the one its newest retrospective was opened for, else the day
    # the bot closed the issue (a retrospective deleted since).
    if stale:
        ended: date | None = stale[-1].opened_for
    elif issue.closed_at is not None:
        ended = local_day(issue.closed_at, zone)
    else:
        ended = None
    if ended is None or ended >= pair.timeline.end:
        return pair.nothing("the pairing issue was reopened: no end taken back to name")
    until = pair.pairing.extended_until
    if pair.timeline.extended and until is not None:
        if pair.labels.extended not in issue.labels:
            return pair.nothing("the extension's own comment tells why the issue is open again")
        said = pair.comment("extended", until.isoformat())
        if said is not None and (not stale or said.created_at >= stale[-1].issue.created_at):
            return pair.nothing("the extension's own comment told why the issue is open again")
    parts = ("reopened", ended.isoformat())
    if pair.comment(*parts) is not None:
        return pair.nothing("the pair were told why the issue is open again")
    key = pair.key(*parts)
    body = pair.text("reopened", key, reopened={"ended": ended})
    return [PostComment(key, pair.id, pair.target("pairing"), body, Urgency.KICKOFF)]
