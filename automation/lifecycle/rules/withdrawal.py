"""A pairing taken out of the roster: its issues are closed as not planned, with a note.

The bot knows the pairings it tended from its ledger; one the roster no longer has (and
whose moved start date does not explain, see observe.renames) is closed out once: a note
on its pairing issue, the bot's phase and status labels taken off, the issue and every
open check-in and feedback form closed. No retrospective: the pairing did not end, it was withdrawn.
"""

from __future__ import annotations

from automation.lifecycle.actions import Action, CloseIssue, PostComment, Relabel, Urgency
from automation.lifecycle.observed import started_on
from automation.lifecycle.rules import checkins, feedback
from automation.lifecycle.rules.pair import Pair
from automation.model import CloseReason, IssueState
from automation.roster.config import Pairing


def pairing_of(pairing_id: str, handles: set[str]) -> Pairing | None:
    """The roster entry a pairing id was made from: `mentor--mentee--YYYY-MM-DD`. Handles
    may hold `--` themselves; the split that names known people wins."""
    head, _, _ = pairing_id.rpartition("--")
    start = started_on(pairing_id)
    splits = [(head[:i], head[i + 2 :]) for i in range(len(head)) if head.startswith("--", i)]
    known = [s for s in splits if set(s) <= handles] or splits
    if start is None or not known:
        return None
    mentor, mentee = known[0]
    return Pairing.model_construct(mentor=mentor, mentee=mentee, start=start)


def plan(pair: Pair) -> list[Action]:
    issue = pair.observed.issues.get(pair.key("pairing"))
    if issue is None:
        return []
    labels = pair.labels
    target = pair.target("pairing")
    actions: list[Action] = []
    steps: tuple[str, ...] = ()
    if issue.state is IssueState.OPEN and pair.comment("removed") is None:
        key = pair.key("removed")
        body = pair.text("removed", key)
        actions.append(PostComment(key, pair.id, target, body, Urgency.TERM_END))
        steps = (key,)
    owned = {*labels.phases, labels.stalled, *labels.paces, *labels.awaitings}
    remove = tuple(sorted(owned & set(issue.labels)))
    if remove:
        key = pair.key("pairing", "labels")
        actions.append(Relabel(key, pair.id, target, (), remove, Urgency.TERM_END))
        steps = (*steps, key)
    if issue.state is IssueState.OPEN:
        key = pair.key("pairing", "close")
        actions.append(
            CloseIssue(key, pair.id, target, CloseReason.NOT_PLANNED, Urgency.TERM_END, steps)
        )
    actions += checkins.close_open(pair, CloseReason.NOT_PLANNED)
    actions += feedback.close_open(pair)
    return actions
