"""GitHub adapter: the Forge operations on PyGithub, reading only what list responses carry."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from itertools import islice, takewhile
from typing import Any, TypeVar
from urllib.parse import quote

import github
import requests
from github.ContentFile import ContentFile
from github.GithubObject import NonCompletableGithubObject
from github.Issue import Issue as GhIssue
from github.PaginatedList import PaginatedList
from github.PullRequest import PullRequest

from automation.forge.base import (
    CLOSED_PAGE,
    TICKS_BATCH,
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
from automation.messages.size import BODY_LIMITS
from automation.model import (
    ChangeRequest,
    ChangeState,
    CloseReason,
    Comment,
    Draft,
    FileAt,
    Issue,
    IssueState,
    Tick,
)
from automation.roster.handles import same_handle

T = TypeVar("T")

# The revisions of an issue's description with their editors (docs.github.com/graphql,
# objects `Issue.userContentEdits`, `UserContentEdit`).
_REVISION = "nodes { editedAt diff editor { login } }"
_ENDS = ("newest", "oldest")
# Issues whose last editor one query asks for: the answer is a login each.
EDITORS_BATCH = 100
# Both ends of the history, 100 revisions each (the most a connection gives): whichever way
# GitHub orders it, the newest are among them (an issue ticked more than 100 times).
_EDITS = (
    f"newest: userContentEdits(first: 100) {{ {_REVISION} }} "
    f"oldest: userContentEdits(last: 100) {{ {_REVISION} }}"
)

BODY_LIMIT = BODY_LIMITS["github"]  # characters; GitHub answers 422 above it
_ROLES = ("admin", "maintain", "push", "triage", "pull")  # highest first
# What GitHub answers for contents at a ref that does not exist; a missing file (or a
# repository the token cannot see) is a plain "Not Found".
_NO_REF = "No commit found for the ref"
# the requests a roster change makes, which need more than issues: write
_REPOSITORY_WRITES = ("/contents/", "/git/", "/pulls")
# The repository (or organization) setting that lets GITHUB_TOKEN open pull requests:
# https://github.blog/changelog/2022-05-03-github-actions-prevent-github-actions-from-creating-and-approving-pull-requests
_ACTIONS_MAY_NOT_OPEN = "GitHub Actions is not permitted to create or approve pull requests"


def _since(moment: datetime) -> str:
    """A `since` parameter, as PyGithub writes it: UTC with a literal Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def titled(draft: Draft) -> str:
    """The title GitHub gets: its issues have no due date (the REST API's issue object has
    no such field), so a draft's due date ends the title. The title is free text; what an
    issue is comes from its marker and the ledger, never from its title."""
    return f"{draft.title} · due {draft.due.isoformat()}" if draft.due else draft.title


def _time(value: str) -> datetime:
    """GitHub's `YYYY-MM-DDTHH:MM:SSZ`, as an aware UTC datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def issue_from_github(data: Mapping[str, Any]) -> Issue:
    """An issue from GitHub's JSON (a list item, or the answer to a create or a get)."""
    reason = data.get("state_reason")
    return Issue(
        number=int(data["number"]),
        title=data["title"],
        body=data.get("body") or "",
        state=IssueState.OPEN if data["state"] == "open" else IssueState.CLOSED,
        author=data["user"]["login"],
        labels=tuple(label["name"] for label in data.get("labels") or ()),
        assignees=tuple(user["login"] for user in data.get("assignees") or ()),
        created_at=_time(data["created_at"]),
        updated_at=_time(data["updated_at"]),
        url=data["html_url"],
        closed_at=_time(data["closed_at"]) if data.get("closed_at") else None,
        close_reason=CloseReason(reason) if reason in ("completed", "not_planned") else None,
    )


def _login(user: Mapping[str, Any] | None) -> str:
    """A GraphQL actor's login; a deleted account (`ghost`) may come back as null."""
    return str((user or {}).get("login") or "")


def edits_query(numbers: Sequence[int]) -> str:
    """One query for the description revisions of several issues of the repository, each
    under the alias `i<number>` (https://spec.graphql.org/October2021/#sec-Field-Alias)."""
    issues = " ".join(f"i{number}: issue(number: {number}) {{ {_EDITS} }}" for number in numbers)
    return (
        "query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { "
        f"{issues} }} }}"
    )


def editors_query(numbers: Sequence[int]) -> str:
    """One query for who last edited the description of several issues (`Issue.editor`)."""
    issues = " ".join(f"i{n}: issue(number: {n}) {{ editor {{ login }} }}" for n in numbers)
    return (
        "query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { "
        f"{issues} }} }}"
    )


def revisions_of_edits(issue: Mapping[str, Any] | None) -> list[tuple[str, datetime, str | None]]:
    """One issue's `userContentEdits` as (editor, when, text), oldest first (`diff` is the
    revision's whole text, null once deleted from the history); none for a null issue or
    one never edited (GitHub lists the original only once there is an edit).

    Only an unbroken run of revisions: the two ends asked for overlap when the history
    holds 200 or fewer. When they do not, the revisions between them are unknown, and a
    change across the gap could not be told to its editor (it would be the next one's), so
    only the newer end is read."""
    older, newer = _ends(issue)
    if not newer:
        return []
    known = set(newer)
    if not known & set(older):
        older = []
    before = [r for r in older if r not in known and r[1] <= newer[0][1]]
    return [*before, *newer]


Run = list[tuple[str, datetime, str | None]]


def _ends(issue: Mapping[str, Any] | None) -> tuple[Run, Run]:
    """The two ends of an issue's revisions, the older first: the one whose latest revision
    is later is the newer; on a tie (edits in one second), `first: n`, as GitHub lists the
    newest first."""
    first, last = (_revisions(((issue or {}).get(end) or {}).get("nodes") or []) for end in _ENDS)
    latest = [run[-1][1] if run else datetime.min.replace(tzinfo=UTC) for run in (first, last)]
    return (first, last) if latest[0] < latest[1] else (last, first)


def _revisions(nodes: Sequence[Mapping[str, Any]]) -> list[tuple[str, datetime, str | None]]:
    """One end's nodes as (editor, when, text), oldest first: GitHub lists them newest
    first, so the same second's edits keep that order, reversed."""
    ordered = sorted(
        (
            (_time(n["editedAt"]), -index, _login(n.get("editor")), n.get("diff"))
            for index, n in enumerate(nodes)
        ),
        key=lambda r: r[:2],
    )
    return [(who, at, text) for at, _, who, text in ordered]


def _same_login(a: str, b: str) -> bool:
    """Whether two logins are one account: GraphQL names an app (a bot) without the
    `[bot]` that REST gives it (`github-actions` is `github-actions[bot]`)."""
    return same_handle(a.removesuffix("[bot]"), b.removesuffix("[bot]"))


def ticks_of_edits(issue: Mapping[str, Any] | None) -> list[Tick]:
    """The box ticks of one issue's `userContentEdits`."""
    return boxes.ticks_of_revisions(revisions_of_edits(issue))


def authored_of_edits(issue: Mapping[str, Any] | None, author: str) -> str | None:
    """The text of the newest revision `author` wrote that the history still holds, or
    None: never edited (the text stands). Both ends are searched (a gap between them hides
    who changed what, not what the author wrote), so a flood of edits by others leaves at
    worst the author's first text; `""` when nothing of theirs is left."""
    older, newer = _ends(issue)
    if not older and not newer:
        return None
    theirs = [
        text for who, _, text in [*older, *newer] if _same_login(who, author) and text is not None
    ]
    return theirs[-1] if theirs else ""


def _answer_of(
    requester: github.Requester.Requester, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """A GraphQL answer, the data of a partial one included when its only errors are
    objects not found directly under the repository (PyGithub raises for any error)."""
    try:
        return requester.graphql_query(query, variables)[1]
    except github.GithubException as exc:
        answer = exc.data if isinstance(exc.data, dict) else {}
        errors = answer.get("errors") or []
        missing = all(
            isinstance(error, dict)
            and error.get("type") == "NOT_FOUND"
            and isinstance(path := error.get("path"), list)
            and len(path) == 2
            and path[0] == "repository"
            for error in errors
        )
        if errors and missing and isinstance(answer.get("data"), dict):
            return answer
        raise


def comment_from_github(data: Mapping[str, Any]) -> Comment:
    return Comment(
        id=int(data["id"]),
        issue_number=int(data["issue_url"].rstrip("/").rsplit("/", 1)[-1]),
        body=data.get("body") or "",
        author=data["user"]["login"],
        created_at=_time(data["created_at"]),
        updated_at=_time(data["updated_at"]),
    )


class _Json(NonCompletableGithubObject):
    """A list item as GitHub sent it (`raw_data`). PyGithub's own classes turn every field
    of every item (users, labels, dates) into objects as each page arrives: on a long
    listing, more CPU than the run spends on everything else it reads. `PaginatedList`
    still does the paging, so the requests are the ones `get_issues` and its kin send."""

    def _initAttributes(self) -> None:
        pass

    def _useAttributes(self, attributes: dict[str, Any]) -> None:
        pass


def change_from_github(pull: PullRequest) -> ChangeRequest:
    # Only what list items carry (pull-request-simple): `merged` is not among them,
    # `merged_at` is.
    if pull.merged_at is not None:
        state = ChangeState.MERGED
    else:
        state = ChangeState.OPEN if pull.state == "open" else ChangeState.CLOSED
    return ChangeRequest(
        number=pull.number,
        title=pull.title,
        body=pull.body or "",
        state=state,
        source=pull.head.ref,
        target=pull.base.ref,
        head=pull.head.sha,
        author=pull.user.login,
        url=pull.html_url,
    )


def file_from_github(found: ContentFile) -> FileAt:
    return FileAt(path=found.path, text=found.decoded_content.decode(), blob=found.sha)


def _is_pull_request(data: Mapping[str, Any]) -> bool:
    # GitHub lists pull requests among issues; the URL tells them apart.
    return "/pull/" in (data.get("html_url") or "")


def _silent_secondary_limit(exc: github.GithubException) -> bool:
    """A secondary rate limit told only in the body: no Retry-After, quota left. The
    transport cannot see it (it does not read bodies), so the adapter waits it out."""
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    return (
        isinstance(exc, github.RateLimitExceededException)
        and "retry-after" not in headers
        and headers.get("x-ratelimit-remaining") != "0"
    )


def _already_exists(exc: github.GithubException) -> bool:
    """A 422 whose errors say a resource by that name exists (`code: already_exists`)."""
    data = exc.data if isinstance(exc.data, dict) else {}
    errors = data.get("errors")
    return isinstance(errors, list) and any(
        isinstance(e, dict) and e.get("code") == "already_exists" for e in errors
    )


def _invalid_assignee(exc: github.GithubException) -> str | None:
    """The login of a 422 `invalid` on `assignees`: one that does not exist or may not be
    assigned (https://github.com/JasonEtco/create-an-issue/issues/41)."""
    data = exc.data if isinstance(exc.data, dict) else {}
    for error in data.get("errors") or ():
        if isinstance(error, dict) and error.get("field") in ("assignees", "assignee"):
            return str(error.get("value") or "")
    return None


class GitHubForge:
    """A GitHub repository. Receives a ready `github.Github` so tests can point it anywhere."""

    kind = "github"

    def __init__(
        self,
        client: github.Github,
        repo: str,
        *,
        bot: str | None = None,
        token_env: str = "GITHUB_TOKEN",
        policy: RetryPolicy | None = None,
        handles: Mapping[str, str] | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self._gh = client
        self._path = repo
        # `client` is lazy (`github_client`), so this and `_issue()` send no request.
        self._repo = client.get_repo(repo)
        self._bot = bot
        self._clock: datetime | None = None  # GitHub's clock at the first answer kept
        self._answered = False  # has a listing been read yet
        self._token_env = token_env
        self._policy = policy or RetryPolicy()
        self._handles = handles or {}  # where program.yml writes each handle
        self._pacer = pacer  # spaces the writes within the forge's limits
        self._api_root: bool | None = None  # does forge.url answer like GitHub's API?
        self._default_branch: str | None = None

    # ------------------------------------------------------------ reads

    def whoami(self) -> str:
        if self._bot is None:
            user = self._gh.get_user()
            self._bot = self._call("GET /user", lambda: user.login)
            self._clock = server_date(str(user.raw_headers.get("date", "")))
            self._answered = True
        return self._bot

    def server_time(self) -> datetime | None:
        return self._clock

    def user_ids(self) -> dict[str, int]:
        return {}  # GitHub assigns by login

    def learn_user_ids(self, ids: Mapping[str, int]) -> None:
        pass

    def know_users(self, logins: Sequence[str]) -> None:
        pass  # GitHub assigns by login: nothing to ask

    def list_issues(
        self,
        *,
        labels: Sequence[str] = (),
        state: IssueState | None = None,
        updated_since: datetime | None = None,
    ) -> list[Issue]:
        # The query `Repository.get_issues` writes, in its order.
        params: dict[str, Any] = {"state": state.value if state else "all"}
        if labels:
            params["labels"] = ",".join(labels)
        if updated_since is not None:
            params["since"] = _since(updated_since)
        return self._call(
            f"GET {self._base}/issues",
            lambda: [
                issue_from_github(data)
                for data in self._listed(f"{self._repo.url}/issues", params)
                if not _is_pull_request(data)
            ],
        )

    def list_created(self, *, author: str, since: datetime) -> list[Issue]:
        # The repository's issues by `creator`, newest first, read a page at a time and
        # no further than the first one opened before `since`: one request when fewer than
        # a page were opened since (https://docs.github.com/en/rest/issues/issues#list-repository-issues).
        # Pull requests are listed among them and count for the stop, not in the answer.
        params = {"state": "all", "creator": author, "sort": "created", "direction": "desc"}

        def newest() -> list[Issue]:
            pages = self._pages(f"{self._repo.url}/issues", params)
            recent = takewhile(lambda data: _time(data["created_at"]) >= since, pages)
            return [issue_from_github(data) for data in recent if not _is_pull_request(data)]

        return self._call(f"GET {self._base}/issues", newest)

    def find_titled(self, words: str, author: str) -> list[Issue]:
        # The search API (https://docs.github.com/en/rest/search/search#search-issues-and-
        # pull-requests): the repository's listing filters on no title. An App's bot is
        # `app/<slug>` to its `author:` qualifier.
        login = author.removesuffix("[bot]")
        who = f"app/{login}" if login != author else login
        query = f'repo:{self._path} is:issue in:title "{words}" author:{who}'
        url = f"{self._gh.requester.base_url}/search/issues"
        found = self._call("GET /search/issues", lambda: self._listed(url, {"q": query}))
        return [issue_from_github(data) for data in found]

    def get_issue(self, number: int) -> Issue:
        return self._call(
            f"GET {self._base}/issues/{number}",
            lambda: issue_from_github(self._repo.get_issue(number).raw_data),
        )

    def list_comments(self, *, since: datetime | None = None) -> list[Comment]:
        # One paged call for the whole repository. `since` filters on updated_at, so
        # keep only comments created since then (edits of older ones are not news).
        params = {"since": _since(since)} if since is not None else {}
        comments = self._call(
            f"GET {self._base}/issues/comments",
            lambda: [
                comment_from_github(data)
                for data in self._listed(f"{self._repo.url}/issues/comments", params)
            ],
        )
        return [c for c in comments if since is None or c.created_at >= since]

    def list_issue_comments(self, number: int) -> list[Comment]:
        url = f"{self._issue(number).url}/comments"
        return self._call(
            f"GET {self._base}/issues/{number}/comments",
            lambda: [comment_from_github(data) for data in self._listed(url, {})],
        )

    def box_ticks_of(self, numbers: Sequence[int]) -> dict[int, list[Tick]]:
        # GitHub records no author for a description edit in its REST API; its GraphQL API
        # keeps every revision with its editor (`userContentEdits`). One query a batch, an
        # alias an issue. An issue deleted since it was listed is null in the answer, with
        # a NOT_FOUND error of its own: it has none, as on GitLab; any other error fails
        # the read.
        edits = self._edits(numbers)
        return {number: ticks_of_edits(edits.get(number)) for number in dict.fromkeys(numbers)}

    def authored_descriptions(self, authors: Mapping[int, str]) -> dict[int, str]:
        # Anyone with write access may edit any issue's description. Who edited each last
        # is one small query a hundred issues (`Issue.editor`); only those someone else
        # edited have their revisions read (`userContentEdits`, as for the boxes).
        owner, name = self._path.split("/", 1)
        variables = {"owner": owner, "name": name}
        others = []
        for batch in batches(list(authors), EDITORS_BATCH):
            query = partial(_answer_of, self._gh.requester, editors_query(batch), variables)
            data = self._call(f"POST graphql (editors of {named('issue', batch)})", query)
            repository = (data.get("data") or {}).get("repository") or {}
            for number in batch:
                last = _login((repository.get(f"i{number}") or {}).get("editor"))
                if last and not _same_login(last, authors[number]):
                    others.append(number)
        edits = self._edits(others) if others else {}
        found = {n: authored_of_edits(edits.get(n), authors[n]) for n in others}
        return {number: text for number, text in found.items() if text is not None}

    def _edits(self, numbers: Sequence[int]) -> dict[int, Mapping[str, Any] | None]:
        """Each issue's revisions as GraphQL answers them (null: gone since it was listed).
        One query a batch, an alias an issue."""
        owner, name = self._path.split("/", 1)
        variables = {"owner": owner, "name": name}
        found: dict[int, Mapping[str, Any] | None] = {}
        for batch in batches(numbers, TICKS_BATCH):
            query = partial(_answer_of, self._gh.requester, edits_query(batch), variables)
            data = self._call(f"POST graphql (edits of {named('issue', batch)})", query)
            repository = (data.get("data") or {}).get("repository") or {}
            found |= {number: repository.get(f"i{number}") for number in batch}
        return found

    # ------------------------------------------------------------ writes

    def create_issue(self, draft: Draft) -> Issue:
        # GitHub has no confidential issues: the program repo itself should be private.
        request = f"POST {self._base}/issues"
        self._check_size(request, draft.body)
        created = self._call(
            request,
            lambda: self._repo.create_issue(
                title=titled(draft),
                body=draft.body,
                labels=list(draft.labels),
                assignees=list(draft.assignees),
            ),
        )
        return issue_from_github(created.raw_data)  # complete: no request

    def edit_issue_body(self, number: int, body: str) -> None:
        request = f"PATCH {self._base}/issues/{number}"
        self._check_size(request, body)
        self._call(request, lambda: self._issue(number).edit(body=body))

    def comment(self, number: int, body: str) -> Comment:
        request = f"POST {self._base}/issues/{number}/comments"
        self._check_size(request, body)
        created = self._call(request, lambda: self._issue(number).create_comment(body))
        return comment_from_github(created.raw_data)  # complete: no request

    def edit_comment(self, number: int, comment_id: int, body: str) -> None:
        request = f"PATCH {self._base}/issues/comments/{comment_id}"
        self._check_size(request, body)
        self._call(request, lambda: self._issue(number).get_comment(comment_id).edit(body))

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        if labels:
            self._call(
                f"POST {self._base}/issues/{number}/labels",
                lambda: self._issue(number).add_to_labels(*labels),
            )

    def remove_labels(self, number: int, labels: Sequence[str]) -> None:
        # GitHub removes one label per request and answers 404 for an absent label.
        issue = self._issue(number)
        for label in labels:
            try:
                self._call(
                    f"DELETE {self._base}/issues/{number}/labels/{label}",
                    lambda label=label: issue.remove_from_labels(label),  # type: ignore[misc]
                )
            except ForgeError as exc:
                if not (exc.status == 404 and "Label does not exist" in str(exc)):
                    raise

    def relabel(self, number: int, add: Sequence[str], remove: Sequence[str]) -> None:
        # GitHub has no single request for both: add first, then remove one by one.
        self.add_labels(number, add)
        self.remove_labels(number, remove)

    def close(self, number: int, reason: CloseReason) -> None:
        self._call(
            f"PATCH {self._base}/issues/{number}",
            lambda: self._issue(number).edit(state="closed", state_reason=reason.value),
        )

    def create_label(self, name: str, color: str, description: str) -> bool:
        # A label by that name (in any case) answers 422 with the error code
        # `already_exists` (https://docs.github.com/rest/issues/labels#create-a-label).
        def create() -> bool:
            try:
                self._repo.create_label(name, color, description)
            except github.GithubException as exc:
                if exc.status == 422 and _already_exists(exc):
                    return False
                raise
            return True

        return self._call(f"POST {self._base}/labels", create)

    def reopen(self, number: int) -> None:
        self._call(
            f"PATCH {self._base}/issues/{number}",
            lambda: self._issue(number).edit(state="open", state_reason="reopened"),
        )

    # ------------------------------------------------------------ the roster change

    def default_branch(self) -> str:
        if self._default_branch is None:
            repo = self._call(
                f"GET {self._base}",
                lambda: self._gh.requester.requestJsonAndCheck("GET", self._base)[1],
            )
            self._default_branch = str(repo["default_branch"])
        return self._default_branch

    def read_file(self, path: str, ref: str | None = None) -> FileAt | None:
        # without `ref` GitHub reads the default branch
        found, _ = self._content(path, ref)
        return found

    def put_branch_file(self, branch: str, path: str, text: str, message: str, *, base: str) -> str:
        # The branch is first set to the base's head, whatever was pushed to it (PATCH
        # git/refs with `force`; 422 "Reference does not exist" when there is none yet:
        # https://docs.github.com/rest/git/refs#update-a-reference), then the file is
        # written by the contents API, which wants the blob it replaces (`sha`): the file
        # as the base has it, so a change made to it since answers 409
        # (https://docs.github.com/rest/repos/contents). Merging the branch then brings
        # this one commit and nothing anyone else pushed there.
        head = self._call(
            f"GET {self._base}/git/ref/heads/{base}",
            lambda: self._repo.get_git_ref(f"heads/{base}").object.sha,
        )
        ref = f"{self._base}/git/refs/heads/{branch}"

        def reset() -> bool:
            try:
                self._gh.requester.requestJsonAndCheck(
                    "PATCH", ref, input={"sha": head, "force": True}
                )
            except github.GithubException as exc:
                data = exc.data if isinstance(exc.data, dict) else {}
                if exc.status == 422 and data.get("message") == "Reference does not exist":
                    return False
                raise
            return True

        if not self._call(f"PATCH {ref}", reset):
            self._call(
                f"POST {self._base}/git/refs",
                lambda: self._repo.create_git_ref(f"refs/heads/{branch}", head),
            )
        current, _ = self._content(path, head)
        request = f"PUT {self._base}/contents/{path}"
        if current is None:
            written = self._call(
                request, lambda: self._repo.create_file(path, message, text, branch=branch)
            )
        else:
            blob = current.blob
            written = self._call(
                request,
                lambda: self._repo.update_file(path, message, text, blob, branch=branch),
            )
        return str(written["commit"].sha)

    def changes_only(self, branch: str, base: str, path: str) -> bool:
        # `base...branch` compares from their merge base: `files` is what a merge brings
        # (at most 300 of them), `behind_by` the base's commits the branch lacks; an
        # unknown ref or no common history is a 404
        # (https://docs.github.com/rest/commits/commits#compare-two-commits).
        request = f"{self._base}/compare/{quote(base, safe='/')}...{quote(branch, safe='/')}"

        def compare() -> dict[str, Any] | None:
            try:
                found = self._gh.requester.requestJsonAndCheck("GET", request)[1]
            except github.UnknownObjectException:
                return None
            return dict(found)

        found = self._call(f"GET {request}", compare)
        if found is None or found.get("behind_by") != 0:
            return False
        files = found.get("files") or []
        return all(f.get("filename") == path and not f.get("previous_filename") for f in files)

    def open_change_requests(self, branch: str) -> list[ChangeRequest]:
        return self._pulls(branch, "open", "asc", CLOSED_PAGE)

    def find_change_request(self, branch: str) -> ChangeRequest | None:
        return own_change_request(self.open_change_requests(branch), self.whoami())

    def closed_change_requests(self, branch: str) -> list[ChangeRequest]:
        # GitHub's `closed` includes merged pull requests (GitLab's does not).
        found = self._pulls(branch, "closed", "desc", CLOSED_PAGE)
        return [change for change in found if change.state is ChangeState.CLOSED]

    def _pulls(self, branch: str, state: str, direction: str, count: int) -> list[ChangeRequest]:
        """The first `count` pull requests from `branch` in `state`, oldest or newest first,
        read from the first page (the client's page size)."""
        # `head` names the branch as owner:branch (https://docs.github.com/rest/pulls/pulls)
        owner = self._path.split("/", 1)[0]
        pulls = self._repo.get_pulls(
            state=state, head=f"{owner}:{branch}", sort="created", direction=direction
        )
        found = self._call(f"GET {self._base}/pulls", lambda: list(islice(pulls, count)))
        return [change_from_github(pull) for pull in found]

    def open_change_request(self, branch: str, base: str, title: str, body: str) -> ChangeRequest:
        # A pull request opened with GITHUB_TOKEN starts no workflow run, so the validate
        # check does not run on it until a maintainer re-runs it or pushes; a GitHub App
        # installation token or a personal access token does start it:
        # https://docs.github.com/en/actions/how-tos/write-workflows/choose-when-workflows-run/trigger-a-workflow
        request = f"POST {self._base}/pulls"
        self._check_size(request, body)
        created = self._call(
            request, lambda: self._repo.create_pull(base=base, head=branch, title=title, body=body)
        )
        return change_from_github(created)

    def edit_change_request(self, number: int, title: str, body: str) -> None:
        request = f"PATCH {self._base}/pulls/{number}"
        self._check_size(request, body)
        self._call(request, lambda: self._repo.get_pull(number).edit(title=title, body=body))

    def close_change_request(self, number: int) -> None:
        self._call(
            f"PATCH {self._base}/pulls/{number}",
            lambda: self._repo.get_pull(number).edit(state="closed"),
        )

    def _content(self, path: str, ref: str | None) -> tuple[FileAt | None, bool]:
        """The file on `ref` (None when absent), and whether `ref` exists."""

        def get() -> tuple[FileAt | None, bool]:
            try:
                found = (
                    self._repo.get_contents(path)
                    if ref is None
                    else self._repo.get_contents(path, ref=ref)
                )
            except github.GithubException as exc:
                data = exc.data if isinstance(exc.data, dict) else {}
                message = str(data.get("message") or "")
                if exc.status != 404 or not message.startswith((_NO_REF, "Not Found")):
                    raise
                return None, message == "Not Found"
            if isinstance(found, list):  # a directory
                return None, True
            return file_from_github(found), True

        return self._call(f"GET {self._base}/contents/{path}", get)

    # ------------------------------------------------------------ preflight (doctor)

    def token_owner(self) -> str | None:
        try:
            return self._call("GET /user", lambda: self._gh.get_user().login)
        except ForgeError as exc:
            if exc.status == 403:  # an installation token (GITHUB_TOKEN) may not read /user
                return None
            raise

    def access(self) -> Access:
        repo = self._call(
            f"GET {self._base}",
            lambda: self._gh.requester.requestJsonAndCheck("GET", self._base)[1],
        )
        # An installation token's role is not reported reliably, so not trusted:
        # https://github.com/lindell/multi-gitter/pull/334
        permissions = repo.get("permissions") if isinstance(repo, dict) else None
        if not isinstance(permissions, dict):
            return Access(
                private=bool(repo.get("private")),
                role=None,
                manages_issues=None,
                creates_labels=None,
            )
        role = next((r for r in _ROLES if permissions.get(r)), None)
        return Access(
            private=bool(repo.get("private")),
            role=role or "none",
            manages_issues=bool(permissions.get("triage") or permissions.get("push")),
            creates_labels=bool(permissions.get("push")),
        )

    def assignable(self) -> frozenset[str]:
        users = self._call(
            f"GET {self._base}/assignees",
            lambda: [user.login for user in self._repo.get_assignees()],
        )
        return frozenset(users)

    def user_exists(self, login: str) -> bool:
        def exists() -> bool:
            try:
                self._gh.requester.requestJsonAndCheck("GET", f"/users/{quote(login)}")
            except github.UnknownObjectException:
                return False
            return True

        return self._call(f"GET /users/{login}", exists)

    def label_names(self) -> frozenset[str]:
        names = self._call(
            f"GET {self._base}/labels", lambda: [label.name for label in self._repo.get_labels()]
        )
        return frozenset(names)

    # ------------------------------------------------------------ plumbing

    @property
    def _base(self) -> str:
        return f"/repos/{self._path}"

    def _listed(self, url: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item of a paged list, as the JSON GitHub answered."""
        return list(self._pages(url, params))

    def _pages(self, url: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The items of a paged list as the JSON GitHub answered, a page requested only
        when the items before it are used up (`PaginatedList` pages lazily)."""
        # The bot named in program.yml asks no whoami (GitHub Actions' token may not): the
        # forge's clock is then the Date of the run's first page read, if it held an item.
        first = not self._answered
        for item in PaginatedList(_Json, self._gh.requester, url, params):
            if first:
                first, self._answered = False, True
                if self._clock is None:
                    self._clock = server_date(str(item.raw_headers.get("date", "")))
            yield item.raw_data
        self._answered = True

    def _issue(self, number: int) -> GhIssue:
        return self._repo.get_issue(number)  # lazy: no request until used

    def _check_size(self, request: str, body: str) -> None:
        if len(body) > BODY_LIMIT:
            raise failure(
                "GitHub",
                None,
                request,
                f"the text is {len(body)} characters, over GitHub's limit of {BODY_LIMIT}; "
                "shorten it",
            )

    def _call(self, request: str, operation: Callable[[], T]) -> T:
        if self._pacer is not None:
            self._pacer.before(request)
        attempt = 0
        while True:
            try:
                return operation()
            except github.GithubException as exc:
                if not (_silent_secondary_limit(exc) and self._wait(attempt)):
                    raise self._explain(request, exc) from exc
                attempt += 1
            except requests.RequestException as exc:
                raise unreachable("GitHub", self._gh.requester.base_url, request, exc) from exc

    def _wait(self, attempt: int) -> bool:
        """Sleep before retry `attempt` of a request a silent rate limit refused; False when
        the retries, `max_wait` or the run's budget do not allow another."""
        policy = self._policy
        wait = policy.silent_limit_wait(attempt)
        if attempt >= policy.retries or not policy.may_wait(wait):
            return False
        policy.budget.spend(wait)
        policy.sleep(wait)
        return True

    def _explain(self, request: str, exc: github.GithubException) -> ForgeError:
        env = f"${self._token_env}"
        data = exc.data if isinstance(exc.data, dict) else {}
        detail = str(data.get("message") or exc.message or "")
        errors = data.get("errors")
        if errors:
            detail = f"{detail}: {errors}"
        status = exc.status
        if isinstance(exc, github.RateLimitExceededException) or status == 429:
            return rate_limited("GitHub", status, request, self._policy.budget.seconds)
        login = _invalid_assignee(exc) if status == 422 else None
        if login:
            evidence = f"GitHub answered 422 to {request}: assignees {login!r} invalid"
            where = self._handles.get(login)
            return unknown_handle(login, where, evidence, self._path, status=422, request=request)
        headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        # names the permission a 403 lacked, e.g. "issues=write"
        needed = headers.get("x-accepted-github-permissions")
        if status == 401:
            fix = f"bad credentials; set {env} to a valid token"
        elif status == 403 and request == "GET /user":
            fix = (
                "this token cannot read its own user (GITHUB_TOKEN in Actions cannot); "
                "set forge.bot: github-actions[bot] in program.yml"
            )
        elif status == 403 and _ACTIONS_MAY_NOT_OPEN in detail:
            fix = (
                "the repository (or its organization) does not let GitHub Actions open pull "
                "requests; enable Settings > Actions > General > Allow GitHub Actions to create "
                "and approve pull requests, or use a GitHub App or personal access token"
            )
        elif status == 403 and any(part in request for part in _REPOSITORY_WRITES):
            fix = (
                f"the token in {env} lacks permission ({detail}"
                f"{f'; GitHub wants {needed}' if needed else ''}); proposing roster changes "
                "needs Contents: read and write and Pull requests: read and write (in Actions: "
                "permissions: contents: write, pull-requests: write)"
            )
        elif status == 403:
            fix = (
                f"the token in {env} lacks permission ({detail}"
                f"{f'; GitHub wants {needed}' if needed else ''}); it needs Issues: read and "
                "write (in Actions: permissions: issues: write)"
            )
        elif status == 404 and detail in ("", "Not Found") and not self._answers_like_github():
            # a 404 naming what is missing ("Label does not exist") came from the API itself
            fix = (
                f"not found, and {self._gh.requester.base_url} does not answer like GitHub's API "
                "(GET /meta did not answer); set forge.url to https://api.github.com or, for "
                "GitHub Enterprise Server, https://HOST/api/v3"
            )
        elif status == 404:
            fix = (
                f"not found ({detail}); check forge.project ({self._path!r}) in program.yml; "
                "GitHub answers 404 for private repositories the token cannot see"
            )
        elif status == 410:
            fix = f"issues are disabled on {self._path}; enable Issues in the repository settings"
        elif status >= 500:
            fix = f"GitHub failed ({detail}) after retries; usually passing, run again later"
        else:
            fix = f"GitHub rejected it: {detail}"
        return failure("GitHub", status, request, fix, transient=status >= 500)

    def _answers_like_github(self) -> bool:
        """Whether forge.url is a GitHub API root, asked once and only after a 404: every
        GitHub API answers `GET /meta` (api.github.com and Enterprise Server alike)."""
        if self._api_root is None:
            try:
                _, data = self._gh.requester.requestJsonAndCheck("GET", "/meta")
                self._api_root = (
                    isinstance(data, dict) and "verifiable_password_authentication" in data
                )
            except (github.GithubException, requests.RequestException, ValueError):
                self._api_root = False
        return self._api_root
