"""The rows the sandbox keeps, shared by both API flavours; times are epoch milliseconds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Flavour(StrEnum):
    GITLAB = "gitlab"
    GITHUB = "github"


class State(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Access(IntEnum):
    """A registered user's role on every project, by GitLab's access levels.

    GitHub's repository roles line up: read is pull, triage, write is push, maintain, admin.
    NONE is an account with no role at all: it exists, but cannot be assigned.
    """

    NONE = 0
    READ = 10  # GitLab Guest, GitHub read
    TRIAGE = 20  # GitLab Reporter, GitHub triage
    WRITE = 30  # GitLab Developer, GitHub write
    MAINTAIN = 40  # GitLab Maintainer, GitHub maintain
    ADMIN = 50  # GitLab Owner, GitHub admin


@dataclass(frozen=True)
class User:
    id: int
    username: str
    created_at: int
    access: Access = Access.WRITE

    @property
    def assignable(self) -> bool:
        return self.access >= Access.READ


@dataclass(frozen=True)
class Project:
    id: int
    flavour: Flavour
    path: str  # "group/sub/name" on GitLab, "owner/name" on GitHub
    private: bool
    created_at: int

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def namespace(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""


@dataclass(frozen=True)
class Issue:
    id: int
    project_id: int
    number: int  # GitLab iid, GitHub number
    title: str
    body: str | None
    state: State
    state_reason: str | None
    author_id: int
    confidential: bool
    comments: int  # human comments only; GitLab system notes are not counted
    created_at: int
    updated_at: int
    closed_at: int | None
    closed_by: int | None
    # checklist items by GitLab's rules, counted when the body is written (as GitLab caches
    # its rendered markdown) rather than on every read; zero on GitHub, which has no such field
    tasks_total: int = 0
    tasks_done: int = 0
    # a GitHub pull request, which GitHub lists among the issues
    pull: bool = False
    # GitLab's `due_date` (YYYY-MM-DD); GitHub issues have none
    due_date: str | None = None


@dataclass(frozen=True)
class Label:
    id: int
    project_id: int
    name: str
    color: str
    description: str | None
    created_at: int


@dataclass(frozen=True)
class Comment:
    """A GitHub issue comment or a GitLab issue note (which may be a system note)."""

    id: int
    project_id: int
    issue_id: int
    issue_number: int
    author_id: int
    body: str
    system: bool
    created_at: int
    updated_at: int
    # GitLab's note class: "Note", or "DiscussionNote" for a note in a thread
    note_type: str = "Note"
    # GitLab's discussion id (40 hex digits); every note has one, threads share it
    discussion_id: str = ""


class EventAction(StrEnum):
    """GitLab's event actions we record, valued by their `action` filter name."""

    CREATED = "created"
    CLOSED = "closed"
    REOPENED = "reopened"
    COMMENTED = "commented"


@dataclass(frozen=True)
class Event:
    id: int
    project_id: int
    action: EventAction
    target_type: str  # "Issue", or the note's class: "Note", "DiscussionNote"
    target_id: int
    target_iid: int | None
    target_title: str | None
    author_id: int
    note_id: int | None
    created_at: int


class SortKey(StrEnum):
    CREATED = "created_at"
    UPDATED = "updated_at"
    COMMENTS = "comments"


@dataclass(frozen=True)
class Window:
    """One page of a listing: rows to skip and rows to return."""

    offset: int
    limit: int


@dataclass(frozen=True)
class IssueQuery:
    state: State | None = None
    labels: tuple[str, ...] = ()
    any_label: bool | None = None  # True: at least one label; False: none at all
    created_after: int | None = None
    created_before: int | None = None
    updated_after: int | None = None
    updated_before: int | None = None
    numbers: tuple[int, ...] = ()  # GitLab iids; empty means any
    author_id: int | None = None
    assignee_id: int | None = None
    assigned: bool | None = None  # True: anyone assigned; False: nobody
    confidential: bool | None = None
    # A GitLab caller below Reporter: a confidential issue shows only to its author and its
    # assignees (app/policies/issue_policy.rb, `can_read_confidential`).
    visible_to: int | None = None
    # Words the title or the description holds (GitLab's `search` and `in`, GitHub's search
    # terms and `in:` qualifiers), case-insensitively; `search_in` names the fields.
    search: str | None = None
    search_in: tuple[str, ...] = ("title", "body")
    sort: SortKey = SortKey.CREATED
    ascending: bool = False


@dataclass(frozen=True)
class IssueEdit:
    """What a PUT/PATCH asks to change; None means "leave as is"."""

    title: str | None = None
    body: str | None = None
    state: State | None = None
    state_reason: str | None = None
    labels: tuple[str, ...] | None = None
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()
    assignee_ids: tuple[int, ...] | None = None
    confidential: bool | None = None
    due_date: str | None = None  # "" removes it


@dataclass(frozen=True)
class IssueChanges:
    """What an edit actually changed, so each flavour can record it its own way."""

    before: Issue
    after: Issue
    added_labels: tuple[str, ...] = ()
    removed_labels: tuple[str, ...] = ()
    assignees_changed: bool = False

    @property
    def changed(self) -> bool:
        return (
            self.before != self.after
            or bool(self.added_labels)
            or bool(self.removed_labels)
            or self.assignees_changed
        )


@dataclass(frozen=True)
class Commit:
    id: str
    project_id: int
    parents: tuple[str, ...]
    files: tuple[tuple[str, str], ...]  # (path, blob id), sorted: the sandbox's trees are flat
    message: str
    author: str  # the login that made it; "" for files the sandbox's controls put there
    created_at: int

    @property
    def tree(self) -> dict[str, str]:
        return dict(self.files)


class ChangeState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    MERGED = "merged"


@dataclass(frozen=True)
class Change:
    """A GitLab merge request or a GitHub pull request, from `source` into `target`.

    A GitHub pull request is also an issue of its repository (`issue_id`), numbered with
    the issues; a GitLab merge request has iids of its own.
    """

    id: int
    project_id: int
    number: int
    issue_id: int | None
    source: str
    target: str
    title: str
    body: str | None
    state: ChangeState
    author_id: int
    created_at: int
    updated_at: int
    closed_at: int | None
    closed_by: int | None
    merged_at: int | None
    merged_by: int | None
    merge_commit: str | None
    # the source branch's head when the change was last written; open changes follow the
    # branch (`RepositoryRows.head_of`), merged and closed ones keep this
    head: str
    remove_source: bool
