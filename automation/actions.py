"""Changes as data: the Action types a plan is made of, the write budget, and apply().

A plan is a list of actions computed without I/O; `mentorship plan` prints it and
`mentorship apply` runs the same list. Actions name the issue they touch by marker key, so
an action may follow one that creates that issue in the same run; `after` lists the keys of
actions that must succeed first (never close a pairing before its retrospective exists).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from typing import Any

from automation.forge.base import Forge, ForgeError
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


Action = OpenIssue | PostComment | EditComment | EditIssueBody | Relabel | CloseIssue


_REF = re.compile(r'"@ref:([^"]+)"')


def ref(key: str) -> str:
    """A JSON string that apply replaces by the id of what action `key` created, or null.

    A plan is computed before anything exists; a ledger written in the same run records
    the id of a comment that run posts through this reference.
    """
    return f"@ref:{key}"


def _resolve(text: str, ids: Mapping[str, int]) -> str:
    return _REF.sub(lambda m: str(ids[m.group(1)]) if m.group(1) in ids else "null", text)


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
            "body": draft.body,
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


def budget(actions: Sequence[Action], max_writes: int) -> Budgeted:
    """Keep the most urgent actions within `max_writes`; an action whose prerequisite is
    deferred is deferred too. Order within the kept set stays the plan's order."""
    # An action is no more urgent than what it waits for (prerequisites come first).
    rank: dict[str, int] = {}
    for action in actions:
        rank[action.key] = max([action.urgency, *(rank[k] for k in action.after if k in rank)])
    ranked = sorted(range(len(actions)), key=lambda i: (rank[actions[i].key], i))
    kept: set[int] = set()
    kept_keys: set[str] = set()
    planned_keys = {a.key for a in actions}
    for i in ranked:
        action = actions[i]
        waiting = [k for k in action.after if k in planned_keys and k not in kept_keys]
        if len(kept) < max_writes and not waiting:
            kept.add(i)
            kept_keys.add(action.key)
    run = tuple(a for i, a in enumerate(actions) if i in kept)
    deferred = tuple(a for i, a in enumerate(actions) if i not in kept)
    return Budgeted(run, deferred)


# ---------------------------------------------------------------- apply


class Status(StrEnum):
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Outcome:
    action: Action
    status: Status
    detail: str = ""


def apply(
    actions: Iterable[Action],
    forge: Forge,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run the actions in order; a failure is recorded and the rest still run, except
    those that were to follow it (`after`)."""
    numbers: dict[str, int] = {}  # issues created by this run, by action key
    ids: dict[str, int] = {}  # comments created by this run, by action key
    failed: set[str] = set()
    outcomes: list[Outcome] = []
    for action in actions:
        blocked = [k for k in action.after if k in failed]
        if blocked:
            outcome = Outcome(action, Status.SKIPPED, f"waits for {', '.join(blocked)}")
            failed.add(action.key)
        else:
            try:
                _run(action, forge, numbers, ids)
                outcome = Outcome(action, Status.DONE)
            except ForgeError as exc:
                outcome = Outcome(action, Status.FAILED, str(exc))
                failed.add(action.key)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


def _number(target: Target, numbers: dict[str, int]) -> int:
    if target.number is not None:
        return target.number
    if target.key in numbers:
        return numbers[target.key]
    raise ForgeError(f"issue {target.key} does not exist yet; it is created by another action")


def _run(action: Action, forge: Forge, numbers: dict[str, int], ids: dict[str, int]) -> None:
    if isinstance(action, OpenIssue):
        draft = replace(action.draft, body=_resolve(action.draft.body, ids))
        numbers[action.key] = forge.create_issue(draft).number
    elif isinstance(action, PostComment):
        ids[action.key] = forge.comment(_number(action.target, numbers), action.body).id
    elif isinstance(action, EditComment):
        forge.edit_comment(_number(action.target, numbers), action.comment_id, action.body)
    elif isinstance(action, EditIssueBody):
        forge.edit_issue_body(_number(action.target, numbers), _resolve(action.body, ids))
    elif isinstance(action, Relabel):
        forge.relabel(_number(action.target, numbers), action.add, action.remove)
    else:
        forge.close(_number(action.target, numbers), action.reason)
