"""Changes as data: the Action types a plan is made of, the write budget, and apply().

A plan is a list of actions computed without I/O; `mentorship plan` prints it and
`mentorship apply` runs the same list. Actions name the issue they touch by marker key, so
an action may follow one that creates that issue in the same run; `after` lists the keys of
actions that must succeed first (never close a pairing before its retrospective exists).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from typing import Any

from automation import ledger, markers
from automation.forge.base import Forge, ForgeError, RateLimited
from automation.markdown import as_kept
from automation.model import CloseReason, Draft, Issue, IssueState


class Urgency(IntEnum):
    """Which writes go first when the budget is short (lower is more urgent)."""

    TERM_END = 1
    KICKOFF = 2
    CHECKIN = 3
    LABELS = 4
    MILESTONE = 5
    NUDGE = 6
    HOUSEKEEPING = 7


@dataclass(frozen=True)
class Target:
    """The issue an action touches: its marker key, and its number once it exists."""

    key: str
    number: int | None = None

    def __str__(self) -> str:
        return f"#{self.number}" if self.number is not None else f"the new {_what(self.key)} issue"


@dataclass(frozen=True)
class OpenIssue:
    key: str
    pairing: str
    draft: Draft
    urgency: Urgency
    after: tuple[str, ...] = ()
    kind: str = field(default="open-issue", init=False)

    def describe(self) -> str:
        return f"open issue {self.draft.title!r}"


@dataclass(frozen=True)
class PostComment:
    key: str
    pairing: str
    target: Target
    body: str
    urgency: Urgency
    after: tuple[str, ...] = ()
    kind: str = field(default="comment", init=False)

    def describe(self) -> str:
        return f"comment on {self.target}: {_what(self.key)}"


@dataclass(frozen=True)
class EditComment:
    key: str
    pairing: str
    target: Target
    comment_id: int
    body: str
    urgency: Urgency
    after: tuple[str, ...] = ()
    kind: str = field(default="edit-comment", init=False)

    def describe(self) -> str:
        return f"edit comment {self.comment_id} on {self.target}"


@dataclass(frozen=True)
class EditIssueBody:
    """Rewrite the body of an issue the bot owns (its ledger); never a person's issue."""

    key: str
    pairing: str
    target: Target
    body: str
    urgency: Urgency
    after: tuple[str, ...] = ()
    kind: str = field(default="edit-issue", init=False)

    def describe(self) -> str:
        return f"update {self.target}: {self.key}"


@dataclass(frozen=True)
class Relabel:
    key: str
    pairing: str
    target: Target
    add: tuple[str, ...]
    remove: tuple[str, ...]
    urgency: Urgency
    after: tuple[str, ...] = ()
    kind: str = field(default="relabel", init=False)

    def describe(self) -> str:
        changes = [f"+{label}" for label in self.add] + [f"-{label}" for label in self.remove]
        return f"label {self.target} {' '.join(changes)}"


@dataclass(frozen=True)
class CloseIssue:
    key: str
    pairing: str
    target: Target
    reason: CloseReason
    urgency: Urgency
    after: tuple[str, ...] = ()
    kind: str = field(default="close", init=False)

    def describe(self) -> str:
        return f"close {self.target} as {self.reason.value.replace('_', ' ')}"


@dataclass(frozen=True)
class ReopenIssue:
    """Reopen an issue the bot closed (a term the roster now ends later)."""

    key: str
    pairing: str
    target: Target
    urgency: Urgency
    after: tuple[str, ...] = ()
    kind: str = field(default="reopen", init=False)

    def describe(self) -> str:
        return f"reopen {self.target}"


@dataclass(frozen=True)
class ProposeRoster:
    """Put `text` as program.yml on the proposal branch and keep one open merge/pull
    request from it with this title and body; with `text` None, close that request."""

    key: str
    pairing: str
    branch: str
    path: str
    text: str | None
    title: str
    body: str
    urgency: Urgency
    after: tuple[str, ...] = ()
    kind: str = field(default="propose-roster", init=False)

    def describe(self) -> str:
        if self.text is None:
            return f"close the roster proposal from {self.branch}"
        return f"propose program.yml on {self.branch}: {self.title!r}"


Action = (
    OpenIssue
    | PostComment
    | EditComment
    | EditIssueBody
    | Relabel
    | CloseIssue
    | ReopenIssue
    | ProposeRoster
)


_REF = re.compile(r'"@ref:([^"]+)"')
_IF_DONE = re.compile(r'"@if-done:([^:"]*):([^"]*)"')
_ISSUE_REF = re.compile(r"@@issue:([A-Za-z0-9_.:@/+-]+)#(number|url)@@")


def if_done(value: str, keys: Sequence[str]) -> str:
    """A JSON string that apply replaces by `value` if the actions `keys` of the same run
    all succeeded, else by null: the ledger records a close-out as done in the run that
    does it, without waiting for (and failing with) each of its writes."""
    return f"@if-done:{value}:{'|'.join(keys)}"


def assuming_done(text: str) -> str:
    """`text` as apply writes it if every action of the run succeeds (`if_done`)."""
    return _IF_DONE.sub(lambda m: f'"{m.group(1)}"', text)


def issue_ref(key: str, part: str) -> str:
    """Text that apply replaces by the number or URL of the issue action `key` opens.

    A check-in planned in the run that opens its pairing issue links it through this: the
    text is written only once the issue exists, and reads as a rerun would write it.
    """
    return f"@@issue:{key}#{part}@@"


def refers(text: str) -> bool:
    """Whether `text` links an issue this run opens (`issue_ref`): apply fills it in."""
    return _ISSUE_REF.search(text) is not None


def ref(key: str) -> str:
    """A JSON string that apply replaces by the id of the comment, or the number of the
    issue, that action `key` created, or by null.

    A plan is computed before anything exists; a ledger written in the same run records
    what that run creates through this reference.
    """
    return f"@ref:{key}"


def _what(key: str) -> str:
    """`pair/ID/quiet/2026-03-20` -> `quiet/2026-03-20`."""
    parts = key.split("/")
    return "/".join(parts[2:]) if parts[0] == "pair" and len(parts) > 2 else key


def to_json(action: Action) -> dict[str, Any]:
    """A stable, machine-readable form of an action (`mentorship plan --json`)."""
    out: dict[str, Any] = {
        "kind": action.kind,
        "key": action.key,
        "pairing": action.pairing,
        "urgency": action.urgency.name.lower(),
        "after": list(action.after),
    }
    if isinstance(action, OpenIssue):
        draft = action.draft
        out["issue"] = {
            "title": draft.title,
            "labels": list(draft.labels),
            "assignees": list(draft.assignees),
            "confidential": draft.confidential,
            "due": draft.due.isoformat() if draft.due else None,
            "body": draft.body,
        }
        return out
    if isinstance(action, ProposeRoster):
        out["proposal"] = {"branch": action.branch, "path": action.path, "title": action.title}
        if action.text is not None:
            out["body"], out["text"] = action.body, action.text
        return out
    out["target"] = {"key": action.target.key, "number": action.target.number}
    if isinstance(action, PostComment | EditComment | EditIssueBody):
        out["body"] = action.body
    if isinstance(action, EditComment):
        out["comment_id"] = action.comment_id
    if isinstance(action, Relabel):
        out["add"], out["remove"] = list(action.add), list(action.remove)
    if isinstance(action, CloseIssue):
        out["reason"] = action.reason.value
    return out


# ---------------------------------------------------------------- budget


@dataclass(frozen=True)
class Budgeted:
    run: tuple[Action, ...]
    deferred: tuple[Action, ...]


def requests_of(action: Action, flavour: str) -> int:
    """How many write requests `action` sends at most on a forge of `flavour`."""
    if isinstance(action, Relabel) and flavour == "github":
        # GitHub adds labels in one request and removes them one by one.
        return (1 if action.add else 0) + len(action.remove)
    if isinstance(action, ProposeRoster) and action.text is not None:
        # the branch (GitHub: a ref, then the file), then the merge/pull request
        return 3 if flavour == "github" else 2
    return 1


def budget(
    actions: Sequence[Action], max_writes: int, cost: Callable[[Action], int] | None = None
) -> Budgeted:
    """Keep the most urgent actions within `max_writes` (each action costing `cost` of it,
    one by default); an action whose prerequisite is deferred is deferred too. Order within
    the kept set stays the plan's order."""
    # An action is no more urgent than what it waits for (prerequisites come first).
    rank: dict[str, int] = {}
    for action in actions:
        rank[action.key] = max([action.urgency, *(rank[k] for k in action.after if k in rank)])
    ranked = sorted(range(len(actions)), key=lambda i: (rank[actions[i].key], i))
    kept: set[int] = set()
    kept_keys: set[str] = set()
    planned_keys = {a.key for a in actions}
    spent = 0
    for i in ranked:
        action = actions[i]
        price = 1 if cost is None else cost(action)
        waiting = [k for k in action.after if k in planned_keys and k not in kept_keys]
        if spent + price <= max_writes and not waiting:
            kept.add(i)
            kept_keys.add(action.key)
            spent += price
    run = tuple(a for i, a in enumerate(actions) if i in kept)
    deferred = tuple(a for i, a in enumerate(actions) if i not in kept)
    return Budgeted(run, deferred)


# ---------------------------------------------------------------- apply


class Status(StrEnum):
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    DEFERRED = "deferred"  # not tried: the forge's rate limit stopped the run's writes


@dataclass(frozen=True)
class Outcome:
    action: Action
    status: Status
    detail: str = ""
    # Reads spent confirming a write whose answer was lost (0 when the answer came back).
    checks: int = 0
    opened: int | None = None  # the number of the issue an OpenIssue opened


@dataclass
class _Made:
    """What this run created, by action key: referred to by later actions of the run."""

    issues: dict[str, Issue] = field(default_factory=dict)
    comments: dict[str, int] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)  # keys of the actions that succeeded
    secret: str | None = None  # signs the ledger's bodies (README, "Security")

    def body(self, text: str, key: str) -> str:
        """The body of issue `key` as written: references filled in, a ledger signed."""
        resolved = self.resolve(text)
        return ledger.sign(resolved, key, self.secret) if self.secret else resolved

    def number(self, target: Target) -> int:
        if target.number is not None:
            return target.number
        if target.key in self.issues:
            return self.issues[target.key].number
        raise ForgeError(f"issue {target.key} does not exist yet; it is created by another action")

    def resolve(self, text: str) -> str:
        """`text` with the references to what this run created filled in."""

        def issue(match: re.Match[str]) -> str:
            made = self.issues.get(match.group(1))
            if made is None:
                raise ForgeError(f"issue {match.group(1)} was not created; nothing links to it")
            return str(made.number) if match.group(2) == "number" else made.url

        def all_done(match: re.Match[str]) -> str:
            keys = [k for k in match.group(2).split("|") if k]
            return f'"{match.group(1)}"' if self.done.issuperset(keys) else "null"

        def made(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in self.comments:
                return str(self.comments[key])
            return str(self.issues[key].number) if key in self.issues else "null"

        text = _ISSUE_REF.sub(issue, text)
        text = _IF_DONE.sub(all_done, text)
        return _REF.sub(made, text)


def apply(
    actions: Iterable[Action],
    forge: Forge,
    on_outcome: Callable[[Outcome], None] | None = None,
    secret: str | None = None,
) -> list[Outcome]:
    """Run the actions in order; a failure is recorded and the rest still run, except
    those that were to follow it (`after`).

    A write whose answer is lost (a server error or a timeout after the request went out)
    may have happened: the object is read back before anything that depends on it is
    decided, so the run neither repeats it nor skips what follows a write that was done.
    """
    made = _Made(secret=secret)
    failed: set[str] = set()
    outcomes: list[Outcome] = []
    limited = ""  # why writing stopped: a rate limit waited out to the end of its budget
    for action in actions:
        blocked = [k for k in action.after if k in failed]
        if limited:
            outcome = Outcome(action, Status.DEFERRED, limited)
        elif blocked:
            outcome = Outcome(action, Status.SKIPPED, f"waits for {', '.join(blocked)}")
        else:
            outcome = _attempt(action, forge, made)
            if outcome.status is Status.DEFERRED:
                limited = outcome.detail
        if outcome.status is Status.DONE:
            made.done.add(action.key)
            if isinstance(action, OpenIssue):
                outcome = replace(outcome, opened=made.issues[action.key].number)
        else:
            failed.add(action.key)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


def answer_lost(error: ForgeError) -> bool:
    """The request may have been carried out: no answer, or a server error. A 4xx or a
    rate limit says it was not."""
    return error.transient and (error.status is None or error.status >= 500)


def _attempt(action: Action, forge: Forge, made: _Made) -> Outcome:
    try:
        _run(action, forge, made)
        return Outcome(action, Status.DONE)
    except RateLimited as exc:
        return Outcome(action, Status.DEFERRED, f"rate limited: {exc}")
    except ForgeError as exc:
        if not answer_lost(exc):
            return Outcome(action, Status.FAILED, str(exc))
        checker = _Checker(forge)
        try:
            happened = checker.happened(action, made)
        except ForgeError as again:
            return Outcome(action, Status.FAILED, f"{exc}; reading it back failed: {again}")
        if happened:
            return Outcome(
                action, Status.DONE, "the answer was lost; read back: done", checker.reads
            )
        detail = f"{exc}; read back: not done"
        return Outcome(action, Status.FAILED, detail, checker.reads)


def _run(action: Action, forge: Forge, made: _Made) -> None:
    if isinstance(action, OpenIssue):
        draft = replace(action.draft, body=made.body(action.draft.body, action.key))
        made.issues[action.key] = forge.create_issue(draft)
    elif isinstance(action, PostComment):
        body = made.resolve(action.body)
        made.comments[action.key] = forge.comment(made.number(action.target), body).id
    elif isinstance(action, EditComment):
        body = made.resolve(action.body)
        forge.edit_comment(made.number(action.target), action.comment_id, body)
    elif isinstance(action, EditIssueBody):
        body = made.body(action.body, action.target.key)
        forge.edit_issue_body(made.number(action.target), body)
    elif isinstance(action, Relabel):
        forge.relabel(made.number(action.target), action.add, action.remove)
    elif isinstance(action, ReopenIssue):
        forge.reopen(made.number(action.target))
    elif isinstance(action, ProposeRoster):
        _propose(action, forge, made)
    else:
        forge.close(made.number(action.target), action.reason)


def _propose(action: ProposeRoster, forge: Forge, made: _Made) -> None:
    """One open merge/pull request from the proposal branch, showing `text` (or none)."""
    found = forge.find_change_request(action.branch)
    if action.text is None:
        if found is not None:
            forge.close_change_request(found.number)
        return
    base = forge.default_branch()
    message = f"Propose program.yml changes for the coordinators\n\n{action.title}"
    forge.put_branch_file(action.branch, action.path, action.text, message, base=base)
    body = made.resolve(action.body)
    if found is None:
        forge.open_change_request(action.branch, base, action.title, body)
    elif (found.title, found.body) != (action.title, body):
        forge.edit_change_request(found.number, action.title, body)


@dataclass
class _Checker:
    """Reads back the object of one write whose answer was lost, counting the reads."""

    forge: Forge
    reads: int = 0

    def happened(self, action: Action, made: _Made) -> bool:
        if isinstance(action, ProposeRoster):
            # Several requests, each safe to repeat: the next run looks at the branch and
            # the merge request again and does what is left.
            return False
        if isinstance(action, OpenIssue):
            found = self._issue_by_key(action)
            if found is not None:
                made.issues[action.key] = found
            return found is not None
        number = made.number(action.target)
        if isinstance(action, PostComment | EditComment):
            self.reads += 1
            comments = self.forge.list_issue_comments(number)
            if isinstance(action, EditComment):
                body = made.resolve(action.body)
                kept = as_kept(body)
                return any(c.id == action.comment_id and as_kept(c.body) == kept for c in comments)
            bot = self.forge.whoami()
            for comment in comments:
                marker = markers.find(comment.body) if comment.author == bot else None
                if marker is not None and marker.key == action.key:
                    made.comments[action.key] = comment.id
                    return True
            return False
        self.reads += 1
        issue = self.forge.get_issue(number)
        if isinstance(action, EditIssueBody):
            return as_kept(issue.body) == as_kept(made.body(action.body, action.target.key))
        if isinstance(action, Relabel):
            labels = set(issue.labels)
            return set(action.add) <= labels and not set(action.remove) & labels
        if isinstance(action, ReopenIssue):
            return issue.state is IssueState.OPEN
        return issue.state is IssueState.CLOSED

    def _issue_by_key(self, action: OpenIssue) -> Issue | None:
        # A new issue is open and carries the draft's labels: listing those finds it
        # without searching (search is eventually consistent on both forges).
        self.reads += 1
        bot = self.forge.whoami()
        for issue in self.forge.list_issues(labels=action.draft.labels, state=IssueState.OPEN):
            marker = markers.find(issue.body) if issue.author == bot else None
            if marker is not None and marker.key == action.key:
                return issue
        return None
