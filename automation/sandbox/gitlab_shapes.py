"""GitLab's API entities (issue, note, event, label, user, project, repository) from rows."""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from automation.sandbox.clock import gitlab_time
from automation.sandbox.records import (
    Change,
    ChangeState,
    Comment,
    Commit,
    Event,
    EventAction,
    Issue,
    IssueQuery,
    Label,
    Project,
    State,
    User,
    Window,
)
from automation.sandbox.store import Store

PREFIX = "/api/v4"
_STATE_NAMES = {State.OPEN: "opened", State.CLOSED: "closed"}
_ACTION_NAMES = {
    EventAction.CREATED: "opened",
    EventAction.CLOSED: "closed",
    EventAction.REOPENED: "reopened",
    EventAction.COMMENTED: "commented on",
}


class GitLabView:
    """Renders rows as GitLab's API entities, with URLs on the host the client used."""

    def __init__(self, store: Store, base_url: str) -> None:
        self.store = store
        self.base = base_url
        self.api = base_url + PREFIX

    def user(self, user: User) -> dict[str, Any]:
        digest = hashlib.md5(user.username.encode(), usedforsecurity=False).hexdigest()
        return {
            "id": user.id,
            "username": user.username,
            "name": user.username,
            "state": "active",
            "locked": False,
            "avatar_url": f"https://www.gravatar.com/avatar/{digest}?s=80&d=identicon",
            "web_url": f"{self.base}/{user.username}",
        }

    def current_user(self, user: User) -> dict[str, Any]:
        created = gitlab_time(user.created_at)
        return {
            **self.user(user),
            "created_at": created,
            "bio": "",
            "location": "",
            "public_email": None,
            "linkedin": "",
            "twitter": "",
            "discord": "",
            "website_url": "",
            "organization": "",
            "job_title": "",
            "pronouns": None,
            "bot": False,
            "work_information": None,
            "local_time": None,
            "last_sign_in_at": created,
            "confirmed_at": created,
            "last_activity_on": created[:10],
            "email": f"{user.username}@sandbox.invalid",
            "theme_id": 1,
            "color_scheme_id": 1,
            "projects_limit": 100000,
            "current_sign_in_at": created,
            "identities": [],
            "can_create_group": True,
            "can_create_project": True,
            "two_factor_enabled": False,
            "external": False,
            "private_profile": False,
            "commit_email": f"{user.username}@sandbox.invalid",
        }

    def member(self, user: User) -> dict[str, Any]:
        """A project member (lib/api/entities/member.rb): the user, their role, since when."""
        return {
            **self.user(user),
            "access_level": int(user.access),
            "created_at": gitlab_time(user.created_at),
            "created_by": None,
            "expires_at": None,
            "membership_state": "active",
        }

    def project(self, project: Project, viewer: User) -> dict[str, Any]:
        namespace = project.namespace
        api = f"{self.api}/projects/{project.id}"
        host = self.base.split("://", 1)[-1].split(":", 1)[0]
        return {
            "id": project.id,
            "description": None,
            "name": project.name,
            "name_with_namespace": " / ".join(project.path.split("/")),
            "path": project.name,
            "path_with_namespace": project.path,
            "created_at": gitlab_time(project.created_at),
            "default_branch": "main",
            "tag_list": [],
            "topics": [],
            "ssh_url_to_repo": f"git@{host}:{project.path}.git",
            "http_url_to_repo": f"{self.base}/{project.path}.git",
            "web_url": f"{self.base}/{project.path}",
            "readme_url": None,
            "forks_count": 0,
            "avatar_url": None,
            "star_count": 0,
            "last_activity_at": gitlab_time(project.created_at),
            "namespace": {
                # namespaces are not stored; a checksum of the path keeps the id stable
                "id": zlib.crc32(namespace.encode()) & 0x7FFFFFFF,
                "name": namespace.rsplit("/", 1)[-1],
                "path": namespace.rsplit("/", 1)[-1],
                "kind": "group",
                "full_path": namespace,
                "parent_id": None,
                "avatar_url": None,
                "web_url": f"{self.base}/groups/{namespace}",
            },
            "visibility": "private" if project.private else "public",
            "_links": {
                "self": api,
                "issues": f"{api}/issues",
                "merge_requests": f"{api}/merge_requests",
                "repo_branches": f"{api}/repository/branches",
                "labels": f"{api}/labels",
                "events": f"{api}/events",
                "members": f"{api}/members",
                "cluster_agents": f"{api}/cluster_agents",
            },
            "empty_repo": True,
            "archived": False,
            "issues_enabled": True,
            "merge_requests_enabled": True,
            "wiki_enabled": True,
            "jobs_enabled": True,
            "snippets_enabled": True,
            "issues_access_level": "enabled",
            "open_issues_count": self._open_issues(project),
            "creator_id": 1,
            # the viewer's own role: what a token may do is read from here
            "permissions": {
                "project_access": (
                    {"access_level": int(viewer.access), "notification_level": 3}
                    if viewer.assignable
                    else None
                ),
                "group_access": None,
            },
        }

    def _open_issues(self, project: Project) -> int:
        _, total = self.store.list_issues(project, IssueQuery(state=State.OPEN), Window(0, 0))
        return total

    def issues(
        self, project: Project, issues: Sequence[Issue], *, subscribed: bool = False
    ) -> list[dict[str, Any]]:
        ids = [issue.id for issue in issues]
        labels = self.store.issue_labels(ids)
        assignees = self.store.issue_assignees(ids)
        people = self.store.users(
            [issue.author_id for issue in issues]
            + [issue.closed_by for issue in issues if issue.closed_by is not None]
        )
        return [
            self._issue(project, issue, labels[issue.id], assignees[issue.id], people, subscribed)
            for issue in issues
        ]

    def issue(self, project: Project, issue: Issue) -> dict[str, Any]:
        # GitLab computes `subscribed` for a single issue only, never in lists
        return self.issues(project, [issue], subscribed=True)[0]

    def _issue(
        self,
        project: Project,
        issue: Issue,
        labels: list[Label],
        assignees: list[User],
        people: Mapping[int, User],
        subscribed: bool,
    ) -> dict[str, Any]:
        api = f"{self.api}/projects/{project.id}"
        assignee_json = [self.user(user) for user in assignees]
        closed_by = people.get(issue.closed_by) if issue.closed_by is not None else None
        rendered: dict[str, Any] = {
            "id": issue.id,
            "iid": issue.number,
            "project_id": project.id,
            "title": issue.title,
            "description": issue.body,
            "state": _STATE_NAMES[issue.state],
            "created_at": gitlab_time(issue.created_at),
            "updated_at": gitlab_time(issue.updated_at),
            "closed_at": None if issue.closed_at is None else gitlab_time(issue.closed_at),
            "closed_by": None if closed_by is None else self.user(closed_by),
            "labels": [label.name for label in labels],
            "milestone": None,
            "assignees": assignee_json,
            "author": self.user(people[issue.author_id]),
            "type": "ISSUE",
            "assignee": assignee_json[0] if assignee_json else None,
            "user_notes_count": issue.comments,
            "merge_requests_count": 0,
            "upvotes": 0,
            "downvotes": 0,
            "due_date": issue.due_date,
            "confidential": issue.confidential,
            "discussion_locked": None,
            "issue_type": "issue",
            "web_url": f"{self.base}/{project.path}/-/issues/{issue.number}",
            "time_stats": {
                "time_estimate": 0,
                "total_time_spent": 0,
                "human_time_estimate": None,
                "human_total_time_spent": None,
            },
            "task_completion_status": {
                "count": issue.tasks_total,
                "completed_count": issue.tasks_done,
            },
            "has_tasks": issue.tasks_total > 0,
            "_links": {
                "self": f"{api}/issues/{issue.number}",
                "notes": f"{api}/issues/{issue.number}/notes",
                "award_emoji": f"{api}/issues/{issue.number}/award_emoji",
                "project": api,
                "closed_as_duplicate_of": None,
            },
            "references": {
                "short": f"#{issue.number}",
                "relative": f"#{issue.number}",
                "full": f"{project.path}#{issue.number}",
            },
            "severity": "UNKNOWN",
            **({"subscribed": False} if subscribed else {}),
            "moved_to_id": None,
            "imported": False,
            "imported_from": "none",
            "service_desk_reply_to": None,
        }
        if issue.tasks_total:
            rendered["task_status"] = (
                f"{issue.tasks_done} of {issue.tasks_total} checklist items completed"
            )
        return rendered

    def notes(self, notes: Sequence[Comment]) -> list[dict[str, Any]]:
        people = self.store.users(note.author_id for note in notes)
        return [self._note(note, people[note.author_id]) for note in notes]

    def note(self, note: Comment) -> dict[str, Any]:
        return self.notes([note])[0]

    def _note(self, note: Comment, author: User) -> dict[str, Any]:
        return {
            "id": note.id,
            # the note's class when it is not a plain Note (lib/api/entities/note.rb)
            "type": None if note.note_type == "Note" else note.note_type,
            "body": note.body,
            "attachment": None,
            "author": self.user(author),
            "created_at": gitlab_time(note.created_at),
            "updated_at": gitlab_time(note.updated_at),
            "system": note.system,
            "noteable_id": note.issue_id,
            "noteable_type": "Issue",
            "project_id": note.project_id,
            "noteable_iid": note.issue_number,
            "commands_changes": {},
            "resolvable": False,
            "confidential": False,
            "internal": False,
            "imported": False,
            "imported_from": "none",
        }

    def discussion(self, notes: Sequence[Comment]) -> dict[str, Any]:
        """lib/api/entities/discussion.rb: a single note is a discussion of its own."""
        return {
            "id": notes[0].discussion_id,
            "individual_note": notes[0].note_type == "Note",
            "notes": self.notes(notes),
        }

    def events(self, events: Sequence[Event]) -> list[dict[str, Any]]:
        people = self.store.users(event.author_id for event in events)
        notes = self.store.comments_by_id(e.note_id for e in events if e.note_id is not None)
        rendered = []
        for event in events:
            author = people[event.author_id]
            entry: dict[str, Any] = {
                "id": event.id,
                "project_id": event.project_id,
                "action_name": _ACTION_NAMES[event.action],
                "target_id": event.target_id,
                "target_iid": event.target_iid,
                "target_type": event.target_type,
                "author_id": author.id,
                "target_title": event.target_title,
                "created_at": gitlab_time(event.created_at),
                "author": self.user(author),
                "imported": False,
                "imported_from": "none",
                "author_username": author.username,
            }
            note = notes.get(event.note_id) if event.note_id is not None else None
            if note is not None:
                entry["note"] = self._note(note, people.get(note.author_id) or author)
            rendered.append(entry)
        return rendered

    def label(self, label: Label, counts: tuple[int, int] | None = None) -> dict[str, Any]:
        rendered: dict[str, Any] = {
            "id": label.id,
            "name": label.name,
            "description": label.description,
            "description_html": "",
            "text_color": _text_color(label.color),
            "color": label.color,
            "subscribed": False,
            "priority": None,
            "is_project_label": True,
            "archived": False,
        }
        if counts is not None:
            rendered["open_issues_count"] = counts[0]
            rendered["closed_issues_count"] = counts[1]
            rendered["open_merge_requests_count"] = 0
        return rendered


def _text_color(color: str) -> str:
    """GitLab picks dark or light label text by the background's luminance."""
    hex_digits = color.lstrip("#")
    if len(hex_digits) != 6:
        return "#FFFFFF"
    red, green, blue = (int(hex_digits[i : i + 2], 16) for i in (0, 2, 4))
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return "#1F1E24" if luminance > 186 else "#FFFFFF"


class GitLabRepositoryView(GitLabView):
    """GitLab's repository entities: files, commits, branches, merge requests."""

    def file(
        self, path: str, ref: str, text: str, commit: Commit, last_commit: str
    ) -> dict[str, Any]:
        """lib/api/files.rb, `GET /projects/:id/repository/files/:file_path`."""
        data = text.encode()
        return {
            "file_name": path.rsplit("/", 1)[-1],
            "file_path": path,
            "size": len(data),
            "encoding": "base64",
            "content": base64.b64encode(data).decode(),
            "content_sha256": hashlib.sha256(data).hexdigest(),
            "ref": ref,
            "blob_id": commit.tree[path],
            "commit_id": commit.id,
            "last_commit_id": last_commit,
            "execute_filemode": False,
        }

    def commit(
        self, project: Project, commit: Commit, stats: dict[str, int] | None = None
    ) -> dict[str, Any]:
        """API::Entities::Commit (and CommitDetail's `stats`, `status` when given)."""
        author = commit.author or "Sandbox"
        email = f"{commit.author or 'sandbox'}@sandbox.invalid"
        at = gitlab_time(commit.created_at)
        rendered: dict[str, Any] = {
            "id": commit.id,
            "short_id": commit.id[:11],
            "created_at": at,
            "parent_ids": list(commit.parents),
            "title": commit.message.split("\n", 1)[0],
            "message": commit.message,
            "author_name": author,
            "author_email": email,
            "authored_date": at,
            "committer_name": author,
            "committer_email": email,
            "committed_date": at,
            "trailers": {},
            "extended_trailers": {},
            "web_url": f"{self.base}/{project.path}/-/commit/{commit.id}",
        }
        if stats is not None:
            rendered["stats"] = stats
            rendered["status"] = None
        return rendered

    def diff(self, path: str, before: bool, after: bool) -> dict[str, Any]:
        """API::Entities::Diff: one file of a comparison (the sandbox sends no `diff` text
        and never sees a rename: a moved file is one deleted and one new)."""
        return {
            "diff": "",
            "collapsed": False,
            "too_large": False,
            "new_path": path,
            "old_path": path,
            "a_mode": "100644" if before else "0",
            "b_mode": "100644" if after else "0",
            "new_file": not before,
            "renamed_file": False,
            "deleted_file": not after,
            "generated_file": False,
        }

    def branch(self, project: Project, name: str, commit: Commit) -> dict[str, Any]:
        """API::Entities::Branch; no branch is protected in the sandbox."""
        return {
            "name": name,
            "commit": self.commit(project, commit),
            "merged": False,
            "protected": False,
            "developers_can_push": False,
            "developers_can_merge": False,
            "can_push": True,
            "default": name == "main",
            "web_url": f"{self.base}/{project.path}/-/tree/{name}",
        }

    def merge_requests(
        self, project: Project, changes: Sequence[Change], *, single: bool = False
    ) -> list[dict[str, Any]]:
        people = self.store.users(
            [c.author_id for c in changes]
            + [u for c in changes for u in (c.closed_by, c.merged_by) if u is not None]
        )
        return [self._merge_request(project, change, people, single) for change in changes]

    def merge_request(self, project: Project, change: Change) -> dict[str, Any]:
        return self.merge_requests(project, [change], single=True)[0]

    def _merge_request(
        self, project: Project, change: Change, people: Mapping[int, User], single: bool
    ) -> dict[str, Any]:
        """API::Entities::MergeRequestBasic (lists), MergeRequest (single: `subscribed`,
        `changes_count`, `diff_refs`, `merge_error`, `user`...; the sandbox sends the ones
        below)."""

        def who(user_id: int | None) -> dict[str, Any] | None:
            user = people.get(user_id) if user_id is not None else None
            return None if user is None else self.user(user)

        state = {"open": "opened"}.get(change.state.value, change.state.value)
        head = self.store.head_of(project, change)
        mergeable = self._mergeable(project, change, head)
        rendered: dict[str, Any] = {
            "id": change.id,
            "iid": change.number,
            "project_id": project.id,
            "title": change.title,
            "description": change.body,
            "state": state,
            "imported": False,
            "imported_from": "none",
            "merged_by": who(change.merged_by),
            "merge_user": who(change.merged_by),
            "merged_at": None if change.merged_at is None else gitlab_time(change.merged_at),
            "merge_after": None,
            "prepared_at": gitlab_time(change.created_at),
            "closed_by": who(change.closed_by),
            "closed_at": None if change.closed_at is None else gitlab_time(change.closed_at),
            "created_at": gitlab_time(change.created_at),
            "updated_at": gitlab_time(change.updated_at),
            "target_branch": change.target,
            "source_branch": change.source,
            "upvotes": 0,
            "downvotes": 0,
            "author": who(change.author_id),
            "assignee": None,
            "assignees": [],
            "reviewers": [],
            "source_project_id": project.id,
            "target_project_id": project.id,
            "labels": [],
            "draft": False,
            "work_in_progress": False,
            "milestone": None,
            "merge_when_pipeline_succeeds": False,
            "merge_status": "can_be_merged" if mergeable else "cannot_be_merged",
            "detailed_merge_status": _detailed_status(change, mergeable),
            "has_conflicts": not mergeable,
            "sha": head,
            "merge_commit_sha": change.merge_commit,
            "squash_commit_sha": None,
            "user_notes_count": 0,
            "discussion_locked": None,
            "should_remove_source_branch": change.remove_source or None,
            "force_remove_source_branch": change.remove_source,
            "allow_collaboration": False,
            "allow_maintainer_to_push": False,
            "web_url": f"{self.base}/{project.path}/-/merge_requests/{change.number}",
            "references": {
                "short": f"!{change.number}",
                "relative": f"!{change.number}",
                "full": f"{project.path}!{change.number}",
            },
            "time_stats": {
                "time_estimate": 0,
                "total_time_spent": 0,
                "human_time_estimate": None,
                "human_total_time_spent": None,
            },
            "squash": False,
            "squash_on_merge": False,
            "task_completion_status": {"count": 0, "completed_count": 0},
            "blocking_discussions_resolved": True,
        }
        if single:
            rendered["subscribed"] = False
            rendered["merge_error"] = None
        return rendered

    def _mergeable(self, project: Project, change: Change, head: str) -> bool:
        if change.state is not ChangeState.OPEN:
            return True
        target = self.store.branch_head(project, change.target)
        if target is None or self.store.branch_head(project, change.source) is None:
            return False
        return not isinstance(self.store.merged_files(project, target, head), list)


def _detailed_status(change: Change, mergeable: bool) -> str:
    """doc/api/merge_requests.md, "Merge status": the ones the sandbox can reach."""
    if change.state is not ChangeState.OPEN:
        return "not_open"
    return "mergeable" if mergeable else "conflict"
