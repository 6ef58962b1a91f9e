"""The forge-agnostic vocabulary: issues, comments and drafts as frozen values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class IssueState(StrEnum):
    """Issue state as the rules see it; GitLab's `opened` becomes OPEN."""

    OPEN = "open"
    CLOSED = "closed"


class CloseReason(StrEnum):
    """Why an issue was closed (GitHub `state_reason`; GitLab keeps no reason)."""

    COMPLETED = "completed"
    NOT_PLANNED = "not_planned"


@dataclass(frozen=True)
class TaskCounts:
    """Checked and counted task items, as a forge reports them."""

    done: int
    total: int


@dataclass(frozen=True)
class Issue:
    """An issue on either forge. `number` is GitLab's `iid` or GitHub's `number`."""

    number: int
    title: str
    body: str
    state: IssueState
    author: str
    labels: tuple[str, ...]
    assignees: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    url: str
    closed_at: datetime | None = None
    confidential: bool = False
    close_reason: CloseReason | None = None
    # GitLab's `task_completion_status`; None on GitHub, whose API carries no counts.
    tasks: TaskCounts | None = None
    # GitLab's `due_date`; None on GitHub, whose issues have none (the title carries it).
    due: date | None = None


@dataclass(frozen=True)
class Comment:
    """A human-written or bot-written comment (GitLab: a non-system note)."""

    id: int
    issue_number: int
    body: str
    author: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Draft:
    """An issue the bot wants to create."""

    title: str
    body: str
    labels: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    confidential: bool = False
    # The day it is due: GitLab's `due_date`; GitHub has no due dates, so its adapter ends
    # the title with it ("· due 2026-03-01").
    due: date | None = None

    def opened(self, author: str, at: datetime) -> Issue:
        """The issue this draft becomes once opened, as a plan expects it (number unknown)."""
        return Issue(
            number=0,
            title=self.title,
            body=self.body,
            state=IssueState.OPEN,
            author=author,
            labels=self.labels,
            assignees=self.assignees,
            created_at=at,
            updated_at=at,
            url="",
            confidential=self.confidential,
            due=self.due,
        )


@dataclass(frozen=True)
class FileAt:
    """A file's text on a branch, with the ids a later write uses to notice a change between.

    `blob` is the git blob id (GitHub's contents `sha`, GitLab's `blob_id`): GitHub refuses
    to replace a file without it. `commit` is GitLab's `last_commit_id`, the last commit
    that changed the file; GitHub's contents API reports none.
    """

    path: str
    text: str
    blob: str
    commit: str | None = None


class ChangeState(StrEnum):
    """A merge request's (GitLab) or pull request's (GitHub) state; GitLab's `opened` is OPEN."""

    OPEN = "open"
    CLOSED = "closed"
    MERGED = "merged"


@dataclass(frozen=True)
class ChangeRequest:
    """A merge request (GitLab, `iid`) or pull request (GitHub, `number`) from `source`
    into `target`; `head` is the commit the source branch was at when last read."""

    number: int
    title: str
    body: str
    state: ChangeState
    source: str
    target: str
    head: str
    author: str
    url: str


@dataclass(frozen=True)
class Tick:
    """Someone ticked (or unticked) a task item of an issue's description, as the forge's own
    history records it: GitLab's "marked the checklist item" system note, or the editor of a
    GitHub description revision (`userContentEdits`). `text` is the item's text."""

    text: str
    checked: bool
    author: str
    at: datetime
