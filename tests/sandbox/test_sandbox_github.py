"""The GitHub REST subset, driven through PyGithub (and raw HTTP where headers matter)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

import gitlab
import pytest
import requests
from github import Github, GithubException
from github.Repository import Repository

from automation.sandbox import RunningSandbox

# `required` of GitHub's OpenAPI schemas (components/schemas/issue, issue-comment, label,
# simple-user), so a client validating responses accepts ours.
ISSUE_REQUIRED = {
    "assignee",
    "closed_at",
    "comments",
    "comments_url",
    "events_url",
    "html_url",
    "id",
    "node_id",
    "labels",
    "labels_url",
    "milestone",
    "number",
    "repository_url",
    "state",
    "locked",
    "title",
    "url",
    "user",
    "author_association",
    "created_at",
    "updated_at",
}
COMMENT_REQUIRED = {
    "id",
    "node_id",
    "html_url",
    "issue_url",
    "user",
    "url",
    "created_at",
    "updated_at",
    "author_association",
}
LABEL_REQUIRED = {"id", "node_id", "url", "name", "description", "color", "default"}
USER_REQUIRED = {
    "avatar_url",
    "events_url",
    "followers_url",
    "following_url",
    "gists_url",
    "gravatar_id",
    "html_url",
    "id",
    "node_id",
    "login",
    "organizations_url",
    "received_events_url",
    "repos_url",
    "site_admin",
    "starred_url",
    "subscriptions_url",
    "type",
    "url",
}


def api(sandbox: RunningSandbox, path: str) -> str:
    return f"{sandbox.url}/api/v3{path}"


def raw(
    sandbox: RunningSandbox, method: str, path: str, token: str | None = "bot", **kwargs: Any
) -> requests.Response:
    headers = {} if token is None else {"Authorization": f"token {token}"}
    return requests.request(method, api(sandbox, path), headers=headers, timeout=5, **kwargs)


def test_250_issues_list_in_three_pages_of_100_following_link_headers(
    sandbox: RunningSandbox, repo: Repository
) -> None:
    for n in range(250):
        repo.create_issue(f"issue {n}")
    sandbox.reset_counts()

    numbers = [issue.number for issue in repo.get_issues()]

    assert numbers == list(range(250, 0, -1))
    counts = sandbox.request_counts()
    assert counts["by_route"] == {"GET /api/v3/repos/:owner/:repo/issues": 3}
    assert repo.get_issues().totalCount == 250


def test_link_header_lists_prev_next_last_first_with_absolute_urls(
    sandbox: RunningSandbox, repo: Repository, path: str
) -> None:
    for n in range(70):
        repo.create_issue(f"issue {n}")

    first = raw(sandbox, "GET", f"/repos/{path}/issues")
    middle = raw(sandbox, "GET", f"/repos/{path}/issues", params={"page": 2})
    last = raw(sandbox, "GET", f"/repos/{path}/issues", params={"page": 3})

    assert len(first.json()) == 30  # GitHub's default page size
    assert set(first.links) == {"next", "last"}
    assert first.links["next"]["url"] == api(sandbox, f"/repos/{path}/issues?page=2")
    assert list(middle.links) == ["prev", "next", "last", "first"]
    assert set(last.links) == {"prev", "first"}
    assert len(last.json()) == 10
    assert first.headers["Content-Type"] == "application/json; charset=utf-8"


def test_issue_json_carries_every_required_field(repo: Repository) -> None:
    issue = repo.create_issue("Pairing", body="goals", labels=["mentorship"], assignees=["mentee"])
    comment = issue.create_comment("hello")

    data = issue.raw_data
    assert set(data) >= ISSUE_REQUIRED
    assert set(data["user"]) >= USER_REQUIRED
    assert set(data["labels"][0]) >= LABEL_REQUIRED
    assert set(data["assignees"][0]) >= USER_REQUIRED
    assert set(comment.raw_data) >= COMMENT_REQUIRED
    assert data["state"] == "open"
    assert data["state_reason"] is None
    assert data["created_at"] == "2026-03-02T09:00:00Z"
    assert data["reactions"]["total_count"] == 0
    assert data["html_url"].endswith(f"/{repo.full_name}/issues/{issue.number}")
    assert "pull_request" not in data


def test_state_defaults_to_open(repo: Repository) -> None:
    repo.create_issue("open one")
    repo.create_issue("closed one").edit(state="closed")

    assert [i.title for i in repo.get_issues()] == ["open one"]
    assert [i.title for i in repo.get_issues(state="closed")] == ["closed one"]
    assert [i.title for i in repo.get_issues(state="all")] == ["closed one", "open one"]


def test_labels_filter_requires_every_label_case_insensitively(repo: Repository) -> None:
    repo.create_issue("both", labels=["mentorship", "Active"])
    repo.create_issue("one", labels=["mentorship"])

    both = repo.get_issues(labels=["mentorship", "active"])
    one = repo.get_issues(labels=["MENTORSHIP"])

    assert [i.title for i in both] == ["both"]
    assert [i.title for i in one] == ["one", "both"]


def test_since_keeps_issues_updated_at_or_after_it(
    sandbox: RunningSandbox, repo: Repository
) -> None:
    old = repo.create_issue("old")
    sandbox.advance(timedelta(days=2))
    repo.create_issue("new")
    since = sandbox.now()
    sandbox.advance(timedelta(days=1))
    repo.create_issue("newest")

    recent = [i.title for i in repo.get_issues(since=since)]
    sandbox.advance(timedelta(days=1))
    old.create_comment("bump")  # a comment touches the issue
    bumped = [i.title for i in repo.get_issues(since=since, sort="updated", direction="asc")]

    assert recent == ["newest", "new"]
    assert bumped == ["new", "newest", "old"]


def test_creator_and_assignee_filters(github_as: Any, repo: Repository, path: str) -> None:
    repo.create_issue("assigned", assignees=["gh-mentee"])
    github_as("gh-author").get_repo(path).create_issue("by author")

    def titles(**filters: Any) -> list[str]:
        return [i.title for i in repo.get_issues(**filters)]

    assert titles(creator="gh-author") == ["by author"]
    assert titles(assignee="gh-mentee") == ["assigned"]
    assert titles(assignee="none") == ["by author"]
    assert titles(assignee="*") == ["assigned"]
    assert titles(creator="no-such-login") == []


def test_sort_by_created_ascending(repo: Repository) -> None:
    for title in ("a", "b", "c"):
        repo.create_issue(title)

    assert [i.title for i in repo.get_issues(sort="created", direction="asc")] == ["a", "b", "c"]


def test_adding_labels_returns_every_label_and_creates_unknown_ones(
    sandbox: RunningSandbox, repo: Repository, path: str
) -> None:
    issue = repo.create_issue("t", labels=["a"])

    response = raw(sandbox, "POST", f"/repos/{path}/issues/{issue.number}/labels", json=["b"])
    also = raw(
        sandbox, "POST", f"/repos/{path}/issues/{issue.number}/labels", json={"labels": ["c"]}
    )

    assert response.status_code == 200
    assert [label["name"] for label in response.json()] == ["a", "b"]
    assert [label["name"] for label in also.json()] == ["a", "b", "c"]
    assert {label.name for label in repo.get_labels()} == {"a", "b", "c"}


def test_removing_a_label_returns_the_rest_and_an_absent_one_is_a_404(
    repo: Repository,
) -> None:
    issue = repo.create_issue("t", labels=["keep", "drop"])

    issue.remove_from_labels("drop")
    with pytest.raises(GithubException) as caught:
        issue.remove_from_labels("drop")

    assert [label.name for label in repo.get_issue(issue.number).labels] == ["keep"]
    assert caught.value.status == 404
    assert caught.value.data["message"] == "Label does not exist"


def test_label_names_with_slashes_and_spaces_survive_the_url(
    sandbox: RunningSandbox, repo: Repository, path: str
) -> None:
    issue = repo.create_issue("t", labels=["ending soon", "mentorship/active", "x"])

    issue.remove_from_labels("ending soon")
    name = quote("mentorship/active", safe="")
    response = raw(sandbox, "DELETE", f"/repos/{path}/issues/{issue.number}/labels/{name}")

    assert [label["name"] for label in response.json()] == ["x"]


def test_set_labels_replaces_them(repo: Repository) -> None:
    issue = repo.create_issue("t", labels=["a", "b"])

    issue.set_labels("c")

    assert [label.name for label in repo.get_issue(issue.number).labels] == ["c"]


def test_closing_with_a_reason_and_reopening(
    sandbox: RunningSandbox, github_as: Any, repo: Repository, path: str
) -> None:
    issue = repo.create_issue("t")
    sandbox.advance(timedelta(hours=1))
    as_mentor = github_as("mentor").get_repo(path).get_issue(issue.number)

    as_mentor.edit(state="closed", state_reason="not_planned")
    closed = repo.get_issue(issue.number).raw_data
    (listed,) = raw(sandbox, "GET", f"/repos/{path}/issues", params={"state": "closed"}).json()
    issue.edit(state="open")
    reopened = repo.get_issue(issue.number).raw_data

    assert (closed["state"], closed["state_reason"]) == ("closed", "not_planned")
    assert closed["closed_at"] == "2026-03-02T10:00:00Z"
    assert closed["closed_by"]["login"] == "mentor"
    assert "closed_by" not in listed  # only single-issue responses carry it
    assert (reopened["state"], reopened["state_reason"], reopened["closed_at"]) == (
        "open",
        "reopened",
        None,
    )
    assert reopened["closed_by"] is None


def test_closing_without_a_reason_means_completed(repo: Repository) -> None:
    issue = repo.create_issue("t")

    issue.edit(state="closed")

    assert repo.get_issue(issue.number).state_reason == "completed"


def test_editing_nothing_keeps_updated_at(sandbox: RunningSandbox, repo: Repository) -> None:
    issue = repo.create_issue("t", body="b", labels=["x"])
    sandbox.advance(timedelta(hours=1))

    issue.edit(title="t", body="b", labels=["x"])

    assert repo.get_issue(issue.number).raw_data["updated_at"] == "2026-03-02T09:00:00Z"


def test_issue_comments_list_oldest_first_and_count(
    sandbox: RunningSandbox, repo: Repository
) -> None:
    issue = repo.create_issue("t")
    for n in range(3):
        sandbox.advance(timedelta(minutes=1))
        issue.create_comment(f"comment {n}")

    since = [c.body for c in issue.get_comments(since=sandbox.now() - timedelta(minutes=1))]

    assert [c.body for c in issue.get_comments()] == ["comment 0", "comment 1", "comment 2"]
    assert since == ["comment 1", "comment 2"]
    assert repo.get_issue(issue.number).comments == 3


def test_repository_comments_span_issues_and_point_back_at_them(
    sandbox: RunningSandbox, repo: Repository
) -> None:
    first = repo.create_issue("first")
    second = repo.create_issue("second")
    first.create_comment("early")
    sandbox.advance(timedelta(hours=1))
    cutoff = sandbox.now()
    second.create_comment("late")
    edited = first.create_comment("edited later")
    sandbox.advance(timedelta(hours=1))
    edited.edit("edited later, really")

    everything = [c.body for c in repo.get_issues_comments()]
    recent = list(repo.get_issues_comments(since=cutoff))
    by_update = [c.body for c in repo.get_issues_comments(sort="updated", direction="desc")]

    assert everything == ["early", "late", "edited later, really"]
    assert [c.body for c in recent] == ["late", "edited later, really"]
    assert recent[0].issue_url.endswith(f"/issues/{second.number}")
    assert by_update[0] == "edited later, really"


def test_comment_edit_moves_updated_at_only(sandbox: RunningSandbox, repo: Repository) -> None:
    issue = repo.create_issue("t")
    comment = issue.create_comment("draft")
    sandbox.advance(timedelta(minutes=10))

    comment.edit("final")
    fetched = issue.get_comment(comment.id)

    assert fetched.body == "final"
    assert fetched.raw_data["created_at"] == "2026-03-02T09:00:00Z"
    assert fetched.raw_data["updated_at"] == "2026-03-02T09:10:00Z"


def test_missing_title_is_a_422_missing_field(sandbox: RunningSandbox, path: str) -> None:
    response = raw(sandbox, "POST", f"/repos/{path}/issues", json={"body": "untitled"})

    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "Validation Failed"
    assert body["errors"] == [{"resource": "Issue", "code": "missing_field", "field": "title"}]
    assert body["status"] == "422"


def test_bodies_over_65536_characters_are_refused(repo: Repository) -> None:
    with pytest.raises(GithubException) as on_issue:
        repo.create_issue("t", body="x" * 65_537)
    issue = repo.create_issue("t", body="x" * 65_536)
    with pytest.raises(GithubException) as on_comment:
        issue.create_comment("y" * 65_537)

    for caught in (on_issue, on_comment):
        assert caught.value.status == 422
        assert caught.value.data["errors"][0]["message"] == (
            "body is too long (maximum is 65536 characters)"
        )


def test_unknown_issue_is_a_404_with_github_body(sandbox: RunningSandbox, path: str) -> None:
    response = raw(sandbox, "GET", f"/repos/{path}/issues/404")

    assert response.status_code == 404
    assert response.json() == {
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest",
        "status": "404",
    }


def test_missing_token_is_a_401_requiring_authentication(sandbox: RunningSandbox) -> None:
    response = raw(sandbox, "GET", "/user", token=None)

    assert response.status_code == 401
    assert response.json() == {
        "message": "Requires authentication",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }


def test_token_is_the_login_but_a_bot_cannot_read_user(github_as: Any) -> None:
    assert github_as("alice").get_user().login == "alice"
    with pytest.raises(GithubException) as caught:
        github_as("github-actions[bot]").get_user().login  # noqa: B018

    assert caught.value.status == 403


def test_rate_limit_headers_count_down_per_clock_hour(
    sandbox: RunningSandbox, gh: Github, path: str
) -> None:
    sandbox.advance(timedelta(hours=5))  # a fresh window for this test's login
    first = raw(sandbox, "GET", f"/repos/{path}", token="rate-counter")
    second = raw(sandbox, "GET", f"/repos/{path}", token="rate-counter")
    sandbox.advance(timedelta(hours=1))
    next_hour = raw(sandbox, "GET", f"/repos/{path}", token="rate-counter")

    assert first.headers["X-RateLimit-Limit"] == "5000"
    assert first.headers["X-RateLimit-Resource"] == "core"
    assert (first.headers["X-RateLimit-Remaining"], first.headers["X-RateLimit-Used"]) == (
        "4999",
        "1",
    )
    assert second.headers["X-RateLimit-Remaining"] == "4998"
    assert next_hour.headers["X-RateLimit-Remaining"] == "4999"
    assert int(next_hour.headers["X-RateLimit-Reset"]) > int(first.headers["X-RateLimit-Reset"])


def test_repository_is_private_until_made_public(gh: Github, path: str) -> None:
    repo = gh.get_repo(path)

    assert repo.private is True
    repo.edit(private=False)
    assert gh.get_repo(path).private is False


def test_gitlab_project_and_github_repo_with_one_path_are_separate(
    sandbox: RunningSandbox, repo: Repository, path: str
) -> None:
    repo.create_issue("on github")
    project = gitlab.Gitlab(sandbox.url, private_token="bot").projects.get(path, lazy=True)

    assert project.issues.list(get_all=True) == []
    project.issues.create({"title": "on gitlab"})
    assert [i.title for i in repo.get_issues()] == ["on github"]
