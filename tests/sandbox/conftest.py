"""Fixtures: one sandbox per module, a fresh project per test, the real clients pointed at it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import gitlab
import pytest
from github import Auth, Github
from github.Repository import Repository
from gitlab.v4.objects import Project

from automation.sandbox import RunningSandbox, start

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Everyone these tests log in as or assign: a sandbox knows only registered users.
CAST = (
    "bot",
    "root",
    "alice",
    "bob",
    "mentor",
    "mentee",
    "mallory",
    "filter-author",
    "filter-mentee",
    "gh-author",
    "gh-mentee",
    "rate-counter",
    "stable-user",
    "another-user",
    "github-actions[bot]",
)
# @octokit/fixtures recorded its requests as an admin of the recorded repositories
RECORDING_USER = "octokit-fixture-user-a"


def gitlab_client(url: str, token: str = "bot", **options: Any) -> gitlab.Gitlab:
    return gitlab.Gitlab(url, private_token=token, retry_transient_errors=False, **options)


def github_client(url: str, token: str = "bot", **options: Any) -> Github:
    settings: dict[str, Any] = {
        "seconds_between_requests": 0,
        "seconds_between_writes": 0,
        "per_page": 100,
        "lazy": True,
        **options,
    }
    return Github(base_url=f"{url}/api/v3", auth=Auth.Token(token), **settings)


@pytest.fixture(scope="module")
def running() -> Iterator[RunningSandbox]:
    with start(users=CAST) as sandbox:
        sandbox.register_users(RECORDING_USER, access="admin")
        yield sandbox


@pytest.fixture
def sandbox(running: RunningSandbox) -> Iterator[RunningSandbox]:
    """The module's sandbox with its clock at START, no faults and zeroed counts."""
    running.clear_faults()
    running.set_clock(START)
    running.reset_counts()
    yield running
    running.clear_faults()


@pytest.fixture
def path(request: pytest.FixtureRequest) -> str:
    """A project path of the test's own, so tests sharing a sandbox never see each other."""
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")
    return f"acme/{name[:80]}"


@pytest.fixture
def gl(sandbox: RunningSandbox) -> gitlab.Gitlab:
    return gitlab_client(sandbox.url)


@pytest.fixture
def project(gl: gitlab.Gitlab, path: str) -> Project:
    return gl.projects.get(path, lazy=True)


@pytest.fixture
def gh(sandbox: RunningSandbox) -> Github:
    return github_client(sandbox.url)


@pytest.fixture
def repo(gh: Github, path: str) -> Repository:
    return gh.get_repo(path)


@pytest.fixture
def gitlab_as(sandbox: RunningSandbox) -> Any:
    """python-gitlab authenticated as another login, with extra client options."""

    def connect(token: str, **options: Any) -> gitlab.Gitlab:
        return gitlab_client(sandbox.url, token, **options)

    return connect


@pytest.fixture
def github_as(sandbox: RunningSandbox) -> Any:
    """PyGithub authenticated as another login, with extra client options."""

    def connect(token: str, **options: Any) -> Github:
        return github_client(sandbox.url, token, **options)

    return connect
