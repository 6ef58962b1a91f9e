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

Mentors are proposed for the whole queue at once (`matching.match`): each waiting request
a mentor fits gets the proposal posted once (again only when the mentor proposed changes),
with the program.yml lines to add, and the label `::proposed`. With
`requests.propose_changes`, one merge/pull request adds every proposal to program.yml and
is kept up to date; merging it is the coordinators' approval. The same merge request carries
the extensions and ends asked with the boxes of pairing issues (rules/boxes.py, `pending`).

An offer is acknowledged once and closed when its author is a mentor in the roster.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from automation.lifecycle import markers
from automation.lifecycle.actions import (
    Action,
    CloseIssue,
    PostComment,
    ProposeRoster,
    Relabel,
    Target,
    Urgency,
    if_done,
    issue_ref,
)
from automation.lifecycle.labels import Labels
from automation.lifecycle.observed import CATCH_UP_DAYS, Observed, local_day
from automation.lifecycle.rules.boxes import RosterAsk
from automation.messages.context import Link, request_context
from automation.messages.markdown import cell, inert
from automation.messages.templates import Templates
from automation.model import CloseReason, Issue, IssueState
from automation.roster.config import Program, parse_program
from automation.roster.edit import RosterEditError, add_to_roster, amend_roster, pairing_lines
from automation.roster.matching import Matching, Proposal, match
from automation.roster.request import Request, Unreadable, parse_request
from automation.roster.source import ConfigError
from automation.views.queue import Queue, queue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kept:
    """What the program's ledger keeps of the queue after a plan."""

    waiting: Mapping[int, date]  # open requests no pairing answers, by the day opened
    proposed: Mapping[int, str]  # the proposal posted on each, by a digest of the mentor


def proposals(
    program: Program, observed: Observed, today: date, waiting: Iterable[int] | None = None
) -> Matching:
    """Mentors for the whole queue of waiting requests at once, as `mentorship match`;
    `waiting`, the queue's requests when the caller has it already."""
    if waiting is None:
        waiting = queue(program, observed.requests, today).waiting
    waiting = set(waiting)
    asked = [
        read(program, number, issue)[0]
        for number, issue in sorted(observed.requests.items())
        if number in waiting
    ]
    return match(program, asked, today)


def read(program: Program, number: int, issue: Issue) -> tuple[Request, list[Unreadable]]:
    """The request an issue asks for, and the answers in it that cannot be read."""
    opened = local_day(issue.created_at, program.program.timezone)
    return parse_request(issue.body, number, issue.author, opened)


def unread_section(problems: Sequence[Unreadable]) -> str:
    """What the acknowledgement of a request adds when answers cannot be read: each, and
    how to write it; the asker's words quoted inert."""
    if not problems:
        return ""
    lines = [
        "",
        "**Some answers could not be read**, so matching goes without them for now:",
        "",
        *(f"- {inert(p.says)}" for p in problems),
        "",
        "Edit the request to fix them: each nightly run reads it again.",
    ]
    return "\n".join(lines) + "\n"


def digest(proposal: Proposal) -> str:
    """What identifies a proposal on its request: the mentor (the start moves weekly)."""
    return hashlib.blake2b(proposal.mentor.encode(), digest_size=4).hexdigest()


def plan(
    program: Program,
    observed: Observed,
    today: date,
    templates: Templates,
    opened: Iterable[str],
    asks: Sequence[RosterAsk] = (),
) -> tuple[list[Action], Kept]:
    """The writes that keep the queue, and what the ledger keeps of it; `opened` are the
    keys of the issues this plan opens (a pairing issue may answer a request tonight);
    `asks`, the box asks the roster merge request carries as well."""
    labels = Labels(program.program.label_prefix)
    pairings = {p.request: p for p in program.pairings if p.request is not None}
    now = queue(program, observed.requests, today)
    matching = proposals(program, observed, today, now.waiting)
    proposed = {p.request.number: p for p in matching.proposals}
    planned = set(opened)
    actions: list[Action] = []
    for number, issue in sorted(observed.requests.items()):
        asking = _Asking(
            program, observed, today, templates, issue, now, labels, proposed.get(number)
        )
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
    actions += _roster_change(program, observed, matching, asks)
    posted = {a.key for a in actions}
    kept = {}
    for number, proposal in proposed.items():
        if number in now.waiting:
            mark = digest(proposal)
            key = f"request/{number}/proposal/{mark}"
            # Recorded as posted only if tonight's comment is (`if_done`).
            if key in posted:
                kept[number] = if_done(mark, [key])
            elif observed.proposed.get(number) == mark:
                kept[number] = mark
    return actions, Kept(now.waiting, kept)


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
    proposal: Proposal | None = None

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

    def text(self, template: str, part: str, after: str = "", **extra: Any) -> str:
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
        said = self.templates.comment(template, context)
        if after:
            said = said.rstrip("\n") + "\n" + after
        return markers.attach(said, self.key(part))

    def comment(self, template: str, part: str, after: str = "", **extra: Any) -> list[Action]:
        """The comment of a template once, by its marker; `after`, text said below it."""
        if self.observed.comments.get(self.key(part)) is not None:
            return []
        body = self.text(template, part, after, **extra)
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
        actions: list[Action] = []
        if not set(self.labels.request_states) & set(self.issue.labels):
            # New: acknowledged once; the label that follows records that it was. Answers
            # that cannot be read are said with it, once (the dashboard lists them nightly).
            unread = unread_section(read(self.program, self.issue.number, self.issue)[1])
            actions += self.comment("request-received", "received", unread)
        due = self.opened + timedelta(days=settings.max_wait_days)
        if due <= self.today < due + timedelta(days=CATCH_UP_DAYS):
            actions += self.comment("request-waiting", "waiting")
        if self.proposal is None:
            return actions + self.label("waiting", tuple(a.key for a in actions))
        mark = digest(self.proposal)
        if self.observed.proposed.get(self.issue.number) != mark:
            # Posted once, and again only when the mentor proposed changes.
            shown = _shown(self.proposal, settings.propose_changes)
            actions += self.comment("request-proposed", f"proposal/{mark}", proposal=shown)
        return actions + self.label("proposed", tuple(a.key for a in actions))


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


def _shown(proposal: Proposal, merge_request: bool) -> dict[str, Any]:
    """A proposal as the template shows it (the reasons quote the request: inert)."""
    people = [proposal.person] if proposal.person else []
    terms = [
        {"name": t.name, "points": t.points, "detail": inert(t.detail)} for t in proposal.terms
    ]
    return {
        "mentor": proposal.mentor,
        "start": proposal.pairing.start,
        "score": proposal.score,
        "over_limit": proposal.over_limit,
        "terms": terms,
        "lines": pairing_lines([proposal.pairing], people),
        "merge_request": merge_request,
    }


def _edited(text: str, proposals: Sequence[Proposal], asks: Sequence[RosterAsk]) -> str:
    """program.yml `text` with the pairings (and people) of `proposals` added and the
    changes `asks` make to their pairings' entries."""
    pairings = [p.pairing for p in proposals]
    people = [p.person for p in proposals if p.person is not None]
    return amend_roster(add_to_roster(text, pairings, people), [ask.change for ask in asks])


def _refused(text: str, path: str) -> str | None:
    """Why program.yml `text` does not load, or None when it does."""
    try:
        parse_program(text, Path(path))
    except ConfigError as error:
        return str(error)
    return None


def _roster_change(
    program: Program, observed: Observed, matching: Matching, asks: Sequence[RosterAsk]
) -> list[Action]:
    """The merge/pull request that adds every proposal to program.yml and makes every
    pending box ask's change to its pairing, kept up to date; closed when none is left."""
    settings = program.program.requests
    roster = observed.roster
    if not settings.propose_changes or roster is None or roster.text is None:
        return []
    key = "roster/proposal"
    branch, path = settings.branch, settings.roster_path
    if not matching.proposals and not asks:
        if roster.change is None:
            return []
        return [ProposeRoster(key, "", branch, path, None, "", "", Urgency.HOUSEKEEPING)]
    try:
        text = _edited(roster.text, matching.proposals, asks)
        # A text on the branch already was checked when it was written there.
        if text != roster.proposed and _refused(text, path) is not None:
            matching, asks = _loading(roster.text, path, matching, asks)
            text = _edited(roster.text, matching.proposals, asks)
    except (ConfigError, RosterEditError):
        return []  # program.yml on the default branch must first validate again
    if not matching.proposals and not asks:
        return []
    title = proposal_title(len(matching.proposals), asks)
    body = _proposal_body(matching, asks)
    change = roster.change
    if change is not None and (roster.proposed, change.title, change.body) == (text, title, body):
        return []
    return [ProposeRoster(key, "", branch, path, text, title, body, Urgency.HOUSEKEEPING)]


def _loading(
    text: str, path: str, matching: Matching, asks: Sequence[RosterAsk]
) -> tuple[Matching, list[RosterAsk]]:
    """The proposals and asks whose change alone leaves a program.yml that loads: never a
    roster change that would break every night after its merge (an answer's text the
    roster refuses). Each one left out is told in the run's log."""

    def loads(proposals: Sequence[Proposal], changed: Sequence[RosterAsk], name: str) -> bool:
        why = _refused(_edited(text, proposals, changed), path)
        if why is not None:
            log.warning("%s is left out of the roster change: %s", name, why)
        return why is None

    fine = [p for p in matching.proposals if loads([p], [], f"request {p.request.number}")]
    kept = [ask for ask in asks if loads([], [ask], ask.key)]
    return replace(matching, proposals=tuple(fine)), kept


def proposal_title(pairings: int, asks: Sequence[RosterAsk]) -> str:
    """`Mentorship: 1 proposed pairing, 1 extension`: what the merge request changes."""
    extensions = sum(ask.name == "extend" for ask in asks)
    ends = len(asks) - extensions
    counts = [
        (pairings, "proposed pairing", "proposed pairings"),
        (extensions, "extension", "extensions"),
        (ends, "pairing ended", "pairings ended"),
    ]
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    return "Mentorship: " + ", ".join(parts)


def _proposal_body(matching: Matching, asks: Sequence[RosterAsk]) -> str:
    lines = [
        "Proposed by the mentorship bot. Merging this is the coordinators' approval; closing "
        "it without merging declines the extensions and ends it lists (the next nightly run "
        "says so on their pairing issues and proposes them no more).",
    ]
    if matching.proposals:
        lines += [
            "",
            "Pairings for the queue of requests (`mentorship match`): the next nightly run "
            "after the merge opens their pairing issues and closes the requests with a link.",
            "",
            "| request | mentee | mentor | fit |",
            "|---|---|---|---|",
        ]
        for p in matching.proposals:
            row = (f"#{p.request.number}", cell(p.request.handle), cell(p.mentor), str(p.score))
            lines.append("| " + " | ".join(row) + " |")
    if asks:
        lines += [
            "",
            "Asked with the boxes of pairing issues: the next nightly run after the merge "
            "moves or ends the term.",
            "",
            "| pairing issue | mentor | mentee | asks | by | ask |",
            "|---|---|---|---|---|---|",
        ]
        for ask in asks:
            change = dict(ask.change.fields)
            what = (
                f"extension to {change['extended_until']}"
                if ask.name == "extend"
                else f"end on {change['ended']}"
            )
            issue = f"#{ask.issue}" if ask.issue is not None else "-"
            cells = (
                issue,
                cell(ask.change.mentor),
                cell(ask.change.mentee),
                what,
                cell(ask.by),
                f"`{ask.key}`",
            )
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
