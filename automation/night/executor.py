"""Runs a plan on the forge: each action in order, a lost answer read back, the outcomes.

The actions are the values `automation.lifecycle.actions` defines and the rules return; this is the
only place that turns them into writes (`mentorship apply`, the nightly run, the demo).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from automation.errors import ExpectedError
from automation.forge.base import Forge, ForgeError, RateLimited, own_change_request
from automation.lifecycle import ledger, markers
from automation.lifecycle.actions import (
    IF_DONE,
    ISSUE_REF,
    REF,
    Action,
    CreateLabel,
    EditComment,
    EditIssueBody,
    OpenIssue,
    PostComment,
    ProposeRoster,
    Relabel,
    ReopenIssue,
    Target,
    assignees_of,
)
from automation.messages.markdown import as_kept
from automation.model import ChangeRequest, Issue, IssueState
from automation.roster.handles import same_handle

log = logging.getLogger(__name__)


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
        """The body of issue `key` as written: references filled in, a ledger or the
        dashboard signed."""
        resolved = self.resolve(text)
        return ledger.sign(resolved, key, self.secret) if self.secret else resolved

    def comment(self, text: str) -> str:
        """A comment as written: references filled in, signed for the key of the marker
        the plan put on its first line if that asks for it (`sig=unsigned`)."""
        marker = markers.find(text)
        return self.body(text, marker.key) if marker else self.resolve(text)

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

        text = ISSUE_REF.sub(issue, text)
        text = IF_DONE.sub(all_done, text)
        return REF.sub(made, text)


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

    First the forge learns who the issues to open assign, in a few batched reads (GitLab
    assigns by user id); if they fail, each write looks up its people itself, as it would
    without them, and says what went wrong if that fails too.
    """
    actions = list(actions)
    try:
        forge.know_users(assignees_of(actions))
    except ForgeError as exc:
        log.warning("the people to assign were not read in one go, each write looks: %s", exc)
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
        return Outcome(action, Status.DONE, _run(action, forge, made))
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


def _assigned(asked: Sequence[str], kept: Sequence[str]) -> str:
    """What to say when the forge kept fewer assignees than the bot asked for: GitLab Free
    keeps one per issue (app/services/issuable_base_service.rb keeps the first unless the
    issue `allows_multiple_assignees?`, a Premium feature), and a Guest who is not assigned
    may not edit the issue's description (tick its boxes, write an agenda or an answer)."""
    if len(kept) >= len(asked):
        return ""
    return (
        f"the forge kept {len(kept)} of its {len(asked)} assignees: GitLab Free keeps one "
        'per issue (README, "One assignee per issue"), and no forge assigns someone without '
        "a role in the project"
    )


def _run(action: Action, forge: Forge, made: _Made) -> str:
    """Carry out `action`; what to say of it when it was done already."""
    if isinstance(action, CreateLabel):
        # A label by that name already there is the label wanted: done (an earlier run
        # whose answer was lost, or someone who made it by hand).
        created = forge.create_label(action.name, action.color, action.description)
        return "" if created else "it exists already"
    if isinstance(action, OpenIssue):
        draft = replace(action.draft, body=made.body(action.draft.body, action.key))
        opened = made.issues[action.key] = forge.create_issue(draft)
        _written_as(forge, opened.author, f"issue #{opened.number}")
        return _assigned(draft.assignees, opened.assignees)
    elif isinstance(action, PostComment):
        body = made.comment(action.body)
        posted = forge.comment(made.number(action.target), body)
        made.comments[action.key] = posted.id
        _written_as(forge, posted.author, f"a comment on #{posted.issue_number}")
    elif isinstance(action, EditComment):
        body = made.comment(action.body)
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
    return ""


class NotTheBot(ExpectedError):
    """The forge wrote as someone other than the bot program.yml names."""


def _written_as(forge: Forge, author: str, what: str) -> None:
    """Stop the run at its first write the forge made as someone other than `forge.bot`
    (GitHub's tokens cannot say who they are): the bot would not know its own issues, and
    would open them again every night."""
    bot = forge.whoami()
    if not same_handle(author, bot):
        raise NotTheBot(
            f"the forge wrote {what} as {author}, but program.yml says forge.bot: {bot}, so "
            f"the bot would not know what it writes and would write it again each night; "
            f'nothing more was written. Set forge.bot: "{author}" (a GitHub App writes as '
            f"<app-slug>[bot], the workflow's own token as github-actions[bot]) and run again"
        )


def _propose(action: ProposeRoster, forge: Forge, made: _Made) -> None:
    """One open merge/pull request of the bot's from the proposal branch, showing `text`
    (or none). A request someone else opened from that branch is never edited, and while
    one is open the bot writes nothing there: rewriting the branch would change that
    person's request, and the forge refuses a second one from the same branch (GitHub 422
    "A pull request already exists", GitLab 409), so the write fails saying which request
    to close."""
    opened = forge.open_change_requests(action.branch)
    found = own_change_request(opened, forge.whoami())
    if action.text is None:
        if found is not None:
            forge.close_change_request(found.number)
        return
    others = [c for c in opened if c is not found]
    if others:
        raise ForgeError(_not_the_bots(others, action.branch), fix=_CLOSE_THEM)
    base = forge.default_branch()
    message = f"Propose program.yml changes for the coordinators\n\n{action.title}"
    forge.put_branch_file(action.branch, action.path, action.text, message, base=base)
    body = made.resolve(action.body)
    if found is None:
        forge.open_change_request(action.branch, base, action.title, body)
    elif (found.title, found.body) != (action.title, body):
        forge.edit_change_request(found.number, action.title, body)


_CLOSE_THEM = (
    "close it (a person's change to program.yml goes on a branch of its own), and protect "
    "the proposal branch so that only the bot pushes there"
)


def _not_the_bots(changes: list[ChangeRequest], branch: str) -> str:
    named = ", ".join(f"#{c.number} by {c.author} ({c.url})" for c in changes)
    return (
        f"the roster proposal was not written: {named} is open from {branch}, the bot's "
        f"proposal branch, and is not the bot's; the bot neither edits it nor rewrites the "
        f"branch under it: {_CLOSE_THEM}"
    )


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
        if isinstance(action, CreateLabel):
            self.reads += 1
            return action.name in self.forge.label_names()
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
                body = made.comment(action.body)
                kept = as_kept(body)
                return any(c.id == action.comment_id and as_kept(c.body) == kept for c in comments)
            bot = self.forge.whoami()
            for comment in comments:
                marker = markers.find(comment.body) if same_handle(comment.author, bot) else None
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
            marker = markers.find(issue.body) if same_handle(issue.author, bot) else None
            if marker is not None and marker.key == action.key:
                return issue
        return None
