"""The GitLab v4 REST subset under /api/v4: users, projects, issues, notes, labels, events,
repository files, commits, branches and merge requests."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from functools import partial
from http import HTTPStatus
from typing import Any

from automation.sandbox import quick_actions
from automation.sandbox.call import Api, Call, Handler
from automation.sandbox.clock import (
    DAY_MS,
    gitlab_graphql_time,
    gitlab_time,
    parse_day,
    parse_instant,
)
from automation.sandbox.git import line_counts
from automation.sandbox.gitlab_shapes import PREFIX, GitLabRepositoryView, GitLabView
from automation.sandbox.graphql import (
    Field,
    GraphQLError,
    Resolver,
    answer,
    connection,
    leaf,
    root_names,
    select,
)
from automation.sandbox.records import (
    Access,
    Change,
    ChangeState,
    Comment,
    Commit,
    Event,
    EventAction,
    Flavour,
    Issue,
    IssueChanges,
    IssueEdit,
    IssueQuery,
    Label,
    Project,
    SortKey,
    State,
    User,
    Window,
)
from automation.sandbox.repository import DEFAULT_BRANCH
from automation.sandbox.tasks import task_note, updated_tasks
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
    text_response,
)

_MAX_TITLE = 255
_MAX_DESCRIPTION = 1_048_576
_MAX_NOTE = 1_000_000
_MAX_NOTES_LISTED = 1_000_000  # every note of an issue, to group them in discussions
# Every `action` the events API accepts, though the sandbox only records a few.
_ACTIONS = frozenset(
    {
        "approved",
        "closed",
        "commented",
        "created",
        "destroyed",
        "expired",
        "joined",
        "left",
        "merged",
        "pushed",
        "reopened",
        "updated",
    }
)
_TARGET_TYPES = {
    "issue": "Issue",
    "milestone": "Milestone",
    "merge_request": "MergeRequest",
    "note": "Note",
    "project": "Project",
    "snippet": "Snippet",
    "user": "User",
    "wiki": "WikiPage::Meta",
    "design": "DesignManagement::Design",
}
_EDIT_KEYS = (
    "title",
    "description",
    "assignee_id",
    "assignee_ids",
    "confidential",
    "due_date",
    "labels",
    "add_labels",
    "remove_labels",
    "state_event",
)


# -- errors ------------------------------------------------------------------------------


def _message(status: int, message: Any) -> HttpError:
    return HttpError(json_response({"message": message}, status))


def _not_found(what: str) -> HttpError:
    return _message(404, f"404 {what} Not Found")


def _bad_param(text: str) -> HttpError:
    """Parameter validation errors use the `error` key, as GitLab's Grape layer answers."""
    return HttpError(json_response({"error": text}, 400))


def _invalid_field(field: str, problem: str) -> HttpError:
    """Model validation errors: a `message` object of field -> problems."""
    return _message(400, {field: [problem]})


def _fault(status: int, headers: Mapping[str, str], body: Any) -> Response:
    extra = tuple(headers.items())
    if body is not None:
        return json_response(body, status, extra)
    if status == 429:
        # GitLab's rate limiter (Rack::Attack) answers in plain text
        return text_response("Retry later\n", status, extra)
    return json_response({"message": f"{status} {_reason(status)}"}, status, extra)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _token(request: Request) -> str | None:
    token = request.header("PRIVATE-TOKEN") or request.header("JOB-TOKEN")
    if token:
        return token
    scheme, _, value = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


# -- parameters --------------------------------------------------------------------------


def _params(call: Call) -> dict[str, Any]:
    """Query and body parameters merged, as Grape presents them to GitLab's endpoints."""
    merged: dict[str, Any] = {}
    for name, values in call.request.query.items():
        if name.endswith("[]"):
            merged[name[:-2]] = values
        else:
            merged[name] = values[-1]
    try:
        body = call.request.data()
    except BadBody as error:
        raise _bad_param(f"body is invalid: {error}") from error
    if isinstance(body, dict):
        merged.update(body)
    elif body:
        raise _bad_param("body is invalid")
    return merged


def _text(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool | dict | list):
        raise _bad_param(f"{name} is invalid")
    return str(value)


def _due_date(params: Mapping[str, Any]) -> str | None:
    """`due_date` as GitLab stores it: a date column, so Rails' date cast applies
    (ActiveModel::Type::Date): `YYYY-MM-DD` is kept, anything it cannot read becomes null
    (`""` on an edit removes the date). None: the parameter was not given."""
    value = _text(params, "due_date")
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat() if value.strip() else ""
    except ValueError:
        return ""


def _flag(params: Mapping[str, Any], name: str) -> bool | None:
    value = params.get(name)
    if value is None or isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("true", "1", "yes", "t"):
        return True
    if text in ("false", "0", "no", "f"):
        return False
    raise _bad_param(f"{name} is invalid")


def _names(value: Any) -> tuple[str, ...]:
    """Label names from `"a,b"` or `["a", "b"]`."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    names = (part.strip() for item in items for part in str(item).split(","))
    return tuple(dict.fromkeys(name for name in names if name))


def _ids(params: Mapping[str, Any], name: str) -> tuple[int, ...] | None:
    value = params.get(name)
    if value is None:
        return None
    items = value if isinstance(value, list) else str(value).split(",")
    try:
        ids = [int(item) for item in items if str(item).strip()]
    except ValueError as error:
        raise _bad_param(f"{name} is invalid") from error
    return tuple(user_id for user_id in ids if user_id > 0)


def _instant(params: Mapping[str, Any], name: str) -> int | None:
    text = _text(params, name)
    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError as error:
        raise _bad_param(f"{name} is invalid") from error


def _choice(params: Mapping[str, Any], name: str, allowed: Iterable[str], default: str) -> str:
    value = _text(params, name)
    if value is None:
        return default
    if value not in allowed:
        raise _bad_param(f"{name} does not have a valid value")
    return value


def _view(call: Call) -> GitLabView:
    return GitLabView(call.store, call.request.base_url)


def _paged(call: Call, payload: list[dict[str, Any]], page: Paging, total: int) -> Response:
    """A list with GitLab's offset-pagination headers and `Link`."""
    pages = page.total_pages(total)
    previous = page.page - 1 if page.page > 1 else None
    following = page.page + 1 if page.page < pages else None
    links = [("prev", previous), ("next", following), ("first", 1), ("last", pages)]
    headers = [
        ("X-Page", str(page.page)),
        ("X-Per-Page", str(page.per_page)),
        ("X-Prev-Page", "" if previous is None else str(previous)),
        ("X-Next-Page", "" if following is None else str(following)),
        ("X-Total", str(total)),
        ("X-Total-Pages", str(pages)),
        ("Link", link_header(call.request, [(r, p) for r, p in links if p is not None])),
    ]
    return json_response(payload, 200, headers)


# -- lookups -----------------------------------------------------------------------------


def _project(call: Call) -> Project:
    ident = call.param("id")
    if ident.isdigit():
        project = call.store.project_by_id(Flavour.GITLAB, int(ident))
        if project is None:
            raise _not_found("Project")
        return project
    return call.store.project(Flavour.GITLAB, ident.strip("/"))


def _issue(call: Call, project: Project) -> Issue:
    issue = call.store.issue(project, int(call.param("iid")))
    if issue is None or not _may_read(call, issue):
        raise _not_found("Issue")
    return issue


def _may_read(call: Call, issue: Issue) -> bool:
    """A confidential issue is read by Reporters and above, its author and its assignees,
    and is not found by anyone else, nor are its notes (app/policies/issue_policy.rb:
    `confidential & ~can_read_confidential` prevents `read_issue`, and `create_note` with
    it)."""
    if not issue.confidential or call.user.access >= Access.TRIAGE:
        return True
    if issue.author_id == call.user.id:
        return True
    return any(user.id == call.user.id for user in call.store.issue_assignees([issue.id])[issue.id])


def _note(call: Call, issue: Issue, project: Project) -> Comment:
    note = call.store.comment(project, int(call.param("note_id")))
    if note is None or note.issue_id != issue.id:
        raise _not_found("Note")
    return note


def _discussion(call: Call, issue: Issue) -> list[Comment]:
    notes = call.store.discussion(issue, call.param("discussion_id"))
    if not notes:
        raise _not_found("Discussion")
    return notes


# -- users and projects ------------------------------------------------------------------


def get_current_user(call: Call) -> Response:
    return json_response(_view(call).current_user(call.user))


def list_users(call: Call) -> Response:
    # An unknown username is an empty list, never a new account (lib/api/users.rb)
    username = call.request.arg("username")
    view = _view(call)
    found = call.store.find_user(username) if username else call.user
    users = [found] if found is not None else []
    page = paging(call.request, 20, 100)
    return _paged(call, [view.user(user) for user in users], page, len(users))


def get_project(call: Call) -> Response:
    return json_response(_view(call).project(_project(call), call.user))


def list_members(call: Call) -> Response:
    """`GET /projects/:id/members/all`: everyone with a role, inherited roles included."""
    _project(call)
    page = paging(call.request, 20, 100)
    members, total = call.store.assignable_users(page.window)
    view = _view(call)
    return _paged(call, [view.member(user) for user in members], page, total)


def get_member(call: Call) -> Response:
    _project(call)
    user = call.store.user_by_id(int(call.param("user_id")))
    if user is None or not user.assignable:
        raise _message(404, "404 Not found")
    return json_response(_view(call).member(user))


def get_version(call: Call) -> Response:
    return json_response({"version": "17.0.0-sandbox", "revision": "sandbox"})


def get_token_self(call: Call) -> Response:
    """The token's own record: a sandbox token of a registered user has the `api` scope."""
    user = call.user
    return json_response(
        {
            "id": user.id,
            "name": f"sandbox token of {user.username}",
            "revoked": False,
            "created_at": gitlab_time(user.created_at),
            "description": None,
            "scopes": ["api"],
            "user_id": user.id,
            "last_used_at": None,
            "active": True,
            "expires_at": None,
        }
    )


# -- issues ------------------------------------------------------------------------------


def list_issues(call: Call) -> Response:
    project = _project(call)
    params = _params(call)
    query = _issue_query(call, params)
    page = paging(call.request, 20, 100)
    issues, total = call.store.list_issues(project, query, page.window)
    payload = _view(call).issues(project, issues)
    return _paged(call, payload, page, total)


def _issue_query(call: Call, params: Mapping[str, Any]) -> IssueQuery:
    state = _choice(params, "state", ("opened", "closed", "all"), "all")
    labels = _names(params.get("labels"))
    special = {name.lower() for name in labels} & {"none", "any", "no+label", "no label"}
    any_label: bool | None = None
    if special:
        any_label = "any" in special
        labels = ()
    return IssueQuery(
        state={"opened": State.OPEN, "closed": State.CLOSED}.get(state),
        labels=labels,
        any_label=any_label,
        created_after=_instant(params, "created_after"),
        created_before=_instant(params, "created_before"),
        updated_after=_instant(params, "updated_after"),
        updated_before=_instant(params, "updated_before"),
        numbers=_ids(params, "iids") or (),
        author_id=_person(call, params, "author_id", "author_username"),
        assignee_id=_person(call, params, "assignee_id", "assignee_username"),
        assigned=_anyone(params.get("assignee_id")),
        confidential=_flag(params, "confidential"),
        visible_to=call.user.id if call.user.access < Access.TRIAGE else None,
        # `search` matches the title and the description, or those `in` names
        # (https://docs.gitlab.com/api/issues/#list-project-issues).
        search=_text(params, "search"),
        search_in=_search_in(params),
        sort=SortKey(_choice(params, "order_by", ("created_at", "updated_at"), "created_at")),
        ascending=_choice(params, "sort", ("asc", "desc"), "desc") == "asc",
    )


def _search_in(params: Mapping[str, Any]) -> tuple[str, ...]:
    fields = {"title": "title", "description": "body"}
    named = _text(params, "in") or "title,description"
    chosen = tuple(fields[f.strip()] for f in named.split(",") if f.strip() in fields)
    if not chosen:
        raise _bad_param("in does not have a valid value")
    return chosen


def _person(call: Call, params: Mapping[str, Any], id_name: str, login_name: str) -> int | None:
    """A user filter given by id or username; an unknown username matches nobody."""
    login = params.get(login_name)
    if isinstance(login, list):  # assignee_username is an array parameter
        login = login[0] if login else None
    if login is not None:
        user = call.store.find_user(str(login))
        return -1 if user is None else user.id
    value = _text(params, id_name)
    if value is None or _anyone(value) is not None:
        return None
    try:
        return int(value)
    except ValueError as error:
        raise _bad_param(f"{id_name} is invalid") from error


def _anyone(value: Any) -> bool | None:
    """GitLab's `None`/`Any` user filters: True for anyone at all, False for nobody."""
    text = str(value).lower() if value is not None else ""
    return {"any": True, "none": False}.get(text)


def get_issue(call: Call) -> Response:
    project = _project(call)
    return json_response(_view(call).issue(project, _issue(call, project)))


def create_issue(call: Call) -> Response:
    project = _project(call)
    params = _params(call)
    title = _text(params, "title")
    if title is None:
        raise _bad_param("title is missing")
    description = _text(params, "description")
    _check_issue_text(title, description)
    labels = _names(params.get("labels"))
    assignees = _assignee_ids(call, params) or ()
    if description is not None:
        # quick actions in a new issue's description: /label and /assign apply to it
        description, commands = quick_actions.extract(description)
        edit = _commands(call, project, None, commands, assignees).edit
        labels = (*labels, *(n for n in edit.add_labels if n not in labels))
        assignees = edit.assignee_ids if edit.assignee_ids is not None else assignees
    issue = call.store.create_issue(
        project,
        call.user,
        title=title,
        body=description,
        labels=labels,
        assignee_ids=assignees,
        confidential=bool(_flag(params, "confidential")),
        created_at=_backdated(call, params),
        due_date=_due_date(params) or None,
    )
    call.store.add_event(issue, call.user, EventAction.CREATED, created_at=issue.created_at)
    return json_response(_view(call).issue(project, issue), 201)


def _check_issue_text(title: str | None, description: str | None) -> None:
    if title is not None and not title.strip():
        raise _invalid_field("title", "can't be blank")
    if title is not None and len(title) > _MAX_TITLE:
        raise _invalid_field("title", f"is too long (maximum is {_MAX_TITLE} characters)")
    if description is not None and len(description) > _MAX_DESCRIPTION:
        raise _invalid_field(
            "description", f"is too long (maximum is {_MAX_DESCRIPTION} characters)"
        )


def _assignee_ids(call: Call, params: Mapping[str, Any]) -> tuple[int, ...] | None:
    ids = _ids(params, "assignee_ids")
    if ids is None:
        ids = _ids(params, "assignee_id")
    if ids is None:
        return None
    # unknown users and users without a role are dropped silently, as GitLab drops
    # assignees who cannot read the issue (IssuableBaseService#filter_assignees)
    known = call.store.users(ids)
    kept = tuple(user_id for user_id in ids if user_id in known and known[user_id].assignable)
    # GitLab Free keeps the first (`filter_assignees_using_checks`: `first(1)` unless the
    # issue `allows_multiple_assignees?`, the Premium `multiple_issue_assignees` feature).
    return kept[:1] if call.store.gitlab_free else kept


def _kept_assignees(call: Call, params: Mapping[str, Any]) -> tuple[int, ...] | None:
    """An edit's assignees: when every one asked for is dropped, the parameter is, and the
    issue keeps its own (`filter_assignees_using_checks` deletes it; an empty list asked
    for on purpose still unassigns)."""
    kept = _assignee_ids(call, params)
    asked = _ids(params, "assignee_ids") or _ids(params, "assignee_id")
    return None if asked and not kept else kept


def _commands(
    call: Call,
    project: Project,
    issue: Issue | None,
    commands: Sequence[quick_actions.Command],
    new_assignees: Sequence[int] = (),
) -> quick_actions.Outcome:
    """Run the quick actions of a note or description written by `call.user` on `issue`
    (None: the issue being created, with `new_assignees`)."""
    if not commands:
        return quick_actions.Outcome()
    if issue is None:
        labels: list[Label] = []
        assignees = list(call.store.users(new_assignees).values())
    else:
        labels = call.store.issue_labels([issue.id])[issue.id]
        assignees = call.store.issue_assignees([issue.id])[issue.id]
    context = quick_actions.Context(
        issue=issue,
        actor=call.user,
        labels=labels,
        assignees=assignees,
        project_labels=call.store.labels(project),
        find_user=call.store.find_user,
    )
    outcome = quick_actions.run(commands, context)
    if issue is not None:
        _edit(call, project, issue, outcome.edit)
    return outcome


def _edit(call: Call, project: Project, issue: Issue, edit: IssueEdit) -> Issue:
    """Apply an edit and write the system notes and events GitLab writes for it."""
    assignees_before = call.store.issue_assignees([issue.id])[issue.id]
    changes = call.store.edit_issue(project, issue, call.user, edit)
    if changes.changed:
        _record_changes(call, changes, assignees_before)
    return changes.after


def update_issue(call: Call) -> Response:
    project = _project(call)
    issue = _issue(call, project)
    params = _params(call)
    if not any(key in params for key in _EDIT_KEYS):
        raise _bad_param(
            ", ".join(_EDIT_KEYS) + " are missing, at least one parameter must be provided"
        )
    description = _text(params, "description")
    if not _may_edit(call, issue):
        # Any edit needs `update_issue` (lib/api/issues.rb, `authorize! :update_issue`),
        # the author's, an assignee's or a Reporter's and up (app/policies/issue_policy.rb:
        # `can?(:reporter_access) | is_author | assignee`).
        raise _message(403, "403 Forbidden")
    commands: list[quick_actions.Command] = []
    if description is not None:
        description, commands = quick_actions.extract(description)
    issue = _edit(call, project, issue, _issue_edit(call, params, description))
    _commands(call, project, issue, commands)
    updated = call.store.issue(project, issue.number)
    assert updated is not None
    return json_response(_view(call).issue(project, updated))


def _may_edit(call: Call, issue: Issue) -> bool:
    if issue.author_id == call.user.id or call.user.access >= Access.TRIAGE:
        return True
    assignees = call.store.issue_assignees([issue.id])[issue.id]
    return any(user.id == call.user.id for user in assignees)


# What `_sets_metadata` guards in an edit's parameters.
_METADATA = frozenset(
    {
        "labels",
        "add_labels",
        "remove_labels",
        "assignee_ids",
        "assignee_id",
        "confidential",
        "due_date",
    }
)


def _sets_metadata(call: Call) -> bool:
    """Whether the caller may change an existing issue's labels, assignees, due date and
    confidentiality. GitLab drops those parameters, without an error, from an edit by
    someone who may not admin issues, a Guest (app/services/issuable_base_service.rb
    `filter_params`; app/policies/issue_policy.rb: `set_issue_metadata` on a persisted issue
    is `admin_issue`, Reporter and up). A new issue's are any member's to set (the same
    policy: `~persisted & is_project_member & can?(:guest_access)`, gitlab#300100)."""
    return call.user.access >= Access.TRIAGE


def _issue_edit(call: Call, params: Mapping[str, Any], description: str | None) -> IssueEdit:
    title = _text(params, "title")
    _check_issue_text(title, description)
    state_event = _choice(params, "state_event", ("close", "reopen"), "")
    state = {"close": State.CLOSED, "reopen": State.OPEN}.get(state_event)
    if not _sets_metadata(call):
        params = {k: v for k, v in params.items() if k not in _METADATA}
    return IssueEdit(
        title=title,
        body=description,
        state=state,
        labels=_names(params["labels"]) if "labels" in params else None,
        add_labels=_names(params.get("add_labels")),
        remove_labels=_names(params.get("remove_labels")),
        assignee_ids=_kept_assignees(call, params),
        confidential=_flag(params, "confidential"),
        due_date=_due_date(params),
    )


def _record_changes(call: Call, changes: IssueChanges, assignees_before: list[User]) -> None:
    """The system notes and events GitLab writes for an issue edit."""
    before, after = changes.before, changes.after
    notes = []
    if before.title != after.title:
        notes.append(f"changed title from **{before.title}** to **{after.title}**")
    if before.body != after.body:
        ticked = updated_tasks(before.body, after.body)
        notes += [task_note(text, done) for text, done in ticked] or ["changed the description"]
    if changes.added_labels or changes.removed_labels:
        notes.append(_label_note(changes.added_labels, changes.removed_labels))
    if changes.assignees_changed:
        assignees_after = call.store.issue_assignees([after.id])[after.id]
        notes.append(_assignee_note(assignees_before, assignees_after))
    if before.confidential != after.confidential:
        notes.append(
            "made the issue confidential"
            if after.confidential
            else "made the issue visible to everyone"
        )
    if before.due_date != after.due_date:
        # app/services/system_notes/time_tracking_service.rb, `change_due_date`: the date
        # in Rails' :long format
        notes.append(
            f"changed due date to {_long_date(after.due_date)}"
            if after.due_date
            else "removed due date"
        )
    if before.state is not after.state:
        closing = after.state is State.CLOSED
        notes.append("closed" if closing else "reopened")
        action = EventAction.CLOSED if closing else EventAction.REOPENED
        call.store.add_event(after, call.user, action)
    for body in notes:
        call.store.add_comment(after, call.user, body, system=True)


def _long_date(value: str) -> str:
    """Rails' `Date#to_fs(:long)`: `March 1, 2026`."""
    day = date.fromisoformat(value)
    return f"{day:%B} {day.day}, {day.year}"


def _label_note(added: Sequence[str], removed: Sequence[str]) -> str:
    def refs(names: Sequence[str]) -> str:
        return " ".join(f'~"{name}"' for name in names)

    parts = []
    if added:
        parts.append(f"added {refs(added)}")
    if removed:
        parts.append(f"removed {refs(removed)}")
    noun = "label" if len(added) + len(removed) == 1 else "labels"
    return " and ".join(parts) + f" {noun}"


def _assignee_note(before: list[User], after: list[User]) -> str:
    before_ids = {user.id for user in before}
    after_ids = {user.id for user in after}
    added = [f"@{user.username}" for user in after if user.id not in before_ids]
    removed = [f"@{user.username}" for user in before if user.id not in after_ids]
    parts = []
    if added:
        parts.append("assigned to " + " and ".join(added))
    if removed:
        parts.append("unassigned " + " and ".join(removed))
    return " and ".join(parts) or "changed the assignees"


# -- notes -------------------------------------------------------------------------------


def list_notes(call: Call) -> Response:
    project = _project(call)
    issue = _issue(call, project)
    params = _params(call)
    order = _choice(params, "order_by", ("created_at", "updated_at"), "created_at")
    ascending = _choice(params, "sort", ("asc", "desc"), "desc") == "asc"
    page = paging(call.request, 20, 100)
    notes, total = call.store.list_comments(
        project=project,
        issue=issue,
        window=page.window,
        sort=SortKey(order),
        ascending=ascending,
    )
    return _paged(call, _view(call).notes(notes), page, total)


def get_note(call: Call) -> Response:
    project = _project(call)
    issue = _issue(call, project)
    return json_response(_view(call).note(_note(call, issue, project)))


def create_note(call: Call) -> Response:
    return _post_note(
        call, lambda issue, text, at: _view(call).note(_add_note(call, issue, text, at))
    )


def _post_note(
    call: Call, store_note: Callable[[Issue, str, int | None], dict[str, Any]]
) -> Response:
    """A new note as GitLab's notes and discussions APIs take it: the text without its quick
    actions is stored, then the actions run; a note of commands only is not stored and the
    API answers 202 with what they changed (lib/api/helpers/notes_helpers.rb,
    `process_note_creation_result`)."""
    project = _project(call)
    issue = _issue(call, project)
    params = _params(call)
    text, commands = quick_actions.extract(_note_body(params))
    payload = store_note(issue, text, _backdated(call, params)) if text else None
    outcome = _commands(call, project, issue, commands)
    if payload is None:
        return _commands_only(outcome)
    if "commands_changes" in payload:
        payload["commands_changes"] = outcome.changes
    return json_response(payload, 201)


def _commands_only(outcome: quick_actions.Outcome) -> Response:
    """GitLab's answer to a note of quick actions only (lib/api/entities/note.rb,
    NoteCommands): accepted, nothing stored."""
    return json_response({"commands_changes": outcome.changes, "summary": outcome.messages}, 202)


def _add_note(
    call: Call,
    issue: Issue,
    text: str,
    created_at: int | None,
    *,
    note_type: str = "Note",
    discussion_id: str | None = None,
) -> Comment:
    note = call.store.add_comment(
        issue,
        call.user,
        text,
        created_at=created_at,
        note_type=note_type,
        discussion_id=discussion_id,
    )
    call.store.add_event(issue, call.user, EventAction.COMMENTED, note, created_at=note.created_at)
    return note


def _backdated(call: Call, params: Mapping[str, Any]) -> int | None:
    """`created_at` of a new issue or note: dropped unless the caller is an Owner
    (lib/api/issues.rb and lib/api/helpers/notes_helpers.rb delete it without
    `set_issue_created_at` / `set_note_created_at`, app/policies/project_policy.rb: owners)."""
    return _instant(params, "created_at") if call.user.access >= Access.ADMIN else None


def update_note(call: Call) -> Response:
    project = _project(call)
    issue = _issue(call, project)
    note = _note(call, issue, project)
    text, commands = quick_actions.extract(_note_body(_params(call)))
    # A note's author edits it, and so do Maintainers and Owners, anyone's
    # (lib/api/helpers/notes_helpers.rb `authorize! :admin_note`; project_policy.rb enables
    # `admin_note` with maintainer access); nobody edits a system note.
    if note.system or (note.author_id != call.user.id and call.user.access < Access.MAINTAIN):
        raise _message(403, "403 Forbidden")
    outcome = _commands(call, project, issue, commands)
    if not text:
        return _commands_only(outcome)
    rendered = _view(call).note(call.store.edit_comment(note, text))
    return json_response({**rendered, "commands_changes": outcome.changes})


def _note_body(params: Mapping[str, Any]) -> str:
    body = _text(params, "body")
    if body is None:
        raise _bad_param("body is missing")
    if not body.strip():
        raise _bad_param("body is empty")
    if len(body) > _MAX_NOTE:
        raise _invalid_field("note", f"is too long (maximum is {_MAX_NOTE} characters)")
    return body


# -- discussions -------------------------------------------------------------------------


def list_discussions(call: Call) -> Response:
    """Every note in its discussion: single notes (system notes too) are discussions of one."""
    project = _project(call)
    issue = _issue(call, project)
    notes, _ = call.store.list_comments(
        project=project, issue=issue, window=Window(0, _MAX_NOTES_LISTED)
    )
    threads: dict[str, list[Comment]] = {}
    for note in notes:
        threads.setdefault(note.discussion_id, []).append(note)
    page = paging(call.request, 20, 100)
    chosen = list(threads.values())[page.window.offset : page.window.offset + page.window.limit]
    view = _view(call)
    return _paged(call, [view.discussion(thread) for thread in chosen], page, len(threads))


def create_discussion(call: Call) -> Response:
    def start(issue: Issue, text: str, created_at: int | None) -> dict[str, Any]:
        note = _add_note(call, issue, text, created_at, note_type="DiscussionNote")
        return _view(call).discussion([note])

    return _post_note(call, start)


def reply_to_discussion(call: Call) -> Response:
    """A reply makes a single note a thread: GitLab turns it into a DiscussionNote
    (Notes::BuildService, `convert_to_discussion!`); system notes take no replies."""
    project = _project(call)
    first = _discussion(call, _issue(call, project))[0]
    if first.system:
        raise _message(400, "400 Bad request - Discussion can not be replied to.")

    def reply(issue: Issue, text: str, created_at: int | None) -> dict[str, Any]:
        if first.note_type == "Note":
            call.store.set_note_type(first, "DiscussionNote")
        note = _add_note(
            call,
            issue,
            text,
            created_at,
            note_type="DiscussionNote",
            discussion_id=first.discussion_id,
        )
        return _view(call).note(note)

    return _post_note(call, reply)


# -- events and labels -------------------------------------------------------------------


def list_events(call: Call) -> Response:
    project = _project(call)
    params = _params(call)
    action = _text(params, "action")
    if action is not None and action not in _ACTIONS:
        raise _bad_param("action does not have a valid value")
    target = _text(params, "target_type")
    if target is not None and target.lower() not in _TARGET_TYPES:
        raise _bad_param("target_type does not have a valid value")
    page = paging(call.request, 20, 100)
    recorded = {item.value: item for item in EventAction}
    if action is not None and action not in recorded:
        events: list[Event] = []
        total = 0
    else:
        events, total = call.store.list_events(
            project,
            window=page.window,
            action=None if action is None else recorded[action],
            target_type=None if target is None else _TARGET_TYPES[target.lower()],
            created_from=_day_bound(params, "after", after=True),
            created_until=_day_bound(params, "before", after=False),
            ascending=_choice(params, "sort", ("asc", "desc"), "desc") == "asc",
            # Events of a confidential issue show only to those who may read it
            # (app/models/event.rb `visible_to_user?`: `read_issue` on its issue).
            visible_to=call.user.id if call.user.access < Access.TRIAGE else None,
        )
    return _paged(call, _view(call).events(events), page, total)


def _day_bound(params: Mapping[str, Any], name: str, *, after: bool) -> int | None:
    """GitLab's `after`/`before` are dates and exclude the day they name."""
    text = _text(params, name)
    if text is None:
        return None
    try:
        day = parse_day(text)
    except ValueError as error:
        raise _bad_param(f"{name} is invalid") from error
    return day + DAY_MS if after else day


def list_labels(call: Call) -> Response:
    project = _project(call)
    counts = call.store.label_issue_counts(project) if _flag(_params(call), "with_counts") else None
    labels = call.store.labels(project)
    page = paging(call.request, 20, 100)
    window = labels[page.window.offset : page.window.offset + page.window.limit]
    view = _view(call)
    payload = [
        view.label(label, None if counts is None else counts.get(label.id, (0, 0)))
        for label in window
    ]
    return _paged(call, payload, page, len(labels))


def create_label(call: Call) -> Response:
    """`POST /projects/:id/labels`: name and color required; a name the project has
    answers 409 "Label already exists" (doc/api/labels.md, "Create a new label";
    lib/api/helpers/label_helpers.rb, `create_label`: `conflict!('Label already exists')`)."""
    project = _project(call)
    params = _params(call)
    name = _text(params, "name")
    color = _text(params, "color")
    if name is None:
        raise _bad_param("name is missing")
    if color is None:
        raise _bad_param("color is missing")
    label = call.store.create_label(project, name, color, _text(params, "description"))
    if label is None:
        raise _message(409, "Label already exists")
    return json_response(_view(call).label(label), 201)


def delete_label(call: Call) -> Response:
    """`DELETE /projects/:id/labels/:label_id`: by id or by name (lib/api/labels.rb)."""
    project = _project(call)
    ident = call.param("label_id")
    labels = call.store.labels(project)
    label = next((x for x in labels if str(x.id) == ident or x.name == ident), None)
    if label is None:
        raise _not_found("Label")
    call.store.delete_label(label)
    return Response(204, (), b"")


def delete_issue(call: Call) -> Response:
    """Only administrators and project owners may delete an issue."""
    project = _project(call)
    issue = _issue(call, project)
    if call.user.access < Access.ADMIN:
        raise _message(403, "403 Forbidden")
    call.store.delete_issue(issue)
    return Response(204, (), b"")


# -- repository: files, commits, branches ------------------------------------------------
# lib/api/files.rb, lib/api/commits.rb, lib/api/branches.rb; the errors of a commit's
# actions come from Files::MultiService and Commits::CreateService (app/services/).

_PUSH_DENIED = "403 Forbidden - You are not allowed to push into this branch"
_ACTIONS_SERVED = ("create", "update")


def _repository_view(call: Call) -> GitLabRepositoryView:
    return GitLabRepositoryView(call.store, call.request.base_url)


def _ref(params: Mapping[str, Any], *, required: bool) -> str:
    """A file's `ref`; `HEAD` (the default of `/raw`) is the default branch."""
    ref = _text(params, "ref")
    if ref is None and required:
        raise _bad_param("ref is missing")
    return DEFAULT_BRANCH if ref in (None, "HEAD") else str(ref)


def _file(call: Call, *, required_ref: bool) -> tuple[Project, str, Commit, str]:
    project = _project(call)
    ref = _ref(_params(call), required=required_ref)
    commit = call.store.commit(project, ref)
    if commit is None:
        raise _not_found("Commit")
    path = call.param("file_path")
    if path not in commit.tree:
        raise _not_found("File")
    return project, ref, commit, path


def get_file(call: Call) -> Response:
    project, ref, commit, path = _file(call, required_ref=True)
    text = call.store.files(commit)[path]
    last = call.store.last_change(project, commit, path)
    return json_response(_repository_view(call).file(path, ref, text, commit, last))


def get_raw_file(call: Call) -> Response:
    _, _, commit, path = _file(call, required_ref=False)
    text = call.store.files(commit)[path]
    return Response(200, (("Content-Type", "text/plain; charset=utf-8"),), text.encode())


def create_commit(call: Call) -> Response:
    """`POST /projects/:id/repository/commits`: `branch`, `commit_message`, `actions`
    (create and update), `start_branch`/`start_sha` to start a new branch, `force`."""
    project = _project(call)
    if call.user.access < Access.WRITE:
        raise _message(403, _PUSH_DENIED)
    params = _params(call)
    branch, message = _text(params, "branch"), _text(params, "commit_message")
    for name, value in (("branch", branch), ("commit_message", message)):
        if value is None:
            raise _bad_param(f"{name} is missing")
    assert branch is not None
    assert message is not None
    parent = _parent_commit(call, project, branch, params)
    files = _apply_actions(call, project, parent, params.get("actions"))
    before = call.store.files(parent)
    made = call.store.write_files(
        project, branch, files, message, call.user.username, parent=parent.id
    )
    counts = [line_counts(before.get(path, ""), text) for path, text in files.items()]
    added, deleted = sum(a for a, _ in counts), sum(d for _, d in counts)
    stats = {"additions": added, "deletions": deleted, "total": added + deleted}
    return json_response(_repository_view(call).commit(project, made, stats), 201)


def _parent_commit(call: Call, project: Project, branch: str, params: Mapping[str, Any]) -> Commit:
    """The commit the new one goes on: the branch's head, or `start_branch`/`start_sha` for
    a new branch (or, with `force`, instead of the branch's head)."""
    start = _text(params, "start_branch") or _text(params, "start_sha")
    head = call.store.branch_head(project, branch)
    if start is None or start == branch:
        if head is None:
            raise _message(400, "You can only create or edit files when you are on a branch")
        start = head
    elif head is not None and not _flag(params, "force"):
        raise _message(
            400,
            f"A branch called '{branch}' already exists. "
            "Switch to that branch in order to make changes",
        )
    found = call.store.commit(project, start)
    if found is None:
        raise _message(400, f"Invalid reference name: {start}")
    return found


def _apply_actions(call: Call, project: Project, parent: Commit, actions: Any) -> dict[str, str]:
    if actions is None:
        raise _bad_param("actions is missing")
    if not isinstance(actions, list) or not actions:
        raise _bad_param("actions is empty")
    files: dict[str, str] = {}
    for number, action in enumerate(actions):
        if not isinstance(action, dict) or action.get("action") not in _ACTIONS_SERVED:
            raise _bad_param(f"actions[{number}][action] does not have a valid value")
        path = str(action.get("file_path") or "")
        if not path:
            raise _bad_param(f"actions[{number}][file_path] is missing")
        exists = path in parent.tree or path in files
        if action["action"] == "create" and exists:
            raise _message(400, "A file with this name already exists")
        if action["action"] == "update":
            if not exists:
                raise _message(400, "A file with this name doesn't exist")
            known = action.get("last_commit_id")
            if known and known != call.store.last_change(project, parent, path):
                raise _message(
                    400,
                    "You are attempting to update a file that has changed since you "
                    "started editing it.",
                )
        content = str(action.get("content") or "")
        if action.get("encoding") == "base64":
            content = base64.b64decode(content).decode()
        files[path] = content
    return files


def compare(call: Call) -> Response:
    """`GET /projects/:id/repository/compare` (lib/api/repositories.rb): `from`, `to`, and
    `straight` (true: the two trees directly, `from..to`; false, the default: from their
    merge base, `from...to`). `commits` are those `to` has and `from` lacks, oldest first,
    `commit` the last of them (lib/api/entities/compare.rb); an unknown ref is 404 "Ref".
    The sandbox's `diff` is empty and never cut short."""
    project = _project(call)
    params = _params(call)
    names = {name: _text(params, name) for name in ("from", "to")}
    for name, value in names.items():
        if value is None:
            raise _bad_param(f"{name} is missing")
    start = call.store.commit(project, str(names["from"]))
    head = call.store.commit(project, str(names["to"]))
    if start is None or head is None:
        raise _not_found("Ref")
    if not _flag(params, "straight"):
        merge_id = call.store.merge_base(project, start.id, head.id)
        start = call.store.commit(project, merge_id) if merge_id else None
    old, new = (start.tree if start else {}), head.tree
    changed = sorted(path for path in set(old) | set(new) if old.get(path) != new.get(path))
    view = _repository_view(call)
    commits = [
        view.commit(project, c)
        for c in call.store.only_in(project, head.id, start.id if start else "")
    ]
    payload = {
        "commit": commits[-1] if commits else None,
        "commits": commits,
        "diffs": [view.diff(path, path in old, path in new) for path in changed],
        "compare_timeout": False,
        "compare_same_ref": names["from"] == names["to"],
        "web_url": f"{view.base}/{project.path}/-/compare/{names['from']}...{names['to']}",
    }
    return json_response(payload)


def list_branches(call: Call) -> Response:
    project = _project(call)
    page = paging(call.request, 20, 100)
    named = call.store.branches(project)
    window = named[page.window.offset : page.window.offset + page.window.limit]
    view = _repository_view(call)
    payload = []
    for name, head in window:
        commit = call.store.commit(project, head)
        assert commit is not None
        payload.append(view.branch(project, name, commit))
    return _paged(call, payload, page, len(named))


def get_branch(call: Call) -> Response:
    project = _project(call)
    name = call.param("branch")
    head = call.store.branch_head(project, name)
    if head is None:
        raise _not_found("Branch")
    commit = call.store.commit(project, head)
    assert commit is not None
    return json_response(_repository_view(call).branch(project, name, commit))


def delete_branch(call: Call) -> Response:
    """Branches::DeleteService: the default branch stays (405)."""
    project = _project(call)
    if call.user.access < Access.WRITE:
        raise _message(403, "403 Forbidden")
    name = call.param("branch")
    if call.store.branch_head(project, name) is None:
        raise _not_found("Branch")
    if name == DEFAULT_BRANCH:
        raise _message(405, "The default branch of a project cannot be deleted.")
    call.store.delete_branch(project, name)
    return Response(204, (), b"")


# -- merge requests ----------------------------------------------------------------------
# lib/api/merge_requests.rb; its errors: `handle_merge_request_errors!` (409 for the
# branches' validation), `accept` (401 without the right to merge, 405 when not open,
# 406 on conflicts, 409 on a stale `sha`).

_MR_STATES = {
    "opened": (ChangeState.OPEN,),
    "closed": (ChangeState.CLOSED,),
    "merged": (ChangeState.MERGED,),
    "locked": (),
    "all": (),
}


def _merge_request(call: Call, project: Project) -> Change:
    change = call.store.change(project, int(call.param("iid")))
    if change is None:
        raise _not_found("Merge Request")
    return change


def list_merge_requests(call: Call) -> Response:
    project = _project(call)
    params = _params(call)
    state = _choice(params, "state", _MR_STATES, "all")
    page = paging(call.request, 20, 100)
    if state == "locked":  # the sandbox never locks a merge request
        changes: list[Change] = []
        total = 0
    else:
        changes, total = call.store.list_changes(
            project,
            page.window,
            states=_MR_STATES[state],
            source=_text(params, "source_branch"),
            target=_text(params, "target_branch"),
            ascending=_choice(params, "sort", ("asc", "desc"), "desc") == "asc",
        )
    return _paged(call, _repository_view(call).merge_requests(project, changes), page, total)


def get_merge_request(call: Call) -> Response:
    project = _project(call)
    change = _merge_request(call, project)
    return json_response(_repository_view(call).merge_request(project, change))


def create_merge_request(call: Call) -> Response:
    project = _project(call)
    if call.user.access < Access.WRITE:
        raise _message(403, "403 Forbidden")
    params = _params(call)
    source, target, title = (
        _text(params, name) for name in ("source_branch", "target_branch", "title")
    )
    for name, value in (("source_branch", source), ("target_branch", target), ("title", title)):
        if value is None:
            raise _bad_param(f"{name} is missing")
    assert source is not None
    assert target is not None
    assert title is not None
    _check_issue_text(title, _text(params, "description"))
    for side, branch in (("Source", source), ("Target", target)):
        if call.store.branch_head(project, branch) is None:
            raise _message(409, [f'{side} branch "{branch}" does not exist'])
    if source == target:
        raise _message(422, ["You can't use same project/branch for source and target"])
    open_ones, _ = call.store.list_changes(
        project, Window(0, 1), states=(ChangeState.OPEN,), source=source, target=target
    )
    if open_ones:
        raise _message(
            409,
            [
                "Another open merge request already exists for this source branch: "
                f"!{open_ones[0].number}"
            ],
        )
    change = call.store.create_change(
        project,
        call.user,
        source=source,
        target=target,
        title=title,
        body=_text(params, "description"),
        remove_source=bool(_flag(params, "remove_source_branch")),
    )
    return json_response(_repository_view(call).merge_request(project, change), 201)


def update_merge_request(call: Call) -> Response:
    project = _project(call)
    change = _merge_request(call, project)
    if call.user.access < Access.WRITE and call.user.id != change.author_id:
        raise _message(403, "403 Forbidden")
    params = _params(call)
    title, description = _text(params, "title"), _text(params, "description")
    _check_issue_text(title, description)
    event = _choice(params, "state_event", ("close", "reopen"), "")
    state = {"close": ChangeState.CLOSED, "reopen": ChangeState.OPEN}.get(event)
    if change.state is ChangeState.MERGED:
        state = None  # a merged merge request neither closes nor reopens
    edited = call.store.edit_change(change, call.user, title=title, body=description, state=state)
    return json_response(_repository_view(call).merge_request(project, edited))


def merge_merge_request(call: Call) -> Response:
    """`PUT .../merge_requests/:iid/merge`: who may push to the target may merge; the
    sandbox's `main` is protected as GitLab protects a default branch (Maintainers merge)."""
    project = _project(call)
    change = _merge_request(call, project)
    if call.user.access < Access.MAINTAIN:
        raise _message(401, "401 Unauthorized")
    if change.state is not ChangeState.OPEN:
        raise _message(405, "405 Method Not Allowed")
    sha = _text(_params(call), "sha")
    if sha is not None and sha != call.store.head_of(project, change):
        raise _message(409, "SHA does not match HEAD of source branch")
    merged = call.store.merge_change(project, change, call.user)
    if isinstance(merged, list):
        raise _message(406, "Branch cannot be merged")
    return json_response(_repository_view(call).merge_request(project, merged))


def _error_route() -> Response:
    return json_response({"error": "404 Not Found"}, 404)


def _method_not_allowed() -> Response:
    return json_response({"error": "405 Not Allowed"}, 405)


def _unauthorized() -> Response:
    return json_response({"message": "401 Unauthorized"}, 401)


def _bad_token() -> Response:
    # GitLab answers an unknown, expired or revoked token as it answers none at all
    return _unauthorized()


def _bad_body(detail: str) -> Response:
    return json_response({"error": f"body is invalid: {detail}"}, 400)


# -- GraphQL: a project's issues by iid and their notes; users by username ----------------
# GitLab's GraphQL API at `/api/graphql`, beside `/api/v4`, with the same tokens
# (https://docs.gitlab.com/ee/api/graphql/). Modelled: `project(fullPath:)` (GitLab answers
# null for a project the token cannot see; the sandbox, whose REST routes make a project on
# first use, answers null only for an empty path), `Project.issues(iids:)` (newest first,
# GitLab's default `created_desc`),
# `Issue.iid` (a string), `Issue.notes`, a `NoteConnection` oldest first, and `Note` with
# `id` (a global id), `body`, `system`, `author { username }`, `createdAt`, `updatedAt`;
# `users(usernames:)`, a `UserCoreConnection` of the users that exist (a username matched
# as `GET /users?username=` matches it, unknown ones left out; by id here), `UserCore` with
# `id` (a global id, `gid://gitlab/User/<id>`, the REST id after the last `/`) and
# `username` (https://docs.gitlab.com/ee/api/graphql/reference/,
# https://docs.gitlab.com/api/graphql/users_example/). Connections page forward with `first`
# (at most 100, GitLab's `max_page_size`) and `after`, with `pageInfo` and `count`
# (https://docs.gitlab.com/ee/api/graphql/#pagination). Errors answer 200 with `errors`.
# A document whose root asks for `project` or `users` is GitLab's.

GRAPHQL = "/api/graphql"
_GITLAB_ROOTS = frozenset({"project", "users"})


def graphql(call: Call) -> Response:
    return json_response(answer(call.request.data(), partial(_graphql_query, call)))


def _graphql_query(call: Call, fields: tuple[Field, ...], errors: list[dict[str, Any]]) -> Any:
    resolvers: dict[str, Resolver] = {
        "project": partial(_graphql_project, call),
        "users": partial(_graphql_users, call),
    }
    return select(fields, "Query", resolvers)


def _graphql_users(call: Call, found: Field) -> Any:
    names = found.argument("usernames")
    if not isinstance(names, list):
        raise GraphQLError("the sandbox lists users by `usernames` only")
    users = call.store.find_users(name for name in names if isinstance(name, str))

    def user(fields: tuple[Field, ...], made: User) -> Any:
        resolvers: dict[str, Resolver] = {
            "id": leaf(f"gid://gitlab/User/{made.id}"),
            "username": leaf(made.username),
        }
        return select(fields, "UserCore", resolvers)

    return connection(found, users, "UserCoreConnection", user)


def _graphql_project(call: Call, found: Field) -> Any:
    path = found.argument("fullPath")
    if not isinstance(path, str) or not path.strip("/"):
        return None
    project = call.store.project(Flavour.GITLAB, path.strip("/"))
    resolvers: dict[str, Resolver] = {
        "fullPath": leaf(project.path),
        "issues": partial(_graphql_issues, call, project),
    }
    return select(found.selections, "Project", resolvers)


def _graphql_issues(call: Call, project: Project, found: Field) -> Any:
    iids = found.argument("iids")
    if not isinstance(iids, list):
        raise GraphQLError("the sandbox lists a project's issues by `iids` only")
    numbers = dict.fromkeys(int(iid) for iid in iids if str(iid).isdigit())
    issues = [issue for n in numbers if (issue := call.store.issue(project, n)) is not None]
    issues.sort(key=lambda issue: (issue.created_at, issue.id), reverse=True)
    return connection(found, issues, "IssueConnection", partial(_graphql_issue, call, project))


def _graphql_issue(call: Call, project: Project, fields: tuple[Field, ...], issue: Issue) -> Any:
    resolvers: dict[str, Resolver] = {
        "iid": leaf(str(issue.number)),
        "title": leaf(issue.title),
        "notes": partial(_graphql_notes, call, project, issue),
    }
    return select(fields, "Issue", resolvers)


def _graphql_notes(call: Call, project: Project, issue: Issue, found: Field) -> Any:
    notes, _ = call.store.list_comments(
        project=project, issue=issue, window=Window(0, _MAX_NOTES_LISTED)
    )
    authors = call.store.users(note.author_id for note in notes)

    def note(fields: tuple[Field, ...], made: Comment) -> Any:
        author = {"username": leaf(authors[made.author_id].username)}
        resolvers: dict[str, Resolver] = {
            "id": leaf(f"gid://gitlab/Note/{made.id}"),
            "body": leaf(made.body),
            "system": leaf(made.system),
            "author": lambda f: select(f.selections, "UserCore", author),
            "createdAt": leaf(gitlab_graphql_time(made.created_at)),
            "updatedAt": leaf(gitlab_graphql_time(made.updated_at)),
        }
        return select(fields, "Note", resolvers)

    return connection(found, notes, "NoteConnection", note)


def _asks_gitlab(request: Request) -> bool:
    """A GraphQL document for GitLab: one that asks for its root field `project` or
    `users` (GitHub's are `repository`, `user`, ...)."""
    if request.path != GRAPHQL or request.method != "POST":
        return False
    try:
        body = request.data()
    except BadBody:
        return False
    return bool(root_names(body) & _GITLAB_ROOTS)


def _routes() -> tuple[Route[Handler], ...]:
    project = f"{PREFIX}/projects/:id"
    issue = f"{project}/issues/:iid"
    table: list[tuple[str, str, Handler]] = [
        ("GET", f"{PREFIX}/user", get_current_user),
        ("GET", f"{PREFIX}/users", list_users),
        ("GET", f"{PREFIX}/version", get_version),
        ("GET", f"{PREFIX}/personal_access_tokens/self", get_token_self),
        ("GET", f"{project}/members/all", list_members),
        ("GET", f"{project}/members/all/:user_id", get_member),
        ("GET", f"{project}/issues", list_issues),
        ("POST", f"{project}/issues", create_issue),
        ("GET", f"{issue}/notes", list_notes),
        ("POST", f"{issue}/notes", create_note),
        ("GET", f"{issue}/notes/:note_id", get_note),
        ("PUT", f"{issue}/notes/:note_id", update_note),
        ("GET", f"{issue}/discussions", list_discussions),
        ("POST", f"{issue}/discussions", create_discussion),
        ("POST", f"{issue}/discussions/:discussion_id/notes", reply_to_discussion),
        ("GET", issue, get_issue),
        ("PUT", issue, update_issue),
        ("DELETE", issue, delete_issue),
        ("GET", f"{project}/events", list_events),
        ("GET", f"{project}/repository/files/:file_path/raw", get_raw_file),
        ("GET", f"{project}/repository/files/:file_path", get_file),
        ("POST", f"{project}/repository/commits", create_commit),
        ("GET", f"{project}/repository/compare", compare),
        ("GET", f"{project}/repository/branches", list_branches),
        ("GET", f"{project}/repository/branches/:branch", get_branch),
        ("DELETE", f"{project}/repository/branches/:branch", delete_branch),
        ("GET", f"{project}/merge_requests", list_merge_requests),
        ("POST", f"{project}/merge_requests", create_merge_request),
        ("GET", f"{project}/merge_requests/:iid", get_merge_request),
        ("PUT", f"{project}/merge_requests/:iid", update_merge_request),
        ("PUT", f"{project}/merge_requests/:iid/merge", merge_merge_request),
        ("GET", f"{project}/labels", list_labels),
        ("POST", f"{project}/labels", create_label),
        ("DELETE", f"{project}/labels/:label_id", delete_label),
        # last: a lazy project id would otherwise swallow every suffix above
        ("GET", project, get_project),
    ]
    return tuple(route(method, template, handler) for method, template, handler in table)


API = Api(
    flavour=Flavour.GITLAB,
    prefix=PREFIX,
    routes=_routes(),
    token=_token,
    unauthorized=_unauthorized,
    bad_token=_bad_token,
    unknown_route=_error_route,
    method_not_allowed=_method_not_allowed,
    bad_body=_bad_body,
    fault=_fault,
)

GRAPHQL_API = replace(
    API,
    prefix="/api",
    routes=(route("POST", GRAPHQL, graphql),),
    claims=_asks_gitlab,
    queries_only=True,
)
