"""The GitLab v4 subset, driven through python-gitlab (and raw HTTP where headers matter)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import gitlab
import pytest
import requests
from gitlab.v4.objects import Project

from automation.sandbox import RunningSandbox

ISSUE_FIELDS = {
    "id",
    "iid",
    "project_id",
    "title",
    "description",
    "state",
    "created_at",
    "updated_at",
    "closed_at",
    "closed_by",
    "labels",
    "milestone",
    "assignees",
    "author",
    "type",
    "assignee",
    "user_notes_count",
    "merge_requests_count",
    "upvotes",
    "downvotes",
    "due_date",
    "confidential",
    "discussion_locked",
    "issue_type",
    "web_url",
    "time_stats",
    "task_completion_status",
    "has_tasks",
    "_links",
    "references",
}
NOTE_FIELDS = {
    "id",
    "type",
    "body",
    "attachment",
    "author",
    "created_at",
    "updated_at",
    "system",
    "noteable_id",
    "noteable_type",
    "noteable_iid",
    "project_id",
    "resolvable",
    "confidential",
    "internal",
}
USER_FIELDS = {"id", "username", "name", "state", "locked", "avatar_url", "web_url"}


def raw_get(sandbox: RunningSandbox, path: str, **params: Any) -> requests.Response:
    return requests.get(
        f"{sandbox.url}/api/v4{path}", params=params, headers={"PRIVATE-TOKEN": "bot"}, timeout=5
    )


def encoded(path: str) -> str:
    return path.replace("/", "%2F")


def test_250_issues_list_in_three_pages_of_100_following_link_headers(
    sandbox: RunningSandbox, project: Project
) -> None:
    for n in range(250):
        project.issues.create({"title": f"issue {n}"})
    sandbox.reset_counts()

    listing = project.issues.list(iterator=True, per_page=100)
    iids = [issue.iid for issue in listing]

    assert (listing.total, listing.total_pages, listing.per_page) == (250, 3, 100)
    assert iids == list(range(250, 0, -1))  # newest first by default
    counts = sandbox.request_counts()
    assert counts["reads"] == 3
    assert counts["by_route"] == {"GET /api/v4/projects/:id/issues": 3}


def test_pagination_headers_and_absolute_links(
    sandbox: RunningSandbox, project: Project, path: str
) -> None:
    for n in range(45):
        project.issues.create({"title": f"issue {n}"})

    response = raw_get(sandbox, f"/projects/{encoded(path)}/issues", page=2)

    assert response.status_code == 200
    assert len(response.json()) == 20  # GitLab's default page size
    headers = response.headers
    assert (headers["X-Page"], headers["X-Per-Page"], headers["X-Total"]) == ("2", "20", "45")
    assert (headers["X-Total-Pages"], headers["X-Prev-Page"], headers["X-Next-Page"]) == (
        "3",
        "1",
        "3",
    )
    assert headers["Content-Type"] == "application/json"
    links = response.links
    assert set(links) == {"prev", "next", "first", "last"}
    assert links["next"]["url"].startswith(f"{sandbox.url}/api/v4/projects/acme%2F")
    assert "page=3" in links["next"]["url"]
    assert "page=3" in links["last"]["url"]


def test_last_page_has_no_next_and_per_page_is_capped_at_100(
    sandbox: RunningSandbox, project: Project, path: str
) -> None:
    project.issues.create({"title": "only"})

    response = raw_get(sandbox, f"/projects/{encoded(path)}/issues", per_page=500)

    assert response.headers["X-Per-Page"] == "100"
    assert response.headers["X-Next-Page"] == ""
    assert "next" not in response.links


def test_issue_has_gitlab_fields_and_task_completion(project: Project, path: str) -> None:
    body = "## Goals\n- [x] read the docs\n- [ ] ship it\n- [ ] review\n"
    issue = project.issues.create({"title": "Pairing", "description": body})

    data = issue.attributes
    assert set(data) >= ISSUE_FIELDS
    assert data["state"] == "opened"
    assert data["type"] == "ISSUE"
    assert data["issue_type"] == "issue"
    assert data["task_completion_status"] == {"count": 3, "completed_count": 1}
    assert data["has_tasks"] is True
    assert data["references"]["full"] == f"{path}#{issue.iid}"
    assert data["web_url"].endswith(f"/{path}/-/issues/{issue.iid}")
    assert set(data["author"]) >= USER_FIELDS
    assert data["author"]["username"] == "bot"
    assert data["created_at"].endswith("Z")
    assert data["created_at"] == "2026-03-02T09:00:00.000Z"


def test_labels_filter_requires_every_label(project: Project) -> None:
    project.issues.create({"title": "both", "labels": "mentorship,active"})
    project.issues.create({"title": "one", "labels": "mentorship"})
    project.issues.create({"title": "none"})

    both = project.issues.list(labels=["mentorship", "active"], get_all=True)
    one = project.issues.list(labels=["mentorship"], get_all=True)
    unknown = project.issues.list(labels=["mentorship", "nope"], get_all=True)

    assert [i.title for i in both] == ["both"]
    assert [i.title for i in one] == ["one", "both"]
    assert unknown == []


def test_labels_none_and_any_select_unlabelled_and_labelled(project: Project) -> None:
    project.issues.create({"title": "labelled", "labels": "x"})
    project.issues.create({"title": "bare"})

    assert [i.title for i in project.issues.list(labels="None", get_all=True)] == ["bare"]
    assert [i.title for i in project.issues.list(labels="Any", get_all=True)] == ["labelled"]


def test_author_assignee_iids_and_confidential_filters(
    gl: gitlab.Gitlab, gitlab_as: Any, path: str, project: Project
) -> None:
    mentee = gl.users.list(username="filter-mentee")[0]
    project.issues.create({"title": "assigned", "assignee_ids": [mentee.id]})
    gitlab_as("filter-author").projects.get(path, lazy=True).issues.create(
        {"title": "by author", "confidential": True}
    )

    def titles(**filters: Any) -> list[str]:
        return [i.title for i in project.issues.list(get_all=True, **filters)]

    assert titles(author_username="filter-author") == ["by author"]
    assert titles(author_username="nobody-at-all") == []
    assert titles(assignee_id=mentee.id) == ["assigned"]
    assert titles(assignee_username="filter-mentee") == ["assigned"]
    assert titles(assignee_id="None") == ["by author"]
    assert titles(assignee_id="Any") == ["assigned"]
    assert titles(iids=[2]) == ["by author"]
    assert titles(confidential=True) == ["by author"]


def test_state_filter_defaults_to_all(project: Project) -> None:
    project.issues.create({"title": "open"})
    closed = project.issues.create({"title": "closed"})
    closed.state_event = "close"
    closed.save()

    def titles(**filters: Any) -> list[str]:
        return [i.title for i in project.issues.list(get_all=True, **filters)]

    assert titles() == ["closed", "open"]
    assert titles(state="opened") == ["open"]
    assert titles(state="closed") == ["closed"]
    assert titles(state="all") == ["closed", "open"]


def test_invalid_state_is_a_400(project: Project) -> None:
    with pytest.raises(gitlab.GitlabListError) as caught:
        project.issues.list(state="open")
    assert caught.value.response_code == 400
    assert "state does not have a valid value" in str(caught.value)


def test_updated_after_includes_the_instant_and_follows_the_clock(
    sandbox: RunningSandbox, project: Project
) -> None:
    old = project.issues.create({"title": "old"})
    sandbox.advance(timedelta(days=3))
    project.issues.create({"title": "new"})
    cutoff = sandbox.now()
    sandbox.advance(timedelta(days=1))
    old.notes.create({"body": "bump"})  # a note touches the issue

    recent = project.issues.list(updated_after=cutoff.isoformat(), get_all=True)
    created = project.issues.list(created_after=cutoff.isoformat(), get_all=True)

    assert sorted(i.title for i in recent) == ["new", "old"]
    assert [i.title for i in created] == ["new"]


def test_order_by_updated_at_ascending(sandbox: RunningSandbox, project: Project) -> None:
    first = project.issues.create({"title": "first"})
    sandbox.advance(timedelta(minutes=1))
    project.issues.create({"title": "second"})
    sandbox.advance(timedelta(minutes=1))
    first.description = "edited"
    first.save()

    listed = project.issues.list(order_by="updated_at", sort="asc", get_all=True)

    assert [i.title for i in listed] == ["second", "first"]


def test_add_and_remove_labels_are_atomic_and_removing_an_absent_label_is_a_no_op(
    gl: gitlab.Gitlab, project: Project
) -> None:
    issue = project.issues.create({"title": "t", "labels": "a,b"})

    project.issues.update(issue.iid, {"add_labels": "c", "remove_labels": "a,missing"})

    assert project.issues.get(issue.iid).labels == ["b", "c"]


def test_replacing_labels_with_save_and_labels_created_on_first_use(project: Project) -> None:
    issue = project.issues.create({"title": "t", "labels": "a"})
    issue.labels = ["z", "y"]
    issue.save()

    assert issue.labels == ["y", "z"]
    names = {label.name for label in project.labels.list(get_all=True)}
    assert names == {"a", "y", "z"}


def test_creating_a_label_the_project_has_is_a_409(project: Project) -> None:
    made = project.labels.create({"name": "bug", "color": "#d9534f", "description": "Bug"})
    assert (made.name, made.color, made.description) == ("bug", "#d9534f", "Bug")

    with pytest.raises(gitlab.exceptions.GitlabCreateError) as again:
        project.labels.create({"name": "bug", "color": "#000000"})

    assert again.value.response_code == 409
    assert "Label already exists" in str(again.value.error_message)
    # GitLab's label names are case-sensitive: another case is another label
    project.labels.create({"name": "Bug", "color": "#000000"})
    assert {label.name for label in project.labels.list(get_all=True)} == {"bug", "Bug"}


def test_closing_records_closer_time_system_note_and_event(
    sandbox: RunningSandbox, gitlab_as: Any, project: Project, path: str
) -> None:
    issue = project.issues.create({"title": "t"})
    sandbox.advance(timedelta(hours=2))
    mentor = gitlab_as("mentor").projects.get(path, lazy=True)
    closing = mentor.issues.get(issue.iid)
    closing.state_event = "close"
    closing.save()

    closed = project.issues.get(issue.iid)
    notes = closed.notes.list(get_all=True)
    events = project.events.list(action="closed", get_all=True)

    assert closed.state == "closed"
    assert closed.closed_at == "2026-03-02T11:00:00.000Z"
    assert closed.updated_at == closed.closed_at
    assert closed.attributes["closed_by"]["username"] == "mentor"
    assert [(n.body, n.system, n.author["username"]) for n in notes] == [("closed", True, "mentor")]
    assert closed.user_notes_count == 0
    assert [(e.action_name, e.target_type, e.target_iid) for e in events] == [
        ("closed", "Issue", issue.iid)
    ]


def test_reopening_clears_closed_fields(project: Project) -> None:
    issue = project.issues.create({"title": "t"})
    project.issues.update(issue.iid, {"state_event": "close"})
    project.issues.update(issue.iid, {"state_event": "reopen"})

    reopened = project.issues.get(issue.iid)

    assert (reopened.state, reopened.closed_at) == ("opened", None)
    assert [n.body for n in reopened.notes.list(sort="asc", get_all=True)] == [
        "closed",
        "reopened",
    ]


def test_label_changes_write_a_system_note(project: Project) -> None:
    issue = project.issues.create({"title": "t", "labels": "old"})
    project.issues.update(issue.iid, {"add_labels": "new", "remove_labels": "old"})
    project.issues.update(issue.iid, {"add_labels": "solo"})

    notes = issue.notes.list(sort="asc", get_all=True)

    assert [n.body for n in notes] == [
        'added ~"new" and removed ~"old" labels',
        'added ~"solo" label',
    ]
    assert all(n.system for n in notes)


def test_an_edit_that_changes_nothing_keeps_updated_at_and_writes_no_note(
    sandbox: RunningSandbox, project: Project
) -> None:
    issue = project.issues.create({"title": "t", "description": "d", "labels": "a"})
    sandbox.advance(timedelta(hours=1))

    project.issues.update(
        issue.iid, {"title": "t", "description": "d", "add_labels": "a", "remove_labels": "zz"}
    )

    again = project.issues.get(issue.iid)
    assert again.updated_at == issue.updated_at
    assert again.notes.list(get_all=True) == []


def test_update_without_parameters_is_a_400(project: Project) -> None:
    issue = project.issues.create({"title": "t"})
    with pytest.raises(gitlab.GitlabUpdateError) as caught:
        project.issues.update(issue.iid, {})
    assert caught.value.response_code == 400


def test_confidential_and_assignees_on_create(gl: gitlab.Gitlab, project: Project) -> None:
    mentee = gl.users.list(username="mentee")[0]
    issue = project.issues.create({"title": "t", "confidential": True, "assignee_ids": [mentee.id]})

    assert issue.confidential is True
    assert [a["username"] for a in issue.assignees] == ["mentee"]
    assert issue.assignee["id"] == mentee.id


def test_due_date_is_stored_and_returned_and_an_edit_writes_a_system_note(
    project: Project,
) -> None:
    # doc/api/issues.md: `due_date`, a YYYY-MM-DD string, on create and edit; null unset.
    issue = project.issues.create({"title": "t", "due_date": "2026-03-01"})
    plain = project.issues.create({"title": "u"})

    assert issue.due_date == "2026-03-01"
    assert project.issues.get(issue.iid).due_date == "2026-03-01"
    assert plain.due_date is None
    project.issues.update(issue.iid, {"due_date": "2026-03-15"})
    project.issues.update(issue.iid, {"due_date": ""})
    assert project.issues.get(issue.iid).due_date is None
    assert [n.body for n in issue.notes.list(sort="asc", get_all=True)] == [
        "changed due date to March 15, 2026",
        "removed due date",
    ]


def test_a_due_date_gitlab_cannot_read_is_stored_as_none(project: Project) -> None:
    # A date column: Rails' date cast turns what it cannot read into nil.
    issue = project.issues.create({"title": "t", "due_date": "2026-13-01"})

    assert issue.due_date is None


def test_missing_title_is_a_400_naming_the_parameter(
    sandbox: RunningSandbox, project: Project, path: str
) -> None:
    response = requests.post(
        f"{sandbox.url}/api/v4/projects/{encoded(path)}/issues",
        json={"description": "no title"},
        headers={"PRIVATE-TOKEN": "bot"},
        timeout=5,
    )

    assert response.status_code == 400
    assert response.json() == {"error": "title is missing"}


def test_notes_are_newest_first_by_default_and_paginated(
    sandbox: RunningSandbox, project: Project
) -> None:
    issue = project.issues.create({"title": "t"})
    for n in range(3):
        sandbox.advance(timedelta(minutes=1))
        issue.notes.create({"body": f"note {n}"})

    newest_first = [n.body for n in issue.notes.list(get_all=True)]
    oldest_first = [n.body for n in issue.notes.list(sort="asc", get_all=True)]
    first_page = issue.notes.list(per_page=2, page=1)

    assert newest_first == ["note 2", "note 1", "note 0"]
    assert oldest_first == ["note 0", "note 1", "note 2"]
    assert len(first_page) == 2
    assert project.issues.get(issue.iid).user_notes_count == 3


def test_note_has_documented_fields(project: Project) -> None:
    issue = project.issues.create({"title": "t"})
    note = issue.notes.create({"body": "hello"})

    fetched = issue.notes.get(note.id)

    assert set(fetched.attributes) >= NOTE_FIELDS
    assert fetched.noteable_type == "Issue"
    assert (fetched.noteable_iid, fetched.noteable_id) == (issue.iid, issue.id)
    assert fetched.system is False
    assert fetched.type is None


def test_only_the_author_may_edit_a_note(
    sandbox: RunningSandbox, gitlab_as: Any, project: Project, path: str
) -> None:
    issue = project.issues.create({"title": "t"})
    note = issue.notes.create({"body": "mine"})
    sandbox.advance(timedelta(minutes=5))
    other = gitlab_as("mallory").projects.get(path, lazy=True)
    foreign = other.issues.get(issue.iid, lazy=True).notes.get(note.id)

    foreign.body = "theirs"
    with pytest.raises(gitlab.GitlabUpdateError) as caught:
        foreign.save()
    note.body = "edited"
    note.save()

    assert caught.value.response_code == 403
    edited = issue.notes.get(note.id)
    assert edited.body == "edited"
    assert edited.updated_at == "2026-03-02T09:05:00.000Z"
    assert edited.created_at == "2026-03-02T09:00:00.000Z"


def test_commented_events_after_a_date_exclude_that_day(
    sandbox: RunningSandbox, project: Project
) -> None:
    issue = project.issues.create({"title": "t"})
    issue.notes.create({"body": "day one"})  # 2026-03-02
    sandbox.advance(timedelta(days=1))
    issue.notes.create({"body": "day two"})  # 2026-03-03
    sandbox.advance(timedelta(days=1))
    issue.notes.create({"body": "day three"})  # 2026-03-04
    project.issues.update(issue.iid, {"state_event": "close"})

    after = project.events.list(
        action="commented", target_type="note", after="2026-03-02", sort="asc", get_all=True
    )
    between = project.events.list(
        action="commented", after="2026-03-02", before="2026-03-04", get_all=True
    )

    assert [e.note["body"] for e in after] == ["day two", "day three"]
    assert [e.note["body"] for e in between] == ["day two"]
    event = after[0]
    assert event.action_name == "commented on"
    assert event.target_type == "Note"
    assert event.note["noteable_iid"] == issue.iid
    assert event.note["system"] is False
    assert event.author_username == "bot"


def test_events_include_opened_and_closed_for_issues(project: Project) -> None:
    issue = project.issues.create({"title": "t"})
    issue.notes.create({"body": "hi"})
    project.issues.update(issue.iid, {"state_event": "close"})

    events = project.events.list(sort="asc", get_all=True)

    assert [(e.action_name, e.target_type) for e in events] == [
        ("opened", "Issue"),
        ("commented on", "Note"),
        ("closed", "Issue"),
    ]


def test_project_is_private_by_default_and_reachable_by_path_or_id(
    gl: gitlab.Gitlab, path: str
) -> None:
    by_path = gl.projects.get(path)
    by_id = gl.projects.get(by_path.id)

    assert by_path.visibility == "private"
    assert by_id.path_with_namespace == path
    by_id.issues.create({"title": "via id"})
    assert [i.title for i in by_path.issues.list(get_all=True)] == ["via id"]


def test_nested_group_paths_are_one_project(gl: gitlab.Gitlab) -> None:
    nested = gl.projects.get("acme/team/sub/nested-mentoring", lazy=True)
    nested.issues.create({"title": "deep"})

    fetched = gl.projects.get("acme/team/sub/nested-mentoring")

    assert fetched.namespace["full_path"] == "acme/team/sub"
    assert [i.title for i in fetched.issues.list(get_all=True)] == ["deep"]


def test_unknown_issue_and_project_id_are_404s(gl: gitlab.Gitlab, project: Project) -> None:
    with pytest.raises(gitlab.GitlabGetError) as issue_error:
        project.issues.get(999)
    with pytest.raises(gitlab.GitlabGetError) as project_error:
        gl.projects.get(987654)

    assert issue_error.value.response_code == 404
    assert "404 Issue Not Found" in str(issue_error.value)
    assert project_error.value.response_code == 404
    assert "404 Project Not Found" in str(project_error.value)


def test_missing_token_is_a_401_with_gitlab_body(sandbox: RunningSandbox) -> None:
    response = requests.get(f"{sandbox.url}/api/v4/user", timeout=5)

    assert response.status_code == 401
    assert response.json() == {"message": "401 Unauthorized"}


def test_token_is_the_login_and_bearer_works_too(sandbox: RunningSandbox) -> None:
    bearer = requests.get(
        f"{sandbox.url}/api/v4/user", headers={"Authorization": "Bearer alice"}, timeout=5
    )
    client = gitlab.Gitlab(sandbox.url, private_token="bob")
    client.auth()

    assert bearer.json()["username"] == "alice"
    assert client.user is not None
    assert client.user.username == "bob"


def test_user_lookup_creates_users_with_stable_ids(gl: gitlab.Gitlab) -> None:
    first = gl.users.list(username="stable-user")
    again = gl.users.list(username="stable-user")
    other = gl.users.list(username="another-user")

    assert len(first) == 1
    assert first[0].id == again[0].id
    assert other[0].id > first[0].id
    assert set(first[0].attributes) >= USER_FIELDS


def test_labels_listing_with_counts(project: Project) -> None:
    project.issues.create({"title": "a", "labels": "mentorship"})
    closed = project.issues.create({"title": "b", "labels": "mentorship"})
    closed.state_event = "close"
    closed.save()

    (label,) = project.labels.list(with_counts=True, get_all=True)

    assert label.name == "mentorship"
    assert (label.open_issues_count, label.closed_issues_count) == (1, 1)
    assert label.color.startswith("#")


def test_labels_are_deleted_by_id_or_name_and_leave_their_issues(
    sandbox: RunningSandbox, project: Project
) -> None:
    issue = project.issues.create({"title": "t", "labels": "a,b"})
    (label_a,) = [x for x in project.labels.list(get_all=True) if x.name == "a"]

    project.labels.delete(label_a.id)
    project.labels.delete("b")

    assert project.labels.list(get_all=True) == []
    assert project.issues.get(issue.iid).labels == []
    with pytest.raises(gitlab.GitlabDeleteError):
        project.labels.delete("b")


def test_only_an_owner_deletes_an_issue(
    sandbox: RunningSandbox, project: Project, gitlab_as: Any, path: str
) -> None:
    sandbox.register_users("gl-owner", access="admin")
    issue = project.issues.create({"title": "t"})
    issue.notes.create({"body": "a note"})

    with pytest.raises(gitlab.GitlabDeleteError) as refused:
        project.issues.delete(issue.iid)
    gitlab_as("gl-owner").projects.get(path, lazy=True).issues.delete(issue.iid)

    assert refused.value.response_code == 403
    assert project.issues.list(get_all=True) == []
