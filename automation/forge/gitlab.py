"""GitLab adapter: the Forge operations on python-gitlab, with GitLab's words normalised."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

import gitlab
import requests
from gitlab.v4.objects import Project, ProjectIssue

from automation.forge.base import (
    CLOSED_PAGE,
    TICKS_BATCH,
    USERS_BATCH,
    Access,
    ForgeError,
    batches,
    failure,
    named,
    own_change_request,
    rate_limited,
    server_date,
    unknown_handle,
    unreachable,
)
from automation.forge.pacing import Pacer
from automation.forge.retry import RetryPolicy
from automation.lifecycle import boxes
from automation.model import (
    ChangeRequest,
    ChangeState,
    CloseReason,
    Comment,
    Draft,
    FileAt,
    Issue,
    IssueState,
    TaskCounts,
    Tick,
)

T = TypeVar("T")

# python-gitlab retries 429s itself (sleeping in-process) unless told not to; our urllib3
# Retry mounted on the session does that job for both forges with one policy.
_NO_CLIENT_RETRY: dict[str, Any] = {"obey_rate_limit": False, "retry_transient_errors": False}
_STATE = {IssueState.OPEN: "opened", IssueState.CLOSED: "closed"}
# https://docs.gitlab.com/api/members/#roles
_ROLES = {
    10: "Guest",
    15: "Planner",
    20: "Reporter",
    30: "Developer",
    40: "Maintainer",
    50: "Owner",
}
_REPORTER = 20  # labels, assignees, closing others' issues, confidential issues
_CHANGE_STATES = {"opened": ChangeState.OPEN, "merged": ChangeState.MERGED}
# what GitLab's files API answers for a ref or a file that is not there (lib/api/files.rb)
_ABSENT = ("404 File Not Found", "404 Commit Not Found")


def parse_time(value: str) -> datetime:
    """GitLab/GitHub ISO-8601 timestamps (`Z` or offset) as aware UTC datetimes."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def issue_from_gitlab(data: Mapping[str, Any]) -> Issue:
    tasks = data.get("task_completion_status") or None
    return Issue(
        number=int(data["iid"]),
        title=data["title"],
        body=data.get("description") or "",
        state=IssueState.OPEN if data["state"] == "opened" else IssueState.CLOSED,
        author=data["author"]["username"],
        labels=tuple(data.get("labels") or ()),
        assignees=tuple(a["username"] for a in data.get("assignees") or ()),
        created_at=parse_time(data["created_at"]),
        updated_at=parse_time(data["updated_at"]),
        url=data.get("web_url") or "",
        closed_at=parse_time(data["closed_at"]) if data.get("closed_at") else None,
        confidential=bool(data.get("confidential")),
        tasks=TaskCounts(tasks["completed_count"], tasks["count"]) if tasks else None,
        # `"due_date": "2016-07-22"` or null (doc/api/issues.md)
        due=date.fromisoformat(data["due_date"]) if data.get("due_date") else None,
    )


def comment_from_gitlab(data: Mapping[str, Any], issue_number: int | None = None) -> Comment:
    return Comment(
        id=int(data["id"]),
        issue_number=int(issue_number if issue_number is not None else data["noteable_iid"]),
        body=data.get("body") or "",
        author=data["author"]["username"],
        created_at=parse_time(data["created_at"]),
        updated_at=parse_time(data.get("updated_at") or data["created_at"]),
    )


def change_from_gitlab(data: Mapping[str, Any]) -> ChangeRequest:
    return ChangeRequest(
        number=int(data["iid"]),
        title=data["title"],
        body=data.get("description") or "",
        state=_CHANGE_STATES.get(data["state"], ChangeState.CLOSED),
        source=data["source_branch"],
        target=data["target_branch"],
        head=data.get("sha") or "",
        author=data["author"]["username"],
        url=data.get("web_url") or "",
    )


def file_from_gitlab(data: Mapping[str, Any]) -> FileAt:
    return FileAt(
        path=data["file_path"],
        text=base64.b64decode(data["content"]).decode(),
        blob=data["blob_id"],
        commit=data.get("last_commit_id"),
    )


# The first page of each issue's notes, for a batch of issues (GitLab's GraphQL API,
# https://docs.gitlab.com/ee/api/graphql/reference/: `Project.issues(iids:)`, `Issue.notes`
# a `NoteConnection` of at most 100 a page, `Note.system`, `Note.author`, `Note.createdAt`).
_NOTES_QUERY = (
    "query($path: ID!, $iids: [String!]) { project(fullPath: $path) { issues(iids: $iids, "
    "first: 100) { nodes { iid notes(first: 100) { pageInfo { hasNextPage endCursor } "
    "nodes { body system author { username } createdAt } } } } } }"
)


# The users with these usernames, those that exist (GitLab's GraphQL API, `Query.users(
# usernames:)`, a `UserCoreConnection`; `UserCore.id` a global id, `gid://gitlab/User/<id>`:
# https://docs.gitlab.com/ee/api/graphql/reference/, https://docs.gitlab.com/api/graphql/users_example/).
_USERS_QUERY = (
    "query($names: [String!]) { users(usernames: $names, first: 100) { nodes { id username } } }"
)


def user_ids_of_graphql(
    logins: Iterable[str], nodes: Iterable[Mapping[str, Any]]
) -> dict[str, int]:
    """The REST ids of the `logins` a `Query.users` answer holds, by login as asked: a global
    id's number after its last `/`, a username matched regardless of case, as the REST
    lookup's answer is taken whatever its spelling; a login not among the nodes is left
    out."""
    ids = {
        str(node["username"]).lower(): int(str(node["id"]).rpartition("/")[2])
        for node in nodes
        if isinstance(node, Mapping) and node.get("username") and node.get("id")
    }
    return {login: ids[login.lower()] for login in logins if login.lower() in ids}


def _ticks(notes: Iterable[tuple[str, str, datetime]]) -> list[Tick]:
    """The box ticks that system notes `(body, author, when)` record, in their order."""
    found = (boxes.tick_of_note(body, author, at) for body, author, at in notes)
    return [tick for tick in found if tick is not None]


def ticks_of_graphql_notes(nodes: Iterable[Mapping[str, Any]]) -> list[Tick]:
    """The box ticks of one page of an issue's notes as GraphQL answers them, oldest first,
    as the REST listing orders them; a note whose author is gone (null) is nobody's. GraphQL
    times stop at seconds (`Time#iso8601`), REST's carry milliseconds."""
    system = (
        (
            n.get("body") or "",
            str((n.get("author") or {}).get("username") or ""),
            parse_time(n["createdAt"]),
        )
        for n in nodes
        if n.get("system")
    )
    return _ticks(sorted(system, key=lambda note: note[2]))


class GitLabForge:
    """A GitLab project. Receives a ready `gitlab.Gitlab` so tests can point it anywhere."""

    kind = "gitlab"

    def __init__(
        self,
        client: gitlab.Gitlab,
        project: str,
        *,
        bot: str | None = None,
        token_env: str = "GITLAB_TOKEN",
        policy: RetryPolicy | None = None,
        handles: Mapping[str, str] | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self._gl = client
        self._path = project
        self._project: Project = client.projects.get(project, lazy=True)
        self._bot = bot
        self._token_env = token_env
        self._policy = policy or RetryPolicy()
        self._handles = handles or {}  # where program.yml writes each handle
        self._pacer = pacer  # spaces the writes within the forge's limits
        self._user_ids: dict[str, int] = {}
        self._api_root: bool | None = None  # does forge.url answer like GitLab's API?
        self._default_branch: str | None = None
        self._clock: datetime | None = None  # GitLab's clock when it answered whoami

    # ------------------------------------------------------------ reads

    def whoami(self) -> str:
        if self._bot is None:
            answer = self._call(
                "GET /user", lambda: self._gl.http_request("get", "/user", **_NO_CLIENT_RETRY)
            )
            self._clock = server_date(answer.headers.get("Date"))
            self._bot = str(answer.json()["username"])
        return self._bot

    def server_time(self) -> datetime | None:
        return self._clock

    def user_ids(self) -> dict[str, int]:
        return dict(self._user_ids)

    def learn_user_ids(self, ids: Mapping[str, int]) -> None:
        for login, number in ids.items():
            self._user_ids.setdefault(login, number)

    def know_users(self, logins: Sequence[str]) -> None:
        # One GraphQL query a hundred logins instead of `GET /users?username=` each; a
        # login nobody has is not in the answer, and its write's lookup says so.
        unknown = [login for login in logins if login not in self._user_ids]
        for batch in batches(unknown, USERS_BATCH):
            request = f"POST graphql ({named('user', batch)})"
            variables = {"names": list(batch)}
            data = self._call(request, partial(self._graphql, request, _USERS_QUERY, variables))
            nodes = (data.get("users") or {}).get("nodes") or []
            self.learn_user_ids(user_ids_of_graphql(batch, nodes))

    def list_issues(
        self,
        *,
        labels: Sequence[str] = (),
        state: IssueState | None = None,
        updated_since: datetime | None = None,
    ) -> list[Issue]:
        params: dict[str, Any] = {"state": _STATE[state] if state else "all"}
        if labels:
            params["labels"] = list(labels)
        if updated_since is not None:
            params["updated_after"] = _iso(updated_since)
        return self._issues(params)

    def list_created(self, *, author: str, since: datetime) -> list[Issue]:
        # Filtered on the server by author and creation time, newest first (GitLab's
        # default order): https://docs.gitlab.com/api/issues/#list-project-issues
        params = {"state": "all", "author_username": author, "created_after": _iso(since)}
        return self._issues(params)

    def find_titled(self, words: str, author: str) -> list[Issue]:
        # https://docs.gitlab.com/api/issues/#list-project-issues: `search` in `in=title`.
        params = {"state": "all", "author_username": author, "search": words, "in": "title"}
        return self._issues(params)

    def get_issue(self, number: int) -> Issue:
        issue = self._call(
            f"GET {self._base}/issues/{number}",
            lambda: self._project.issues.get(number, **_NO_CLIENT_RETRY),
        )
        self._learn_users(issue.attributes)
        return issue_from_gitlab(issue.attributes)

    def list_comments(self, *, since: datetime | None = None) -> list[Comment]:
        # One paged call for the whole project: note events carry the note itself.
        # `after` is a date and exclusive, so ask from the day before and filter.
        # https://docs.gitlab.com/api/events/#list-a-projects-visible-events
        # No `target_type=note`: GitLab matches it exactly against the note's class
        # (app/finders/events_finder.rb), so it would drop replies in threads
        # (DiscussionNote). Every `commented` event is a note event; notes on other
        # noteables (merge requests, DiffNote) are dropped below.
        params: dict[str, Any] = {"action": "commented", "sort": "asc"}
        if since is not None:
            params["after"] = (since.astimezone(UTC).date() - timedelta(days=1)).isoformat()
        events = self._call(
            f"GET {self._base}/events", lambda: self._listed(self._project.events.path, params)
        )
        notes = (e["note"] for e in events if isinstance(e.get("note"), dict))
        comments = [
            comment_from_gitlab(n)
            for n in notes
            if n.get("noteable_type") == "Issue" and not n.get("system")
        ]
        return [c for c in comments if since is None or c.created_at >= since]

    def list_issue_comments(self, number: int) -> list[Comment]:
        notes = self._issue(number).notes
        return [
            comment_from_gitlab(n.attributes, number)
            for n in self._call(
                f"GET {self._base}/issues/{number}/notes",
                lambda: list(
                    notes.list(
                        iterator=True,
                        per_page=100,
                        sort="asc",
                        order_by="created_at",
                        **_NO_CLIENT_RETRY,
                    )
                ),
            )
            if not n.attributes.get("system")
        ]

    def authored_descriptions(self, authors: Mapping[int, str]) -> dict[int, str]:
        # Only the author, the assignees and Reporters and above may edit a description
        # (app/policies/issue_policy.rb, `update_issue`): a request's stands as it is.
        return {}

    def box_ticks_of(self, numbers: Sequence[int]) -> dict[int, list[Tick]]:
        # GitLab writes a system note for each task item ticked or unticked in a
        # description, authored by whoever did it (app/services/issuable/
        # common_system_notes_service.rb, `create_task_status_note`). One GraphQL query a
        # batch reads the first page of each issue's notes; an issue with more is read by
        # its REST listing, all pages. An issue not among the nodes (gone since it was
        # listed) has none.
        found: dict[int, list[Tick]] = {}
        for batch in batches(numbers, TICKS_BATCH):
            variables = {"path": self._path, "iids": [str(number) for number in batch]}
            request = f"POST graphql (notes of {named('issue', batch)})"
            data = self._call(request, partial(self._graphql, request, _NOTES_QUERY, variables))
            project = data.get("project")
            if not isinstance(project, dict):
                raise failure("GitLab", 200, request, self._no_project())
            nodes = (project.get("issues") or {}).get("nodes") or []
            notes = {int(node["iid"]): node.get("notes") or {} for node in nodes}
            for number in batch:
                page = notes.get(number, {})
                if (page.get("pageInfo") or {}).get("hasNextPage"):
                    found[number] = self._listed_ticks(number)
                else:
                    found[number] = ticks_of_graphql_notes(page.get("nodes") or [])
        return found

    def _listed_ticks(self, number: int) -> list[Tick]:
        """The box ticks of one issue from its REST notes listing, every page."""
        notes = self._call(
            f"GET {self._base}/issues/{number}/notes",
            lambda: self._listed(
                f"{self._project.issues.path}/{number}/notes",
                {"sort": "asc", "order_by": "created_at"},
            ),
        )
        return _ticks(
            (n.get("body") or "", n["author"]["username"], parse_time(n["created_at"]))
            for n in notes
            if n.get("system")
        )

    # ------------------------------------------------------------ writes

    def create_issue(self, draft: Draft) -> Issue:
        data: dict[str, Any] = {
            "title": draft.title,
            "description": draft.body,
            "confidential": draft.confidential,
        }
        if draft.due is not None:
            data["due_date"] = draft.due.isoformat()  # YYYY-MM-DD (doc/api/issues.md)
        if draft.labels:
            data["labels"] = list(draft.labels)
        if draft.assignees:
            data["assignee_ids"] = [self._user_id(login) for login in draft.assignees]
        created = self._call(
            f"POST {self._base}/issues",
            lambda: self._project.issues.create(data, **_NO_CLIENT_RETRY),
        )
        return issue_from_gitlab(created.attributes)

    def edit_issue_body(self, number: int, body: str) -> None:
        self._update(number, {"description": body})

    def comment(self, number: int, body: str) -> Comment:
        request = f"POST {self._base}/issues/{number}/notes"
        note = self._call(
            request,
            lambda: self._issue(number).notes.create({"body": body}, **_NO_CLIENT_RETRY),
        )
        if "id" not in note.attributes:
            # 202: GitLab ran the note as quick actions and stored nothing
            # (lib/api/helpers/notes_helpers.rb, `process_note_creation_result`)
            raise failure(
                "GitLab",
                202,
                request,
                "GitLab took the comment for quick actions only and stored no note; "
                "no line the bot writes may start with '/'",
            )
        return comment_from_gitlab(note.attributes, number)

    def edit_comment(self, number: int, comment_id: int, body: str) -> None:
        self._call(
            f"PUT {self._base}/issues/{number}/notes/{comment_id}",
            lambda: self._issue(number).notes.update(
                comment_id, {"body": body}, **_NO_CLIENT_RETRY
            ),
        )

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        self.relabel(number, labels, ())

    def remove_labels(self, number: int, labels: Sequence[str]) -> None:
        self.relabel(number, (), labels)

    def relabel(self, number: int, add: Sequence[str], remove: Sequence[str]) -> None:
        # One PUT does both, atomically: https://docs.gitlab.com/api/issues/#edit-an-issue
        changes = {"add_labels": ",".join(add), "remove_labels": ",".join(remove)}
        if add or remove:
            self._update(number, {k: v for k, v in changes.items() if v})

    def close(self, number: int, reason: CloseReason) -> None:
        # GitLab keeps no close reason; the pairing's labels and retrospective record it.
        self._update(number, {"state_event": "close"})

    def reopen(self, number: int) -> None:
        self._update(number, {"state_event": "reopen"})

    def create_label(self, name: str, color: str, description: str) -> bool:
        # POST /projects/:id/labels wants the colour with its '#'; a label by that name
        # answers 409 "Label already exists" (https://docs.gitlab.com/api/labels/).
        data = {"name": name, "color": f"#{color}", "description": description}

        def create() -> bool:
            try:
                self._project.labels.create(data, **_NO_CLIENT_RETRY)
            except gitlab.exceptions.GitlabCreateError as exc:
                if exc.response_code == 409:
                    return False
                raise
            return True

        return self._call(f"POST {self._base}/labels", create)

    # ------------------------------------------------------------ the roster change

    def default_branch(self) -> str:
        if self._default_branch is None:
            request = f"GET {self._base}"
            project = self._call(request, lambda: self._gl.http_get(self._base, **_NO_CLIENT_RETRY))
            assert isinstance(project, dict)
            self._default_branch = str(project["default_branch"])
        return self._default_branch

    def read_file(self, path: str, ref: str | None = None) -> FileAt | None:
        # `HEAD` names the default branch without asking which it is
        # (https://docs.gitlab.com/api/repository_files/#retrieve-a-file-from-a-repository)
        found, _ = self._file(path, ref or "HEAD")
        return None if found is None else file_from_gitlab(found)

    def put_branch_file(self, branch: str, path: str, text: str, message: str, *, base: str) -> str:
        # One commit with one action on the base (`start_branch`) with `force`, which
        # "overwrites the target branch with a new commit based on the start_branch":
        # whatever was pushed to the branch is dropped. The file's `last_commit_id` on the
        # base (checked against `start_branch`, app/services/files/base_service.rb) makes a
        # change made to it since fail the write:
        # https://docs.gitlab.com/api/commits/#create-a-commit-with-multiple-files-and-actions
        current, _ = self._file(path, base)
        action: dict[str, Any] = {"action": "create", "file_path": path, "content": text}
        if current is not None:
            action |= {"action": "update", "last_commit_id": current["last_commit_id"]}
        data: dict[str, Any] = {
            "branch": branch,
            "start_branch": base,
            "force": True,
            "commit_message": message,
            "actions": [action],
        }
        made = self._call(
            f"POST {self._base}/repository/commits",
            lambda: self._project.commits.create(data, **_NO_CLIENT_RETRY),
        )
        return str(made.attributes["id"])

    def changes_only(self, branch: str, base: str, path: str) -> bool:
        # `straight` compares the two heads' trees directly rather than from their merge
        # base, so a base that moved on shows too; `compare_timeout` says the diffs were cut
        # short (https://docs.gitlab.com/api/repositories/#compare-branches-tags-or-commits,
        # lib/api/entities/compare.rb). An unknown ref is a 404.
        request = f"{self._base}/repository/compare"
        query = {"from": base, "to": branch, "straight": "true"}

        def compare() -> dict[str, Any] | None:
            try:
                found = self._gl.http_get(request, query_data=query, **_NO_CLIENT_RETRY)
            except gitlab.exceptions.GitlabHttpError as exc:
                if exc.response_code == 404:
                    return None
                raise
            assert isinstance(found, dict)
            return found

        found = self._call(f"GET {request}", compare)
        if found is None or found.get("compare_timeout"):
            return False
        diffs = found.get("diffs") or []
        return all(d.get("old_path") == d.get("new_path") == path for d in diffs)

    def open_change_requests(self, branch: str) -> list[ChangeRequest]:
        return self._merge_requests(branch, "opened", "asc", CLOSED_PAGE)

    def find_change_request(self, branch: str) -> ChangeRequest | None:
        return own_change_request(self.open_change_requests(branch), self.whoami())

    def closed_change_requests(self, branch: str) -> list[ChangeRequest]:
        return self._merge_requests(branch, "closed", "desc", CLOSED_PAGE)

    def _merge_requests(
        self, branch: str, state: str, sort: str, count: int
    ) -> list[ChangeRequest]:
        """The first `count` merge requests from `branch` in `state`, oldest or newest
        first: one page."""
        found = self._call(
            f"GET {self._base}/merge_requests",
            lambda: [
                m.attributes
                for m in self._project.mergerequests.list(
                    state=state,
                    source_branch=branch,
                    sort=sort,
                    per_page=count,
                    get_all=False,
                    **_NO_CLIENT_RETRY,
                )
            ],
        )
        return [change_from_gitlab(data) for data in found]

    def open_change_request(self, branch: str, base: str, title: str, body: str) -> ChangeRequest:
        # The bot's branch goes with the merge: the next proposal starts from the
        # default branch as it is then.
        data = {
            "source_branch": branch,
            "target_branch": base,
            "title": title,
            "description": body,
            "remove_source_branch": True,
        }
        created = self._call(
            f"POST {self._base}/merge_requests",
            lambda: self._project.mergerequests.create(data, **_NO_CLIENT_RETRY),
        )
        return change_from_gitlab(created.attributes)

    def edit_change_request(self, number: int, title: str, body: str) -> None:
        self._update_change(number, {"title": title, "description": body})

    def close_change_request(self, number: int) -> None:
        self._update_change(number, {"state_event": "close"})

    def _update_change(self, number: int, data: dict[str, Any]) -> None:
        self._call(
            f"PUT {self._base}/merge_requests/{number}",
            lambda: self._project.mergerequests.update(number, data, **_NO_CLIENT_RETRY),
        )

    def _file(self, path: str, ref: str) -> tuple[dict[str, Any] | None, bool]:
        """The file's attributes on `ref` (None when absent), and whether `ref` exists."""

        def get() -> tuple[dict[str, Any] | None, bool]:
            try:
                found = self._project.files.get(path, ref=ref, **_NO_CLIENT_RETRY)
            except gitlab.exceptions.GitlabGetError as exc:
                if exc.response_code == 404 and str(exc.error_message) in _ABSENT:
                    return None, exc.error_message == _ABSENT[0]
                raise
            return dict(found.attributes), True

        return self._call(f"GET {self._base}/repository/files/{quote(path, safe='')}", get)

    # ------------------------------------------------------------ preflight (doctor)

    def token_owner(self) -> str | None:
        user = self._call("GET /user", lambda: self._gl.http_get("/user", **_NO_CLIENT_RETRY))
        assert isinstance(user, dict)
        return str(user["username"])

    def access(self) -> Access:
        request = f"GET {self._base}"
        project = self._call(request, lambda: self._gl.http_get(self._base, **_NO_CLIENT_RETRY))
        assert isinstance(project, dict)
        # the higher of the project's own role and the one inherited from its group
        grants = (project.get("permissions") or {}).values()
        levels = [int(g["access_level"]) for g in grants if isinstance(g, dict)]
        level = max(levels, default=0)
        return Access(
            private=project.get("visibility") != "public",
            role=f"{_ROLES.get(level, 'no role')} ({level})",
            manages_issues=level >= _REPORTER,
            creates_labels=level >= _REPORTER,
            scopes=self._token_scopes(),
        )

    def _token_scopes(self) -> tuple[str, ...] | None:
        # https://docs.gitlab.com/api/personal_access_tokens/#get-single-personal-access-token
        # (project and group access tokens too); other tokens cannot read themselves
        try:
            token = self._gl.http_get("/personal_access_tokens/self", **_NO_CLIENT_RETRY)
        except gitlab.exceptions.GitlabError:
            return None
        scopes = token.get("scopes") if isinstance(token, dict) else None
        return tuple(str(scope) for scope in scopes) if isinstance(scopes, list) else None

    def assignable(self) -> frozenset[str]:
        # members/all includes members inherited from groups: who can be assigned
        members = self._call(
            f"GET {self._base}/members/all",
            lambda: list(
                self._project.members_all.list(iterator=True, per_page=100, **_NO_CLIENT_RETRY)
            ),
        )
        return frozenset(
            str(m.attributes["username"])
            for m in members
            if m.attributes.get("state", "active") == "active"
        )

    def user_exists(self, login: str) -> bool:
        return bool(self._users_named(login))

    def label_names(self) -> frozenset[str]:
        labels = self._call(
            f"GET {self._base}/labels",
            lambda: list(
                self._project.labels.list(iterator=True, per_page=100, **_NO_CLIENT_RETRY)
            ),
        )
        return frozenset(str(label.attributes["name"]) for label in labels)

    # ------------------------------------------------------------ plumbing

    @property
    def _base(self) -> str:
        return f"/projects/{quote(self._path, safe='')}"

    def _issue(self, number: int) -> ProjectIssue:
        return self._project.issues.get(number, lazy=True)

    def _issues(self, params: Mapping[str, Any]) -> list[Issue]:
        """The project's issues a listing with `params` answers, every page."""
        raw = self._call(
            f"GET {self._base}/issues", lambda: self._listed(self._project.issues.path, params)
        )
        for data in raw:
            self._learn_users(data)
        return [issue_from_gitlab(data) for data in raw]

    def _listed(self, path: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every item of a paged list (100 a page), as the JSON dicts GitLab answered.

        The manager's `list()` wraps each item in an object whose `.attributes` is a deep
        copy at every read: on a long listing, more CPU than everything else the run does
        with it. The request is the one `list()` sends: a list of labels is one
        comma-separated value, as python-gitlab's `CommaSeparatedListAttribute` writes it
        (https://docs.gitlab.com/api/issues/#list-project-issues)."""
        query: dict[str, Any] = {
            k: ",".join(v) if isinstance(v, list) else v for k, v in params.items()
        }
        pages = self._gl.http_list(path, iterator=True, per_page=100, **query, **_NO_CLIENT_RETRY)
        return list(pages)

    def _graphql(self, request: str, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
        """The `data` of a query to GitLab's GraphQL API, beside the REST root and with the
        same token (https://docs.gitlab.com/ee/api/graphql/); its errors fail the request."""
        answer = self._gl.http_post(
            f"{self._gl.url}/api/graphql",
            post_data={"query": query, "variables": dict(variables)},
            **_NO_CLIENT_RETRY,
        )
        answer = answer if isinstance(answer, dict) else {}
        errors = answer.get("errors")
        if errors:
            said = "; ".join(str(e.get("message") if isinstance(e, dict) else e) for e in errors)
            raise failure("GitLab", 200, request, f"GitLab's GraphQL API answered: {said}")
        return answer.get("data") or {}

    def _no_project(self) -> str:
        return (
            f"GitLab's GraphQL API found no project {self._path!r}; check forge.project in "
            "program.yml and that the token's user is a member of the project"
        )

    def _update(self, number: int, data: dict[str, Any]) -> None:
        self._call(
            f"PUT {self._base}/issues/{number}",
            lambda: self._project.issues.update(number, data, **_NO_CLIENT_RETRY),
        )

    def _learn_users(self, data: Mapping[str, Any]) -> None:
        # Assigning takes user ids; the issues we list already carry the ids of the people
        # assigned to them, so a nightly run seldom needs a lookup per new issue.
        for user in (data.get("author"), *(data.get("assignees") or ())):
            if isinstance(user, dict) and "username" in user and "id" in user:
                self._user_ids.setdefault(str(user["username"]), int(user["id"]))

    def _user_id(self, login: str) -> int:
        if login not in self._user_ids:
            users = self._users_named(login)
            if not users:
                request = f"GET /users?username={login}"
                where = self._handles.get(login)
                evidence = f"GitLab has no such user: {request} answered []"
                raise unknown_handle(login, where, evidence, self._path, request=request)
            self._user_ids[login] = int(users[0].id)
        return self._user_ids[login]

    def _users_named(self, login: str) -> list[Any]:
        """GitLab's user lookup: `[]` for a login nobody has."""
        return self._call(
            f"GET /users?username={login}",
            lambda: list(self._gl.users.list(username=login, **_NO_CLIENT_RETRY)),
        )

    def _call(self, request: str, operation: Callable[[], T]) -> T:
        if self._pacer is not None:
            self._pacer.before(request)
        try:
            return operation()
        except gitlab.exceptions.GitlabError as exc:
            raise self._explain(request, exc.response_code, str(exc.error_message)) from exc
        except requests.RequestException as exc:
            raise unreachable("GitLab", self._gl.url, request, exc) from exc

    def _explain(self, request: str, status: int | None, detail: str) -> ForgeError:
        env = f"${self._token_env}"
        if status == 429:
            return rate_limited("GitLab", status, request, self._policy.budget.seconds)
        fixes = {
            401: f"the token in {env} is missing, expired or revoked; "
            f"set {env} to a project access token with the api scope",
            403: f"the token in {env} needs the api scope and the Reporter role "
            f"(or higher) on {self._path}",
            404: f"not found ({detail}); check forge.project ({self._path!r}) in program.yml "
            "and that the token's user is a member of the project",
        }
        if status == 403 and ("/repository/" in request or "/merge_requests" in request):
            fixes[403] = (
                f"the token in {env} needs the api scope and the Developer role (or higher) "
                f"on {self._path} to push the proposal's branch and open its merge request"
            )
        if status == 404 and not self._answers_like_gitlab():
            fixes[404] = (
                f"not found, and {self._gl.url} does not answer like a GitLab API "
                f"(GET {self._gl.api_url}/version did not answer); set forge.url to the "
                "address of the GitLab instance, such as https://gitlab.com, without /api/v4"
            )
        if status in fixes:
            fix = fixes[status]
        elif status is not None and status >= 500:
            fix = f"GitLab failed ({detail}) after retries; usually passing, run again later"
        else:
            fix = f"GitLab rejected it: {detail}"
        transient = status is None or status >= 500
        return failure("GitLab", status, request, fix, transient=transient)

    def _answers_like_gitlab(self) -> bool:
        """Whether forge.url leads to a GitLab API, asked once and only after a 404: every
        GitLab answers `GET /version` (https://docs.gitlab.com/api/version/)."""
        if self._api_root is None:
            try:
                answer = self._gl.http_get("/version", **_NO_CLIENT_RETRY)
                self._api_root = isinstance(answer, dict) and "version" in answer
            except gitlab.exceptions.GitlabError as exc:
                # a 401 or 403 is an API refusing this token: the URL is right
                self._api_root = exc.response_code in (401, 403)
            except requests.RequestException:
                self._api_root = False
        return self._api_root


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
