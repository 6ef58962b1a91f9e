"""Options of the whole suite: the live forges the adapter contract tests may also run on."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("live forges", "run tests/forge/test_contract.py on a real forge too")
    group.addoption(
        "--live-gitlab",
        metavar="URL",
        help="a GitLab instance, e.g. https://gitlab.com; the token in $GITLAB_TOKEN",
    )
    group.addoption(
        "--live-github",
        metavar="URL",
        help="a GitHub API root, e.g. https://api.github.com; the token in $GITHUB_TOKEN",
    )
    group.addoption(
        "--live-project",
        metavar="PATH",
        help="a throwaway project (GitLab group/project, GitHub owner/repo) the tests may "
        "write to; they close and delete what they create",
    )
    group.addoption(
        "--live-bot",
        metavar="LOGIN",
        help="the token's login when it cannot read GET /user (a GitHub App token)",
    )
