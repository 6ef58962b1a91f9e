"""The end of a term: retrospective issue, closing note, labels, close; then one reminder.

Ordered for crash safety: the retrospective is created first and every later step waits
for it, so a pairing is never closed before its retrospective exists; the close comes
last, after the closing note and the final labels. A rerun after a crash finds what was
done by its marker and finishes the rest. However long ago the term ended, the next run
does all of it, and closes every check-in of the pairing still open.

Closed is not done: the labels of a closed pairing issue are compared with the wanted set
on every run until the bot has seen the whole close-out right once (the ledger then keeps
the pairing as settled), so a write lost on the night of the end heals on the next.

A retrospective is kept per end (lifecycle/retrospectives.py). One opened for an end the
roster no longer holds (an `ended:` taken back or moved, an extension added after the
end) is closed with a word of why: as not planned when nobody wrote in it, as completed
when someone did (what they wrote stays; the real end's retrospective links it, so the
forge shows the way from one to the other). The real end opens a fresh one, and the
reminder follows it.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from automation.lifecycle import markers, retrospectives
from automation.lifecycle.actions import (
    Action,
    CloseIssue,
    OpenIssue,
    PostComment,
    Relabel,
    Urgency,
)
from automation.lifecycle.observed import CATCH_UP_DAYS, local_day
from automation.lifecycle.retrospectives import Retrospective
from automation.lifecycle.rules import checkins
from automation.lifecycle.rules.pair import Pair
from automation.model import CloseReason, IssueState

# A retrospective the bot opened and nobody touched is updated when it is created; a
# later change (a person's edit or comment) moves `updated_at` past this.
_UNTOUCHED = timedelta(minutes=1)


def plan(pair: Pair) -> list[Action]:
    timeline = pair.timeline
    issue = pair.pairing_issue
    if issue is None:
        return pair.nothing("no pairing issue to close")
    found = of_pair(pair)
    moved = _taken_back(pair, retrospectives.stale(found, timeline.end))
    if pair.today < timeline.end:
        if timeline.ended_early:
            return moved or pair.nothing("ends early, on {end}", end=timeline.end)
        return moved or pair.nothing(
            "ends {end}, ending-soon label from {soon}", end=timeline.end, soon=timeline.ending_soon
        )
    labels = pair.labels
    early = timeline.ended_early
    # A change of mentor ends the term early with a short hand-over retrospective and its
    # own closing note, under the same keys as any early end: each is written once.
    following = pair.next() if early else None
    current = retrospectives.current(found, timeline.end)
    retro_key = pair.key(*retrospectives.parts_for(timeline.end))
    actions: list[Action] = list(moved)
    after: tuple[str, ...] = ()
    if current is None:
        extra: dict[str, Any] = {"next": following} if following else {}
        extra["earlier"] = [
            {"number": r.issue.number, "url": r.issue.url, "end": r.opened_for}
            for r in retrospectives.stale(found, timeline.end)
        ]
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
    actions += _reminder(pair, current)
    return actions


def of_pair(pair: Pair) -> list[Retrospective]:
    """The pairing's retrospectives seen tonight, oldest end first."""
    keys = pair.observed.by_pairing.get(pair.id, ())
    zone = pair.program.program.timezone
    return retrospectives.of(pair.observed.issues, keys, pair.id, zone)


def reminder_parts(retro: Retrospective) -> tuple[str, ...]:
    """The key parts of a retrospective's reminder: under the retrospective's own key, or
    the key an earlier version wrote for its undated one."""
    return (*retro.parts, "reminder") if retro.dated else ("retrospective-reminder",)


def _taken_back(pair: Pair, stale: list[Retrospective]) -> list[Action]:
    """Each open retrospective of an end the roster no longer holds, closed with a word of
    why to the pair. The comment's marker keeps whether someone had written in it, so a
    rerun after a lost close closes it the same way (the comment itself touched it)."""
    actions: list[Action] = []
    for retro in stale:
        if retro.issue.state is not IssueState.OPEN:
            continue
        said = pair.comment(*retro.parts, "moved")
        if said is None:
            answered = _written_in(pair, retro)
        else:
            marker = markers.find(said.body)
            answered = marker is not None and marker.attrs.get("answered") == "yes"
        context = {"opened_for": retro.opened_for, "answered": answered}
        attrs = {"answered": "yes" if answered else "no"}
        actions += pair.said_and_closed(
            retro.parts,
            "moved",
            partial(_moved_text, pair, context, attrs),
            CloseReason.COMPLETED if answered else CloseReason.NOT_PLANNED,
            Urgency.HOUSEKEEPING,
        )
    return actions


def _moved_text(pair: Pair, retro: dict[str, Any], attrs: dict[str, str], key: str) -> str:
    return pair.text("retrospective-moved", key, attrs, retro=retro)


def _written_in(pair: Pair, retro: Retrospective) -> bool:
    """Whether someone wrote in a retrospective (its description or a comment): it changed
    after the bot opened it, and not only by the bot's reminder."""
    issue = retro.issue
    if issue.updated_at - issue.created_at <= _UNTOUCHED:
        return False
    reminder = pair.comment(*reminder_parts(retro))
    return reminder is None or issue.updated_at - reminder.created_at > _UNTOUCHED


def _reminder(pair: Pair, retro: Retrospective | None) -> list[Action]:
    """One reminder when the retrospective of the end the roster holds is still open some
    days after it was opened (the end of the term, or the first run after it)."""
    if retro is None or retro.issue.state is not IssueState.OPEN:
        return pair.nothing("no reminder: the retrospective is not open")
    zone = pair.program.program.timezone
    opened = max(pair.timeline.end, local_day(retro.issue.created_at, zone))
    due = opened + timedelta(days=pair.program.program.retrospective_reminder_days)
    parts = reminder_parts(retro)
    if pair.comment(*parts) is not None:
        return pair.nothing("the retrospective reminder was posted")
    if not pair.within(due, CATCH_UP_DAYS):
        return pair.nothing(
            "the retrospective is open; its reminder "
            + ("is due {due}" if pair.today < due else "was due {due}: its moment passed"),
            due=due,
        )
    key = pair.key(*parts)
    body = pair.text("retrospective-reminder", key)
    return [PostComment(key, pair.id, pair.target(*retro.parts), body, Urgency.NUDGE)]
