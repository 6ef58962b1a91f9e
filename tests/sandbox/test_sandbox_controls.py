"""The /_sandbox/ controls: clock, request counts, faults, reset, and state across restarts."""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import gitlab
import pytest
import requests
from github import GithubException, RateLimitExceededException
from github.Repository import Repository
from gitlab.v4.objects import Project

from automation.sandbox import RunningSandbox, SandboxError, start

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the clock every `sandbox` fixture starts at


def gitlab_client(url: str, token: str = "bot") -> gitlab.Gitlab:
    return gitlab.Gitlab(url, private_token=token, retry_transient_errors=False)


def test_clock_follows_real_time_until_set(tmp_path: Path) -> None:
    with start() as sandbox:
        before = datetime.now(UTC)
        now = sandbox.now()
        after = datetime.now(UTC)

        assert before - timedelta(seconds=1) <= now <= after + timedelta(seconds=1)
        assert sandbox.set_clock(START) == START
        assert sandbox.now() == START


def test_a_frozen_clock_stamps_every_write(sandbox: RunningSandbox, project: Project) -> None:
    first = project.issues.create({"title": "one"})
    second = project.issues.create({"title": "two"})
    note = first.notes.create({"body": "hi"})

    assert first.created_at == second.created_at == note.created_at
    assert first.created_at == "2026-03-02T09:00:00.000Z"


def test_advancing_the_clock_moves_created_updated_and_closed_times(
    sandbox: RunningSandbox, repo: Repository
) -> None:
    issue = repo.create_issue("t")
    sandbox.advance(timedelta(days=30, hours=1))
    issue.edit(state="closed")

    data = repo.get_issue(issue.number).raw_data

    assert data["created_at"] == "2026-03-02T09:00:00Z"
    assert data["updated_at"] == data["closed_at"] == "2026-04-01T10:00:00Z"
    assert sandbox.now() == START + timedelta(days=30, hours=1)


def test_the_date_header_follows_the_clock(sandbox: RunningSandbox) -> None:
    response = requests.get(
        f"{sandbox.url}/api/v4/user", headers={"PRIVATE-TOKEN": "bot"}, timeout=5
    )

    assert response.headers["Date"] == "Mon, 02 Mar 2026 09:00:00 GMT"


def test_the_clock_only_moves_forward(sandbox: RunningSandbox) -> None:
    with pytest.raises(SandboxError, match="forward"):
        sandbox.advance(timedelta(seconds=-1))


def test_clock_endpoint_speaks_json(sandbox: RunningSandbox) -> None:
    set_response = requests.post(
        f"{sandbox.url}/_sandbox/clock", json={"now": "2026-06-01T00:00:00Z"}, timeout=5
    )
    advanced = requests.post(
        f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 90}, timeout=5
    )

    assert set_response.json() == {"now": "2026-06-01T00:00:00.000Z", "frozen": True}
    assert requests.get(f"{sandbox.url}/_sandbox/clock", timeout=5).json()["now"] == (
        "2026-06-01T00:01:30.000Z"
    )
    assert advanced.status_code == 200


def test_request_counts_by_route_template_and_reset(
    sandbox: RunningSandbox, project: Project, repo: Repository
) -> None:
    issue = project.issues.create({"title": "t"})
    issue.notes.create({"body": "n"})
    project.issues.list(get_all=True)
    repo.create_issue("t").create_comment("c")
    sandbox.now()  # control endpoints are never counted

    counts = sandbox.request_counts()

    assert counts == {
        "total": 5,
        "reads": 1,
        "writes": 4,
        "by_route": {
            "GET /api/v4/projects/:id/issues": 1,
            "POST /api/v3/repos/:owner/:repo/issues": 1,
            "POST /api/v3/repos/:owner/:repo/issues/:number/comments": 1,
            "POST /api/v4/projects/:id/issues": 1,
            "POST /api/v4/projects/:id/issues/:iid/notes": 1,
        },
    }
    sandbox.reset_counts()
    assert sandbox.request_counts() == {"total": 0, "reads": 0, "writes": 0, "by_route": {}}


def test_unknown_routes_are_counted_under_a_catch_all(sandbox: RunningSandbox) -> None:
    response = requests.get(
        f"{sandbox.url}/api/v4/nothing/here", headers={"PRIVATE-TOKEN": "bot"}, timeout=5
    )

    assert response.status_code == 404
    assert sandbox.request_counts()["by_route"] == {"GET /api/v4/*": 1}


def test_a_status_fault_answers_with_retry_after_and_is_counted(
    sandbox: RunningSandbox, path: str
) -> None:
    sandbox.inject_fault(method="GET", path=r"/issues$", status=503, headers={"Retry-After": "2"})
    url = f"{sandbox.url}/api/v4/projects/{path.replace('/', '%2F')}/issues"

    faulted = requests.get(url, headers={"PRIVATE-TOKEN": "bot"}, timeout=5)
    healed = requests.get(url, headers={"PRIVATE-TOKEN": "bot"}, timeout=5)

    assert faulted.status_code == 503
    assert faulted.headers["Retry-After"] == "2"
    assert faulted.json() == {"message": "503 Service Unavailable"}
    assert healed.status_code == 200
    assert sandbox.request_counts()["by_route"] == {"GET /api/v4/projects/:id/issues": 2}


def test_python_gitlab_raises_on_a_server_error_without_retries(
    sandbox: RunningSandbox, project: Project
) -> None:
    sandbox.inject_fault(method="POST", path="/issues", status=500)

    with pytest.raises(gitlab.GitlabCreateError) as caught:
        project.issues.create({"title": "t"})

    assert caught.value.response_code == 500
    assert project.issues.list(get_all=True) == []


def test_python_gitlab_waits_out_a_429_and_retries(
    sandbox: RunningSandbox, project: Project
) -> None:
    sandbox.inject_fault(path="/issues", status=429, headers={"Retry-After": "0"})

    project.issues.create({"title": "t"})

    assert sandbox.request_counts()["by_route"] == {"POST /api/v4/projects/:id/issues": 2}
    assert len(project.issues.list(get_all=True)) == 1


def test_pygithub_sees_a_secondary_rate_limit_on_403(
    sandbox: RunningSandbox, github_as: Any, path: str
) -> None:
    repo = github_as("bot", retry=None).get_repo(path)
    sandbox.inject_fault(method="POST", status=403, headers={"Retry-After": "60"})

    with pytest.raises(RateLimitExceededException) as caught:
        repo.create_issue("t")

    assert caught.value.status == 403
    assert caught.value.headers is not None
    assert caught.value.headers["retry-after"] == "60"


def test_a_fault_body_replaces_the_default_error(
    sandbox: RunningSandbox, github_as: Any, path: str
) -> None:
    repo = github_as("bot", retry=None).get_repo(path)
    sandbox.inject_fault(status=502, body={"message": "Server Error"})

    with pytest.raises(GithubException) as caught:
        repo.create_issue("t")

    assert (caught.value.status, caught.value.data) == (502, {"message": "Server Error"})


def test_a_delay_fault_provokes_a_client_timeout(
    sandbox: RunningSandbox, gitlab_as: Any, path: str
) -> None:
    slow = gitlab_as("bot", timeout=0.05).projects.get(path, lazy=True)
    sandbox.inject_fault(method="GET", path="/issues", delay_seconds=0.3)

    with pytest.raises(requests.exceptions.Timeout):
        slow.issues.list(get_all=True)

    assert slow.issues.list(get_all=True) == []


def test_a_dropped_response_still_applies_the_write(
    sandbox: RunningSandbox, github_as: Any, project: Project, repo: Repository
) -> None:
    sandbox.inject_fault(method="POST", path="/projects/", drop_response=True)
    sandbox.inject_fault(method="POST", path="/repos/", drop_response=True)
    pygithub = github_as("bot", retry=None).get_repo(repo.full_name)

    with pytest.raises(gitlab.GitlabCreateError) as on_gitlab:
        project.issues.create({"title": "lost answer"})
    with pytest.raises(GithubException) as on_github:
        pygithub.create_issue("lost answer")

    assert on_gitlab.value.response_code == 502
    assert on_github.value.status == 502
    assert [i.title for i in project.issues.list(get_all=True)] == ["lost answer"]
    assert [i.title for i in repo.get_issues()] == ["lost answer"]


def test_faults_match_method_and_path_and_expire_after_times(
    sandbox: RunningSandbox, project: Project
) -> None:
    sandbox.inject_fault(method="PUT", path=r"/issues/\d+$", status=503, times=2)
    issue = project.issues.create({"title": "t"})  # a POST: untouched

    outcomes = []
    for _ in range(3):
        try:
            project.issues.update(issue.iid, {"title": "new"})
            outcomes.append("ok")
        except gitlab.GitlabUpdateError as error:
            outcomes.append(str(error.response_code))

    assert outcomes == ["503", "503", "ok"]
    assert sandbox.faults() == []


def test_faults_are_listed_until_cleared_and_bad_ones_refused(sandbox: RunningSandbox) -> None:
    armed = sandbox.inject_fault(path="/user", status=500, times=None)

    listed = sandbox.faults()
    sandbox.clear_faults()

    assert armed["remaining"] is None
    assert [fault["path"] for fault in listed] == ["/user"]
    assert sandbox.faults() == []
    with pytest.raises(SandboxError, match="needs a status"):
        sandbox.inject_fault(path="/user")
    with pytest.raises(SandboxError, match="regular expression"):
        sandbox.inject_fault(path="(", status=500)


def test_reset_wipes_issues_users_clock_counts_and_faults(tmp_path: Path) -> None:
    with start(users=["alice", "bot"]) as sandbox:
        gl = gitlab_client(sandbox.url)
        gl.projects.get("acme/wiped", lazy=True).issues.create({"title": "t"})
        sandbox.set_clock(START)
        sandbox.inject_fault(path="/nothing", status=500)

        sandbox.reset()

        assert sandbox.request_counts()["total"] == 0
        assert sandbox.faults() == []
        assert abs(sandbox.now() - datetime.now(UTC)) < timedelta(seconds=5)
        assert sandbox.users() == []
        with pytest.raises(gitlab.GitlabAuthenticationError):
            gl.users.list(username="bot")  # the bot is gone with everyone else
        sandbox.register_users("bot")
        assert gl.users.list(username="bot")[0].id == 1  # ids start over
        assert gl.projects.get("acme/wiped", lazy=True).issues.list(get_all=True) == []


def test_state_and_clock_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.sqlite"
    with start(state=state, users=["bot"]) as sandbox:
        sandbox.set_clock(START)
        project = gitlab_client(sandbox.url).projects.get("acme/kept", lazy=True)
        issue = project.issues.create({"title": "kept", "labels": "mentorship"})
        issue.notes.create({"body": "remember me"})

    with start(state=state) as restarted:
        project = gitlab_client(restarted.url).projects.get("acme/kept", lazy=True)
        (kept,) = project.issues.list(labels=["mentorship"], get_all=True)
        second = project.issues.create({"title": "next"})

        assert restarted.now() == START
        assert [user["login"] for user in restarted.users()] == ["bot"]
        assert [n.body for n in kept.notes.list(get_all=True)] == ["remember me"]
        assert second.iid == kept.iid + 1


def test_concurrent_writers_get_distinct_issue_numbers(
    sandbox: RunningSandbox, gitlab_as: Any, path: str
) -> None:
    numbers: list[int] = []
    failures: list[BaseException] = []

    def write(login: str) -> None:
        try:
            project = gitlab_as(login).projects.get(path, lazy=True)
            for n in range(10):
                numbers.append(project.issues.create({"title": f"{login} {n}"}).iid)
        except BaseException as error:  # surfaced by the assertion below
            failures.append(error)

    logins = [f"user{n}" for n in range(5)]
    sandbox.register_users(*logins)
    threads = [threading.Thread(target=write, args=(login,)) for login in logins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sorted(numbers) == list(range(1, 51))


def test_serving_keeps_connections_alive(sandbox: RunningSandbox, path: str) -> None:
    host, port = sandbox.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    headers = {"Authorization": "token bot"}
    sockets = []
    for _ in range(2):
        connection.request("GET", f"/api/v3/repos/{path}/issues", headers=headers)
        response = connection.getresponse()
        response.read()
        assert (response.status, response.version) == (200, 11)
        sockets.append(connection.sock)
    connection.close()

    assert sockets[0] is not None
    assert sockets[0] is sockets[1]


def test_head_requests_count_as_reads(sandbox: RunningSandbox, path: str) -> None:
    response = requests.head(
        f"{sandbox.url}/api/v3/repos/{path}/issues",
        headers={"Authorization": "token bot"},
        timeout=5,
    )

    assert response.status_code == 200
    assert response.content == b""
    counts: dict[str, Any] = sandbox.request_counts()
    assert (counts["reads"], counts["writes"]) == (1, 0)


def test_serve_announces_its_url_keeps_state_and_logs_nothing(tmp_path: Path) -> None:
    state = tmp_path / "served.sqlite"
    script = (
        "import sys\n"
        "from automation.sandbox import serve\n"
        "serve(port=0, state=sys.argv[1], users=['bot'],"
        " on_ready=lambda url: print(url, flush=True))\n"
    )
    server = subprocess.Popen(
        [sys.executable, "-c", script, str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        gl = gitlab_client(url)
        gl.projects.get("acme/served", lazy=True).issues.create({"title": "t"})
        gl.auth()
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=10)

    assert url.startswith("http://127.0.0.1:")
    assert errors == ""
    assert state.exists()


def test_a_web_page_cannot_drive_the_sandboxs_controls(sandbox: RunningSandbox) -> None:
    # A form on any page may post text/plain cross-origin without a preflight; the
    # browser says where it came from.
    forged = requests.post(
        f"{sandbox.url}/_sandbox/users",
        data='{"logins": ["page-visitor"]}',
        headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
        timeout=5,
    )
    assert forged.status_code == 403
    assert "page-visitor" not in {u["login"] for u in sandbox.users()}
    sandbox.register_users("erin")  # the sandbox's own client sends no Origin
    assert "erin" in {u["login"] for u in sandbox.users()}
