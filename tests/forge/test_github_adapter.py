"""GitHubForge on the real PyGithub client, replaying GitHub's documented OpenAPI examples."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from automation.forge import github_client, pacer_for
from automation.forge.base import ForgeError, RateLimited, UnknownHandle
from automation.forge.github import (
    BODY_LIMIT,
    GitHubForge,
    authored_of_edits,
    revisions_of_edits,
)
from automation.forge.retry import RetryPolicy, WaitBudget
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
from automation.roster.config import ForgeSettings

SAMPLES = Path(__file__).parent / "samples" / "github"
URL = "https://github.example.com/api/v3"
# PyGithub names the default port of an https base URL in every request it sends.
API = "https://github.example.com:443/api/v3"
REPO = f"{API}/repos/acme/mentoring"
ISSUES = f"{REPO}/issues"
META = f"{API}/meta"
# what api.github.com and GitHub Enterprise Server answer to GET /meta, in part
META_BODY = {"verifiable_password_authentication": False}
RATE_LIMITED = (
    "rate limited, and retries ran out, or the wait asked for is over "
    "forge.max_retry_wait_seconds, or the run has spent its forge.rate_limit_budget_seconds "
    "(600) waiting; stop writing now: the next run does the rest"
)
TOKEN = "ghp_test_token"
RETRIES = 2
NOW = 1_700_000_000.0


def sample(name: str) -> Any:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def query(**params: str) -> Any:
    return matchers.query_param_matcher(params)


def body(payload: dict[str, Any] | list[Any]) -> Any:
    return matchers.json_params_matcher(payload)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def numbered(number: int, **changes: Any) -> dict[str, Any]:
    """The documented issue as issue `number` of acme/mentoring."""
    issue = sample("issue")
    return {
        **issue,
        "id": 10_000 + number,
        "number": number,
        "url": f"https://api.github.com/repos/acme/mentoring/issues/{number}",
        "html_url": f"https://github.com/acme/mentoring/issues/{number}",
        **changes,
    }


def pull_request(number: int) -> dict[str, Any]:
    html = f"https://github.com/acme/mentoring/pull/{number}"
    return numbered(
        number,
        html_url=html,
        pull_request={
            "url": f"https://api.github.com/repos/acme/mentoring/pulls/{number}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
        },
    )


def error(message: str, **extra: Any) -> dict[str, Any]:
    return {"message": message, "documentation_url": "https://docs.github.com/rest", **extra}


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def sleeps() -> list[float]:
    return []


def build(sleeps: list[float], bot: str | None = None) -> GitHubForge:
    policy = RetryPolicy(retries=RETRIES, sleep=sleeps.append, clock=lambda: NOW)
    client = github_client(URL, TOKEN, policy, timeout=5, pace=False)
    return GitHubForge(client, "acme/mentoring", bot=bot, policy=policy)


@pytest.fixture
def forge(sleeps: list[float]) -> GitHubForge:
    return build(sleeps)


# ---------------------------------------------------------------- whoami


def test_whoami_asks_github_for_the_token_user_once(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.get(
        f"{API}/user",
        json=sample("user"),
        match=[matchers.header_matcher({"Authorization": f"token {TOKEN}"})],
    )

    assert forge.whoami() == "octocat"
    assert forge.whoami() == "octocat"
    assert len(api.calls) == 1


def test_whoami_keeps_the_forges_clock_from_its_date_header(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    assert forge.server_time() is None
    api.get(f"{API}/user", json=sample("user"), headers={"Date": "Wed, 02 Dec 2026 02:17:05 GMT"})
    forge.whoami()
    assert forge.server_time() == datetime(2026, 12, 2, 2, 17, 5, tzinfo=UTC)


def test_with_the_bot_named_the_forges_clock_is_the_first_pages_date(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    forge = build(sleeps, bot="github-actions[bot]")
    date = {"Date": "Wed, 02 Dec 2026 02:17:05 GMT"}
    api.get(ISSUES, json=[], headers=date)
    forge.list_issues()  # the first answer lists nothing: no clock from it
    api.get(ISSUES, json=[sample("issue")], headers={"Date": "Wed, 02 Dec 2026 02:20:00 GMT"})
    forge.list_issues()
    assert forge.server_time() is None  # only the first answer tells the run's start
    other = build(sleeps, bot="github-actions[bot]")
    api.get(ISSUES, json=[sample("issue")], headers=date)
    other.list_issues()
    assert other.server_time() == datetime(2026, 12, 2, 2, 17, 5, tzinfo=UTC)


def test_whoami_with_a_configured_bot_sends_no_request(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    assert build(sleeps, bot="github-actions[bot]").whoami() == "github-actions[bot]"
    assert len(api.calls) == 0


def test_whoami_forbidden_advises_naming_the_actions_bot(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.get(f"{API}/user", status=403, json=error("Resource not accessible by integration"))

    with pytest.raises(ForgeError) as caught:
        forge.whoami()

    assert str(caught.value) == (
        "GitHub answered 403 to GET /user: this token cannot read its own user "
        "(GITHUB_TOKEN in Actions cannot); set forge.bot: github-actions[bot] in program.yml"
    )
    assert (caught.value.status, caught.value.transient) == (403, False)
    assert len(api.calls) == 1


# ---------------------------------------------------------------- list_issues


def test_list_issues_sends_state_labels_and_since_as_github_filters(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.get(
        ISSUES,
        json=[],
        match=[
            query(
                state="open",
                labels="mentorship,mentorship::active",
                since="2024-03-01T12:00:00Z",
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
        f"{ISSUES}?labels=mentorship%2Cmentorship%3A%3Aactive&per_page=100"
        "&since=2024-03-01T12%3A00%3A00Z&state=open"
    )


@pytest.mark.parametrize(
    ("state", "sent"),
    [(None, "all"), (IssueState.OPEN, "open"), (IssueState.CLOSED, "closed")],
)
def test_list_issues_names_the_state_in_github_words(
    api: responses.RequestsMock, forge: GitHubForge, state: IssueState | None, sent: str
) -> None:
    api.get(ISSUES, json=[], match=[query(state=sent, per_page="100")])

    assert forge.list_issues(state=state) == []
    assert len(api.calls) == 1


def test_listed_issue_is_normalised_from_the_list_response_alone(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.get(ISSUES, json=[sample("issue")])

    assert forge.list_issues() == [
        Issue(
            number=1347,
            title="Found a bug",
            body="I'm having a problem with this.",
            state=IssueState.OPEN,
            author="octocat",
            labels=("bug",),
            assignees=("octocat",),
            created_at=at("2011-04-22T13:33:48"),
            updated_at=at("2011-04-22T13:33:48"),
            url="https://github.com/octocat/Hello-World/issues/1347",
            closed_at=None,
            confidential=False,
            close_reason=CloseReason.COMPLETED,
            tasks=None,
        )
    ]
    assert len(api.calls) == 1


@pytest.mark.parametrize(
    ("state_reason", "close_reason"),
    [
        ("completed", CloseReason.COMPLETED),
        ("not_planned", CloseReason.NOT_PLANNED),
        ("duplicate", None),
        ("reopened", None),
        (None, None),
    ],
)
def test_state_reason_becomes_the_close_reason(
    api: responses.RequestsMock,
    forge: GitHubForge,
    state_reason: str | None,
    close_reason: CloseReason | None,
) -> None:
    closed = numbered(
        7,
        state="closed",
        closed_at="2024-03-01T12:00:00Z",
        state_reason=state_reason,
        body=None,
        labels=[],
        assignees=[],
    )
    api.get(ISSUES, json=[closed])

    [issue] = forge.list_issues()

    assert issue.state is IssueState.CLOSED
    assert issue.closed_at == at("2024-03-01T12:00:00")
    assert issue.close_reason is close_reason
    assert (issue.body, issue.labels, issue.assignees) == ("", (), ())


def test_pull_requests_in_the_issue_list_are_dropped_without_further_requests(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.get(ISSUES, json=[numbered(1), pull_request(2), numbered(3), pull_request(4)])

    assert [issue.number for issue in forge.list_issues()] == [1, 3]
    assert len(api.calls) == 1


def test_listing_250_issues_follows_link_headers_in_3_requests(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    issues = [numbered(n) for n in range(1, 251)]
    pages = [issues[0:100], issues[100:200], issues[200:250]]
    # GitHub's next links name the repository by id, without a port.
    linked = "https://github.example.com/api/v3/repositories/1296269/issues"
    for page, items in enumerate(pages, start=1):
        headers = {}
        if page < len(pages):
            headers["Link"] = (
                f'<{linked}?state=all&per_page=100&page={page + 1}>; rel="next", '
                f'<{linked}?state=all&per_page=100&page=3>; rel="last"'
            )
        if page == 1:
            api.get(ISSUES, json=items, headers=headers, match=[query(state="all", per_page="100")])
        else:
            api.get(
                f"{API}/repositories/1296269/issues",
                json=items,
                headers=headers,
                match=[query(state="all", per_page="100", page=str(page))],
            )

    listed = forge.list_issues()

    assert [issue.number for issue in listed] == list(range(1, 251))
    assert len(api.calls) == 3  # and no GET per listed issue


# ---------------------------------------------------------------- find_titled


def test_find_titled_searches_the_repository_by_title_and_an_apps_author(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    found = {**numbered(3, title="Mentorship bot ledger: the program"), "score": 1.0}
    answer = {"total_count": 1, "incomplete_results": False, "items": [found]}
    q = 'repo:acme/mentoring is:issue in:title "Mentorship bot ledger" author:app/mentor'
    api.get(f"{API}/search/issues", json=answer, match=[query(q=q, per_page="100")])

    titled = forge.find_titled("Mentorship bot ledger", "mentor[bot]")

    assert [(i.number, i.title) for i in titled] == [(3, "Mentorship bot ledger: the program")]
    assert len(api.calls) == 1


# ---------------------------------------------------------------- list_created

CREATED = {"state": "all", "creator": "mentorship-bot", "sort": "created", "direction": "desc"}
SINCE = at("2026-12-01T00:00:00")


def opened(number: int, created: str, **changes: Any) -> dict[str, Any]:
    return numbered(number, created_at=created, updated_at=created, **changes)


def test_list_created_asks_for_the_authors_issues_newest_first_in_one_request(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.get(
        ISSUES,
        json=[opened(9, "2026-12-02T23:00:00Z"), opened(8, "2026-12-01T00:00:00Z")],
        match=[query(**CREATED, per_page="100")],
    )

    listed = forge.list_created(author="mentorship-bot", since=SINCE)

    assert [issue.number for issue in listed] == [9, 8]  # opened at `since`: kept
    assert len(api.calls) == 1
    assert api.calls[0].request.url == (
        f"{ISSUES}?creator=mentorship-bot&direction=desc&per_page=100&sort=created&state=all"
    )


def test_list_created_stops_after_the_page_holding_the_first_older_issue(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    # Newest first: 150 opened since, then older ones. The second page holds the first
    # older issue, so the third is never asked for (an unregistered URL would fail).
    times = [f"2026-12-02T{n // 60:02d}:{n % 60:02d}:00Z" for n in range(150)][::-1]
    times += ["2026-11-30T12:00:00Z"] * 150
    issues = [opened(300 - n, created) for n, created in enumerate(times)]
    linked = "https://github.example.com/api/v3/repositories/1296269/issues"
    for page in (1, 2):
        link = f'<{linked}?page={page + 1}>; rel="next", <{linked}?page=3>; rel="last"'
        items = issues[(page - 1) * 100 : page * 100]
        if page == 1:
            match = query(**CREATED, per_page="100")
            api.get(ISSUES, json=items, headers={"Link": link}, match=[match])
        else:
            url = f"{API}/repositories/1296269/issues"
            api.get(url, json=items, headers={"Link": link}, match=[query(page="2")])

    listed = forge.list_created(author="mentorship-bot", since=SINCE)

    assert [issue.number for issue in listed] == list(range(300, 150, -1))
    assert len(api.calls) == 2


def test_list_created_leaves_out_pull_requests(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    newer = {**pull_request(5), "created_at": "2026-12-02T10:00:00Z"}
    older = {**pull_request(2), "created_at": "2026-11-02T10:00:00Z"}
    api.get(
        ISSUES,
        json=[newer, opened(4, "2026-12-02T09:00:00Z"), older, opened(1, "2026-11-01T00:00:00Z")],
    )

    listed = forge.list_created(author="mentorship-bot", since=SINCE)

    assert [issue.number for issue in listed] == [4]
    assert len(api.calls) == 1


def test_list_created_first_with_the_bot_named_keeps_the_forges_clock(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    forge = build(sleeps, bot="github-actions[bot]")
    date = {"Date": "Wed, 02 Dec 2026 02:17:05 GMT"}
    api.get(
        ISSUES,
        json=[opened(2, "2026-12-02T00:00:00Z"), opened(1, "2026-01-01T00:00:00Z")],
        headers=date,
    )

    forge.list_created(author="github-actions[bot]", since=SINCE)

    assert forge.server_time() == datetime(2026, 12, 2, 2, 17, 5, tzinfo=UTC)


# ---------------------------------------------------------------- list_comments


def test_list_comments_reads_the_whole_repository_in_one_paged_call(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.get(f"{ISSUES}/comments", json=[sample("issue_comment")], match=[query(per_page="100")])

    assert forge.list_comments() == [
        Comment(
            id=1,
            issue_number=1347,
            body="Me too",
            author="octocat",
            created_at=at("2011-04-14T16:00:49"),
            updated_at=at("2011-04-14T16:00:49"),
        )
    ]
    assert len(api.calls) == 1


def test_list_comments_since_keeps_only_comments_created_since(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    comment = sample("issue_comment")

    def written(comment_id: int, created: str) -> dict[str, Any]:
        return {
            **comment,
            "id": comment_id,
            "created_at": created,
            "updated_at": "2024-03-05T00:00:00Z",
        }

    api.get(
        f"{ISSUES}/comments",
        json=[
            written(1, "2024-02-20T08:00:00Z"),  # edited since, written before: not news
            written(2, "2024-03-01T12:00:00Z"),
            written(3, "2024-03-02T08:00:00Z"),
        ],
        match=[query(since="2024-03-01T12:00:00Z", per_page="100")],
    )

    since = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert [c.id for c in forge.list_comments(since=since)] == [2, 3]
    assert len(api.calls) == 1


def test_list_issue_comments_follows_link_headers(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    comments = [{**sample("issue_comment"), "id": n} for n in range(1, 121)]
    linked = "https://github.example.com/api/v3/repositories/1296269/issues/1347/comments"
    api.get(
        f"{ISSUES}/1347/comments",
        json=comments[:100],
        headers={"Link": f'<{linked}?per_page=100&page=2>; rel="next"'},
        match=[query(per_page="100")],
    )
    api.get(
        f"{API}/repositories/1296269/issues/1347/comments",
        json=comments[100:],
        match=[query(per_page="100", page="2")],
    )

    listed = forge.list_issue_comments(1347)

    assert [c.id for c in listed] == list(range(1, 121))
    assert {c.issue_number for c in listed} == {1347}
    assert len(api.calls) == 2


# ---------------------------------------------------------------- create_issue


def test_create_issue_posts_title_body_labels_and_assignees_once(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.post(
        ISSUES,
        status=201,
        json=sample("issue"),
        match=[
            body(
                {
                    "title": "Mentorship: alice and bob",
                    "body": "Welcome\r\n- [ ] meet",
                    "labels": ["mentorship", "mentorship::active"],
                    "assignees": ["alice", "bob"],
                }
            )
        ],
    )

    created = forge.create_issue(
        Draft(
            title="Mentorship: alice and bob",
            body="Welcome\r\n- [ ] meet",
            labels=("mentorship", "mentorship::active"),
            assignees=("alice", "bob"),
            confidential=True,  # GitHub has no confidential issues: not sent
        )
    )

    assert created.number == 1347
    assert len(api.calls) == 1


def test_create_issue_without_labels_or_assignees_sends_empty_lists(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.post(
        ISSUES,
        status=201,
        json=sample("issue"),
        match=[body({"title": "Check-in", "body": "", "labels": [], "assignees": []})],
    )

    forge.create_issue(Draft(title="Check-in", body=""))

    assert len(api.calls) == 1


def test_create_issue_ends_the_title_with_the_due_date_github_issues_lack(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    # GitHub's issue object has no due date (api.github.com OpenAPI, issues/create): the
    # title carries it, and nothing else of the request changes.
    api.post(
        ISSUES,
        status=201,
        json=sample("issue"),
        match=[
            body(
                {
                    "title": "Check-in 3 · due 2026-03-01",
                    "body": "",
                    "labels": [],
                    "assignees": [],
                }
            )
        ],
    )

    forge.create_issue(Draft(title="Check-in 3", body="", due=date(2026, 3, 1)))

    assert len(api.calls) == 1


# ---------------------------------------------------------------- writes


def test_edit_issue_body_patches_only_the_body(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.patch(f"{ISSUES}/1347", json=sample("issue"), match=[body({"body": "new\r\nbody"})])

    forge.edit_issue_body(1347, "new\r\nbody")

    assert len(api.calls) == 1


def test_comment_posts_and_returns_the_comment(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.post(
        f"{ISSUES}/1347/comments",
        status=201,
        json=sample("issue_comment"),
        match=[body({"body": "Me too"})],
    )

    assert forge.comment(1347, "Me too") == Comment(
        id=1,
        issue_number=1347,
        body="Me too",
        author="octocat",
        created_at=at("2011-04-14T16:00:49"),
        updated_at=at("2011-04-14T16:00:49"),
    )
    assert len(api.calls) == 1


def test_edit_comment_patches_without_fetching_the_comment_first(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.patch(
        f"{ISSUES}/comments/1", json=sample("issue_comment"), match=[body({"body": "edited"})]
    )

    forge.edit_comment(1347, 1, "edited")

    assert len(api.calls) == 1


def test_add_labels_is_one_post_of_the_names(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.post(
        f"{ISSUES}/1347/labels",
        json=[],
        match=[body(["mentorship::active", "mentorship::ending-soon"])],
    )

    forge.add_labels(1347, ["mentorship::active", "mentorship::ending-soon"])

    assert len(api.calls) == 1


def test_remove_labels_deletes_each_label_by_its_escaped_name(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.delete(f"{ISSUES}/1347/labels/mentorship%3A%3Aactive", json=[])
    api.delete(f"{ISSUES}/1347/labels/needs%20review", json=[])

    forge.remove_labels(1347, ["mentorship::active", "needs review"])

    assert [call.request.url for call in api.calls] == [
        f"{ISSUES}/1347/labels/mentorship%3A%3Aactive",
        f"{ISSUES}/1347/labels/needs%20review",
    ]


def test_relabel_posts_the_additions_then_deletes_each_removal(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.post(f"{ISSUES}/1347/labels", json=[], match=[body(["mentorship::ending-soon"])])
    api.delete(f"{ISSUES}/1347/labels/mentorship%3A%3Aactive", json=[])

    forge.relabel(1347, ["mentorship::ending-soon"], ["mentorship::active"])

    assert [(call.request.method, call.request.url) for call in api.calls] == [
        ("POST", f"{ISSUES}/1347/labels"),
        ("DELETE", f"{ISSUES}/1347/labels/mentorship%3A%3Aactive"),
    ]


def test_remove_labels_ignores_a_label_the_issue_does_not_carry(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.delete(f"{ISSUES}/1347/labels/gone", status=404, json=error("Label does not exist"))
    api.delete(f"{ISSUES}/1347/labels/kept", json=[])

    forge.remove_labels(1347, ["gone", "kept"])

    assert len(api.calls) == 2


def test_remove_labels_from_a_missing_issue_fails(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.delete(f"{ISSUES}/9999/labels/gone", status=404, json=error("Not Found"))
    api.get(META, json=META_BODY)

    with pytest.raises(ForgeError) as caught:
        forge.remove_labels(9999, ["gone", "never-tried"])

    assert str(caught.value) == (
        "GitHub answered 404 to DELETE /repos/acme/mentoring/issues/9999/labels/gone: "
        "not found (Not Found); check forge.project ('acme/mentoring') in program.yml; "
        "GitHub answers 404 for private repositories the token cannot see"
    )
    assert [call.request.url for call in api.calls] == [
        f"{ISSUES}/9999/labels/gone",
        META,  # asked once, to tell a wrong forge.url from a wrong project
    ]


def test_no_labels_to_add_or_remove_sends_nothing(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    forge.add_labels(1347, [])
    forge.remove_labels(1347, [])

    assert len(api.calls) == 0


@pytest.mark.parametrize("reason", list(CloseReason))
def test_close_patches_state_and_reason(
    api: responses.RequestsMock, forge: GitHubForge, reason: CloseReason
) -> None:
    api.patch(
        f"{ISSUES}/1347",
        json=numbered(1347, state="closed", state_reason=reason.value),
        match=[body({"state": "closed", "state_reason": reason.value})],
    )

    forge.close(1347, reason)

    assert len(api.calls) == 1


# ---------------------------------------------------------------- body limit

TOO_LONG = "x" * (BODY_LIMIT + 1)


@pytest.mark.parametrize(
    ("request_text", "operation"),
    [
        ("POST /repos/acme/mentoring/issues", lambda f: f.create_issue(Draft("t", TOO_LONG))),
        ("PATCH /repos/acme/mentoring/issues/1", lambda f: f.edit_issue_body(1, TOO_LONG)),
        ("POST /repos/acme/mentoring/issues/1/comments", lambda f: f.comment(1, TOO_LONG)),
        ("PATCH /repos/acme/mentoring/issues/comments/2", lambda f: f.edit_comment(1, 2, TOO_LONG)),
    ],
    ids=["create_issue", "edit_issue_body", "comment", "edit_comment"],
)
def test_text_over_65536_characters_is_refused_before_any_request(
    api: responses.RequestsMock,
    forge: GitHubForge,
    request_text: str,
    operation: Callable[[GitHubForge], object],
) -> None:
    with pytest.raises(ForgeError) as caught:
        operation(forge)

    assert str(caught.value) == (
        f"{request_text} failed: the text is 65537 characters, "
        "over GitHub's limit of 65536; shorten it"
    )
    assert (caught.value.status, caught.value.transient) == (None, False)
    assert len(api.calls) == 0


def test_text_of_exactly_65536_characters_is_sent(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    longest = "x" * BODY_LIMIT
    api.post(f"{ISSUES}/1/comments", status=201, json=sample("issue_comment"))

    forge.comment(1, longest)

    assert len(api.calls) == 1


# ---------------------------------------------------------------- errors

FIX_5XX = "after retries; usually passing, run again later"


@pytest.mark.parametrize(
    ("status", "payload", "fix", "transient", "requests_sent"),
    [
        (
            401,
            error("Bad credentials"),
            "bad credentials; set $GITHUB_TOKEN to a valid token",
            False,
            1,
        ),
        (
            403,
            error("Resource not accessible by personal access token"),
            "the token in $GITHUB_TOKEN lacks permission (Resource not accessible by personal "
            "access token); it needs Issues: read and write "
            "(in Actions: permissions: issues: write)",
            False,
            1,
        ),
        (
            404,
            error("Not Found"),
            "not found (Not Found); check forge.project ('acme/mentoring') in program.yml; "
            "GitHub answers 404 for private repositories the token cannot see",
            False,
            2,  # and GET /meta, which answers
        ),
        (
            410,
            error("Issues are disabled for this repo"),
            "issues are disabled on acme/mentoring; enable Issues in the repository settings",
            False,
            1,
        ),
        (
            422,
            error(
                "Validation Failed",
                errors=[{"resource": "Issue", "code": "invalid", "field": "since"}],
            ),
            "GitHub rejected it: Validation Failed: "
            "[{'resource': 'Issue', 'code': 'invalid', 'field': 'since'}]",
            False,
            1,
        ),
        (
            429,
            error("Too many requests"),
            RATE_LIMITED,
            True,
            RETRIES + 1,
        ),
        (500, error("Server Error"), f"GitHub failed (Server Error) {FIX_5XX}", True, RETRIES + 1),
        (502, error("Bad Gateway"), f"GitHub failed (Bad Gateway) {FIX_5XX}", True, RETRIES + 1),
        (
            503,
            error("Service Unavailable"),
            f"GitHub failed (Service Unavailable) {FIX_5XX}",
            True,
            RETRIES + 1,
        ),
    ],
)
def test_error_status_becomes_a_forge_error_naming_request_and_fix(
    api: responses.RequestsMock,
    forge: GitHubForge,
    status: int,
    payload: dict[str, Any],
    fix: str,
    transient: bool,
    requests_sent: int,
) -> None:
    api.get(ISSUES, status=status, json=payload)
    if status == 404:
        api.get(META, json=META_BODY)

    with pytest.raises(ForgeError) as caught:
        forge.list_issues()

    error_ = caught.value
    assert str(error_) == f"GitHub answered {status} to GET /repos/acme/mentoring/issues: {fix}"
    assert (error_.status, error_.transient) == (status, transient)
    assert error_.request == "GET /repos/acme/mentoring/issues"
    assert len(api.calls) == requests_sent


def test_connection_error_becomes_a_transient_forge_error(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.get(ISSUES, body=requests.ConnectionError("Connection refused"))

    with pytest.raises(ForgeError) as caught:
        forge.list_issues()

    assert str(caught.value) == (
        "GET /repos/acme/mentoring/issues failed: could not reach "
        "https://github.example.com/api/v3 (connection refused); check forge.url in "
        "program.yml, the network, and the proxy (HTTPS_PROXY, NO_PROXY) if this network needs "
        "one, then run again"
    )
    assert (caught.value.status, caught.value.transient) == (None, True)


def test_server_error_on_a_post_is_not_repeated(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.post(f"{ISSUES}/1347/comments", status=502, json=error("Bad Gateway"))

    with pytest.raises(ForgeError) as caught:
        forge.comment(1347, "Hello")

    assert (caught.value.status, caught.value.transient) == (502, True)
    assert len(api.calls) == 1


@pytest.mark.parametrize(
    ("method", "url", "request_text", "operation"),
    [
        (
            "GET",
            f"{ISSUES}/comments",
            "GET /repos/acme/mentoring/issues/comments",
            lambda f: f.list_comments(),
        ),
        (
            "GET",
            f"{ISSUES}/1/comments",
            "GET /repos/acme/mentoring/issues/1/comments",
            lambda f: f.list_issue_comments(1),
        ),
        (
            "POST",
            ISSUES,
            "POST /repos/acme/mentoring/issues",
            lambda f: f.create_issue(Draft("t", "b")),
        ),
        (
            "PATCH",
            f"{ISSUES}/1",
            "PATCH /repos/acme/mentoring/issues/1",
            lambda f: f.edit_issue_body(1, "b"),
        ),
        (
            "POST",
            f"{ISSUES}/1/comments",
            "POST /repos/acme/mentoring/issues/1/comments",
            lambda f: f.comment(1, "b"),
        ),
        (
            "PATCH",
            f"{ISSUES}/comments/2",
            "PATCH /repos/acme/mentoring/issues/comments/2",
            lambda f: f.edit_comment(1, 2, "b"),
        ),
        (
            "POST",
            f"{ISSUES}/1/labels",
            "POST /repos/acme/mentoring/issues/1/labels",
            lambda f: f.add_labels(1, ["a"]),
        ),
        (
            "DELETE",
            f"{ISSUES}/1/labels/a",
            "DELETE /repos/acme/mentoring/issues/1/labels/a",
            lambda f: f.remove_labels(1, ["a"]),
        ),
        (
            "PATCH",
            f"{ISSUES}/1",
            "PATCH /repos/acme/mentoring/issues/1",
            lambda f: f.close(1, CloseReason.NOT_PLANNED),
        ),
    ],
    ids=[
        "list_comments",
        "list_issue_comments",
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
    forge: GitHubForge,
    method: str,
    url: str,
    request_text: str,
    operation: Callable[[GitHubForge], object],
) -> None:
    api.add(method, url, status=401, json=error("Bad credentials"))

    with pytest.raises(ForgeError) as caught:
        operation(forge)

    assert str(caught.value) == (
        f"GitHub answered 401 to {request_text}: "
        "bad credentials; set $GITHUB_TOKEN to a valid token"
    )
    assert caught.value.request == request_text
    assert len(api.calls) == 1


# ---------------------------------------------------------------- what a real forge adds


def test_a_404_where_no_github_api_answers_blames_forge_url_and_asks_once(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.get(ISSUES, status=404, body="<html>Not Found</html>", content_type="text/html")
    api.get(META, status=404, body="<html>Not Found</html>", content_type="text/html")

    for _ in range(2):
        with pytest.raises(ForgeError) as caught:
            forge.list_issues()

    assert str(caught.value) == (
        "GitHub answered 404 to GET /repos/acme/mentoring/issues: not found, and "
        "https://github.example.com/api/v3 does not answer like GitHub's API (GET /meta did "
        "not answer); set forge.url to https://api.github.com or, for GitHub Enterprise "
        "Server, https://HOST/api/v3"
    )
    assert [call.request.url.split("?")[0] for call in api.calls] == [ISSUES, META, ISSUES]


def test_a_404_naming_what_is_missing_sends_no_probe(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.delete(f"{ISSUES}/1347/labels/gone", status=404, json=error("Label does not exist"))

    forge.remove_labels(1347, ["gone"])

    assert len(api.calls) == 1


def test_an_unknown_assignee_names_the_program_yml_line(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    invalid = {"value": "ghost", "resource": "Issue", "field": "assignees", "code": "invalid"}
    api.post(ISSUES, status=422, json=error("Validation Failed", errors=[invalid]))
    policy = RetryPolicy(retries=RETRIES, sleep=sleeps.append, clock=lambda: NOW)
    client = github_client(URL, TOKEN, policy, timeout=5, pace=False)
    forge = GitHubForge(
        client, "acme/mentoring", handles={"ghost": "program.yml:14: people[3].handle"}
    )

    with pytest.raises(UnknownHandle) as caught:
        forge.create_issue(Draft("t", "b", assignees=("alice", "ghost")))

    assert str(caught.value) == (
        "program.yml:14: people[3].handle: no user 'ghost' who can be assigned in "
        "acme/mentoring (GitHub answered 422 to POST /repos/acme/mentoring/issues: assignees "
        "'ghost' invalid); fix the handle in program.yml, or give ghost a role in acme/mentoring"
    )
    assert (caught.value.login, caught.value.status) == ("ghost", 422)


def test_a_403_quotes_the_permission_github_wanted(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.post(
        ISSUES,
        status=403,
        json=error("Resource not accessible by integration"),
        headers={"X-Accepted-GitHub-Permissions": "issues=write"},
    )

    with pytest.raises(ForgeError) as caught:
        forge.create_issue(Draft("t", "b"))

    assert str(caught.value) == (
        "GitHub answered 403 to POST /repos/acme/mentoring/issues: the token in $GITHUB_TOKEN "
        "lacks permission (Resource not accessible by integration; GitHub wants issues=write); "
        "it needs Issues: read and write (in Actions: permissions: issues: write)"
    )


SECONDARY = error(
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


def test_a_silent_secondary_limit_is_waited_out_a_minute_then_longer(
    api: responses.RequestsMock, forge: GitHubForge, sleeps: list[float]
) -> None:
    api.post(ISSUES, status=403, json=SECONDARY)
    api.post(ISSUES, status=403, json=SECONDARY)
    api.post(ISSUES, status=201, json=sample("issue"))

    created = forge.create_issue(Draft("t", "b"))

    assert created.number == 1347
    assert sleeps == [60.0, 120.0]
    assert [call.request.method for call in api.calls] == ["POST"] * 3


def test_a_secondary_limit_past_the_runs_budget_is_rate_limited(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    api.post(ISSUES, status=403, json=SECONDARY)
    policy = RetryPolicy(
        retries=RETRIES, sleep=sleeps.append, clock=lambda: NOW, budget=WaitBudget(100)
    )
    forge = GitHubForge(
        github_client(URL, TOKEN, policy, timeout=5, pace=False), "acme/mentoring", policy=policy
    )

    with pytest.raises(RateLimited) as caught:
        forge.create_issue(Draft("t", "b"))

    assert sleeps == [60.0]  # the next wait, 120 s, is more than the 40 s left
    assert len(api.calls) == 2
    assert str(caught.value) == (
        "GitHub answered 403 to POST /repos/acme/mentoring/issues: rate limited, and retries ran "
        "out, or the wait asked for is over forge.max_retry_wait_seconds, or the run has spent "
        "its forge.rate_limit_budget_seconds (100) waiting; stop writing now: the next run does "
        "the rest"
    )
    assert (caught.value.status, caught.value.transient) == (403, True)


def test_writes_are_paced_one_a_second_on_github_and_not_on_the_sandbox() -> None:
    paced = github_client(URL, TOKEN, RetryPolicy(), timeout=5, pace=True).requester.kwargs
    unpaced = github_client(URL, TOKEN, RetryPolicy(), timeout=5, pace=False).requester.kwargs

    # The client pauses between requests; the second between writes is the run's Pacer's,
    # so that its time budget counts it.
    assert (paced["seconds_between_requests"], paced["seconds_between_writes"]) == (0.25, 0)
    assert (unpaced["seconds_between_requests"], unpaced["seconds_between_writes"]) == (0, 0)
    github = ForgeSettings.model_validate({"kind": "github", "project": "acme/mentoring"})
    sandbox = ForgeSettings.model_validate({"kind": "sandbox", "project": "acme/mentoring"})
    assert (pacer_for(github).limits.gap, pacer_for(sandbox).limits.gap) == (1.0, 0.0)


# ---------------------------------------------------------------- the roster change

CONTENTS = f"{REPO}/contents/program.yml"
PULLS = f"{REPO}/pulls"
BRANCH = "mentorship/proposals"
PROGRAM = "people: []\npairings: []\n"  # what samples/github/content_file.json holds
BLOB = "3d21ec53a331a6f037a91c368710b99387d012c1"  # its sha
NO_REF = error(f"No commit found for the ref {BRANCH}")


def open_pull(**changes: Any) -> dict[str, Any]:
    """The documented pull request, open (the example is open yet carries `merged_at`)."""
    return {**sample("pulls")[0], "merged_at": None, **changes}


def content(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_default_branch_is_read_from_the_repository_once(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.get(REPO, json={"full_name": "acme/mentoring", "default_branch": "trunk"})

    assert forge.default_branch() == "trunk"
    assert forge.default_branch() == "trunk"
    assert len(api.calls) == 1


def test_read_file_reads_the_default_branch_without_a_ref(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.get(CONTENTS, json=sample("content_file"), match=[query()])

    assert forge.read_file("program.yml") == FileAt(path="README.md", text=PROGRAM, blob=BLOB)
    assert len(api.calls) == 1


@pytest.mark.parametrize("answer", [error("Not Found"), NO_REF], ids=["no file", "no ref"])
def test_read_file_is_none_for_a_missing_file_or_ref(
    api: responses.RequestsMock, forge: GitHubForge, answer: dict[str, Any]
) -> None:
    api.get(CONTENTS, status=404, json=answer, match=[query(ref=BRANCH)])

    assert forge.read_file("program.yml", BRANCH) is None
    assert len(api.calls) == 1


def put_body(text: str, **fields: str) -> Any:
    return body({"message": "Propose", "content": content(text), "branch": BRANCH, **fields})


HEAD = sample("git_ref")["object"]["sha"]  # the base's head in samples/github/git_ref.json
REF = f"{REPO}/git/refs/heads/{BRANCH}"


def base_head(api: responses.RequestsMock) -> None:
    api.get(f"{REPO}/git/ref/heads/main", json=sample("git_ref"))


def test_put_branch_file_forces_the_branch_to_the_base_then_replaces_the_blob(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    # whatever was pushed to the branch, it is first set to the base's head
    base_head(api)
    api.patch(REF, json=sample("git_ref"), match=[body({"sha": HEAD, "force": True})])
    api.get(CONTENTS, json=sample("content_file"), match=[query(ref=HEAD)])
    api.put(CONTENTS, json=sample("file_commit"), match=[put_body("x\n", sha=BLOB)])

    made = forge.put_branch_file(BRANCH, "program.yml", "x\n", "Propose", base="main")

    assert made == "7638417db6d59f3c431d3e1f261cc637155684cd"
    assert len(api.calls) == 4


def test_put_branch_file_writes_the_same_text_again_on_the_base(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    # the branch may hold the text and a commit of someone else's besides: written again
    base_head(api)
    api.patch(REF, json=sample("git_ref"), match=[body({"sha": HEAD, "force": True})])
    api.get(CONTENTS, json=sample("content_file"), match=[query(ref=HEAD)])
    api.put(CONTENTS, json=sample("file_commit"), match=[put_body(PROGRAM, sha=BLOB)])

    assert forge.put_branch_file(BRANCH, "program.yml", PROGRAM, "Propose", base="main")
    assert len(api.calls) == 4


def test_put_branch_file_makes_a_new_branch_at_the_base_then_writes(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    base_head(api)
    # https://docs.github.com/rest/git/refs#update-a-reference: no such ref is a 422
    api.patch(REF, status=422, json=error("Reference does not exist"))
    api.post(
        f"{REPO}/git/refs",
        status=201,
        json=sample("git_ref"),
        match=[body({"ref": f"refs/heads/{BRANCH}", "sha": HEAD})],
    )
    api.get(CONTENTS, json=sample("content_file"), match=[query(ref=HEAD)])
    api.put(CONTENTS, json=sample("file_commit"), match=[put_body("x\n", sha=BLOB)])

    forge.put_branch_file(BRANCH, "program.yml", "x\n", "Propose", base="main")

    assert len(api.calls) == 5


def test_put_branch_file_creates_a_file_the_base_lacks(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    base_head(api)
    api.patch(REF, json=sample("git_ref"))
    api.get(CONTENTS, status=404, json=error("Not Found"), match=[query(ref=HEAD)])
    api.put(CONTENTS, status=201, json=sample("file_commit"), match=[put_body("x\n")])

    forge.put_branch_file(BRANCH, "program.yml", "x\n", "Propose", base="main")

    assert len(api.calls) == 4


def test_put_branch_file_other_refusals_of_the_ref_are_errors(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    base_head(api)
    api.patch(REF, status=422, json=error("Object does not exist"))

    with pytest.raises(ForgeError) as caught:
        forge.put_branch_file(BRANCH, "program.yml", "x\n", "Propose", base="main")

    assert caught.value.status == 422
    assert len(api.calls) == 2


def test_put_branch_file_refused_names_the_permissions_to_give(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    base_head(api)
    api.patch(REF, json=sample("git_ref"))
    api.get(CONTENTS, json=sample("content_file"))
    api.put(
        CONTENTS,
        status=403,
        json=error("Resource not accessible by integration"),
        headers={"X-Accepted-GitHub-Permissions": "contents=write"},
    )

    with pytest.raises(ForgeError) as caught:
        forge.put_branch_file(BRANCH, "program.yml", "x\n", "Propose", base="main")

    assert caught.value.fix == (
        "the token in $GITHUB_TOKEN lacks permission (Resource not accessible by integration; "
        "GitHub wants contents=write); proposing roster changes needs Contents: read and write "
        "and Pull requests: read and write (in Actions: permissions: contents: write, "
        "pull-requests: write)"
    )
    assert len(api.calls) == 4


def test_a_file_changed_since_it_was_read_is_a_409(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    base_head(api)
    api.patch(REF, json=sample("git_ref"))
    api.get(CONTENTS, json=sample("content_file"))
    api.put(CONTENTS, status=409, json=error(f"program.yml does not match {BLOB}"))

    with pytest.raises(ForgeError) as caught:
        forge.put_branch_file(BRANCH, "program.yml", "x\n", "Propose", base="main")

    assert caught.value.status == 409
    assert len(api.calls) == 4


COMPARE = f"{REPO}/compare/main...{BRANCH}"


def compared(behind: int, *files: dict[str, Any]) -> dict[str, Any]:
    """The parts of a `commit-comparison` the adapter reads."""
    return {"status": "ahead" if not behind else "diverged", "behind_by": behind, "files": files}


@pytest.mark.parametrize(
    ("answer", "only"),
    [
        (compared(0, {"filename": "program.yml"}), True),
        (compared(0), True),
        (compared(0, {"filename": "program.yml"}, {"filename": ".github/workflows/x.yml"}), False),
        (compared(0, {"filename": "program.yml", "previous_filename": "x.yml"}), False),
        (compared(1, {"filename": "program.yml"}), False),
    ],
    ids=["program.yml", "nothing", "a file besides", "a file moved onto it", "base moved on"],
)
def test_changes_only_reads_the_comparison_from_the_merge_base(
    api: responses.RequestsMock, forge: GitHubForge, answer: dict[str, Any], only: bool
) -> None:
    api.get(COMPARE, json=answer)

    assert forge.changes_only(BRANCH, "main", "program.yml") is only
    assert len(api.calls) == 1


def test_changes_only_is_false_for_a_missing_branch(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.get(COMPARE, status=404, json=error("Not Found"))

    assert forge.changes_only(BRANCH, "main", "program.yml") is False
    assert len(api.calls) == 1


def test_find_change_request_lists_open_pulls_from_the_branch(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    api.get(
        PULLS,
        json=[open_pull(), open_pull(number=1348)],
        match=[
            query(
                state="open",
                head=f"acme:{BRANCH}",
                sort="created",
                direction="asc",
                per_page="100",
            )
        ],
    )

    found = build(sleeps, bot="octocat").find_change_request(BRANCH)

    assert found == ChangeRequest(
        number=1347,
        title="Amazing new feature",
        body="Please pull these awesome changes in!",
        state=ChangeState.OPEN,
        source="new-topic",
        target="master",
        head="6dcb09b5b57875f334f61aebed695e2e4193db5e",
        author="octocat",
        url="https://github.com/octocat/Hello-World/pull/1347",
    )
    assert len(api.calls) == 1  # nothing read per pull request


def test_find_change_request_passes_over_a_pull_someone_else_opened(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    mine = {**sample("pulls")[0]["user"], "login": "mentorship-bot"}
    api.get(PULLS, json=[open_pull(), open_pull(number=1348, user=mine)])
    forge = build(sleeps, bot="mentorship-bot")

    found = forge.find_change_request(BRANCH)
    everyone = forge.open_change_requests(BRANCH)

    assert found is not None
    assert (found.number, found.author) == (1348, "mentorship-bot")
    assert [(c.number, c.author) for c in everyone] == [(1347, "octocat"), (1348, "mentorship-bot")]
    assert len(api.calls) == 2


def test_find_change_request_is_none_when_only_a_person_opened_one(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    api.get(PULLS, json=[open_pull()])

    assert build(sleeps, bot="mentorship-bot").find_change_request(BRANCH) is None


def test_find_change_request_is_none_without_one(
    api: responses.RequestsMock, sleeps: list[float]
) -> None:
    api.get(PULLS, json=[])

    assert build(sleeps, bot="mentorship-bot").find_change_request(BRANCH) is None


def test_a_pull_with_merged_at_reads_as_merged(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.get(PULLS, json=[open_pull(state="closed", merged_at="2011-01-26T19:01:12Z")])

    (found,) = forge.open_change_requests(BRANCH)

    assert found.state is ChangeState.MERGED


def test_open_change_request_posts_the_pull(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.post(
        PULLS,
        status=201,
        json={**sample("pull"), "merged_at": None},
        match=[
            body({"title": "Roster: 1 pairing", "body": "- alice", "base": "main", "head": BRANCH})
        ],
    )

    opened = forge.open_change_request(BRANCH, "main", "Roster: 1 pairing", "- alice")

    assert (opened.number, opened.state) == (1347, ChangeState.OPEN)
    assert len(api.calls) == 1


def test_a_repository_that_lets_no_workflow_open_pulls_is_named(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    refused = error("GitHub Actions is not permitted to create or approve pull requests.")
    api.post(PULLS, status=403, json=refused)

    with pytest.raises(ForgeError) as caught:
        forge.open_change_request(BRANCH, "main", "Roster", "")

    assert "Allow GitHub Actions to create and approve pull requests" in caught.value.fix
    assert len(api.calls) == 1


def test_a_pull_body_over_the_limit_is_refused_before_any_request(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    with pytest.raises(ForgeError) as caught:
        forge.open_change_request(BRANCH, "main", "Roster", "x" * (BODY_LIMIT + 1))

    assert "over GitHub's limit" in str(caught.value)
    assert len(api.calls) == 0


def test_edit_and_close_change_request_patch_the_pull(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    api.patch(
        f"{PULLS}/7",
        json=sample("pull"),
        match=[body({"title": "Roster: 2 pairings", "body": "- a\n- b"})],
    )
    api.patch(f"{PULLS}/7", json=sample("pull"), match=[body({"state": "closed"})])

    forge.edit_change_request(7, "Roster: 2 pairings", "- a\n- b")
    forge.close_change_request(7)

    assert len(api.calls) == 2


# ---------------------------------------------------------------- box ticks (GraphQL)

GRAPHQL = "https://github.example.com:443/api/graphql"
BOXES = "<!-- mentorship:boxes -->\n- [{}] We met this period\n<!-- /mentorship:boxes -->\n"
REVISION = "nodes { editedAt diff editor { login } }"
EDITS = (
    f"newest: userContentEdits(first: 100) {{ {REVISION} }} "
    f"oldest: userContentEdits(last: 100) {{ {REVISION} }}"
)


def edits(*revisions: tuple[str, str, str | None]) -> dict[str, Any]:
    """An issue's `userContentEdits`, newest first: (editor, editedAt, text), at both ends
    of the history (the same, with 100 revisions or fewer)."""
    nodes = [
        {"editedAt": when, "diff": text, "editor": {"login": who}} for who, when, text in revisions
    ]
    return {"newest": {"nodes": nodes}, "oldest": {"nodes": nodes}}


def aliased(request: Any) -> list[int]:
    """The issue numbers a batched query asks for, by their aliases."""
    query = json.loads(request.body)["query"]
    return [int(alias) for alias in re.findall(r"\bi(\d+): issue\(number: \1\)", query)]


def test_box_ticks_of_asks_for_the_issues_in_one_aliased_query(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    ticked = edits(
        ("dana", "2026-03-05T12:00:00Z", BOXES.format("x")),
        ("mentorship-bot", "2026-03-02T23:00:00Z", BOXES.format(" ")),
    )
    expected = {
        "query": (
            "query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) "
            f"{{ i3: issue(number: 3) {{ {EDITS} }} i5: issue(number: 5) {{ {EDITS} }} }} }}"
        ),
        "variables": {"owner": "acme", "name": "mentoring"},
    }
    api.post(
        GRAPHQL,
        json={"data": {"repository": {"i3": ticked, "i5": edits()}}},
        match=[body(expected), matchers.header_matcher({"Authorization": f"token {TOKEN}"})],
    )

    assert forge.box_ticks_of([3, 5]) == {
        3: [Tick("We met this period", True, "dana", at("2026-03-05T12:00:00"))],
        5: [],
    }
    assert len(api.calls) == 1


def test_authored_descriptions_read_revisions_only_of_issues_someone_else_edited_last(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    rewritten = edits(
        ("mallory", "2026-03-06T09:00:00Z", "### Topics\n\ngolang"),
        ("Dana", "2026-03-05T12:00:00Z", "### Topics\n\nkubernetes, helm"),
        ("dana", "2026-03-05T10:00:00Z", "### Topics\n\nkubernetes"),
    )
    gone = edits(
        ("mallory", "2026-03-06T09:00:00Z", "mine now"), ("erin", "2026-03-05T10:00:00Z", None)
    )
    head = "query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) "
    who = {
        "query": head
        + "{ "
        + " ".join(f"i{n}: issue(number: {n}) {{ editor {{ login }} }}" for n in (3, 5, 7, 9))
        + " } }",
        "variables": {"owner": "acme", "name": "mentoring"},
    }
    last = {
        "i3": {"editor": {"login": "mallory"}},
        "i5": {"editor": None},
        "i7": {"editor": {"login": "mallory"}},
        "i9": {"editor": {"login": "Erin"}},
    }
    api.post(GRAPHQL, json={"data": {"repository": last}}, match=[body(who)])
    revisions = {
        "query": head
        + f"{{ i3: issue(number: 3) {{ {EDITS} }} i7: issue(number: 7) {{ {EDITS} }} }} }}",
        "variables": {"owner": "acme", "name": "mentoring"},
    }
    answer = {"data": {"repository": {"i3": rewritten, "i7": gone}}}
    api.post(GRAPHQL, json=answer, match=[body(revisions)])

    found = forge.authored_descriptions({3: "dana", 5: "erin", 7: "erin", 9: "erin"})

    # 3: dana's newest, in any case of her login; 5: never edited and 9: last edited by its
    # author, they stand (no revisions read); 7: erin's text is gone from the history.
    assert found == {3: "### Topics\n\nkubernetes, helm", 7: ""}
    assert len(api.calls) == 2


def test_revisions_of_an_issue_with_a_gap_in_its_history_are_the_newer_end_alone() -> None:
    def node(n: int, who: str = "bob") -> dict[str, Any]:
        return {
            "editedAt": f"2026-03-{1 + n // 24:02d}T{n % 24:02d}:00:00Z",
            "diff": f"v{n}",
            "editor": {"login": who},
        }

    # 250 revisions, newest first: the two ends of 100 leave 50 unknown between them.
    history = [node(n, "alice" if n == 160 else "bob") for n in range(249, -1, -1)]
    issue = {"newest": {"nodes": history[:100]}, "oldest": {"nodes": history[-100:]}}
    read = revisions_of_edits(issue)
    assert [text for _, _, text in read] == [f"v{n}" for n in range(150, 250)]

    # The author's own text is found at either end: a flood of others' edits leaves the
    # author's first text, not nothing.
    flooded = [node(n, "mallory") for n in range(249, 0, -1)] + [node(0, "dana")]
    issue = {"newest": {"nodes": flooded[:100]}, "oldest": {"nodes": flooded[-100:]}}
    assert authored_of_edits(issue, "dana") == "v0"
    # Edits in one second: the ends are told apart by which was asked for (`first`: newest).
    same = [{**node(0), "diff": f"w{n}"} for n in range(249, -1, -1)]
    issue = {"newest": {"nodes": same[:100]}, "oldest": {"nodes": same[-100:]}}
    assert [text for _, _, text in revisions_of_edits(issue)][-1] == "w249"

    # 150 revisions: the ends overlap, and every revision is read once, oldest first.
    history = history[-150:]
    issue = {"newest": {"nodes": history[:100]}, "oldest": {"nodes": history[-100:]}}
    assert [text for _, _, text in revisions_of_edits(issue)] == [f"v{n}" for n in range(150)]


def test_box_ticks_of_120_issues_sends_three_queries_of_at_most_50(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        found = {f"i{number}": edits() for number in aliased(request)}
        return 200, {}, json.dumps({"data": {"repository": found}})

    api.add_callback(responses.POST, GRAPHQL, callback=answer)
    numbers = list(range(1, 241, 2))  # 120 issues

    found = forge.box_ticks_of(numbers)

    assert [aliased(call.request) for call in api.calls] == [
        numbers[:50],
        numbers[50:100],
        numbers[100:],
    ]
    assert found == {number: [] for number in numbers}


def test_box_ticks_of_asks_for_a_repeated_issue_once_and_for_none_sends_nothing(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    assert forge.box_ticks_of([]) == {}
    api.post(GRAPHQL, json={"data": {"repository": {"i4": edits()}}})
    assert forge.box_ticks_of([4, 4]) == {4: []}
    assert aliased(api.calls[0].request) == [4]


def test_box_ticks_of_an_issue_null_or_missing_in_the_answer_has_none(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    ticked = edits(
        ("alice", "2026-03-05T12:00:00Z", BOXES.format("x")),
        ("mentorship-bot", "2026-03-02T23:00:00Z", BOXES.format(" ")),
    )
    api.post(GRAPHQL, json={"data": {"repository": {"i3": ticked, "i5": None}}})

    found = forge.box_ticks_of([3, 5, 7])

    assert found == {
        3: [Tick("We met this period", True, "alice", at("2026-03-05T12:00:00"))],
        5: [],
        7: [],
    }


def test_box_ticks_of_an_issue_deleted_since_it_was_listed_has_none(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    # A partial answer: the data GitHub could give, and an error for each issue it could not
    # find (PyGithub raises for any `errors`: a single NOT_FOUND as a 404, several as a 400).
    ticked = edits(
        ("alice", "2026-03-05T12:00:00Z", BOXES.format("x")),
        ("mentorship-bot", "2026-03-02T23:00:00Z", BOXES.format(" ")),
    )
    gone = [
        {
            "type": "NOT_FOUND",
            "path": ["repository", f"i{n}"],
            "message": f"Could not resolve to an Issue with the number of {n}.",
        }
        for n in (5, 7)
    ]
    for errors in (gone[:1], gone):
        api.post(
            GRAPHQL,
            json={"data": {"repository": {"i3": ticked, "i5": None, "i7": None}}, "errors": errors},
        )
    tick = Tick("We met this period", True, "alice", at("2026-03-05T12:00:00"))
    assert forge.box_ticks_of([3, 5]) == {3: [tick], 5: []}
    assert forge.box_ticks_of([3, 5, 7]) == {3: [tick], 5: [], 7: []}


def test_box_ticks_of_fails_on_other_errors_in_the_answer(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    missing = {
        "type": "NOT_FOUND",
        "path": ["repository", "i5"],
        "message": "Could not resolve to an Issue with the number of 5.",
    }
    no_repository = {**missing, "path": ["repository"], "message": "Could not resolve"}
    api.post(GRAPHQL, json={"data": {"repository": None}, "errors": [no_repository]})
    with pytest.raises(ForgeError) as not_found:
        forge.box_ticks_of([3, 5])
    assert not_found.value.status == 404
    assert not_found.value.request == "POST graphql (edits of issues 3, 5)"

    other = {"message": "Something went wrong while executing your query."}
    api.post(GRAPHQL, json={"data": None, "errors": [other, missing]})
    with pytest.raises(ForgeError) as failed:
        forge.box_ticks_of([3, 5])
    assert failed.value.status == 400
    assert "Something went wrong while executing your query." in str(failed.value)


# ---------------------------------------------------------------- repository labels

LABEL = {
    "id": 7,
    "name": "mentorship-request",
    "color": "108548",
    "description": "Someone asks for a mentor (the request form)",
    "default": False,
}


def test_create_label_posts_its_name_colour_and_description(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    wanted = {key: LABEL[key] for key in ("name", "color", "description")}
    api.post(f"{REPO}/labels", status=201, json=LABEL, match=[body(wanted)])

    assert forge.create_label("mentorship-request", "108548", str(LABEL["description"])) is True
    assert len(api.calls) == 1


def test_create_label_that_exists_is_no_failure(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    exists = {"resource": "Label", "code": "already_exists", "field": "name"}
    api.post(f"{REPO}/labels", status=422, json=error("Validation Failed", errors=[exists]))

    assert forge.create_label("mentorship-request", "108548", "") is False
    assert len(api.calls) == 1


def test_create_label_with_another_validation_error_fails(
    api: responses.RequestsMock, forge: GitHubForge
) -> None:
    invalid = {"resource": "Label", "code": "invalid", "field": "color"}
    api.post(f"{REPO}/labels", status=422, json=error("Validation Failed", errors=[invalid]))

    with pytest.raises(ForgeError) as raised:
        forge.create_label("mentorship-request", "nope", "")

    assert raised.value.status == 422
    assert not raised.value.transient
    assert raised.value.request == "POST /repos/acme/mentoring/labels"
