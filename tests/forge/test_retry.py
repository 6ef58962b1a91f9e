"""The retry policy inside both real clients, and `connect()` choosing token and policy.

These run over loopback HTTP rather than `responses`: `responses` stands in for urllib3's retry
loop with one of its own that never sleeps, so only the real loop shows the waits, which land
in the injected `sleep`.
"""

from __future__ import annotations

import email.utils
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from automation.forge import Forge, connect, github_client, gitlab_client
from automation.forge.base import ForgeError, RateLimited
from automation.forge.github import GitHubForge
from automation.forge.gitlab import GitLabForge
from automation.forge.retry import RetryPolicy, WaitBudget
from automation.roster.config import ForgeSettings

SAMPLES = Path(__file__).parent / "samples"
NOW = 1_700_000_000.0


@dataclass(frozen=True)
class Reply:
    status: int
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    token: str


class Server:
    """Loopback HTTP answering from a script, one reply per request, recording each request."""

    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                token = self.headers.get("PRIVATE-TOKEN") or self.headers.get("Authorization")
                reply = server.take(Seen(self.command, self.path, token or ""))
                time.sleep(reply.delay)
                data = json.dumps(reply.payload).encode()
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_port}"
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def answer(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def take(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
            if not self.script:
                return Reply(599, {"message": "the test scripted no reply for this request"})
            return self.script.pop(0)

    @property
    def requests(self) -> list[str]:
        return [f"{seen.method} {seen.path}" for seen in self.seen]

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()
    assert running.script == [], "scripted replies left unused"


@pytest.fixture
def sleeps() -> list[float]:
    return []


def sample(name: str) -> Any:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def policy(sleeps: list[float], **overrides: Any) -> RetryPolicy:
    return RetryPolicy(**{"retries": 2, "sleep": sleeps.append, "clock": lambda: NOW, **overrides})


@dataclass(frozen=True)
class Flavour:
    """One forge API as the loopback server speaks it."""

    name: str
    build: Callable[[str, RetryPolicy], Forge]
    issues: str
    comments: str
    comment: Any

    def __str__(self) -> str:
        return self.name


GITLAB = Flavour(
    "gitlab",
    lambda url, p: GitLabForge(gitlab_client(url, "t", p, timeout=5), "acme/mentoring", policy=p),
    issues="GET /api/v4/projects/acme%2Fmentoring/issues?per_page=100&state=all",
    comments="POST /api/v4/projects/acme%2Fmentoring/issues/6/notes",
    comment=sample("gitlab/notes")[1],
)
GITHUB = Flavour(
    "github",
    lambda url, p: GitHubForge(
        github_client(f"{url}/api/v3", "t", p, timeout=5, pace=False), "acme/mentoring", policy=p
    ),
    issues="GET /api/v3/repos/acme/mentoring/issues?per_page=100&state=all",
    comments="POST /api/v3/repos/acme/mentoring/issues/6/comments",
    comment=sample("github/issue_comment"),
)
BOTH = pytest.mark.parametrize("flavour", [GITLAB, GITHUB], ids=str)


# ---------------------------------------------------------------- what is retried


@BOTH
def test_server_error_on_a_read_is_retried_with_backoff_then_succeeds(
    server: Server, sleeps: list[float], flavour: Flavour
) -> None:
    server.answer(Reply(503, {"message": "busy"}), Reply(502, {"message": "busy"}), Reply(200, []))
    forge = flavour.build(server.url, policy(sleeps, backoff=0.5))

    assert forge.list_issues() == []
    assert server.requests == [flavour.issues] * 3
    assert sleeps == [0.5, 1.0]


@BOTH
def test_server_error_on_a_post_is_not_retried(
    server: Server, sleeps: list[float], flavour: Flavour
) -> None:
    server.answer(Reply(503, {"message": "busy"}))
    forge = flavour.build(server.url, policy(sleeps))

    with pytest.raises(ForgeError) as caught:
        forge.comment(6, "Hello")

    assert (caught.value.status, caught.value.transient) == (503, True)
    assert server.requests == [flavour.comments]
    assert sleeps == []


@BOTH
def test_rate_limited_post_is_retried_after_exactly_retry_after(
    server: Server, sleeps: list[float], flavour: Flavour
) -> None:
    server.answer(
        Reply(429, {"message": "Too many requests"}, {"Retry-After": "7"}),
        Reply(201, flavour.comment),
    )
    forge = flavour.build(server.url, policy(sleeps))

    forge.comment(6, "Hello")

    assert server.requests == [flavour.comments] * 2
    assert sleeps == [7.0]


@BOTH
def test_retry_after_as_an_http_date_waits_until_then(
    server: Server, sleeps: list[float], flavour: Flavour
) -> None:
    then = email.utils.formatdate(NOW + 12, usegmt=True)
    server.answer(Reply(429, {"message": "slow down"}, {"Retry-After": then}), Reply(200, []))
    forge = flavour.build(server.url, policy(sleeps))

    forge.list_issues()

    assert sleeps == [12.0]


@BOTH
def test_rate_limited_post_without_retry_after_waits_a_minute_then_longer(
    server: Server, sleeps: list[float], flavour: Flavour
) -> None:
    # GitHub: "wait for at least one minute before retrying", then back off exponentially
    server.answer(
        Reply(429, {"message": "Too many requests"}),
        Reply(429, {"message": "Too many requests"}),
        Reply(201, flavour.comment),
    )
    forge = flavour.build(server.url, policy(sleeps, backoff=3.0))

    forge.comment(6, "Hello")

    assert server.requests == [flavour.comments] * 3
    assert sleeps == [60.0, 120.0]


@BOTH
def test_rate_limit_waits_come_out_of_the_runs_budget(
    server: Server, sleeps: list[float], flavour: Flavour
) -> None:
    wait = {"Retry-After": "60"}
    server.answer(
        Reply(429, {"message": "Too many requests"}, wait),
        Reply(429, {"message": "Too many requests"}, wait),
    )
    budget = WaitBudget(100)
    forge = flavour.build(server.url, policy(sleeps, budget=budget))

    with pytest.raises(RateLimited) as caught:
        forge.comment(6, "Hello")

    assert sleeps == [60.0]  # a second minute is more than the 40 s left
    assert budget.left == 40.0
    assert server.requests == [flavour.comments] * 2
    assert (caught.value.status, caught.value.transient) == (429, True)


def test_primary_rate_limit_403_waits_until_the_reset(server: Server, sleeps: list[float]) -> None:
    exhausted = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 30)}
    server.answer(
        Reply(403, {"message": "API rate limit exceeded for installation ID 1."}, exhausted),
        Reply(201, GITHUB.comment),
    )
    forge = GITHUB.build(server.url, policy(sleeps))

    forge.comment(6, "Hello")

    assert server.requests == [GITHUB.comments] * 2
    assert sleeps == [30.0]


def test_secondary_rate_limit_403_waits_retry_after(server: Server, sleeps: list[float]) -> None:
    secondary = "You have exceeded a secondary rate limit. Please wait a few minutes."
    server.answer(Reply(403, {"message": secondary}, {"Retry-After": "60"}), Reply(200, []))
    forge = GITHUB.build(server.url, policy(sleeps))

    forge.list_issues()

    assert server.requests == [GITHUB.issues] * 2
    assert sleeps == [60.0]


@BOTH
def test_plain_403_is_not_retried(server: Server, sleeps: list[float], flavour: Flavour) -> None:
    server.answer(Reply(403, {"message": "403 Forbidden"}))
    forge = flavour.build(server.url, policy(sleeps))

    with pytest.raises(ForgeError) as caught:
        forge.list_issues()

    assert (caught.value.status, caught.value.transient) == (403, False)
    assert server.requests == [flavour.issues]
    assert sleeps == []


def test_read_timeout_on_a_get_is_retried(server: Server, sleeps: list[float]) -> None:
    server.answer(Reply(200, [], delay=0.6), Reply(200, []))
    forge = GitLabForge(gitlab_client(server.url, "t", policy(sleeps), timeout=0.2), "acme/m")

    assert forge.list_issues() == []
    assert len(server.requests) == 2
    assert sleeps == [1.0]


def test_read_timeout_on_a_post_is_not_retried(server: Server, sleeps: list[float]) -> None:
    server.answer(Reply(201, GITLAB.comment, delay=0.6))
    forge = GitLabForge(gitlab_client(server.url, "t", policy(sleeps), timeout=0.2), "acme/m")

    with pytest.raises(ForgeError) as caught:
        forge.comment(6, "Hello")

    assert (caught.value.status, caught.value.transient) == (None, True)
    assert "(no answer within forge.timeout_seconds)" in str(caught.value)
    assert len(server.requests) == 1
    assert sleeps == []


def test_github_client_accepts_a_timeout_under_one_second(
    server: Server, sleeps: list[float]
) -> None:
    server.answer(Reply(200, []))
    client = github_client(f"{server.url}/api/v3", "t", policy(sleeps), timeout=0.5, pace=False)

    assert GitHubForge(client, "acme/mentoring").list_issues() == []


def test_github_client_reads_with_the_timeout_it_was_given_under_one_second(
    server: Server, sleeps: list[float]
) -> None:
    server.answer(Reply(200, [], delay=0.6), Reply(200, []))
    client = github_client(f"{server.url}/api/v3", "t", policy(sleeps), timeout=0.2, pace=False)

    assert GitHubForge(client, "acme/mentoring", policy=policy(sleeps)).list_issues() == []
    assert len(server.requests) == 2  # the first answer came too late: asked again
    assert sleeps == [1.0]


def test_both_clients_connect_within_ten_seconds_and_read_within_the_timeout() -> None:
    gitlab = gitlab_client("https://gitlab.example.com", "t", RetryPolicy(), timeout=30)
    github = github_client("https://github.example.com", "t", RetryPolicy(), timeout=30, pace=False)

    assert gitlab.timeout == (10.0, 30)
    assert github.requester.kwargs["timeout"] == (10.0, 30)
    assert gitlab_client("https://gitlab.example.com", "t", RetryPolicy(), 4).timeout == (4, 4)


# ---------------------------------------------------------------- when it gives up


@BOTH
def test_wait_longer_than_max_wait_fails_at_once_as_rate_limited(
    server: Server, sleeps: list[float], flavour: Flavour
) -> None:
    server.answer(Reply(429, {"message": "Too many requests"}, {"Retry-After": "600"}))
    forge = flavour.build(server.url, policy(sleeps, max_wait=120.0))

    with pytest.raises(ForgeError) as caught:
        forge.list_issues()

    assert "rate limited" in str(caught.value)
    assert (caught.value.status, caught.value.transient) == (429, True)
    assert server.requests == [flavour.issues]
    assert sleeps == []


def test_rate_limit_reset_beyond_max_wait_fails_at_once_as_rate_limited(
    server: Server, sleeps: list[float]
) -> None:
    exhausted = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 3600)}
    server.answer(Reply(403, {"message": "API rate limit exceeded for user ID 1."}, exhausted))
    forge = GITHUB.build(server.url, policy(sleeps, max_wait=120.0))

    with pytest.raises(ForgeError) as caught:
        forge.list_issues()

    assert str(caught.value) == (
        "GitHub answered 403 to GET /repos/acme/mentoring/issues: rate limited, and retries ran "
        "out, or the wait asked for is over forge.max_retry_wait_seconds, or the run has spent "
        "its forge.rate_limit_budget_seconds (600) waiting; stop writing now: the next run does "
        "the rest"
    )
    assert isinstance(caught.value, RateLimited)
    assert caught.value.transient is True
    assert server.requests == [GITHUB.issues]
    assert sleeps == []


@BOTH
def test_retries_run_out_after_the_policy_count(
    server: Server, sleeps: list[float], flavour: Flavour
) -> None:
    server.answer(*[Reply(503, {"message": "busy"})] * 4)
    forge = flavour.build(server.url, policy(sleeps, retries=3))

    with pytest.raises(ForgeError) as caught:
        forge.list_issues()

    assert (caught.value.status, caught.value.transient) == (503, True)
    assert server.requests == [flavour.issues] * 4  # the first attempt and 3 retries
    assert sleeps == [1.0, 2.0, 4.0]


@BOTH
def test_backoff_never_waits_longer_than_max_wait(
    server: Server, sleeps: list[float], flavour: Flavour
) -> None:
    server.answer(*[Reply(500, {"message": "oops"})] * 3, Reply(200, []))
    forge = flavour.build(server.url, policy(sleeps, retries=3, backoff=5.0, max_wait=8.0))

    forge.list_issues()

    assert sleeps == [5.0, 8.0, 8.0]


@BOTH
def test_refused_connection_is_retried_then_reported(sleeps: list[float], flavour: Flavour) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    forge = flavour.build(closed, policy(sleeps))

    with pytest.raises(ForgeError) as caught:
        forge.list_issues()

    assert f"failed: could not reach {closed}" in str(caught.value)
    assert "(connection refused); check forge.url in program.yml, the network" in str(caught.value)
    assert (caught.value.status, caught.value.transient) == (None, True)
    assert sleeps == [1.0, 2.0]


@BOTH
def test_a_refused_connection_is_tried_three_times_whatever_the_retries(
    sleeps: list[float], flavour: Flavour
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    forge = flavour.build(closed, policy(sleeps, retries=5))

    with pytest.raises(ForgeError) as caught:
        forge.list_issues()

    assert "(connection refused)" in str(caught.value)
    assert sleeps == [1.0, 2.0]


# ---------------------------------------------------------------- connect()


@pytest.mark.parametrize(
    ("kind", "token_env", "variable"),
    [
        ("gitlab", None, "GITLAB_TOKEN"),
        ("github", None, "GITHUB_TOKEN"),
        ("gitlab", "MENTORING_BOT_TOKEN", "MENTORING_BOT_TOKEN"),
    ],
)
@pytest.mark.parametrize(
    "env", [{}, {"GITLAB_TOKEN": " \n", "GITHUB_TOKEN": ""}], ids=["unset", "blank"]
)
def test_connect_without_the_token_says_which_variable_to_set(
    kind: str, token_env: str | None, variable: str, env: dict[str, str]
) -> None:
    settings = ForgeSettings.model_validate(
        {"kind": kind, "project": "acme/mentoring", "token_env": token_env}
    )

    with pytest.raises(ForgeError) as caught:
        connect(settings, env)

    assert str(caught.value) == (
        f"${variable} is not set: put the {kind} token in that environment variable "
        "(forge.token_env in program.yml names it)"
    )


@pytest.mark.parametrize("kind", ["gitlab", "github"])
def test_a_token_with_a_line_break_inside_is_refused_without_being_echoed(kind: str) -> None:
    settings = ForgeSettings.model_validate({"kind": kind, "project": "acme/mentoring"})
    variable = f"{kind.upper()}_TOKEN"

    with pytest.raises(ForgeError) as caught:
        connect(settings, {variable: "glpat-FIRSTHALF\nSECONDHALF\n"})

    assert str(caught.value) == (
        f"${variable} holds a space, a control character or a character that is not ASCII: "
        f"set ${variable} to the token alone, on one line, without spaces"
    )
    assert "HALF" not in str(caught.value)
    with pytest.raises(ForgeError, match="not ASCII"):
        connect(settings, {variable: "\ufeffglpat-token"})  # a byte order mark pasted along


@pytest.mark.parametrize(
    ("flavour", "path", "header"),
    [
        ("gitlab", "/api/v4/projects/acme%2Fmentoring/issues", "{}"),
        ("github", "/api/v3/repos/acme/mentoring/issues", "token {}"),
    ],
)
@pytest.mark.parametrize(("bot", "login"), [(None, "mentorship-bot"), ("ada", "ada")])
def test_connect_on_the_sandbox_without_a_token_acts_as_the_bot(
    server: Server, flavour: str, path: str, header: str, bot: str | None, login: str
) -> None:
    server.answer(Reply(200, []))
    settings = ForgeSettings.model_validate(
        {
            "kind": "sandbox",
            "flavour": flavour,
            "url": server.url,
            "project": "acme/mentoring",
            "bot": bot,
        }
    )

    connect(settings, {}).list_issues()

    [seen] = server.seen
    assert seen.path == f"{path}?per_page=100&state=all"
    assert seen.token == header.format(login)


@pytest.mark.parametrize(
    ("kind", "url", "header"),
    [("gitlab", "{}", "glpat-secret"), ("github", "{}/api/v3", "token glpat-secret")],
)
def test_connect_sends_the_token_from_the_named_variable(
    server: Server, kind: str, url: str, header: str
) -> None:
    server.answer(Reply(200, []))
    settings = ForgeSettings.model_validate(
        {
            "kind": kind,
            "url": url.format(server.url),
            "project": "acme/mentoring",
            "token_env": "MENTORING_BOT_TOKEN",
        }
    )

    connect(settings, {"MENTORING_BOT_TOKEN": "  glpat-secret\n"}).list_issues()

    assert [seen.token for seen in server.seen] == [header]


def test_connect_takes_retries_max_wait_and_budget_from_program_yml(server: Server) -> None:
    server.answer(
        Reply(503, {"message": "busy"}),
        Reply(429, {"message": "slow down"}, {"Retry-After": "5"}),
        Reply(429, {"message": "slow down"}, {"Retry-After": "5"}),
    )
    base = {"kind": "gitlab", "url": server.url, "project": "acme/mentoring"}
    no_retries = ForgeSettings.model_validate({**base, "retries": 0})
    short_wait = ForgeSettings.model_validate({**base, "max_retry_wait_seconds": 1})
    small_budget = ForgeSettings.model_validate({**base, "rate_limit_budget_seconds": 4})

    for settings, status in [(no_retries, 503), (short_wait, 429), (small_budget, 429)]:
        with pytest.raises(ForgeError) as caught:
            connect(settings, {"GITLAB_TOKEN": "t"}).list_issues()
        assert caught.value.status == status

    assert len(server.requests) == 3  # none was repeated, and nothing slept
