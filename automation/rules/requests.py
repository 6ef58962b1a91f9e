"""The queue of people asking for a mentor, and the offers to mentor.

A request is an issue someone opened from the request form (label `mentorship-request`);
an offer, one from the offer form (`mentorship-offer`). Each run, for every request:

- a new one is acknowledged once (what happens next, the queue, the usual wait) and labelled
  `mentorship-request::waiting`; the label is the record that it was;
- the coordinators are told once when it has waited `requests.max_wait_days`;
- once a pairing of the roster names it (`request: 12`), it gets a link to the pairing
  issue, the label `::matched`, and is closed;
- closed by its author (or anyone) before that, it is labelled `::withdrawn`;
- still unanswered after `requests.expire_days`, it is closed kindly (`::expired`), with
  a way to ask again.

An offer is acknowledged once and closed when its author is a mentor in the roster.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from automation import markers
from automation.actions import (
    Action,
    CloseIssue,
    PostComment,
    Relabel,
    Target,
    Urgency,
    issue_ref,
)
from automation.config import Program
from automation.context import Link, request_context
from automation.labels import Labels
from automation.model import CloseReason, Issue, IssueState
from automation.observe import CATCH_UP_DAYS, Observed, local_day
from automation.templates import Templates


@dataclass(frozen=True)
class Queue:
    """The requests still waiting for a mentor, by number: the day each was opened."""

    waiting: Mapping[int, date]
    typical_wait: int | None  # median days from request to match, of those seen lately

    def context(self) -> dict[str, Any]:
        return {"length": len(self.waiting), "typical_wait": self.typical_wait}


def queue(program: Program, observed: Observed, today: date) -> Queue:
    """The queue after this run: open requests no pairing answers yet, not expired."""
    zone = program.program.timezone
    answered = {p.request for p in program.pairings if p.request is not None}
    expire = program.program.requests.expire_days
    opened = {n: local_day(i.created_at, zone) for n, i in observed.requests.items()}
    waiting = {
        number: opened[number]
        for number, issue in observed.requests.items()
        if issue.state is IssueState.OPEN
        and number not in answered
        and (today - opened[number]).days < expire
    }
    waits = [
        (issue.closed_at - issue.created_at).days
        for number, issue in observed.requests.items()
        if number in answered and issue.closed_at is not None
    ]
    return Queue(waiting, round(statistics.median(waits)) if waits else None)


def plan(
    program: Program,
    observed: Observed,
    today: date,
    templates: Templates,
    opened: Iterable[str],
) -> list[Action]:
    """The writes that keep the queue; `opened` are the keys of the issues this plan opens
    (a request is answered by a pairing issue that may open tonight)."""
    labels = Labels(program.program.label_prefix)
    pairings = {p.request: p for p in program.pairings if p.request is not None}
    now = queue(program, observed, today)
    planned = set(opened)
    actions: list[Action] = []
    for number, issue in sorted(observed.requests.items()):
        asking = _Asking(program, observed, today, templates, issue, now, labels)
        pairing = pairings.get(number)
        if pairing is not None:
            key = f"pair/{pairing.id}/pairing"
            actions += asking.matched(key, planned)
        elif issue.state is IssueState.CLOSED:
            expired = labels.request_state("expired") in issue.labels
            actions += asking.label("expired" if expired else "withdrawn")
        elif asking.days >= program.program.requests.expire_days:
            actions += asking.close("expired", "request-expired", CloseReason.NOT_PLANNED)
        else:
            actions += asking.waiting()
    for _, issue in sorted(observed.offers.items()):
        actions += _offer(program, observed, today, templates, issue, now, labels)
    return actions


@dataclass(frozen=True)
class _Asking:
    """One request as this run sees it."""

    program: Program
    observed: Observed
    today: date
    templates: Templates
    issue: Issue
    queue: Queue
    labels: Labels

    @property
    def opened(self) -> date:
        return local_day(self.issue.created_at, self.program.program.timezone)

    @property
    def days(self) -> int:
        return (self.today - self.opened).days

    def key(self, *parts: str) -> str:
        return "/".join(("request", str(self.issue.number), *parts))

    @property
    def target(self) -> Target:
        return Target(self.key(), self.issue.number)

    def text(self, template: str, part: str, **extra: Any) -> str:
        issue = self.issue
        context = request_context(
            self.program,
            issue.number,
            issue.url,
            issue.author,
            self.opened,
            self.today,
            self.queue.context(),
            **extra,
        )
        return markers.attach(self.templates.comment(template, context), self.key(part))

    def comment(self, template: str, part: str, **extra: Any) -> list[Action]:
        if self.observed.comments.get(self.key(part)) is not None:
            return []
        body = self.text(template, part, **extra)
        return [PostComment(self.key(part), "", self.target, body, Urgency.CHECKIN)]

    def label(self, state: str, after: tuple[str, ...] = ()) -> list[Action]:
        """The request's state label, as the one of its states it carries."""
        wanted = self.labels.request_state(state)
        have = set(self.issue.labels)
        remove = tuple(sorted(set(self.labels.request_states) & have - {wanted}))
        add = () if wanted in have else (wanted,)
        if not add and not remove:
            return []
        key = self.key("labels")
        return [Relabel(key, "", self.target, add, remove, Urgency.CHECKIN, after)]

    def close(self, state: str, template: str, reason: CloseReason, **extra: Any) -> list[Action]:
        """Say why, set the state label, then close (last, so a rerun finishes the rest)."""
        actions: list[Action] = []
        if self.issue.state is IssueState.OPEN:
            actions += self.comment(template, state, **extra)
        actions += self.label(state, tuple(a.key for a in actions))
        if self.issue.state is IssueState.OPEN:
            steps = tuple(a.key for a in actions)
            actions.append(
                CloseIssue(self.key("close"), "", self.target, reason, Urgency.CHECKIN, steps)
            )
        return actions

    def matched(self, pairing_key: str, planned: set[str]) -> list[Action]:
        issue = self.observed.issues.get(pairing_key)
        if issue is not None:
            link = Link(issue.number, issue.url)
        elif pairing_key in planned:
            link = Link(issue_ref(pairing_key, "number"), issue_ref(pairing_key, "url"))
        else:
            return []  # the pairing has not started: it answers the request when it does
        actions = self.close(
            "matched", "request-matched", CloseReason.COMPLETED, pairing_issue=link
        )
        if issue is None:  # the link is to an issue this run opens: the comment waits for it
            actions = [
                _after(a, pairing_key) if a.key == self.key("matched") else a for a in actions
            ]
        return actions

    def waiting(self) -> list[Action]:
        settings = self.program.program.requests
        if not set(self.labels.request_states) & set(self.issue.labels):
            # New: acknowledged once; the label that follows records that it was.
            acknowledged = self.comment("request-received", "received")
            return acknowledged + self.label("waiting", tuple(a.key for a in acknowledged))
        actions: list[Action] = []
        due = self.opened + timedelta(days=settings.max_wait_days)
        if due <= self.today < due + timedelta(days=CATCH_UP_DAYS):
            actions += self.comment("request-waiting", "waiting")
        state = (
            "proposed" if self.labels.request_state("proposed") in self.issue.labels else "waiting"
        )
        return actions + self.label(state)


def _after(action: Action, key: str) -> Action:
    return replace(action, after=(*action.after, key))


def _offer(
    program: Program,
    observed: Observed,
    today: date,
    templates: Templates,
    issue: Issue,
    now: Queue,
    labels: Labels,
) -> list[Action]:
    if issue.state is not IssueState.OPEN:
        return []
    person = program.person(issue.author)
    target = Target(f"offer/{issue.number}", issue.number)
    if person is not None and "mentor" in person.roles:
        reason = CloseReason.COMPLETED
        return [CloseIssue(f"offer/{issue.number}/close", "", target, reason, Urgency.CHECKIN)]
    if labels.offer_seen in issue.labels:
        return []
    key = f"offer/{issue.number}/received"
    actions: list[Action] = []
    if observed.comments.get(key) is None:
        opened = local_day(issue.created_at, program.program.timezone)
        context = request_context(
            program, issue.number, issue.url, issue.author, opened, today, now.context()
        )
        body = markers.attach(templates.comment("offer-received", context), key)
        actions.append(PostComment(key, "", target, body, Urgency.CHECKIN))
    after = tuple(a.key for a in actions)
    seen = (labels.offer_seen,)
    actions.append(
        Relabel(f"offer/{issue.number}/labels", "", target, seen, (), Urgency.CHECKIN, after)
    )
    return actions
