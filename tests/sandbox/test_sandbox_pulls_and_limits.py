"""GitHub realities the sandbox models on request: pull requests among the issues, and the
secondary rate limit on content-creating requests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import github
import pytest
import requests
from github.Repository import Repository

from automation.sandbox import RunningSandbox, SandboxError


def test_pull_requests_are_listed_among_the_issues(
    sandbox: RunningSandbox, repo: Repository, path: str
) -> None:
    repo.create_issue("an issue")
    number = sandbox.open_pull_request(path, "alice", "Add the docs")

    listed = {i.number: i.raw_data for i in repo.get_issues(state="all")}
    single = repo.get_issue(number).raw_data

    assert number == 2  # issues and pull requests share one sequence
    assert set(listed) == {1, 2}
    assert "pull_request" not in listed[1]
    assert listed[2]["pull_request"]["html_url"] == listed[2]["html_url"]
    assert listed[2]["html_url"].endswith(f"/{path}/pull/2")
    assert single["pull_request"]["url"].endswith(f"/repos/{path}/pulls/2")
    with pytest.raises(SandboxError, match="not registered"):
        sandbox.open_pull_request(path, "ghost", "x")


@pytest.fixture
def limited(sandbox: RunningSandbox) -> Any:
    yield sandbox
    sandbox.set_secondary_limit(on=False)


def post_issue(sandbox: RunningSandbox, path: str, token: str = "bot") -> requests.Response:
    return requests.post(
        f"{sandbox.url}/api/v3/repos/{path}/issues",
        json={"title": "t"},
        headers={"Authorization": f"token {token}"},
        timeout=5,
    )


def test_the_81st_content_creating_request_in_a_minute_is_refused(
    limited: RunningSandbox, path: str
) -> None:
    assert limited.set_secondary_limit() == {
        "secondary": {"per_minute": 80, "per_hour": 500, "retry_after": None}
    }

    statuses = [post_issue(limited, path).status_code for _ in range(80)]
    refused = post_issue(limited, path)
    other_login = post_issue(limited, path, token="alice")
    limited.advance(timedelta(seconds=61))
    later = post_issue(limited, path)

    assert statuses == [201] * 80
    assert refused.status_code == 403
    assert "Retry-After" not in refused.headers
    assert refused.json()["message"].startswith("You have exceeded a secondary rate limit")
    assert github.Requester.Requester.isSecondaryRateLimitError(refused.json()["message"])
    assert (other_login.status_code, later.status_code) == (201, 201)


def test_the_hourly_limit_and_a_retry_after(limited: RunningSandbox, path: str) -> None:
    limited.set_secondary_limit(per_minute=5, per_hour=6, retry_after=120)

    first = [post_issue(limited, path).status_code for _ in range(5)]
    limited.advance(timedelta(minutes=2))
    sixth = post_issue(limited, path)
    seventh = post_issue(limited, path)
    limited.advance(timedelta(minutes=59))
    after_the_hour = post_issue(limited, path)

    assert first == [201] * 5
    assert sixth.status_code == 201
    assert (seventh.status_code, seventh.headers["Retry-After"]) == (403, "120")
    assert after_the_hour.status_code == 201


def test_reads_and_edits_are_not_limited(
    limited: RunningSandbox, repo: Repository, path: str
) -> None:
    issue = repo.create_issue("t")
    limited.set_secondary_limit(per_minute=1, per_hour=1)

    issue.edit(title="renamed")
    assert [i.title for i in repo.get_issues()] == ["renamed"]
    assert post_issue(limited, path).status_code == 201
    assert post_issue(limited, path).status_code == 403


def test_a_malformed_limit_is_refused(sandbox: RunningSandbox) -> None:
    response = requests.post(
        f"{sandbox.url}/_sandbox/limits", json={"secondary": {"per_minute": 0}}, timeout=5
    )

    assert response.status_code == 400
    current = requests.get(f"{sandbox.url}/_sandbox/limits", timeout=5).json()
    assert current == {"secondary": None}
