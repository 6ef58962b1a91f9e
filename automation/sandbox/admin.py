"""The /_sandbox/ control endpoints: clock, counts, faults, users, limits, files, merges (no
auth, uncounted)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from automation.sandbox.clock import gitlab_time, parse_instant
from automation.sandbox.faults import FaultBook
from automation.sandbox.metering import (
    RateLimits,
    RequestCounts,
    SecondaryLimits,
    parse_secondary_limit,
)
from automation.sandbox.records import Access, ChangeState, Flavour, Project, User
from automation.sandbox.repository import DEFAULT_BRANCH
from automation.sandbox.store import Store
from automation.sandbox.web import (
    BadBody,
    HttpError,
    Request,
    Response,
    Route,
    json_response,
    match_route,
    route,
)

PREFIX = "/_sandbox"


@dataclass(frozen=True)
class Controls:
    """Everything the control endpoints act on."""

    store: Store
    counts: RequestCounts
    faults: FaultBook
    rates: RateLimits
    secondary: SecondaryLimits


AdminHandler = Callable[[Controls, Request], Response]


def _fail(status: int, message: str) -> HttpError:
    return HttpError(json_response({"error": message}, status))


def _object(request: Request) -> dict[str, Any]:
    try:
        data = request.data()
    except BadBody as error:
        raise _fail(400, f"body is not JSON: {error}") from error
    if not isinstance(data, dict):
        raise _fail(400, "body must be a JSON object")
    return data


def _clock(controls: Controls) -> dict[str, Any]:
    return {"now": gitlab_time(controls.store.now()), "frozen": controls.store.clock_frozen}


def get_clock(controls: Controls, request: Request) -> Response:
    return json_response(_clock(controls))


def set_clock(controls: Controls, request: Request) -> Response:
    data = _object(request)
    if "advance_seconds" in data:
        try:
            seconds = float(data["advance_seconds"])
        except (TypeError, ValueError) as error:
            raise _fail(400, "advance_seconds must be a number") from error
        if seconds < 0:
            raise _fail(400, "the clock only moves forward")
        controls.store.advance_clock(round(seconds * 1000))
    elif "now" in data:
        now = data["now"]
        if now is None:
            controls.store.set_clock(None)
        else:
            try:
                controls.store.set_clock(parse_instant(str(now)))
            except ValueError as error:
                raise _fail(400, f"now is not an ISO 8601 instant: {now!r}") from error
    else:
        raise _fail(400, 'send {"now": "<ISO 8601>"} or {"advance_seconds": N}')
    return json_response(_clock(controls))


def get_counts(controls: Controls, request: Request) -> Response:
    return json_response(controls.counts.snapshot())


def reset_counts(controls: Controls, request: Request) -> Response:
    controls.counts.reset()
    return json_response(controls.counts.snapshot())


def list_faults(controls: Controls, request: Request) -> Response:
    return json_response(controls.faults.listing())


def add_fault(controls: Controls, request: Request) -> Response:
    try:
        fault = controls.faults.add(_object(request))
    except ValueError as error:
        raise _fail(400, str(error)) from error
    return json_response(fault, 201)


def clear_faults(controls: Controls, request: Request) -> Response:
    controls.faults.clear()
    return json_response([])


def reset_all(controls: Controls, request: Request) -> Response:
    controls.store.reset()
    controls.counts.reset()
    controls.faults.clear()
    controls.rates.reset()
    controls.secondary.configure(None)
    return json_response({"reset": True})


def _user_json(user: User) -> dict[str, Any]:
    return {"login": user.username, "id": user.id, "access": user.access.name.lower()}


def list_users(controls: Controls, request: Request) -> Response:
    return json_response([_user_json(user) for user in controls.store.all_users()])


def register_users(controls: Controls, request: Request) -> Response:
    """`{"logins": ["alice", "bob"], "access": "write"}`: create the accounts (or change their
    role); `access` is none, read, triage, write (the default), maintain or admin."""
    data = _object(request)
    logins = data.get("logins")
    if not isinstance(logins, list) or not all(isinstance(x, str) and x for x in logins):
        raise _fail(400, 'send {"logins": ["alice", ...]} with an optional "access"')
    try:
        access = Access[str(data.get("access", "write")).upper()]
    except KeyError as error:
        names = ", ".join(level.name.lower() for level in Access)
        raise _fail(400, f"access must be one of {names}") from error
    users = controls.store.register_users(logins, access)
    return json_response([_user_json(user) for user in users], 201)


def open_pull_request(controls: Controls, request: Request) -> Response:
    """`{"repo": "owner/name", "author": "alice", "title": "..."}`: a pull request, which
    GitHub lists among the repository's issues; its number comes from the same sequence."""
    data = _object(request)
    repo, author, title = (str(data.get(key) or "") for key in ("repo", "author", "title"))
    if not (repo and author and title):
        raise _fail(400, 'send {"repo": "owner/name", "author": "<login>", "title": "..."}')
    user = controls.store.find_user(author)
    if user is None:
        raise _fail(400, f"{author!r} is not registered; register them first")
    project = controls.store.project(Flavour.GITHUB, repo)
    body = data.get("body")
    pull = controls.store.create_issue(
        project, user, title=title, body=body if isinstance(body, str) else None, pull=True
    )
    return json_response({"number": pull.number}, 201)


def _flavour_project(controls: Controls, data: dict[str, Any]) -> tuple[Flavour, Project]:
    try:
        flavour = Flavour(str(data.get("flavour", "")))
    except ValueError as error:
        raise _fail(400, 'send "flavour": "gitlab" or "github"') from error
    path = str(data.get("project") or "")
    if not path:
        raise _fail(400, 'send "project": "group/name"')
    return flavour, controls.store.project(flavour, path)


def put_file(controls: Controls, request: Request) -> Response:
    """`{"flavour", "project", "path", "text", "branch": "main", "message"}`: commit a file
    onto a branch (created from the default branch when new), as someone pushing would."""
    data = _object(request)
    _, project = _flavour_project(controls, data)
    path, text = data.get("path"), data.get("text")
    if not (isinstance(path, str) and path and isinstance(text, str)):
        raise _fail(400, 'send "path": "program.yml" and "text": "..."')
    branch = str(data.get("branch") or DEFAULT_BRANCH)
    message = str(data.get("message") or f"Update {path}")
    store = controls.store
    with store.transaction():
        parent = store.branch_head(project, branch) or store.branch_head(project, DEFAULT_BRANCH)
        assert parent is not None
        made = store.write_files(project, branch, {path: text}, message, "", parent=parent)
    return json_response({"branch": branch, "commit": made.id}, 201)


def merge(controls: Controls, request: Request) -> Response:
    """`{"flavour", "project", "number", "by": "<login>"}`: merge a merge or pull request as
    that person would, with the role the forge asks for (GitLab Maintainer on the protected
    default branch, GitHub write)."""
    data = _object(request)
    flavour, project = _flavour_project(controls, data)
    store = controls.store
    user = store.find_user(str(data.get("by") or ""))
    if user is None:
        raise _fail(400, 'send "by": the login of a registered user who merges')
    needed = Access.MAINTAIN if flavour is Flavour.GITLAB else Access.WRITE
    if user.access < needed:
        raise _fail(403, f"{user.username} may not merge: it takes {needed.name.lower()} access")
    with store.transaction():
        change = store.change(project, int(data.get("number") or 0))
        if change is None or change.state is not ChangeState.OPEN:
            raise _fail(409, "no open merge or pull request by that number")
        merged = store.merge_change(project, change, user)
    if isinstance(merged, list):
        raise _fail(409, f"conflicts in {', '.join(merged)}")
    return json_response({"merged": True, "merge_commit": merged.merge_commit})


def get_edition(controls: Controls, request: Request) -> Response:
    return json_response({"gitlab": "free" if controls.store.gitlab_free else "premium"})


def set_edition(controls: Controls, request: Request) -> Response:
    """`{"gitlab": "free"}`: an issue keeps one assignee, as on GitLab Free; `"premium"`
    (the default): all of them."""
    edition = _object(request).get("gitlab")
    if edition not in ("free", "premium"):
        raise _fail(400, 'send {"gitlab": "free" | "premium"}')
    controls.store.gitlab_free = edition == "free"
    return get_edition(controls, request)


def get_limits(controls: Controls, request: Request) -> Response:
    return json_response(controls.secondary.snapshot())


def set_limits(controls: Controls, request: Request) -> Response:
    """`{"secondary": true}` switches GitHub's secondary limit on content-creating requests
    on (80 a minute, 500 an hour, no Retry-After); an object sets the numbers; null: off."""
    data = _object(request)
    if "secondary" not in data:
        raise _fail(400, 'send {"secondary": true | null | {...}}')
    try:
        controls.secondary.configure(parse_secondary_limit(data["secondary"]))
    except (TypeError, ValueError) as error:
        raise _fail(400, str(error)) from error
    return json_response(controls.secondary.snapshot())


def index(controls: Controls, request: Request) -> Response:
    return json_response({"endpoints": [r.key for r in ROUTES]})


ROUTES: tuple[Route[AdminHandler], ...] = tuple(
    route(method, PREFIX + path, handler)
    for method, path, handler in (
        ("GET", "", index),
        ("GET", "/clock", get_clock),
        ("POST", "/clock", set_clock),
        ("GET", "/requests", get_counts),
        ("POST", "/requests/reset", reset_counts),
        ("GET", "/faults", list_faults),
        ("POST", "/faults", add_fault),
        ("DELETE", "/faults", clear_faults),
        ("POST", "/reset", reset_all),
        ("GET", "/users", list_users),
        ("POST", "/users", register_users),
        ("POST", "/pulls", open_pull_request),
        ("POST", "/files", put_file),
        ("POST", "/merges", merge),
        ("GET", "/edition", get_edition),
        ("POST", "/edition", set_edition),
        ("GET", "/limits", get_limits),
        ("POST", "/limits", set_limits),
    )
)


def handle(controls: Controls, request: Request) -> Response:
    if not request.is_read and request.header("Origin") is not None:
        # The control endpoints take no token: a web page the person running the sandbox
        # visits could post to them (a form or a DNS-rebound name). Browsers send an Origin
        # with every POST; the sandbox's own client and curl send none.
        return json_response(
            {"error": "the sandbox's controls do not take requests from web pages"}, 403
        )
    found = match_route(ROUTES, request)
    if found is None:
        return json_response({"error": "no such sandbox endpoint"}, 404)
    if found.route is None:
        return json_response({"error": "method not allowed"}, 405)
    try:
        return found.route.handler(controls, request)
    except HttpError as error:
        return error.response
