"""GitLab quick actions (`/close`, `/label ~x`, ...) in notes and descriptions: found, removed, run.

The extraction is a port of gitlabhq/gitlabhq at commit
18f7828977b74bf6e5153594a098ef90e773b3b7, lib/gitlab/quick_actions/extractor.rb
(https://github.com/gitlabhq/gitlabhq/blob/18f7828977b74bf6e5153594a098ef90e773b3b7/lib/gitlab/quick_actions/extractor.rb):
carriage returns are deleted, a command counts only at a line start and outside fenced code,
HTML blocks and `>>>` quotes, its line is removed and the rest is right-stripped. Every note
and description GitLab runs through it comes back that way, commands or not.

The commands are those of lib/gitlab/quick_actions/issuable_actions.rb and
issue_and_merge_request_actions.rb that a person would use on a pairing issue: `/close`,
`/reopen`, `/label` (`/labels`), `/unlabel` (`/remove_label`) and `/assign`. Other commands
are left in the text, as an unknown `/word` is on GitLab.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from automation.sandbox.records import Access, Issue, IssueEdit, Label, State, User

_NAMES = ("close", "reopen", "label", "labels", "unlabel", "remove_label", "assign")

# Ruby's /mix: `.` matches newlines (DOTALL), `^`/`$` are line anchors (MULTILINE). Python
# cannot repeat a group name, so the second `html` group of the original is `quote` here.
_COMMANDS = re.compile(
    r"""
      (?P<code>
        ^```
        .+?
        \n```$
      )
    |
      (?P<inline_code>
        ^.*`\n*
        .+?
        \n*`$
      )
    |
      (?P<html>
        ^<[^>]+?>\n
        .+?
        \n</[^>]+?>$
      )
    |
      (?P<quote>
        ^>>>
        .+?
        \n>>>$
      )
    |
      (?:
        ^/
        (?P<cmd>"""
    + "|".join(_NAMES)
    + r""")
        (?:
          [ ]
          (?P<arg>[^\n]*)
        )?
        (?:\s*\n|$)
      )
    """,
    re.MULTILINE | re.DOTALL | re.IGNORECASE | re.VERBOSE,
)
_MAY_COMMAND = re.compile(r"^/(?:" + "|".join(_NAMES) + ")", re.MULTILINE | re.IGNORECASE)
# `~name` or `~"name with spaces"`, as label references are written
_LABEL_REFERENCE = re.compile(r'~"([^"]+)"|~([^\s~"]+)')


@dataclass(frozen=True)
class Command:
    name: str  # lower case, aliases resolved
    arg: str


_ALIASES = {"labels": "label", "remove_label": "unlabel"}


def extract(content: str) -> tuple[str, list[Command]]:
    """The text as GitLab stores it (command lines removed) and the commands, in order."""
    commands: list[Command] = []

    def remove(match: re.Match[str]) -> str:
        name = match.group("cmd")
        if name is None:
            return match.group(0)  # code, HTML or a quote block: left as it is
        name = name.lower()
        commands.append(Command(_ALIASES.get(name, name), (match.group("arg") or "").strip()))
        return ""

    text = content.replace("\r", "")
    if _MAY_COMMAND.search(text) is None:
        # No line starts with a command, so no match removes anything: the same text, without
        # the pattern's scans (its code span alternative backtracks over every backtick line,
        # minutes for a comment of thousands of table rows).
        return text.rstrip(), commands
    return _COMMANDS.sub(remove, text).rstrip(), commands


@dataclass
class Outcome:
    """What the commands change (`commands_changes` in the API) and what GitLab says."""

    edit: IssueEdit = field(default_factory=IssueEdit)
    changes: dict[str, Any] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What the commands may look up: the issue (None while it is being created), its labels
    and assignees, the project's labels, and users by login."""

    issue: Issue | None
    actor: User
    labels: Sequence[Label]
    assignees: Sequence[User]
    project_labels: Sequence[Label]
    find_user: Callable[[str], User | None]

    @property
    def manages(self) -> bool:
        """`set_issue_metadata` (app/policies/issue_policy.rb): on an existing issue,
        `admin_issue`, Reporter and above (GitLab 17 calls the lowest such role Planner);
        on the issue being created, any member, a Guest too
        (`~persisted & is_project_member & can?(:guest_access)`, gitlab#300100)."""
        if self.issue is None:
            return self.actor.access >= Access.READ
        return self.actor.access >= Access.TRIAGE

    @property
    def updates(self) -> bool:
        # `update_issue`: the issue's author, an assignee, or a Reporter and above
        # (app/policies/issuable_policy.rb and project_policy.rb)
        issue = self.issue
        if issue is None:
            return False
        assigned = any(user.id == self.actor.id for user in self.assignees)
        return issue.author_id == self.actor.id or assigned or self.manages


def run(commands: Sequence[Command], context: Context) -> Outcome:
    """The edit the available commands make; unavailable ones are dropped without effect."""
    outcome = Outcome()
    for command in commands:
        _ACTIONS[command.name](command.arg, context, outcome)
    return outcome


Action = Callable[[str, Context, Outcome], None]


def _set_state(to: State, event: str, message: str) -> Action:
    """`/close` and `/reopen`: for an issue in the other state, by whoever may update it."""

    def act(arg: str, context: Context, outcome: Outcome) -> None:
        issue = context.issue
        if context.updates and issue is not None and issue.state is not to:
            outcome.edit = replace(outcome.edit, state=to)
            outcome.changes["state_event"] = event
            outcome.messages.append(message)

    return act


def _named_labels(arg: str, context: Context) -> list[Label]:
    """Existing project labels the argument names: quick actions never create labels."""
    references = _LABEL_REFERENCE.findall(arg)
    names = [quoted or bare for quoted, bare in references]
    if not references:  # GitLab also takes plain names, separated by commas
        names = [name.strip() for name in arg.split(",") if name.strip()]
    by_name = {label.name: label for label in context.project_labels}
    return list({label.id: label for name in names if (label := by_name.get(name))}.values())


def _refs(labels: Sequence[Label]) -> str:
    noun = "label" if len(labels) == 1 else "labels"
    return " ".join(f'~"{label.name}"' for label in labels) + f" {noun}"


def _label(arg: str, context: Context, outcome: Outcome) -> None:
    labels = _named_labels(arg, context)
    if context.manages and labels:
        names = tuple(label.name for label in labels)
        outcome.edit = replace(outcome.edit, add_labels=outcome.edit.add_labels + names)
        ids = outcome.changes.setdefault("add_label_ids", [])
        ids.extend(label.id for label in labels if label.id not in ids)
        outcome.messages.append(f"Added {_refs(labels)}.")


def _unlabel(arg: str, context: Context, outcome: Outcome) -> None:
    if not (context.manages and context.issue is not None and context.labels):
        return
    if not arg:
        outcome.edit = replace(outcome.edit, labels=())
        outcome.changes["label_ids"] = []
        outcome.messages.append("Removed all labels.")
        return
    labels = _named_labels(arg, context)
    if labels:
        names = tuple(label.name for label in labels)
        outcome.edit = replace(outcome.edit, remove_labels=outcome.edit.remove_labels + names)
        ids = outcome.changes.setdefault("remove_label_ids", [])
        ids.extend(label.id for label in labels if label.id not in ids)
    outcome.messages.append(f"Removed {_refs(labels)}." if labels else "Removed all labels.")


def _assign(arg: str, context: Context, outcome: Outcome) -> None:
    logins = [word.removeprefix("@") for word in arg.split()]
    people = [context.actor if login == "me" else context.find_user(login) for login in logins]
    users = [user for user in people if user is not None]
    if not (context.manages and users):
        return
    current = outcome.edit.assignee_ids
    ids = list(current if current is not None else (u.id for u in context.assignees))
    ids += [user.id for user in users if user.id not in ids]
    outcome.edit = replace(outcome.edit, assignee_ids=tuple(ids))
    outcome.changes["assignee_ids"] = ids
    outcome.messages.append(f"Assigned {_sentence([f'@{user.username}' for user in users])}.")


def _sentence(words: Sequence[str]) -> str:
    """Ruby's `to_sentence`: "a", "a and b", "a, b, and c"."""
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + f", and {words[-1]}"


_ACTIONS: Mapping[str, Action] = {
    "close": _set_state(State.CLOSED, "close", "Closed this issue."),
    "reopen": _set_state(State.OPEN, "reopen", "Reopened this issue."),
    "label": _label,
    "unlabel": _unlabel,
    "assign": _assign,
}
