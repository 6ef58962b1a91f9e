"""Changes as data: the Action types a plan is made of and the write budget.

A plan is a list of actions computed without I/O; `mentorship plan` prints it and
`mentorship apply` runs the same list. Actions name the issue they touch by marker key, so
an action may follow one that creates that issue in the same run; `after` lists the keys of
actions that must succeed first (never close a pairing before its retrospective exists).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from automation.model import CloseReason, Draft


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


@dataclass(frozen=True)
class CreateLabel:
    """Create a project label (one the forms apply, which must exist before a form can
    apply it); one by that name existing already counts as done."""

    key: str
    pairing: str
    name: str
    color: str  # six hex digits, no '#'
    description: str
    urgency: Urgency
    after: tuple[str, ...] = ()
    kind: str = field(default="create-label", init=False)

    def describe(self) -> str:
        return f"create label {self.name!r}"


Action = (
    OpenIssue
    | PostComment
    | EditComment
    | EditIssueBody
    | Relabel
    | CloseIssue
    | ReopenIssue
    | ProposeRoster
    | CreateLabel
)


REF = re.compile(r'"@ref:([^"]+)"')
IF_DONE = re.compile(r'"@if-done:([^:"]*):([^"]*)"')
ISSUE_REF = re.compile(r"@@issue:([A-Za-z0-9_.:@/+-]+)#(number|url)@@")


def if_done(value: str, keys: Sequence[str]) -> str:
    """A JSON string that apply replaces by `value` if the actions `keys` of the same run
    all succeeded, else by null: the ledger records a close-out as done in the run that
    does it, without waiting for (and failing with) each of its writes."""
    return f"@if-done:{value}:{'|'.join(keys)}"


def assuming_done(text: str) -> str:
    """`text` as apply writes it if every action of the run succeeds (`if_done`)."""
    return IF_DONE.sub(lambda m: f'"{m.group(1)}"', text)


def issue_ref(key: str, part: str) -> str:
    """Text that apply replaces by the number or URL of the issue action `key` opens.

    A check-in planned in the run that opens its pairing issue links it through this: the
    text is written only once the issue exists, and reads as a rerun would write it.
    """
    return f"@@issue:{key}#{part}@@"


def refers(text: str) -> bool:
    """Whether `text` links an issue this run opens (`issue_ref`): apply fills it in."""
    return ISSUE_REF.search(text) is not None


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
    if isinstance(action, CreateLabel):
        out["label"] = {
            "name": action.name,
            "color": action.color,
            "description": action.description,
        }
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


def assignees_of(actions: Iterable[Action]) -> list[str]:
    """The people the issues these actions open are assigned to, each once, in order."""
    found = (
        login
        for action in actions
        if isinstance(action, OpenIssue)
        for login in action.draft.assignees
    )
    return list(dict.fromkeys(found))


def requests_of(action: Action, flavour: str) -> int:
    """How many write requests `action` sends at most on a forge of `flavour`."""
    if isinstance(action, Relabel) and flavour == "github":
        # GitHub adds labels in one request and removes them one by one.
        return (1 if action.add else 0) + len(action.remove)
    if isinstance(action, ProposeRoster) and action.text is not None:
        # the branch set to the base's head with the file, then the merge/pull request.
        # GitHub: the ref forced to the base's head (a new branch: that answers 422, then
        # the ref is made), then the file; GitLab: one commit with `force`.
        return 4 if flavour == "github" else 2
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
