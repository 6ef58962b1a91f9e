"""GitLabForge on the real python-gitlab client, replaying documented GitLab payloads."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from automation.forge import gitlab_client
from automation.forge.base import ForgeError, RateLimited, UnknownHandle
from automation.forge.gitlab import GitLabForge
from automation.forge.retry import RetryPolicy
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

SAMPLES = Path(__file__).parent / "samples" / "gitlab"
URL = "https://gitlab.example.com"
API = f"{URL}/api/v4"
ISSUES = f"{API}/projects/acme%2Fmentoring/issues"
EVENTS = f"{API}/projects/acme%2Fmentoring/events"
TOKEN = "glpat-test-token"
RETRIES = 2
NOW = 1_700_000_000.0


def sample(name: str) -> Any:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def query(**params: str) -> Any:
    return matchers.query_param_matcher(params)


def body(payload: dict[str, Any]) -> Any:
    return matchers.json_params_matcher(payload)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def sleeps() -> list[float]:
    return []


def build(sleeps: list[float], bot: str | None = None) -> GitLabForge:
    policy = RetryPolicy(retries=RETRIES, sleep=sleeps.append, clock=lambda: NOW)
    return GitLabForge(gitlab_client(URL, TOKEN, policy, timeout=5), "acme/mentoring", bot=bot)


@pytest.fixture
def forge(sleeps: list[float]) -> GitLabForge:
    return build(sleeps)


# ---------------------------------------------------------------- whoami


def test_whoami_asks_gitlab_for_the_token_user_once(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(
        f"{API}/user",
        json=sample("user"),
        match=[matchers.header_matcher({"PRIVATE-TOKEN": TOKEN})],
    )

    assert forge.whoami() == "john_smith"
    assert forge.whoami() == "john_smith"
    assert len(api.calls) == 1


def test_whoami_keeps_the_forges_clock_from_its_date_header(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    assert forge.server_time() is None
    api.get(f"{API}/user", json=sample("user"), headers={"Date": "Wed, 02 Dec 2026 02:17:05 GMT"})
    forge.whoami()
    assert forge.server_time() == datetime(2026, 12, 2, 2, 17, 5, tzinfo=UTC)


def test_whoami_with_a_configured_bot_sends_no_request(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    assert build(sleeps, bot="mentorship-bot").whoami() == "mentorship-bot"
    assert len(api.calls) == 0


# ---------------------------------------------------------------- list_issues


def test_list_issues_sends_labels_state_and_since_as_gitlab_filters(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(
        ISSUES,
        json=[],
        match=[
            query(
                labels="mentorship,mentorship::active",
                state="opened",
                updated_after="2024-03-01T12:00:00Z",
                per_page="100",
            )
        ],
    )
    two_hours_east = timezone(timedelta(hours=2))

    forge.list_issues(
        labels=["mentorship", "mentorship::active"],
        state=IssueState.OPEN,
        updated_since=datetime(2024, 3, 1, 14, 0, tzinfo=two_hours_east),
    )

    assert len(api.calls) == 1
    assert api.calls[0].request.url == (
        f"{ISSUES}?per_page=100&state=opened&labels=mentorship%2Cmentorship%3A%3Aactive"
        "&updated_after=2024-03-01T12%3A00%3A00Z"
    )


@pytest.mark.parametrize(
    ("state", "sent"),
    [(None, "all"), (IssueState.OPEN, "opened"), (IssueState.CLOSED, "closed")],
)
def test_list_issues_names_the_state_in_gitlab_words(
    api: responses.RequestsMock, forge: GitLabForge, state: IssueState | None, sent: str
) -> None:
    api.get(ISSUES, json=[], match=[query(state=sent, per_page="100")])

    assert forge.list_issues(state=state) == []
    assert len(api.calls) == 1


def test_listed_issue_is_normalised_from_gitlab_words(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(ISSUES, json=[sample("issue")])

    assert forge.list_issues() == [
        Issue(
            number=6,
            title="Consequatur vero maxime deserunt laboriosam est voluptas dolorem.",
            body="Ratione dolores corrupti mollitia soluta quia.",
            state=IssueState.OPEN,
            author="eileen.lowe",
            labels=("foo", "bar"),
            assignees=("root",),
            created_at=at("2016-01-04T15:31:51.081"),
            updated_at=at("2016-01-04T15:31:51.081"),
            url="http://gitlab.example.com/my-group/my-project/issues/6",
            closed_at=None,
            confidential=False,
            close_reason=None,
            tasks=TaskCounts(done=10, total=15),
            due=date(2016, 7, 22),  # the documented `"due_date": "2016-07-22"`
        )
    ]


def test_closed_confidential_issue_without_description_or_tasks(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    closed = {
        **sample("issue"),
        "state": "closed",
        "closed_at": "2016-01-05T09:00:00.000+01:00",
        "description": None,
        "confidential": True,
        "assignees": [],
        "task_completion_status": None,
    }
    api.get(ISSUES, json=[closed])

    [issue] = forge.list_issues()

    assert issue.state is IssueState.CLOSED
    assert issue.closed_at == at("2016-01-05T08:00:00")
    assert (issue.body, issue.assignees, issue.tasks) == ("", (), None)
    assert issue.confidential is True
    assert issue.close_reason is None


def test_listing_250_issues_follows_link_headers_in_3_requests(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    issues = [{**sample("issue"), "id": 1000 + n, "iid": n} for n in range(1, 251)]
    pages = [issues[0:100], issues[100:200], issues[200:250]]
    for page, items in enumerate(pages, start=1):
        headers = {}
        if page < len(pages):
            headers["Link"] = (
                f'<{ISSUES}?page={page + 1}&per_page=100&state=all>; rel="next", '
                f'<{ISSUES}?page=3&per_page=100&state=all>; rel="last"'
            )
        params = {"state": "all", "per_page": "100"}
        if page > 1:
            params["page"] = str(page)
        api.get(ISSUES, json=items, headers=headers, match=[query(**params)])

    listed = forge.list_issues()

    assert [issue.number for issue in listed] == list(range(1, 251))
    assert len(api.calls) == 3
    assert api.calls[2].request.url == f"{ISSUES}?page=3&per_page=100&state=all"


# ---------------------------------------------------------------- list_created


def test_list_created_filters_by_author_and_creation_time_on_the_server(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(
        ISSUES,
        json=[{**sample("issue"), "iid": 7}, sample("issue")],
        match=[
            query(
                state="all",
                author_username="eileen.lowe",
                created_after="2024-03-01T12:00:00Z",
                per_page="100",
            )
        ],
    )
    two_hours_east = timezone(timedelta(hours=2))

    listed = forge.list_created(
        author="eileen.lowe", since=datetime(2024, 3, 1, 14, 0, tzinfo=two_hours_east)
    )

    assert [issue.number for issue in listed] == [7, 6]  # as GitLab ordered them
    assert len(api.calls) == 1
    # the ids of the people on the issues are learned, as from any listing
    assert forge.user_ids() == {"eileen.lowe": 18, "root": 1}


# ---------------------------------------------------------------- find_titled


def test_find_titled_searches_titles_of_the_authors_issues_on_the_server(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    params = {"state": "all", "author_username": "mentorship-bot", "in": "title"}
    api.get(
        ISSUES,
        json=[sample("issue")],
        match=[query(**params, search="Mentorship bot ledger", per_page="100")],
    )

    titled = forge.find_titled("Mentorship bot ledger", "mentorship-bot")

    assert [issue.number for issue in titled] == [6]
    assert len(api.calls) == 1


# ---------------------------------------------------------------- list_comments


def test_list_comments_reads_note_events_of_the_whole_project(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(
        EVENTS,
        json=sample("events"),
        match=[query(action="commented", sort="asc", per_page="100")],
    )

    assert forge.list_comments() == [
        Comment(
            id=1312,
            issue_number=377,
            body="What an awesome day!",
            author="root",
            created_at=at("2015-12-04T10:33:56.698"),
            updated_at=at("2015-12-04T10:33:56.698"),
        )
    ]
    assert len(api.calls) == 1
    assert api.calls[0].request.url == f"{EVENTS}?per_page=100&action=commented&sort=asc"


def test_list_comments_counts_replies_in_threads_without_a_request_per_issue(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    # A reply in a thread is a DiscussionNote event (EventCreateService records the note's
    # class); a `target_type=note` filter would hide it, as GitLab matches it exactly.
    commented = sample("events")[1]

    def event(event_id: int, target_type: str, **note: Any) -> dict[str, Any]:
        changed = {**commented["note"], "id": event_id, **note}
        return {**commented, "id": event_id, "target_type": target_type, "note": changed}

    api.get(
        EVENTS,
        json=[
            event(1, "Note", body="plain"),
            event(2, "DiscussionNote", type="DiscussionNote", body="threaded reply"),
            event(3, "DiffNote", type="DiffNote", noteable_type="MergeRequest", body="on a diff"),
        ],
        match=[query(action="commented", sort="asc", per_page="100")],
    )

    assert [comment.body for comment in forge.list_comments()] == ["plain", "threaded reply"]
    assert len(api.calls) == 1


def test_list_comments_drops_system_notes_and_notes_on_other_noteables(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    [opened, commented] = sample("events")
    note = commented["note"]

    def event(**changes: Any) -> dict[str, Any]:
        return {**commented, "note": {**note, **changes}}

    api.get(
        EVENTS,
        json=[
            opened,
            event(id=1, system=True),
            event(id=2, noteable_type="MergeRequest"),
            event(id=3, noteable_type="Snippet", noteable_iid=None),
            event(id=4),
        ],
    )

    assert [comment.id for comment in forge.list_comments()] == [4]


def test_list_comments_since_asks_from_the_day_before_and_drops_older_notes(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    commented = sample("events")[1]

    def event(note_id: int, created: str) -> dict[str, Any]:
        return {**commented, "note": {**commented["note"], "id": note_id, "created_at": created}}

    api.get(
        EVENTS,
        json=[
            event(1, "2024-02-29T23:59:59.000Z"),
            event(2, "2024-03-01T11:59:59.999Z"),
            event(3, "2024-03-01T12:00:00.000Z"),
            event(4, "2024-03-02T08:00:00.000Z"),
        ],
        match=[query(action="commented", sort="asc", after="2024-02-29", per_page="100")],
    )

    since = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert [comment.id for comment in forge.list_comments(since=since)] == [3, 4]
    assert len(api.calls) == 1


def test_list_comments_follows_link_headers(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    commented = sample("events")[1]
    events = [{**commented, "note": {**commented["note"], "id": n}} for n in range(1, 151)]
    nxt = f"{EVENTS}?action=commented&page=2&per_page=100&sort=asc"
    api.get(
        EVENTS,
        json=events[:100],
        headers={"Link": f'<{nxt}>; rel="next"'},
        match=[query(action="commented", sort="asc", per_page="100")],
    )
    api.get(
        EVENTS,
        json=events[100:],
        match=[query(action="commented", sort="asc", per_page="100", page="2")],
    )

    assert [comment.id for comment in forge.list_comments()] == list(range(1, 151))
    assert len(api.calls) == 2


# ---------------------------------------------------------------- list_issue_comments


def test_list_issue_comments_reads_notes_oldest_first_without_system_notes(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(
        f"{ISSUES}/121/notes",
        json=sample("notes"),
        match=[query(sort="asc", order_by="created_at", per_page="100")],
    )

    assert forge.list_issue_comments(121) == [
        Comment(
            id=305,
            issue_number=121,
            body="Text of the comment\r\n",
            author="pipin",
            created_at=at("2013-10-02T09:56:03"),
            updated_at=at("2013-10-02T09:56:03"),
        )
    ]
    assert len(api.calls) == 1


# ---------------------------------------------------------------- create_issue


def test_create_issue_looks_up_each_assignee_once_then_posts(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    jill = {**sample("users")[0], "id": 3, "username": "jill"}
    api.get(
        f"{API}/users", json=sample("users"), match=[query(username="jack_smith", per_page="100")]
    )
    api.get(f"{API}/users", json=[jill], match=[query(username="jill", per_page="100")])
    api.post(
        ISSUES,
        status=201,
        json=sample("issue"),
        match=[
            body(
                {
                    "title": "Mentorship: jack_smith and jill",
                    "description": "Welcome\r\n- [ ] meet",
                    "confidential": True,
                    "labels": ["mentorship", "mentorship::active"],
                    "assignee_ids": [2, 3],
                }
            )
        ],
    )
    draft = Draft(
        title="Mentorship: jack_smith and jill",
        body="Welcome\r\n- [ ] meet",
        labels=("mentorship", "mentorship::active"),
        assignees=("jack_smith", "jill"),
        confidential=True,
    )

    created = forge.create_issue(draft)
    assert len(api.calls) == 3  # two user look-ups, one POST
    assert [call.request.method for call in api.calls] == ["GET", "GET", "POST"]

    forge.create_issue(draft)
    assert len(api.calls) == 4  # the ids are cached: one POST

    assert created.number == 6
    assert created.state is IssueState.OPEN


def test_create_issue_without_labels_or_assignees_posts_once(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.post(
        ISSUES,
        status=201,
        json=sample("issue"),
        match=[body({"title": "Check-in", "description": "", "confidential": False})],
    )

    forge.create_issue(Draft(title="Check-in", body=""))

    assert len(api.calls) == 1


def test_create_issue_sends_the_due_date_and_reads_it_back(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    # doc/api/issues.md: `due_date`, "Date time string in the format YYYY-MM-DD"; the
    # documented answer carries `"due_date": "2016-07-22"`.
    api.post(
        ISSUES,
        status=201,
        json=sample("issue"),
        match=[
            body(
                {
                    "title": "Check-in 3",
                    "description": "",
                    "confidential": False,
                    "due_date": "2016-07-22",
                }
            )
        ],
    )

    created = forge.create_issue(Draft(title="Check-in 3", body="", due=date(2016, 7, 22)))

    assert created.due == date(2016, 7, 22)
    assert len(api.calls) == 1


def test_create_issue_for_an_unknown_assignee_names_its_line_before_posting(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    api.get(f"{API}/users", json=[], match=[query(username="ghost", per_page="100")])
    policy = RetryPolicy(retries=RETRIES, sleep=sleeps.append, clock=lambda: NOW)
    forge = GitLabForge(
        gitlab_client(URL, TOKEN, policy, timeout=5),
        "acme/mentoring",
        handles={"ghost": "program.yml:14: people[3].handle"},
    )

    with pytest.raises(UnknownHandle) as caught:
        forge.create_issue(Draft(title="t", body="b", assignees=("ghost",)))

    assert str(caught.value) == (
        "program.yml:14: people[3].handle: no user 'ghost' who can be assigned in "
        "acme/mentoring (GitLab has no such user: GET /users?username=ghost answered []); fix "
        "the handle in program.yml, or give ghost a role in acme/mentoring"
    )
    assert (caught.value.login, caught.value.status, caught.value.transient) == (
        "ghost",
        None,
        False,
    )
    assert len(api.calls) == 1


# ---------------------------------------------------------------- writes


def test_edit_issue_body_puts_the_description(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.put(f"{ISSUES}/6", json=sample("issue"), match=[body({"description": "new\r\nbody"})])

    forge.edit_issue_body(6, "new\r\nbody")

    assert len(api.calls) == 1


def test_comment_posts_a_note_and_returns_it(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    note = sample("notes")[1]
    api.post(f"{ISSUES}/121/notes", status=201, json=note, match=[body({"body": "Hello"})])

    assert forge.comment(121, "Hello") == Comment(
        id=305,
        issue_number=121,
        body="Text of the comment\r\n",
        author="pipin",
        created_at=at("2013-10-02T09:56:03"),
        updated_at=at("2013-10-02T09:56:03"),
    )
    assert len(api.calls) == 1


def test_edit_comment_puts_the_note_body(api: responses.RequestsMock, forge: GitLabForge) -> None:
    api.put(f"{ISSUES}/121/notes/305", json=sample("notes")[1], match=[body({"body": "edited"})])

    forge.edit_comment(121, 305, "edited")

    assert len(api.calls) == 1


def test_add_labels_is_one_atomic_put(api: responses.RequestsMock, forge: GitLabForge) -> None:
    api.put(
        f"{ISSUES}/6",
        json=sample("issue"),
        match=[body({"add_labels": "mentorship::active,mentorship::ending-soon"})],
    )

    forge.add_labels(6, ["mentorship::active", "mentorship::ending-soon"])

    assert len(api.calls) == 1


def test_remove_labels_is_one_atomic_put(api: responses.RequestsMock, forge: GitLabForge) -> None:
    api.put(
        f"{ISSUES}/6",
        json=sample("issue"),
        match=[body({"remove_labels": "mentorship::active,mentorship::stalled"})],
    )

    forge.remove_labels(6, ["mentorship::active", "mentorship::stalled"])

    assert len(api.calls) == 1


def test_relabel_adds_and_removes_in_one_atomic_put(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.put(
        f"{ISSUES}/6",
        json=sample("issue"),
        match=[
            body(
                {
                    "add_labels": "mentorship::ending-soon",
                    "remove_labels": "mentorship::active,mentorship-stalled",
                }
            )
        ],
    )

    forge.relabel(6, ["mentorship::ending-soon"], ["mentorship::active", "mentorship-stalled"])

    assert len(api.calls) == 1


def test_no_labels_to_add_or_remove_sends_nothing(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    forge.add_labels(6, [])
    forge.remove_labels(6, [])
    forge.relabel(6, [], [])

    assert len(api.calls) == 0


@pytest.mark.parametrize("reason", list(CloseReason))
def test_close_sends_the_close_event_whatever_the_reason(
    api: responses.RequestsMock, forge: GitLabForge, reason: CloseReason
) -> None:
    api.put(
        f"{ISSUES}/6",
        json={**sample("issue"), "state": "closed"},
        match=[body({"state_event": "close"})],
    )

    forge.close(6, reason)

    assert len(api.calls) == 1


# ---------------------------------------------------------------- errors

FIX_401 = (
    "the token in $GITLAB_TOKEN is missing, expired or revoked; "
    "set $GITLAB_TOKEN to a project access token with the api scope"
)
FIX_403 = (
    "the token in $GITLAB_TOKEN needs the api scope "
    "and the Reporter role (or higher) on acme/mentoring"
)
FIX_404 = (
    "not found (404 Project Not Found); check forge.project ('acme/mentoring') in program.yml "
    "and that the token's user is a member of the project"
)
FIX_429 = (
    "rate limited, and retries ran out, or the wait asked for is over "
    "forge.max_retry_wait_seconds, or the run has spent its forge.rate_limit_budget_seconds "
    "(600) waiting; stop writing now: the next run does the rest"
)
VERSION = f"{API}/version"


@pytest.mark.parametrize(
    ("status", "payload", "fix", "transient", "requests_sent"),
    [
        (401, {"message": "401 Unauthorized"}, FIX_401, False, 1),
        (403, {"message": "403 Forbidden"}, FIX_403, False, 1),
        (404, {"message": "404 Project Not Found"}, FIX_404, False, 2),  # and GET /version
        (410, {"message": "410 Gone"}, "GitLab rejected it: 410 Gone", False, 1),
        (422, {"error": "labels is invalid"}, "GitLab rejected it: labels is invalid", False, 1),
        (429, {"message": "Retry later"}, FIX_429, True, RETRIES + 1),
        (
            500,
            {"message": "500 Internal Server Error"},
            "GitLab failed (500 Internal Server Error) after retries; "
            "usually passing, run again later",
            True,
            RETRIES + 1,
        ),
        (
            502,
            {"message": "502 Bad Gateway"},
            "GitLab failed (502 Bad Gateway) after retries; usually passing, run again later",
            True,
            RETRIES + 1,
        ),
        (
            503,
            {"message": "503 Service Unavailable"},
            "GitLab failed (503 Service Unavailable) after retries; "
            "usually passing, run again later",
            True,
            RETRIES + 1,
        ),
    ],
)
def test_error_status_becomes_a_forge_error_naming_request_and_fix(
    api: responses.RequestsMock,
    forge: GitLabForge,
    status: int,
    payload: dict[str, str],
    fix: str,
    transient: bool,
    requests_sent: int,
) -> None:
    api.get(ISSUES, status=status, json=payload)
    if status == 404:
        api.get(VERSION, json={"version": "17.5.0", "revision": "ab12cd34"})

    with pytest.raises(ForgeError) as caught:
        forge.list_issues()

    error = caught.value
    assert str(error) == f"GitLab answered {status} to GET /projects/acme%2Fmentoring/issues: {fix}"
    assert (error.status, error.transient) == (status, transient)
    assert error.request == "GET /projects/acme%2Fmentoring/issues"
    assert len(api.calls) == requests_sent


def test_connection_error_becomes_a_transient_forge_error(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(ISSUES, body=requests.ConnectionError("Connection refused"))

    with pytest.raises(ForgeError) as caught:
        forge.list_issues()

    assert str(caught.value) == (
        "GET /projects/acme%2Fmentoring/issues failed: could not reach https://gitlab.example.com "
        "(connection refused); check forge.url in program.yml, the network, and the proxy "
        "(HTTPS_PROXY, NO_PROXY) if this network needs one, then run again"
    )
    assert (caught.value.status, caught.value.transient) == (None, True)


def test_server_error_on_a_post_is_not_repeated(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.post(f"{ISSUES}/6/notes", status=503, json={"message": "503 Service Unavailable"})

    with pytest.raises(ForgeError) as caught:
        forge.comment(6, "Hello")

    assert caught.value.status == 503
    assert caught.value.transient is True
    assert len(api.calls) == 1


@pytest.mark.parametrize(
    ("method", "url", "request_text", "operation"),
    [
        ("GET", f"{API}/user", "GET /user", lambda f: f.whoami()),
        ("GET", EVENTS, "GET /projects/acme%2Fmentoring/events", lambda f: f.list_comments()),
        (
            "GET",
            f"{ISSUES}/6/notes",
            "GET /projects/acme%2Fmentoring/issues/6/notes",
            lambda f: f.list_issue_comments(6),
        ),
        (
            "GET",
            f"{API}/users",
            "GET /users?username=jill",
            lambda f: f.create_issue(Draft("t", "b", assignees=("jill",))),
        ),
        (
            "POST",
            ISSUES,
            "POST /projects/acme%2Fmentoring/issues",
            lambda f: f.create_issue(Draft("t", "b")),
        ),
        (
            "PUT",
            f"{ISSUES}/6",
            "PUT /projects/acme%2Fmentoring/issues/6",
            lambda f: f.edit_issue_body(6, "b"),
        ),
        (
            "POST",
            f"{ISSUES}/6/notes",
            "POST /projects/acme%2Fmentoring/issues/6/notes",
            lambda f: f.comment(6, "b"),
        ),
        (
            "PUT",
            f"{ISSUES}/6/notes/9",
            "PUT /projects/acme%2Fmentoring/issues/6/notes/9",
            lambda f: f.edit_comment(6, 9, "b"),
        ),
        (
            "PUT",
            f"{ISSUES}/6",
            "PUT /projects/acme%2Fmentoring/issues/6",
            lambda f: f.add_labels(6, ["a"]),
        ),
        (
            "PUT",
            f"{ISSUES}/6",
            "PUT /projects/acme%2Fmentoring/issues/6",
            lambda f: f.remove_labels(6, ["a"]),
        ),
        (
            "PUT",
            f"{ISSUES}/6",
            "PUT /projects/acme%2Fmentoring/issues/6",
            lambda f: f.close(6, CloseReason.COMPLETED),
        ),
    ],
    ids=[
        "whoami",
        "list_comments",
        "list_issue_comments",
        "create_issue-user_lookup",
        "create_issue",
        "edit_issue_body",
        "comment",
        "edit_comment",
        "add_labels",
        "remove_labels",
        "close",
    ],
)
def test_every_operation_names_its_request_in_the_error(
    api: responses.RequestsMock,
    forge: GitLabForge,
    method: str,
    url: str,
    request_text: str,
    operation: Callable[[GitLabForge], object],
) -> None:
    api.add(method, url, status=403, json={"message": "403 Forbidden"})

    with pytest.raises(ForgeError) as caught:
        operation(forge)

    assert str(caught.value) == f"GitLab answered 403 to {request_text}: {FIX_403}"
    assert caught.value.request == request_text
    assert len(api.calls) == 1


# ---------------------------------------------------------------- what a real forge adds


@pytest.mark.parametrize(
    ("version", "fix"),
    [
        (
            {"status": 404, "body": "<html>Not Found</html>", "content_type": "text/html"},
            "not found, and https://gitlab.example.com does not answer like a GitLab API (GET "
            "https://gitlab.example.com/api/v4/version did not answer); set forge.url to the "
            "address of the GitLab instance, such as https://gitlab.com, without /api/v4",
        ),
        ({"status": 401, "json": {"message": "401 Unauthorized"}}, FIX_404),
    ],
    ids=["not GitLab", "GitLab refusing the token"],
)
def test_a_404_asks_the_api_root_once_to_tell_a_wrong_url_from_a_wrong_project(
    api: responses.RequestsMock, forge: GitLabForge, version: dict[str, Any], fix: str
) -> None:
    api.get(ISSUES, status=404, json={"message": "404 Project Not Found"})
    api.get(VERSION, **version)

    for _ in range(2):
        with pytest.raises(ForgeError) as caught:
            forge.list_issues()

    assert (
        str(caught.value) == f"GitLab answered 404 to GET /projects/acme%2Fmentoring/issues: {fix}"
    )
    assert [call.request.url.split("?")[0] for call in api.calls] == [ISSUES, VERSION, ISSUES]


def test_a_comment_gitlab_took_for_quick_actions_only_is_an_error(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    # lib/api/helpers/notes_helpers.rb: a note of commands only is not stored, 202
    commands = {"commands_changes": {"state_event": "close"}, "summary": ["Closed this issue."]}
    api.post(f"{ISSUES}/6/notes", status=202, json=commands)

    with pytest.raises(ForgeError) as caught:
        forge.comment(6, "/close")

    assert str(caught.value) == (
        "GitLab answered 202 to POST /projects/acme%2Fmentoring/issues/6/notes: GitLab took the "
        "comment for quick actions only and stored no note; no line the bot writes may start "
        "with '/'"
    )


def test_a_rate_limit_that_outlasts_the_retries_is_rate_limited(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.post(ISSUES, status=429, body="Retry later\n", headers={"Retry-After": "1"})

    with pytest.raises(RateLimited) as caught:
        forge.create_issue(Draft("t", "b"))

    assert caught.value.status == 429
    assert caught.value.transient is True
    assert str(caught.value).endswith("stop writing now: the next run does the rest")


# ---------------------------------------------------------------- the roster change

PROJECT = f"{API}/projects/acme%2Fmentoring"
FILES = f"{PROJECT}/repository/files/program.yml"
COMMITS = f"{PROJECT}/repository/commits"
MERGE_REQUESTS = f"{PROJECT}/merge_requests"
PROGRAM = "people: []\npairings: []\n"  # what samples/gitlab/file.json holds
BRANCH = "mentorship/proposals"


def absent(what: str) -> dict[str, Any]:
    """lib/api/files.rb: `not_found!('Commit')` for an unknown ref, `('File')` for a path."""
    return {"message": f"404 {what} Not Found"}


def test_default_branch_is_read_from_the_project_once(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(PROJECT, json={"id": 3, "default_branch": "trunk"})

    assert forge.default_branch() == "trunk"
    assert forge.default_branch() == "trunk"
    assert len(api.calls) == 1


def test_read_file_asks_for_head_and_decodes_the_content(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    file = sample("file")
    api.get(FILES, json=file, match=[query(ref="HEAD")])

    found = forge.read_file("program.yml")

    assert found == FileAt(
        path="app/models/key.rb",
        text=PROGRAM,
        blob="79f7bbd25901e8334750839545a9bd021f0e4c83",
        commit="570e7b2abdd848b95f2f578043fc23bd6f6fd24d",
    )
    assert len(api.calls) == 1


@pytest.mark.parametrize("what", ["File", "Commit"])
def test_read_file_is_none_for_a_missing_file_or_ref(
    api: responses.RequestsMock, forge: GitLabForge, what: str
) -> None:
    api.get(FILES, status=404, json=absent(what), match=[query(ref=BRANCH)])

    assert forge.read_file("program.yml", BRANCH) is None
    assert len(api.calls) == 1


def test_read_file_in_a_missing_project_is_an_error(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(FILES, status=404, json={"message": "404 Project Not Found"})
    api.get(f"{API}/version", json={"version": "17.0.0"})

    with pytest.raises(ForgeError) as caught:
        forge.read_file("program.yml")

    assert caught.value.status == 404
    assert "check forge.project ('acme/mentoring')" in str(caught.value)


def commit_body(**fields: Any) -> Any:
    return body(
        {
            "branch": BRANCH,
            "start_branch": "main",
            "force": True,
            "commit_message": "Propose alice and bob",
            **fields,
        }
    )


def test_put_branch_file_overwrites_the_branch_with_one_commit_on_the_base(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    # Whatever the branch holds (it may not exist, or carry someone else's commit), the
    # commit goes on the base with `force` (https://docs.gitlab.com/api/commits/), and the
    # file's last commit on the base makes a change made to it since fail the write.
    api.get(FILES, json=sample("file"), match=[query(ref="main")])
    update = {
        "action": "update",
        "file_path": "program.yml",
        "content": "pairings: [x]\n",
        "last_commit_id": "570e7b2abdd848b95f2f578043fc23bd6f6fd24d",
    }
    api.post(COMMITS, status=201, json=sample("commit"), match=[commit_body(actions=[update])])

    made = forge.put_branch_file(
        BRANCH, "program.yml", "pairings: [x]\n", "Propose alice and bob", base="main"
    )

    assert made == "ed899a2f4b50b4370feeea94676502b42383c746"
    assert len(api.calls) == 2


def test_put_branch_file_writes_the_same_text_again_on_the_base(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(FILES, json=sample("file"), match=[query(ref="main")])
    api.post(COMMITS, status=201, json=sample("commit"))

    made = forge.put_branch_file(BRANCH, "program.yml", PROGRAM, "m", base="main")

    assert made == "ed899a2f4b50b4370feeea94676502b42383c746"
    assert len(api.calls) == 2


def test_put_branch_file_creates_a_file_the_base_lacks(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(FILES, status=404, json=absent("File"), match=[query(ref="main")])
    create = {"action": "create", "file_path": "program.yml", "content": PROGRAM}
    api.post(COMMITS, status=201, json=sample("commit"), match=[commit_body(actions=[create])])

    forge.put_branch_file(BRANCH, "program.yml", PROGRAM, "Propose alice and bob", base="main")

    assert len(api.calls) == 2


def test_put_branch_file_refused_names_the_developer_role(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(FILES, json=sample("file"))
    denied = {"message": "403 Forbidden - You are not allowed to push into this branch"}
    api.post(COMMITS, status=403, json=denied)

    with pytest.raises(ForgeError) as caught:
        forge.put_branch_file(BRANCH, "program.yml", "x\n", "m", base="main")

    assert str(caught.value) == (
        "GitLab answered 403 to POST /projects/acme%2Fmentoring/repository/commits: the token "
        "in $GITLAB_TOKEN needs the api scope and the Developer role (or higher) on "
        "acme/mentoring to push the proposal's branch and open its merge request"
    )
    assert len(api.calls) == 2  # a refused write is not repeated


def test_a_file_changed_since_it_was_read_fails_the_commit(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(FILES, json=sample("file"))
    changed = {
        "message": "You are attempting to update a file that has changed since you started "
        "editing it."
    }
    api.post(COMMITS, status=400, json=changed)

    with pytest.raises(ForgeError) as caught:
        forge.put_branch_file(BRANCH, "program.yml", "x\n", "m", base="main")

    assert caught.value.status == 400
    assert "has changed since you started editing it" in str(caught.value)


COMPARE = f"{PROJECT}/repository/compare"


def diff(old: str, new: str | None = None) -> dict[str, Any]:
    return {"old_path": old, "new_path": new or old}


@pytest.mark.parametrize(
    ("answer", "only"),
    [
        ({"diffs": [diff("program.yml")], "compare_timeout": False}, True),
        ({"diffs": [], "compare_timeout": False}, True),
        ({"diffs": [diff(".github/workflows/x.yml"), diff("program.yml")]}, False),
        ({"diffs": [diff("x.yml", "program.yml")], "compare_timeout": False}, False),
        ({"diffs": [diff("program.yml")], "compare_timeout": True}, False),
    ],
    ids=["program.yml", "nothing", "a file besides", "a file moved onto it", "cut short"],
)
def test_changes_only_compares_the_heads_straight(
    api: responses.RequestsMock, forge: GitLabForge, answer: dict[str, Any], only: bool
) -> None:
    api.get(
        COMPARE, json=answer, match=[query(**{"from": "main", "to": BRANCH, "straight": "true"})]
    )

    assert forge.changes_only(BRANCH, "main", "program.yml") is only
    assert len(api.calls) == 1


def test_changes_only_is_false_for_a_missing_branch(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(COMPARE, status=404, json={"message": "404 Ref Not Found"})

    assert forge.changes_only(BRANCH, "main", "program.yml") is False
    assert len(api.calls) == 1


def test_find_change_request_asks_for_the_oldest_open_one_from_the_branch(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    listed = [{**sample("merge_requests")[0], "state": "opened"}]
    api.get(
        MERGE_REQUESTS,
        json=listed,
        match=[query(state="opened", source_branch=BRANCH, sort="asc", per_page="20")],
    )

    found = build(sleeps, bot="admin").find_change_request(BRANCH)

    assert found == ChangeRequest(
        number=1,
        title="test1",
        body="fixed login page css paddings",
        state=ChangeState.OPEN,
        source="test1",
        target="main",
        head="8888888888888888888888888888888888888888",
        author="admin",
        url="http://gitlab.example.com/my-group/my-project/merge_requests/1",
    )
    assert len(api.calls) == 1


def test_find_change_request_passes_over_one_someone_else_opened(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    theirs = {**sample("merge_requests")[0], "state": "opened"}
    mine = {**theirs, "iid": 2, "author": {**theirs["author"], "username": "mentorship-bot"}}
    api.get(MERGE_REQUESTS, json=[theirs, mine])
    forge = build(sleeps, bot="mentorship-bot")

    found = forge.find_change_request(BRANCH)
    everyone = forge.open_change_requests(BRANCH)

    assert found is not None
    assert (found.number, found.author) == (2, "mentorship-bot")
    assert [(c.number, c.author) for c in everyone] == [(1, "admin"), (2, "mentorship-bot")]
    assert len(api.calls) == 2


def test_find_change_request_is_none_when_only_a_person_opened_one(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    api.get(MERGE_REQUESTS, json=[{**sample("merge_requests")[0], "state": "opened"}])

    assert build(sleeps, bot="mentorship-bot").find_change_request(BRANCH) is None


def test_find_change_request_is_none_without_one(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    api.get(MERGE_REQUESTS, json=[])

    assert build(sleeps, bot="mentorship-bot").find_change_request(BRANCH) is None


def test_a_merged_merge_request_reads_as_merged(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(MERGE_REQUESTS, json=sample("merge_requests"))

    (found,) = forge.open_change_requests(BRANCH)

    assert found.state is ChangeState.MERGED


def test_open_change_request_removes_the_branch_on_merge(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    created = {**sample("merge_requests")[0], "state": "opened", "iid": 7}
    api.post(
        MERGE_REQUESTS,
        status=201,
        json=created,
        match=[
            body(
                {
                    "source_branch": BRANCH,
                    "target_branch": "main",
                    "title": "Roster: 1 pairing",
                    "description": "- alice",
                    "remove_source_branch": True,
                }
            )
        ],
    )

    opened = forge.open_change_request(BRANCH, "main", "Roster: 1 pairing", "- alice")

    assert (opened.number, opened.state) == (7, ChangeState.OPEN)
    assert len(api.calls) == 1


def test_edit_and_close_change_request_put_the_merge_request(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    edited = sample("merge_requests")[0]
    api.put(
        f"{MERGE_REQUESTS}/7",
        json=edited,
        match=[body({"title": "Roster: 2 pairings", "description": "- a\n- b"})],
    )
    api.put(f"{MERGE_REQUESTS}/7", json=edited, match=[body({"state_event": "close"})])

    forge.edit_change_request(7, "Roster: 2 pairings", "- a\n- b")
    forge.close_change_request(7)

    assert len(api.calls) == 2


# ---------------------------------------------------------------- box ticks (GraphQL)

GRAPHQL = f"{URL}/api/graphql"
NOTES_QUERY = (
    "query($path: ID!, $iids: [String!]) { project(fullPath: $path) { issues(iids: $iids, "
    "first: 100) { nodes { iid notes(first: 100) { pageInfo { hasNextPage endCursor } "
    "nodes { body system author { username } createdAt } } } } } }"
)
MET = "marked the checklist item **We met this period** as completed"


def note(body: str, author: str | None, created: str, *, system: bool = True) -> dict[str, Any]:
    user = {"username": author} if author is not None else None
    return {"body": body, "system": system, "author": user, "createdAt": created}


def issue_notes(iid: int, *notes: dict[str, Any], more: bool = False) -> dict[str, Any]:
    info = {"hasNextPage": more, "endCursor": "eyJpZCI6IjQyIn0" if notes else None}
    return {"iid": str(iid), "notes": {"pageInfo": info, "nodes": list(notes)}}


def graphql_answer(*issues: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"project": {"issues": {"nodes": list(issues)}}}}


def test_box_ticks_of_reads_the_notes_of_the_issues_in_one_graphql_query(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    variables = {"path": "acme/mentoring", "iids": ["3", "5", "7"]}
    expected = {"query": NOTES_QUERY, "variables": variables}
    answer = graphql_answer(
        issue_notes(
            3,
            note("changed the description", "dana", "2026-03-05T11:00:00Z"),
            note(MET, "dana", "2026-03-05T12:00:00Z"),
            note(MET, "dana", "2026-03-05T12:30:00Z", system=False),  # a comment saying so
            note(MET.replace("completed", "incomplete"), None, "2026-03-06T08:00:00Z"),
        ),
        issue_notes(5),
    )
    api.post(
        GRAPHQL,
        json=answer,
        match=[body(expected), matchers.header_matcher({"PRIVATE-TOKEN": TOKEN})],
    )

    assert forge.box_ticks_of([3, 5, 7]) == {
        3: [
            Tick("We met this period", True, "dana", at("2026-03-05T12:00:00")),
            Tick("We met this period", False, "", at("2026-03-06T08:00:00")),
        ],
        5: [],
        7: [],  # not among the nodes: gone since it was listed
    }
    assert len(api.calls) == 1


def test_box_ticks_of_120_issues_sends_three_queries_of_at_most_50(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        iids = json.loads(request.body)["variables"]["iids"]
        found = graphql_answer(*(issue_notes(int(iid)) for iid in reversed(iids)))
        return 200, {}, json.dumps(found)

    api.add_callback(responses.POST, GRAPHQL, callback=answer, content_type="application/json")
    numbers = list(range(1, 121))

    found = forge.box_ticks_of(numbers)

    sent = [json.loads(call.request.body)["variables"]["iids"] for call in api.calls]
    assert sent == [
        [str(n) for n in numbers[:50]],
        [str(n) for n in numbers[50:100]],
        [str(n) for n in numbers[100:]],
    ]
    assert found == {number: [] for number in numbers}


def test_box_ticks_of_an_issue_with_more_notes_than_a_page_reads_its_rest_listing(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    first_page = [note('added ~"x" label', "bot", "2026-03-03T00:00:00Z")] * 100
    api.post(
        GRAPHQL,
        json=graphql_answer(
            issue_notes(3, note(MET, "dana", "2026-03-05T12:00:00Z")),
            issue_notes(5, *first_page, more=True),
        ),
    )
    rest_note = {
        **sample("notes")[0],
        "body": MET,
        "system": True,
        "author": {**sample("notes")[0]["author"], "username": "alice"},
        "created_at": "2026-03-09T10:00:00.000Z",
    }
    api.get(
        f"{ISSUES}/5/notes",
        json=[rest_note],
        match=[query(sort="asc", order_by="created_at", per_page="100")],
    )

    found = forge.box_ticks_of([3, 5])

    assert found == {
        3: [Tick("We met this period", True, "dana", at("2026-03-05T12:00:00"))],
        5: [Tick("We met this period", True, "alice", at("2026-03-09T10:00:00"))],
    }
    assert [call.request.method for call in api.calls] == ["POST", "GET"]


def test_box_ticks_of_fails_on_graphql_errors_and_on_no_project(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    error = {"message": "Field 'notes' doesn't exist on type 'Issue'", "locations": []}
    api.post(GRAPHQL, json={"errors": [error]})
    with pytest.raises(ForgeError) as failed:
        forge.box_ticks_of([3])
    assert failed.value.request == "POST graphql (notes of issue 3)"
    assert str(failed.value) == (
        "GitLab answered 200 to POST graphql (notes of issue 3): GitLab's GraphQL API "
        "answered: Field 'notes' doesn't exist on type 'Issue'"
    )

    api.post(GRAPHQL, json={"data": {"project": None}})
    with pytest.raises(ForgeError, match="found no project 'acme/mentoring'"):
        forge.box_ticks_of([3])


def test_box_ticks_of_explains_a_refused_graphql_request(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.post(GRAPHQL, json={"message": "401 Unauthorized"}, status=401)
    with pytest.raises(ForgeError) as failed:
        forge.box_ticks_of([3])
    assert failed.value.status == 401
    assert "$GITLAB_TOKEN is missing, expired or revoked" in str(failed.value)


# ---------------------------------------------------------------- know_users (GraphQL)

USERS_QUERY = (
    "query($names: [String!]) { users(usernames: $names, first: 100) { nodes { id username } } }"
)


def users_answer(*people: tuple[str, int]) -> dict[str, Any]:
    nodes = [{"id": f"gid://gitlab/User/{number}", "username": login} for login, number in people]
    return {"data": {"users": {"nodes": nodes}}}


def posted_issue(api: responses.RequestsMock, assignee_ids: list[int]) -> None:
    payload = {"title": "t", "description": "b", "confidential": False}
    api.post(
        ISSUES,
        status=201,
        json=sample("issue"),
        match=[body({**payload, "assignee_ids": assignee_ids})],
    )


def test_know_users_asks_graphql_once_and_assigns_by_the_ids_it_answered(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    expected = {"query": USERS_QUERY, "variables": {"names": ["jill", "Jack_Smith"]}}
    api.post(
        GRAPHQL,
        # GitLab spells the username its own way; the id is the global id's number
        json=users_answer(("jack_smith", 2), ("jill", 3)),
        match=[body(expected), matchers.header_matcher({"PRIVATE-TOKEN": TOKEN})],
    )
    posted_issue(api, [3, 2])

    forge.know_users(["jill", "Jack_Smith", "jill"])
    forge.create_issue(Draft(title="t", body="b", assignees=("jill", "Jack_Smith")))

    assert [(c.request.method, c.request.url) for c in api.calls] == [
        ("POST", GRAPHQL),
        ("POST", ISSUES),
    ]  # no GET /users?username= for either
    assert forge.user_ids() == {"jill": 3, "Jack_Smith": 2}


def test_know_users_of_250_logins_sends_three_queries_of_at_most_100(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        names = json.loads(request.body)["variables"]["names"]
        found = users_answer(*((name, 1000 + int(name[1:])) for name in names))
        return 200, {}, json.dumps(found)

    api.add_callback(responses.POST, GRAPHQL, callback=answer, content_type="application/json")
    logins = [f"u{n}" for n in range(250)]

    forge.know_users(logins)

    sent = [json.loads(call.request.body)["variables"]["names"] for call in api.calls]
    assert sent == [logins[:100], logins[100:200], logins[200:]]
    assert forge.user_ids() == {login: 1000 + int(login[1:]) for login in logins}


def test_know_users_asks_only_for_logins_it_does_not_know(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    api.get(ISSUES, json=[sample("issue")])  # author eileen.lowe (18), assignee root (1)
    forge.list_issues()
    forge.learn_user_ids({"jill": 3})  # as the observation cache hands them over
    api.post(
        GRAPHQL,
        json=users_answer(("dana", 7)),
        match=[body({"query": USERS_QUERY, "variables": {"names": ["dana"]}})],
    )

    forge.know_users(["root", "jill", "dana", "eileen.lowe"])
    forge.know_users(["root", "jill", "dana", "eileen.lowe"])  # all known now: no request

    assert [c.request.method for c in api.calls] == ["GET", "POST"]
    assert forge.user_ids() == {"eileen.lowe": 18, "root": 1, "jill": 3, "dana": 7}


def test_know_users_of_nobody_sends_nothing(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    forge.know_users([])

    assert len(api.calls) == 0


def test_know_users_leaves_an_unknown_login_to_its_lookup_and_its_error(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    policy = RetryPolicy(retries=RETRIES, sleep=sleeps.append, clock=lambda: NOW)
    forge = GitLabForge(
        gitlab_client(URL, TOKEN, policy, timeout=5),
        "acme/mentoring",
        handles={"ghost": "program.yml:14: people[3].handle"},
    )
    api.post(GRAPHQL, json=users_answer(("jill", 3)))  # ghost is not in the answer
    api.get(f"{API}/users", json=[], match=[query(username="ghost", per_page="100")])

    forge.know_users(["jill", "ghost"])
    with pytest.raises(UnknownHandle) as caught:
        forge.create_issue(Draft(title="t", body="b", assignees=("jill", "ghost")))

    # the same message as without the batch (test_create_issue_for_an_unknown_assignee_...)
    assert str(caught.value) == (
        "program.yml:14: people[3].handle: no user 'ghost' who can be assigned in "
        "acme/mentoring (GitLab has no such user: GET /users?username=ghost answered []); fix "
        "the handle in program.yml, or give ghost a role in acme/mentoring"
    )
    assert caught.value.request == "GET /users?username=ghost"
    assert [c.request.method for c in api.calls] == ["POST", "GET"]  # no issue posted
    assert forge.user_ids() == {"jill": 3}


def test_know_users_fails_on_graphql_errors(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    error = {"message": "Field 'users' doesn't accept argument 'usernames'", "locations": []}
    api.post(GRAPHQL, json={"errors": [error]})

    with pytest.raises(ForgeError) as failed:
        forge.know_users(["jill", "jack", "dana", "eve"])

    assert failed.value.request == "POST graphql (users jill, jack, dana and 1 more)"
    assert str(failed.value) == (
        "GitLab answered 200 to POST graphql (users jill, jack, dana and 1 more): GitLab's "
        "GraphQL API answered: Field 'users' doesn't accept argument 'usernames'"
    )
    assert forge.user_ids() == {}


# ---------------------------------------------------------------- project labels

LABELS = f"{API}/projects/acme%2Fmentoring/labels"
LABEL = {
    "id": 7,
    "name": "mentorship-request",
    "color": "#108548",
    "description": "Someone asks for a mentor (the request form)",
}


def test_create_label_posts_its_name_colour_and_description(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    wanted = {key: LABEL[key] for key in ("name", "color", "description")}
    api.post(LABELS, status=201, json=LABEL, match=[body(wanted)])

    assert forge.create_label("mentorship-request", "108548", LABEL["description"]) is True
    assert len(api.calls) == 1


def test_create_label_that_exists_is_no_failure(
    api: responses.RequestsMock, forge: GitLabForge
) -> None:
    # lib/api/helpers/label_helpers.rb, create_label: `conflict!('Label already exists')`
    api.post(LABELS, status=409, json={"message": "Label already exists"})

    assert forge.create_label("mentorship-request", "108548", "") is False
    assert len(api.calls) == 1


@pytest.mark.parametrize(("status", "transient"), [(403, False), (500, True)])
def test_create_label_refused_or_lost_says_which(
    api: responses.RequestsMock, forge: GitLabForge, status: int, transient: bool
) -> None:
    api.post(LABELS, status=status, json={"message": "no"})

    with pytest.raises(ForgeError) as raised:
        forge.create_label("mentorship-request", "108548", "")

    assert raised.value.status == status
    assert raised.value.transient is transient
    assert raised.value.request == "POST /projects/acme%2Fmentoring/labels"
    assert len(api.calls) == 1  # a write is not repeated by the client
