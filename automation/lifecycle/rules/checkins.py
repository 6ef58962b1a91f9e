"""Check-ins: one per period from the second period on, carrying open action items forward.

The kickoff issue is the agenda of the first meeting; check-in N opens on the first day of
period N (or the first run after), due on its last day, with the agenda of the meeting the
period holds (`rules.agenda`), and every earlier check-in issue still open is closed once
it exists. Only the current period's check-in is ever opened: a run after a gap does not
open the ones it missed. A pairing the bot meets under way starts like a new one: its
pairing issue is the agenda of the period it was met in, check-ins follow from the next.
"""

from __future__ import annotations

from typing import Any

from automation.goals.checklist import parse
from automation.lifecycle.actions import Action, CloseIssue, OpenIssue, PostComment, Target, Urgency
from automation.lifecycle.rules.agenda import agenda
from automation.lifecycle.rules.pair import Pair
from automation.messages.context import Link
from automation.messages.markdown import inert
from automation.model import CloseReason, IssueState


def carried_items(body: str, pair: Pair) -> list[str]:
    """Unfinished task items of the previous check-in: its action items and carried ones,
    quoted inert (the bot writes them again in the next check-in)."""
    return [inert(step.text) for step in parse(body, pair.dialect).steps if not step.checked]


def plan(pair: Pair) -> list[Action]:
    period = pair.timeline.period(pair.today)
    # A check-in links its pairing issue; one opened in this run is linked once it exists
    # (apply fills the link in), so a rerun after a crash writes the same words.
    if period is None:
        return pair.nothing("no check-ins outside the term")
    first = max(1, pair.timeline.first_counted_period)
    if period <= first:
        return pair.nothing(
            "period {period}: the pairing issue is its agenda; check-ins from {next}",
            period=period,
            next=pair.timeline.period_start(first + 1),
        )
    if not pair.pairing_open:
        return pair.nothing("the pairing issue is not open")
    if pair.program.program.checkin_style == "comment":
        return _comment(pair, period)
    return _issue(pair, period)


def _context(pair: Pair, period: int, previous: Link | None, carried: list[str]) -> dict[str, Any]:
    timeline = pair.timeline
    return {
        "checkin": {
            "number": period,
            "starts": timeline.period_start(period),
            "ends": timeline.period_end(period),
            "due": timeline.period_end(period),
            "carried": carried,
            "previous": previous,
        },
        "goals": pair.goals(),
        "agenda": agenda(pair, period),
    }


def _comment(pair: Pair, period: int) -> list[Action]:
    key = pair.key("checkin", str(period))
    if pair.comment("checkin", str(period)) is not None:
        return _held(pair, period)
    starts = pair.timeline.period_start(period)
    if starts < pair.window_start:
        # A period longer than the comments a run reads: its comment, if posted on its
        # first days, is older than them and cannot be told from one never posted.
        return pair.nothing(
            "check-in {period} began {starts}, before the comments read (from {window}): "
            "not posted so late; the next from {next}",
            period=period,
            starts=starts,
            window=pair.window_start,
            next=pair.timeline.period_start(period + 1),
        )
    previous = pair.comment("checkin", str(period - 1))
    carried = carried_items(previous.body, pair) if previous else []
    body = pair.text("checkin-comment", key, **_context(pair, period, None, carried))
    return [PostComment(key, pair.id, pair.target("pairing"), body, Urgency.CHECKIN)]


def _issue(pair: Pair, period: int) -> list[Action]:
    key = pair.key("checkin", str(period))
    actions: list[Action] = []
    earlier = observed_checkins(pair, before=period)
    if pair.issue("checkin", str(period)) is None:
        # Items carry forward from the latest check-in there is: after a gap, not only
        # from the period just before.
        previous = pair.observed.issues[earlier[-1]] if earlier else None
        carried = carried_items(previous.body, pair) if previous else []
        link = Link(previous.number, previous.url) if previous else None
        labels = (pair.labels.checkin,)
        due = pair.timeline.period_end(period)
        draft = pair.draft("checkin", key, labels, due=due, **_context(pair, period, link, carried))
        actions.append(OpenIssue(key, pair.id, draft, Urgency.CHECKIN))
    for old_key in earlier:
        old = pair.observed.issues[old_key]
        if old.state is IssueState.OPEN:
            target = Target(old_key, old.number)
            actions.append(
                CloseIssue(
                    f"{old_key}/close",
                    pair.id,
                    target,
                    CloseReason.COMPLETED,
                    Urgency.CHECKIN,
                    after=(key,),
                )
            )
    return actions or _held(pair, period)


def _held(pair: Pair, period: int) -> list[Action]:
    timeline = pair.timeline
    return pair.nothing(
        "check-in {period} ({starts} to {ends}) is there; the next from {next}",
        period=period,
        starts=timeline.period_start(period),
        ends=timeline.period_end(period),
        next=timeline.period_start(period + 1),
    )


def observed_checkins(pair: Pair, before: int | None = None) -> list[str]:
    """Keys of the pairing's check-in issues the run saw, by period (those before `before`)."""
    prefix = pair.key("checkin") + "/"
    periods = sorted(
        int(number)
        for key in pair.observed.by_pairing.get(pair.id, ())
        if key.startswith(prefix) and (number := key.removeprefix(prefix)).isdigit()
    )
    return [f"{prefix}{n}" for n in periods if before is None or n < before]


def close_open(pair: Pair, reason: CloseReason, after: tuple[str, ...] = ()) -> list[Action]:
    """Close every check-in issue of the pairing still open (a term's end, a withdrawal)."""
    actions: list[Action] = []
    for key in observed_checkins(pair):
        issue = pair.observed.issues[key]
        if issue.state is IssueState.OPEN:
            target = Target(key, issue.number)
            actions.append(
                CloseIssue(f"{key}/close", pair.id, target, reason, Urgency.TERM_END, after)
            )
    return actions
