"""The GitHub REST subset under /api/v3 (the GitHub Enterprise base URL): repos, issues, labels,
git refs, contents and pull requests."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from http import HTTPStatus
from typing import Any, NoReturn

from automation.sandbox.call import Api, Call, Handler
from automation.sandbox.clock import github_time, parse_instant
from automation.sandbox.git import line_counts
from automation.sandbox.github_shapes import PREFIX, GitHubRepositoryView, GitHubView
from automation.sandbox.graphql import Field, GraphQLError, Resolver, answer, leaf, select
from automation.sandbox.records import (
    Access,
    Change,
    ChangeState,
    Comment,
    Commit,
    Flavour,
    Issue,
    IssueEdit,
    IssueQuery,
    Project,
    SortKey,
    State,
    User,
    Window,
)
from automation.sandbox.repository import DEFAULT_BRANCH
from automation.sandbox.web import (
    BadBody,
    HttpError,
    Paging,
    Request,
    Response,
    Route,
    json_response,
    link_header,
    paging,
    route,
)

CONTENT_TYPE = "application/json; charset=utf-8"
# sent with every GitHub response, as api.github.com does for the default media type
_MEDIA_HEADERS = (
    ("X-GitHub-Media-Type", "github.v3; format=json"),
    ("X-GitHub-Api-Version-Selected", "2022-11-28"),
)
DOCS = "https://docs.github.com/rest"
MAX_BODY = 65_536
_COLOR = re.compile(r"[0-9a-fA-F]{6}")
_STATE_REASONS = ("completed", "not_planned", "reopened", "duplicate")
_SECONDARY_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID."
)
_SECONDARY_DOCS = (
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)


# -- errors ------------------------------------------------------------------------------


def _error_response(
    status: int, message: str, docs: str = DOCS, headers: Sequence[tuple[str, str]] = ()
) -> Response:
    payload = {"message": message, "documentation_url": docs, "status": str(status)}
    return _json(payload, status, headers)


def _json(payload: object, status: int = 200, headers: Sequence[tuple[str, str]] = ()) -> Response:
    return json_response(payload, status, (*_MEDIA_HEADERS, *headers), CONTENT_TYPE)


def _error(status: int, message: str, docs: str = DOCS) -> HttpError:
    return HttpError(_error_response(status, message, docs))


def _not_found() -> HttpError:
    return _error(404, "Not Found")


def _invalid(resource: str, field: str, code: str = "invalid", **extra: str) -> HttpError:
    error = {"resource": resource, "code": code, "field": field, **extra}
    payload = {
        "message": "Validation Failed",
        "errors": [error],
        "documentation_url": DOCS,
        "status": "422",
    }
    return HttpError(_json(payload, 422))


def _fault(status: int, headers: Mapping[str, str], body: Any) -> Response:
    extra = tuple(headers.items())
    if body is not None:
        return _json(body, status, extra)
    if status in (403, 429):
        return _error_response(status, _SECONDARY_LIMIT, _SECONDARY_DOCS, extra)
    return _error_response(status, _reason(status), DOCS, extra)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _token(request: Request) -> str | None:
    scheme, _, value = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() not in ("token", "bearer"):
        return None
    return value.strip() or None


# -- parameters --------------------------------------------------------------------------


def _body(call: Call) -> Any:
    try:
        return call.request.data()
    except BadBody as error:
        raise _error(400, "Problems parsing JSON") from error


def _object(call: Call) -> dict[str, Any]:
    data = _body(call)
    if not isinstance(data, dict):
        raise _error(400, "Problems parsing JSON")
    return data


def _choice(call: Call, name: str, allowed: Sequence[str], default: str, resource: str) -> str:
    value = call.request.arg(name)
    if value is None or value == "":
        return default
    if value not in allowed:
        raise _invalid(resource, name, value=value)
    return value


def _since(call: Call, resource: str) -> int | None:
    text = call.request.arg("since")
    if not text:
        return None
    try:
        return parse_instant(text)
    except ValueError as error:
        raise _invalid(resource, "since", value=text) from error


def _label_names(value: Any) -> tuple[str, ...]:
    """Names from `["a"]`, `[{"name": "a"}]` or `{"labels": [...]}`."""
    if isinstance(value, dict):
        value = value.get("labels", [])
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _invalid("Label", "labels")
    names = []
    for item in value:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name.strip():
            raise _invalid("Label", "name", "missing_field")
        names.append(name.strip())
    return tuple(dict.fromkeys(names))


def _text_body(value: Any, resource: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(resource, "body")
    if len(value) > MAX_BODY:
        raise _invalid(
            resource,
            "body",
            "custom",
            message=f"body is too long (maximum is {MAX_BODY} characters)",
        )
    return value


def _assignee_ids(call: Call, data: Mapping[str, Any]) -> tuple[int, ...] | None:
    logins: Any = data.get("assignees")
    if logins is None and "assignee" in data:
        single = data["assignee"]
        logins = [] if single in (None, "") else [single]
    if logins is None:
        return None
    if not isinstance(logins, list) or not all(isinstance(x, str) for x in logins):
        raise _invalid("Issue", "assignees")
    ids = []
    for login in logins:
        user = call.store.find_user(login)
        if user is None or not user.assignable:
            # What api.github.com answers for a login that does not exist or may not be
            # assigned: https://github.com/JasonEtco/create-an-issue/issues/41,
            # https://github.com/trstringer/manual-approval/issues/71
            raise _invalid("Issue", "assignees", value=login)
        ids.append(user.id)
    return tuple(ids)


def _view(call: Call, repo: Project | None = None) -> GitHubView:
    return GitHubView(call.store, call.request.base_url, repo, call.user)


def _paged(call: Call, payload: list[dict[str, Any]], page: Paging, total: int) -> Response:
    """A list with GitHub's `Link` header: prev/next/last/first, only those that apply."""
    return _json(payload, 200, _links(call, page, total))


def _links(call: Call, page: Paging, total: int) -> list[tuple[str, str]]:
    pages = page.total_pages(total)
    links: list[tuple[str, int]] = []
    if page.page > 1:
        links.append(("prev", page.page - 1))
    if page.page < pages:
        links += [("next", page.page + 1), ("last", pages)]
    if page.page > 1:
        links.append(("first", 1))
    return [("Link", link_header(call.request, links))] if links else []


# -- lookups -----------------------------------------------------------------------------


def _repo(call: Call) -> Project:
    return call.store.project(Flavour.GITHUB, f"{call.param('owner')}/{call.param('repo')}")


def _issue(call: Call, repo: Project) -> Issue:
    issue = call.store.issue(repo, int(call.param("number")))
    if issue is None:
        raise _not_found()
    return issue


def _comment(call: Call, repo: Project) -> Comment:
    comment = call.store.comment(repo, int(call.param("comment_id")))
    if comment is None or comment.system:
        raise _not_found()
    return comment


# -- users and repositories --------------------------------------------------------------


def get_current_user(call: Call) -> Response:
    if call.user.username.endswith("[bot]"):
        # an installation token (GITHUB_TOKEN in Actions) may not read /user
        raise _error(
            403,
            "Resource not accessible by integration",
            "https://docs.github.com/rest/users/users#get-the-authenticated-user",
        )
    return _json(_view(call).private_user(call.user))


def get_user(call: Call) -> Response:
    user = call.store.find_user(call.param("username"))
    if user is None:
        raise _not_found()
    return _json(_view(call).public_user(user))


def get_meta(call: Call) -> Response:
    # the one key GitHub's `api-overview` schema requires; probed to tell a GitHub API root
    return _json({"verifiable_password_authentication": False})


def list_assignees(call: Call) -> Response:
    """Who may be assigned in the repository: everyone with a role, oldest account first."""
    repo = _repo(call)
    page = paging(call.request, 30, 100)
    users, total = call.store.assignable_users(page.window)
    view = _view(call, repo)
    return _paged(call, [view.user(user) for user in users], page, total)


def check_assignee(call: Call) -> Response:
    """204 when the login may be assigned, 404 otherwise (issues/check-user-can-be-assigned):
    an existing user who is not a collaborator gets 404, and 204 once added, in PyGithub's
    recording of api.github.com (tests/ReplayData/Repository.testAssignees.txt)."""
    _repo(call)
    user = call.store.find_user(call.param("assignee"))
    if user is None or not user.assignable:
        raise _not_found()
    return Response(204, _MEDIA_HEADERS, b"")


def get_repo(call: Call) -> Response:
    repo = _repo(call)
    return _json(_view(call, repo).repository(repo))


def update_repo(call: Call) -> Response:
    repo = _repo(call)
    data = _object(call)
    private = data.get("private")
    if "visibility" in data:
        private = data["visibility"] != "public"
    if isinstance(private, bool):
        repo = call.store.set_private(repo, private)
    return _json(_view(call, repo).repository(repo))


# -- issues ------------------------------------------------------------------------------


def list_issues(call: Call) -> Response:
    repo = _repo(call)
    state = _choice(call, "state", ("open", "closed", "all"), "open", "Issue")
    sort = _choice(call, "sort", ("created", "updated", "comments"), "created", "Issue")
    direction = _choice(call, "direction", ("asc", "desc"), "desc", "Issue")
    labels = tuple(
        name.strip() for name in (call.request.arg("labels") or "").split(",") if name.strip()
    )
    assignee = call.request.arg("assignee")
    query = IssueQuery(
        state=None if state == "all" else State(state),
        labels=labels,
        updated_after=_since(call, "Issue"),
        author_id=_login_filter(call, call.request.arg("creator")),
        assignee_id=None if assignee in ("*", "none") else _login_filter(call, assignee),
        assigned={"*": True, "none": False}.get(assignee or ""),
        sort={"created": SortKey.CREATED, "updated": SortKey.UPDATED}.get(sort, SortKey.COMMENTS),
        ascending=direction == "asc",
    )
    page = paging(call.request, 30, 100)
    issues, total = call.store.list_issues(repo, query, page.window)
    return _paged(call, _view(call, repo).issues(issues), page, total)


_SEARCH_TOKEN = re.compile(r'(?:(\w+):)?("[^"]*"|\S+)')


def search_issues(call: Call) -> Response:
    """`GET /search/issues` (https://docs.github.com/en/rest/search/search#search-issues-and-
    pull-requests) with the qualifiers the sandbox models: `repo:`, `is:issue`/`is:pr`,
    `in:title`/`in:body`, `state:`, `author:` (`app/<slug>` for an App's bot, as
    https://docs.github.com/en/search-github/searching-on-github/searching-issues-and-pull-requests
    says), and words or a quoted phrase the named fields hold (title and body unless `in:`
    says). GitHub ranks by best match; the sandbox lists newest first, or by `sort=created`
    in `order`. A query without `repo:` is refused: the sandbox searches one repository."""
    terms: list[str] = []
    fields: list[str] | None = None  # the fields `in:` names, of those the sandbox keeps
    qualifiers: dict[str, str] = {}
    for name, value in _SEARCH_TOKEN.findall(call.request.arg("q") or ""):
        value = value.strip('"')
        if name == "in":  # `in:comments` too on GitHub: the sandbox searches no comments
            fields = [*(fields or []), *(f for f in value.split(",") if f in ("title", "body"))]
        elif name:
            qualifiers[name] = value
        else:
            terms.append(value)
    if "repo" not in qualifiers:
        raise _invalid("Search", "q", "missing", message="the sandbox searches one repo:")
    repo = call.store.project(Flavour.GITHUB, qualifiers["repo"])
    author = qualifiers.get("author")
    if author is not None and author.startswith("app/"):
        author = f"{author.removeprefix('app/')}[bot]"
    state = qualifiers.get("state")
    query = IssueQuery(
        state=State(state) if state in ("open", "closed") else None,
        author_id=_login_filter(call, author),
        search=" ".join(terms) or None,
        search_in=("title", "body") if fields is None else tuple(dict.fromkeys(fields)),
        ascending=call.request.arg("order") == "asc",
    )
    page = paging(call.request, 30, 100)
    issues, total = call.store.list_issues(repo, query, page.window)
    if qualifiers.get("is") == "pr" or (terms and fields == []):
        issues, total = [], 0  # the sandbox's issues are issues; it keeps no comments
    # No ranking in the sandbox: every item scores the same; a search without semantic
    # terms is `lexical` (its `search_type`).
    items = [{**item, "score": 1.0} for item in _view(call, repo).issues(issues)]
    payload = {
        "total_count": total,
        "incomplete_results": False,
        "items": items,
        "search_type": "lexical",
    }
    return _json(payload, 200, _links(call, page, total))


def _login_filter(call: Call, login: str | None) -> int | None:
    if not login:
        return None
    user = call.store.find_user(login)
    # an unknown login matches nobody rather than being ignored
    return -1 if user is None else user.id


def get_issue(call: Call) -> Response:
    repo = _repo(call)
    return _json(_view(call, repo).issue(_issue(call, repo)))


def create_issue(call: Call) -> Response:
    repo = _repo(call)
    data = _object(call)
    title = data.get("title")
    if isinstance(title, int) and not isinstance(title, bool):
        title = str(title)
    if not isinstance(title, str) or not title.strip():
        raise _invalid("Issue", "title", "missing_field")
    # "Only users with push access can set labels [assignees] for new issues. Labels
    # [Assignees] are silently dropped otherwise." (issues/create, @octokit/openapi 23.0.2)
    pushes = call.user.access >= Access.WRITE
    issue = call.store.create_issue(
        repo,
        call.user,
        title=title,
        body=_text_body(data.get("body"), "Issue"),
        labels=_label_names(data.get("labels")) if pushes else (),
        assignee_ids=(_assignee_ids(call, data) or ()) if pushes else (),
    )
    view = _view(call, repo)
    rendered = view.issue(issue)
    return _json(rendered, 201, [("Location", rendered["url"])])


def update_issue(call: Call) -> Response:
    repo = _repo(call)
    issue = _issue(call, repo)
    data = _object(call)
    title = data.get("title")
    if title is not None and (not isinstance(title, str) or not title.strip()):
        raise _invalid("Issue", "title")
    state = _edit_state(data)
    body = data.get("body")
    if ("body" in data or title is not None) and not _may_edit(call, issue):
        # Editing the text of an issue someone else wrote needs write access ("People
        # with write access ... can edit ... issues", docs.github.com, "Repository roles
        # for an organization"); triage may label and close, not edit.
        _denied()
    if state is not None and not _may_triage(call, issue):
        _denied()  # closing or reopening someone else's issue: triage and up
    # "Only users with push access can set labels [assignees] for issues. Without push
    # access to the repository, label [assignee] changes are silently dropped."
    # (issues/update, @octokit/openapi 23.0.2)
    pushes = call.user.access >= Access.WRITE
    edit = IssueEdit(
        title=title,
        body="" if "body" in data and body is None else _text_body(body, "Issue"),
        state=state,
        state_reason=_edit_reason(issue, state, data.get("state_reason")),
        labels=_label_names(data["labels"]) if "labels" in data and pushes else None,
        assignee_ids=_assignee_ids(call, data) if pushes else None,
    )
    changes = call.store.edit_issue(repo, issue, call.user, edit)
    return _json(_view(call, repo).issue(changes.after))


def _may_edit(call: Call, issue: Issue) -> bool:
    return issue.author_id == call.user.id or call.user.access >= Access.WRITE


def _may_triage(call: Call, issue: Issue) -> bool:
    """Close, reopen or label: the issue's author, or triage and up ("Triage: ... apply
    labels, close, reopen, and assign all issues", docs.github.com, "Repository roles for
    an organization")."""
    return issue.author_id == call.user.id or call.user.access >= Access.TRIAGE


def _denied() -> NoReturn:
    headers = (("X-Accepted-GitHub-Permissions", "issues=write"),)
    raise HttpError(_error_response(403, _DENIED, DOCS, headers))


def _edit_state(data: Mapping[str, Any]) -> State | None:
    value = data.get("state")
    if value is None:
        return None
    if value not in ("open", "closed"):
        raise _invalid("Issue", "state", value=str(value))
    return State(value)


def _edit_reason(issue: Issue, state: State | None, reason: Any) -> str | None:
    """GitHub's `state_reason`: completed by default on close, reopened on reopen."""
    if reason is not None and reason not in _STATE_REASONS:
        raise _invalid("Issue", "state_reason", value=str(reason))
    final_state = state or issue.state
    if final_state is State.OPEN:
        return "reopened" if issue.state is State.CLOSED else None
    if reason is not None and reason != "reopened":
        return str(reason)
    return "completed" if issue.state is State.OPEN else None


# -- issue labels ------------------------------------------------------------------------


def add_labels(call: Call) -> Response:
    return _edit_labels(call, lambda names: IssueEdit(add_labels=names))


def set_labels(call: Call) -> Response:
    return _edit_labels(call, lambda names: IssueEdit(labels=names))


def _edit_labels(call: Call, make: Callable[[tuple[str, ...]], IssueEdit]) -> Response:
    repo = _repo(call)
    issue = _issue(call, repo)
    if call.user.access < Access.TRIAGE:
        _denied()
    names = _label_names(_body(call))
    call.store.edit_issue(repo, issue, call.user, make(names))
    labels = call.store.issue_labels([issue.id])[issue.id]
    view = _view(call, repo)
    return _json([view.label(label) for label in labels])


def remove_label(call: Call) -> Response:
    repo = _repo(call)
    issue = _issue(call, repo)
    if call.user.access < Access.TRIAGE:
        _denied()
    name = call.param("name")
    current = call.store.issue_labels([issue.id])[issue.id]
    if call.store.find_label(repo, name) not in current:
        raise _error(
            404,
            "Label does not exist",
            "https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue",
        )
    call.store.edit_issue(repo, issue, call.user, IssueEdit(remove_labels=(name,)))
    view = _view(call, repo)
    return _json([view.label(label) for label in call.store.issue_labels([issue.id])[issue.id]])


def remove_all_labels(call: Call) -> Response:
    repo = _repo(call)
    issue = _issue(call, repo)
    if call.user.access < Access.TRIAGE:
        _denied()
    call.store.edit_issue(repo, issue, call.user, IssueEdit(labels=()))
    return Response(204, _MEDIA_HEADERS, b"")


def list_repo_labels(call: Call) -> Response:
    repo = _repo(call)
    labels = call.store.labels(repo)
    page = paging(call.request, 30, 100)
    window = labels[page.window.offset : page.window.offset + page.window.limit]
    view = _view(call, repo)
    return _paged(call, [view.label(x) for x in window], page, len(labels))


def create_repo_label(call: Call) -> Response:
    """`POST /repos/{owner}/{repo}/labels` (OpenAPI `issues/create-label`: 201, 404, 422):
    a name the repository has, in any case, answers 422 "Validation Failed" with
    `{"resource": "Label", "code": "already_exists", "field": "name"}`."""
    repo = _repo(call)
    data = _object(call)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _invalid("Label", "name", "missing_field")
    color = data.get("color")
    if color is not None and not (
        isinstance(color, str) and _COLOR.fullmatch(color.removeprefix("#"))
    ):
        # as api.github.com answers for {"color": "invalid"} (@octokit/fixtures "errors")
        raise _invalid("Label", "color")
    description = data.get("description")
    label = call.store.create_label(
        repo,
        name.strip(),
        color.removeprefix("#") if isinstance(color, str) else None,
        description if isinstance(description, str) else None,
    )
    if label is None:
        raise _invalid("Label", "name", "already_exists")
    rendered = _view(call, repo).label(label)
    return _json(rendered, 201, [("Location", rendered["url"])])


def delete_repo_label(call: Call) -> Response:
    repo = _repo(call)
    label = call.store.find_label(repo, call.param("name"))
    if label is None:
        raise _not_found()
    call.store.delete_label(label)
    return Response(204, _MEDIA_HEADERS, b"")


# -- comments ----------------------------------------------------------------------------


def list_issue_comments(call: Call) -> Response:
    repo = _repo(call)
    issue = _issue(call, repo)
    page = paging(call.request, 30, 100)
    comments, total = call.store.list_comments(
        project=repo,
        issue=issue,
        window=page.window,
        since=_since(call, "IssueComment"),
        include_system=False,
    )
    return _paged(call, _view(call, repo).comments(comments), page, total)


def list_repo_comments(call: Call) -> Response:
    repo = _repo(call)
    sort = _choice(call, "sort", ("created", "updated"), "", "IssueComment")
    # `direction` is ignored without `sort`: the listing is then oldest first
    direction = _choice(call, "direction", ("asc", "desc"), "desc", "IssueComment")
    page = paging(call.request, 30, 100)
    comments, total = call.store.list_comments(
        project=repo,
        issue=None,
        window=page.window,
        since=_since(call, "IssueComment"),
        sort=SortKey.UPDATED if sort == "updated" else SortKey.CREATED,
        ascending=not sort or direction == "asc",
        include_system=False,
    )
    return _paged(call, _view(call, repo).comments(comments), page, total)


def create_comment(call: Call) -> Response:
    repo = _repo(call)
    issue = _issue(call, repo)
    body = _comment_body(call)
    comment = call.store.add_comment(issue, call.user, body)
    rendered = _view(call, repo).comment(comment)
    return _json(rendered, 201, [("Location", rendered["url"])])


def get_comment(call: Call) -> Response:
    repo = _repo(call)
    return _json(_view(call, repo).comment(_comment(call, repo)))


def update_comment(call: Call) -> Response:
    repo = _repo(call)
    comment = _comment(call, repo)
    body = _comment_body(call)
    if comment.author_id != call.user.id and call.user.access < Access.WRITE:
        # "If you have write permissions to a repository, you can hide, edit, or delete
        # comments" (docs.github.com, "Managing disruptive comments"); else only your own.
        _denied()
    return _json(_view(call, repo).comment(call.store.edit_comment(comment, body)))


def _comment_body(call: Call) -> str:
    body = _text_body(_object(call).get("body"), "IssueComment")
    if body is None or not body.strip():
        raise _invalid("IssueComment", "body", "missing_field")
    return body


# -- git refs and contents ---------------------------------------------------------------
# git/get-ref, git/create-ref, repos/get-content, repos/create-or-update-file-contents
# (@octokit/openapi); messages as api.github.com words them.

_DENIED = "Resource not accessible by integration"


def _require(call: Call, permission: str) -> None:
    """A write of the repository's code or pull requests needs push access; GitHub names
    what a token lacked in `X-Accepted-GitHub-Permissions`
    (https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api)."""
    if call.user.access < Access.WRITE:
        headers = (("X-Accepted-GitHub-Permissions", permission),)
        raise HttpError(_error_response(403, _DENIED, DOCS, headers))


def _repository_view(call: Call, repo: Project) -> GitHubRepositoryView:
    return GitHubRepositoryView(call.store, call.request.base_url, repo, call.user)


def get_ref(call: Call) -> Response:
    repo = _repo(call)
    name = call.param("ref").removeprefix("heads/")
    head = call.store.branch_head(repo, name) if call.param("ref").startswith("heads/") else None
    if head is None:
        raise _not_found()
    return _json(_repository_view(call, repo).git_ref(name, head))


def create_ref(call: Call) -> Response:
    repo = _repo(call)
    _require(call, "contents=write")
    data = _object(call)
    ref, sha = data.get("ref"), data.get("sha")
    if not isinstance(ref, str) or not isinstance(sha, str):
        raise _invalid("Reference", "ref" if not isinstance(ref, str) else "sha", "missing_field")
    if not ref.startswith("refs/heads/") or ref == "refs/heads/":
        # the sandbox keeps branches only; GitHub also takes tags and other refs
        raise _error(422, "Reference name must start with 'refs/heads/' in the sandbox")
    name = ref.removeprefix("refs/heads/")
    if call.store.branch_head(repo, name) is not None:
        raise _error(422, "Reference already exists")
    if call.store.commit(repo, sha) is None or len(sha) != 40:
        raise _error(422, "Object does not exist")
    call.store.create_branch(repo, name, sha)
    rendered = _repository_view(call, repo).git_ref(name, sha)
    return _json(rendered, 201, [("Location", rendered["url"])])


def update_ref(call: Call) -> Response:
    """`PATCH /repos/{owner}/{repo}/git/refs/{ref}` (git/update-ref): point a branch at
    `sha`; without `force` only a fast-forward (the new commit descends from the old head),
    else 422 "Update is not a fast forward"
    (https://docs.github.com/rest/git/refs#update-a-reference)."""
    repo = _repo(call)
    _require(call, "contents=write")
    ref = call.param("ref")
    name = ref.removeprefix("heads/")
    head = call.store.branch_head(repo, name) if ref.startswith("heads/") else None
    if head is None:
        raise _error(422, "Reference does not exist")
    data = _object(call)
    sha, force = data.get("sha"), data.get("force", False)
    if not isinstance(sha, str):
        raise _invalid("Reference", "sha", "missing_field")
    if not isinstance(force, bool):
        raise _invalid("Reference", "force")
    if len(sha) != 40 or call.store.commit(repo, sha) is None:
        raise _error(422, "Object does not exist")
    if not force and call.store.merge_base(repo, head, sha) != head:
        raise _error(422, "Update is not a fast forward")
    call.store.create_branch(repo, name, sha)
    return _json(_repository_view(call, repo).git_ref(name, sha))


def delete_ref(call: Call) -> Response:
    repo = _repo(call)
    _require(call, "contents=write")
    ref = call.param("ref")
    name = ref.removeprefix("heads/")
    if not ref.startswith("heads/") or call.store.branch_head(repo, name) is None:
        raise _error(422, "Reference does not exist")
    call.store.delete_branch(repo, name)
    return Response(204, _MEDIA_HEADERS, b"")


def compare(call: Call) -> Response:
    """`GET /repos/{owner}/{repo}/compare/{basehead}` (repos/compare-commits), `BASE...HEAD`:
    the commits HEAD has that BASE lacks, and the files changed from their merge base (what
    a merge brings); an unknown ref or no common history is a 404
    (https://docs.github.com/rest/commits/commits#compare-two-commits). The sandbox lists
    every commit and file on one page and sends no `patch`."""
    repo = _repo(call)
    basehead = call.param("basehead")
    base_ref, dots, head_ref = basehead.partition("...")
    base, head = call.store.commit(repo, base_ref), call.store.commit(repo, head_ref)
    if not dots or base is None or head is None:
        raise _not_found()
    merge_id = call.store.merge_base(repo, base.id, head.id)
    if merge_id is None:
        raise _error(404, f"No common ancestor between {base_ref} and {head_ref}.")
    merge_base = call.store.commit(repo, merge_id)
    assert merge_base is not None
    view = _repository_view(call, repo)

    def rendered(commit: Commit) -> dict[str, Any]:
        return view.commit(commit, call.store.find_user(commit.author))

    ahead = call.store.only_in(repo, head.id, base.id)
    behind = call.store.only_in(repo, base.id, head.id)
    old, new = merge_base.tree, head.tree
    changed = sorted(p for p in set(old) | set(new) if old.get(p) != new.get(p))
    before, after = call.store.files(merge_base), call.store.files(head)
    files = [
        view.diff_entry(
            path,
            old.get(path),
            new.get(path),
            head.id,
            line_counts(before.get(path, ""), after.get(path, "")),
        )
        for path in changed
    ]
    commits = [rendered(c) for c in ahead]
    return _json(
        view.comparison(
            basehead,
            rendered(base),
            rendered(merge_base),
            (len(ahead), len(behind)),
            commits,
            files,
        )
    )


def get_content(call: Call) -> Response:
    repo = _repo(call)
    ref = call.request.arg("ref") or DEFAULT_BRANCH
    commit = call.store.commit(repo, ref)
    if commit is None:
        raise _error(404, f"No commit found for the ref {ref}")
    path = call.param("path")
    if path not in commit.tree:
        raise _not_found()
    text = call.store.files(commit)[path]
    return _json(_repository_view(call, repo).content_file(path, ref, text, commit.tree[path]))


def put_content(call: Call) -> Response:
    """Create a file (201) or, given the blob it replaces as `sha`, update it (200)."""
    repo = _repo(call)
    _require(call, "contents=write")
    data = _object(call)
    message, content = data.get("message"), data.get("content")
    for field, value in (("message", message), ("content", content)):
        if not isinstance(value, str):
            raise _invalid("Commit", field, "missing_field")
    assert isinstance(message, str)
    assert isinstance(content, str)
    branch = str(data.get("branch") or DEFAULT_BRANCH)
    head = call.store.branch_head(repo, branch)
    if head is None:
        raise _error(404, f"Branch {branch} not found")
    commit = call.store.commit(repo, head)
    assert commit is not None
    path = call.param("path")
    current, sha = commit.tree.get(path), data.get("sha")
    if current is not None and not sha:
        raise _error(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
    if sha and sha != current:
        raise _error(409, f"{path} does not match {sha}")
    try:
        text = base64.b64decode(content, validate=True).decode()
    except ValueError as error:
        raise _invalid("Commit", "content") from error
    made = call.store.write_files(
        repo, branch, {path: text}, message, call.user.username, parent=head
    )
    status = 201 if current is None else 200
    return _json(_repository_view(call, repo).file_commit(made, path, branch, text), status)


# -- pull requests -----------------------------------------------------------------------
# pulls/list, pulls/create, pulls/get, pulls/update, pulls/merge (@octokit/openapi). A pull
# request is an issue too: its number comes from the issues' sequence and it is listed
# among them, with a `pull_request` key.


def _pull(call: Call, repo: Project) -> Change:
    change = call.store.change(repo, int(call.param("number")))
    if change is None or change.issue_id is None:
        raise _not_found()
    return change


def _branch_name(repo: Project, head: str) -> str:
    """`owner:branch` or `branch` as GitHub takes a pull request's head."""
    owner, _, branch = head.rpartition(":")
    return branch if owner in ("", repo.namespace) else head


def list_pulls(call: Call) -> Response:
    repo = _repo(call)
    state = _choice(call, "state", ("open", "closed", "all"), "open", "PullRequest")
    direction = _choice(call, "direction", ("asc", "desc"), "desc", "PullRequest")
    _choice(
        call, "sort", ("created", "updated", "popularity", "long-running"), "created", "PullRequest"
    )
    states = {
        "open": (ChangeState.OPEN,),
        "closed": (ChangeState.CLOSED, ChangeState.MERGED),
        "all": (),
    }[state]
    head = call.request.arg("head")
    page = paging(call.request, 30, 100)
    changes, total = call.store.list_changes(
        repo,
        page.window,
        states=states,
        source=None if head is None else _branch_name(repo, head),
        target=call.request.arg("base"),
        ascending=direction == "asc",
    )
    return _paged(call, _repository_view(call, repo).pulls(changes), page, total)


def get_pull(call: Call) -> Response:
    repo = _repo(call)
    return _json(_repository_view(call, repo).pull(_pull(call, repo)))


def create_pull(call: Call) -> Response:
    repo = _repo(call)
    _require(call, "pull_requests=write")
    data = _object(call)
    title, head, base = data.get("title"), data.get("head"), data.get("base")
    for field, value in (("title", title), ("head", head), ("base", base)):
        if not isinstance(value, str) or not value.strip():
            raise _invalid("PullRequest", field, "missing_field")
    assert isinstance(title, str)
    assert isinstance(head, str)
    assert isinstance(base, str)
    body = _text_body(data.get("body"), "PullRequest")
    source = _branch_name(repo, head)
    source_head = call.store.branch_head(repo, source)
    target_head = call.store.branch_head(repo, base)
    if target_head is None:
        raise _invalid("PullRequest", "base")
    if source_head is None:
        raise _invalid("PullRequest", "head")
    open_ones, _ = call.store.list_changes(
        repo, Window(0, 1), states=(ChangeState.OPEN,), source=source, target=base
    )
    if open_ones:
        message = f"A pull request already exists for {repo.namespace}:{source}."
        raise _invalid("PullRequest", "head", "custom", message=message)
    if call.store.merge_base(repo, target_head, source_head) == source_head:
        message = f"No commits between {base} and {source}"
        raise _invalid("PullRequest", "head", "custom", message=message)
    issue = call.store.create_issue(repo, call.user, title=title, body=body, pull=True)
    change = call.store.create_change(
        repo,
        call.user,
        source=source,
        target=base,
        title=title,
        body=body,
        issue_id=issue.id,
        number=issue.number,
    )
    rendered = _repository_view(call, repo).pull(change)
    return _json(rendered, 201, [("Location", rendered["url"])])


def update_pull(call: Call) -> Response:
    repo = _repo(call)
    _require(call, "pull_requests=write")
    change = _pull(call, repo)
    data = _object(call)
    title = data.get("title")
    if title is not None and (not isinstance(title, str) or not title.strip()):
        raise _invalid("PullRequest", "title")
    state = data.get("state")
    if state is not None and state not in ("open", "closed"):
        raise _invalid("PullRequest", "state", value=str(state))
    if state == "open" and change.state is ChangeState.MERGED:
        raise _invalid(
            "PullRequest",
            "state",
            "custom",
            message="state cannot be changed. The pull request has already been merged.",
        )
    body = data.get("body")
    edited = call.store.edit_change(
        change,
        call.user,
        title=title,
        body="" if "body" in data and body is None else _text_body(body, "PullRequest"),
        state=None if state is None or change.state is ChangeState.MERGED else ChangeState(state),
    )
    return _json(_repository_view(call, repo).pull(edited))


def merge_pull(call: Call) -> Response:
    """Merge with a merge commit; 405 when it cannot be merged, 409 on a stale `sha`."""
    repo = _repo(call)
    _require(call, "contents=write")
    change = _pull(call, repo)
    data = _object(call)
    if change.state is not ChangeState.OPEN:
        raise _error(405, "Pull Request is not mergeable")
    sha = data.get("sha")
    if sha is not None and sha != call.store.head_of(repo, change):
        raise _error(409, "Head branch was modified. Review and try the merge again.")
    merged = call.store.merge_change(repo, change, call.user)
    if isinstance(merged, list):
        raise _error(405, "Pull Request is not mergeable")
    return _json(
        {"sha": merged.merge_commit, "merged": True, "message": "Pull Request successfully merged"}
    )


def _unknown_route() -> Response:
    return _error_response(404, "Not Found")


def _unauthorized() -> Response:
    return _error_response(401, "Requires authentication")


def _bad_token() -> Response:
    return _error_response(401, "Bad credentials")


def _bad_body(detail: str) -> Response:
    return _error_response(400, "Problems parsing JSON")


# -- GraphQL: repositories' issues and their description revisions ----------------------
# `repository(owner:, name:)`, its `issue(number:)` under any alias (one query may ask for
# many), and an issue's `userContentEdits` with `editedAt`, `editor { login }` and `diff`
# (docs.github.com/graphql: objects `Repository`, `Issue`, `UserContentEdit`). GitHub keeps a
# revision per edit, the original included once the issue has been edited, newest first;
# `diff` is the text of that revision. An issue it cannot find answers null, with a
# `NOT_FOUND` error whose `path` names the field's key; a connection asked for more than 100
# nodes is refused (https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits).

GRAPHQL = "/api/graphql"
_MOST_NODES = 100


def graphql(call: Call) -> Response:
    return json_response(answer(_object(call), partial(_query, call)))


def _query(call: Call, fields: tuple[Field, ...], errors: list[dict[str, Any]]) -> Any:
    return select(fields, "Query", {"repository": partial(_repository, call, errors)})


def _repository(call: Call, errors: list[dict[str, Any]], found: Field) -> Any:
    owner, name = found.argument("owner"), found.argument("name")
    repo = call.store.project(Flavour.GITHUB, f"{owner}/{name}")
    issue = partial(_graphql_issue, call, repo, errors, found.key)
    return select(found.selections, "Repository", {"issue": issue})


def _graphql_issue(
    call: Call, repo: Project, errors: list[dict[str, Any]], parent: str, found: Field
) -> Any:
    number = found.argument("number")
    issue = call.store.issue(repo, number) if isinstance(number, int) else None
    if issue is None:
        errors.append(
            {
                "type": "NOT_FOUND",
                "path": [parent, found.key],
                "message": f"Could not resolve to an issue with the number of {number}.",
            }
        )
        return None
    edits = call.store.issue_edits(issue)
    # `editor`: the actor who last edited the body, null when nobody has (`Issue.editor`,
    # docs.github.com/graphql/reference/objects#issue).
    editor = (
        (lambda f: select(f.selections, "Actor", {"login": leaf(edits[0][0].username)}))
        if edits
        else leaf(None)
    )
    resolvers: dict[str, Resolver] = {
        "number": leaf(issue.number),
        "editor": editor,
        "userContentEdits": partial(_edits, call, issue),
    }
    return select(found.selections, "Issue", resolvers)


def _edits(call: Call, issue: Issue, found: Field) -> Any:
    for argument in ("first", "last"):
        asked = found.argument(argument)
        if isinstance(asked, int) and asked > _MOST_NODES:
            raise GraphQLError(
                f"Requesting {asked} records on the `userContentEdits` connection exceeds "
                f"the `{argument}` limit of {_MOST_NODES} records."
            )
    # `first: n` the first n of the list, `last: n` the last n (the cursor connections
    # specification, https://relay.dev/graphql/connections.htm, "Pagination algorithm").
    edits = call.store.issue_edits(issue)
    first, last = found.argument("first"), found.argument("last")
    shown = edits if first is None else edits[:first]
    if isinstance(last, int):
        shown = shown[-last:] if last else []
    elif first is None:
        shown = shown[:_MOST_NODES]

    def edit(fields: tuple[Field, ...], made: tuple[User, int, str | None]) -> Any:
        editor, at, text = made
        login = {"login": leaf(editor.username)}
        return select(
            fields,
            "UserContentEdit",
            {
                "editedAt": leaf(github_time(at)),
                "diff": leaf(text),
                "editor": lambda f: select(f.selections, "Actor", login),
            },
        )

    return select(
        found.selections,
        "UserContentEditConnection",
        {
            "nodes": lambda f: [edit(f.selections, made) for made in shown],
            "totalCount": leaf(len(edits)),
        },
    )


def _routes() -> tuple[Route[Handler], ...]:
    repo = f"{PREFIX}/repos/:owner/:repo"
    issue = f"{repo}/issues/:number"
    table: list[tuple[str, str, Handler]] = [
        ("GET", f"{PREFIX}/user", get_current_user),
        ("GET", f"{PREFIX}/users/:username", get_user),
        ("GET", f"{PREFIX}/meta", get_meta),
        ("GET", f"{PREFIX}/search/issues", search_issues),
        ("GET", repo, get_repo),
        ("GET", f"{repo}/assignees", list_assignees),
        ("GET", f"{repo}/assignees/:assignee", check_assignee),
        ("PATCH", repo, update_repo),
        ("GET", f"{repo}/issues", list_issues),
        ("POST", f"{repo}/issues", create_issue),
        ("GET", f"{repo}/issues/comments", list_repo_comments),
        ("GET", f"{repo}/issues/comments/:comment_id", get_comment),
        ("PATCH", f"{repo}/issues/comments/:comment_id", update_comment),
        ("GET", issue, get_issue),
        ("PATCH", issue, update_issue),
        ("POST", f"{issue}/labels", add_labels),
        ("PUT", f"{issue}/labels", set_labels),
        ("DELETE", f"{issue}/labels", remove_all_labels),
        ("DELETE", f"{issue}/labels/:name", remove_label),
        ("GET", f"{issue}/comments", list_issue_comments),
        ("POST", f"{issue}/comments", create_comment),
        ("GET", f"{repo}/labels", list_repo_labels),
        ("POST", f"{repo}/labels", create_repo_label),
        ("DELETE", f"{repo}/labels/:name", delete_repo_label),
        ("GET", f"{repo}/git/ref/:ref", get_ref),
        ("POST", f"{repo}/git/refs", create_ref),
        ("PATCH", f"{repo}/git/refs/:ref", update_ref),
        ("DELETE", f"{repo}/git/refs/:ref", delete_ref),
        ("GET", f"{repo}/compare/:basehead", compare),
        ("GET", f"{repo}/contents/:path", get_content),
        ("PUT", f"{repo}/contents/:path", put_content),
        ("GET", f"{repo}/pulls", list_pulls),
        ("POST", f"{repo}/pulls", create_pull),
        ("GET", f"{repo}/pulls/:number", get_pull),
        ("PATCH", f"{repo}/pulls/:number", update_pull),
        ("PUT", f"{repo}/pulls/:number/merge", merge_pull),
    ]
    return tuple(route(method, template, handler) for method, template, handler in table)


API = Api(
    flavour=Flavour.GITHUB,
    prefix=PREFIX,
    routes=_routes(),
    token=_token,
    unauthorized=_unauthorized,
    bad_token=_bad_token,
    unknown_route=_unknown_route,
    # GitHub answers an unsupported method on a known path with 404 as well
    method_not_allowed=_unknown_route,
    bad_body=_bad_body,
    fault=_fault,
)

# GitHub Enterprise serves GraphQL beside its REST root (`/api/graphql` for `/api/v3`).
GRAPHQL_API = replace(
    API, prefix="/api", routes=(route("POST", GRAPHQL, graphql),), queries_only=True
)
