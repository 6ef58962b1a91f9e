"""The end of a term: retrospective issue, closing note, labels, close; then one reminder.

Ordered for crash safety: the retrospective is created first and every later step waits
for it, so a pairing is never closed before its retrospective exists; the close comes
last, after the closing note and the final labels. A rerun after a crash finds what was
done by its marker and finishes the rest. However long ago the term ended, the next run
does all of it, and closes every check-in of the pairing still open.

Closed is not done: the labels of a closed pairing issue are compared with the wanted set
on every run until the bot has seen the whole close-out right once (the ledger then keeps
the pairing as settled), so a write lost on the night of the end heals on the next.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from automation.lifecycle.actions import (
    Action,
    CloseIssue,
    OpenIssue,
    PostComment,
    Relabel,
    Urgency,
)
from automation.lifecycle.observed import CATCH_UP_DAYS, local_day
from automation.lifecycle.rules import checkins
from automation.lifecycle.rules.pair import Pair
from automation.model import CloseReason, IssueState


def plan(pair: Pair) -> list[Action]:
    timeline = pair.timeline
    issue = pair.pairing_issue
    if issue is None:
        return pair.nothing("no pairing issue to close")
    if pair.today < timeline.end:
        if timeline.ended_early:
            return pair.nothing("ends early, on {end}", end=timeline.end)
        return pair.nothing(
            "ends {end}, ending-soon label from {soon}", end=timeline.end, soon=timeline.ending_soon
        )
    labels = pair.labels
    early = timeline.ended_early
    # A change of mentor ends the term early with a short hand-over retrospective and its
    # own closing note, under the same keys as any early end: each is written once.
    following = pair.next() if early else None
    retro_key = pair.key("retrospective")
    actions: list[Action] = []
    after: tuple[str, ...] = ()
    if pair.issue("retrospective") is None:
        extra: dict[str, Any] = {"next": following} if following else {}
        draft = pair.draft(
            "handover" if following else "retrospective",
            retro_key,
            (labels.program, labels.retrospective),
            goals=pair.goals(),
            **extra,
        )
        actions.append(OpenIssue(retro_key, pair.id, draft, Urgency.TERM_END))
        after = (retro_key,)
    # Check-ins first, whatever the pairing issue's state: a run killed after closing the
    # pairing issue must still close them on the rerun.
    actions += checkins.close_open(pair, CloseReason.COMPLETED, after)
    note = "ended-early" if early else "completed"
    final = labels.phase(note)
    wanted = {final}
    if timeline.extended:
        wanted.add(labels.extended)
    owned = {*labels.phases, labels.stalled, labels.extended, *labels.paces, *labels.awaitings}
    have = set(issue.labels)
    # While the term runs, `extended` goes on with its comment (rules/milestones.py); at the
    # end it is part of the outcome, told or not (a run after a gap may never have told).
    add = tuple(sorted(wanted - have))
    remove = tuple(sorted((owned & have) - wanted))
    steps = after
    if issue.state is IssueState.OPEN and pair.comment(note) is None:
        key = pair.key(note)
        if following:
            body = pair.text("changed-mentor", key, next=following)
        else:
            body = pair.text(note, key)
        actions.append(
            PostComment(key, pair.id, pair.target("pairing"), body, Urgency.TERM_END, after)
        )
        steps = (*steps, key)
    if add or remove:
        key = pair.key("pairing", "labels")
        actions.append(
            Relabel(key, pair.id, pair.target("pairing"), add, remove, Urgency.TERM_END, after)
        )
        steps = (*steps, key)
    reason = CloseReason.NOT_PLANNED if early else CloseReason.COMPLETED
    # GitHub keeps why an issue was closed: an early end recorded after the close changes
    # it too (GitLab keeps no reason: None there).
    wrong_reason = issue.close_reason is not None and issue.close_reason is not reason
    if issue.state is IssueState.OPEN or wrong_reason:
        actions.append(
            CloseIssue(
                pair.key("pairing", "close"),
                pair.id,
                pair.target("pairing"),
                reason,
                Urgency.TERM_END,
                steps,
            )
        )
    if not actions:
        pair.nothing(
            "ended {end}: retrospective, closing note, labels and close are done", end=timeline.end
        )
    actions += _reminder(pair)
    return actions


def _reminder(pair: Pair) -> list[Action]:
    """One reminder when the retrospective is still open some days after it was opened
    (the end of the term, or the first run after it)."""
    retro = pair.observed.issues.get(pair.key("retrospective"))
    if retro is None or retro.state is not IssueState.OPEN:
        return pair.nothing("no reminder: the retrospective is not open")
    opened = max(pair.timeline.end, local_day(retro.created_at, pair.program.program.timezone))
    due = opened + timedelta(days=pair.program.program.retrospective_reminder_days)
    if pair.comment("retrospective-reminder") is not None:
        return pair.nothing("the retrospective reminder was posted")
    if not pair.within(due, CATCH_UP_DAYS):
        return pair.nothing(
            "the retrospective is open; its reminder "
            + ("is due {due}" if pair.today < due else "was due {due}: its moment passed"),
            due=due,
        )
    key = pair.key("retrospective-reminder")
    body = pair.text("retrospective-reminder", key)
    return [PostComment(key, pair.id, pair.target("retrospective"), body, Urgency.NUDGE)]
