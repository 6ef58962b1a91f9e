"""Settings every test shares: how much hypothesis explores per property, and the live
forges the adapter contract tests may also run on."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from hypothesis import settings

# `ci`, the default, bounds every property that sets no limits of its own: a fixed number of
# examples, each within a deadline far above its normal cost. `deep` explores more, for a
# local run: HYPOTHESIS_PROFILE=deep python -m pytest tests/roster/test_config.py
settings.register_profile("ci", max_examples=200, deadline=timedelta(seconds=2), print_blob=True)
settings.register_profile("deep", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Every plan in the suite checks the incremental planner: a pairing it would skip as quiet is
# planned in full as well, and the run stops if it was not (automation/lifecycle/rules/quiet.py).
# Set before the product is imported, and inherited by the commands the tests run.
os.environ.setdefault("MENTORSHIP_QUIET_SHADOW", "1")


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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from automation.lifecycle.rules import quiet

    counts = quiet.COUNTS
    if quiet.SHADOW and counts["skipped"] + counts["planned"]:
        terminalreporter.write_line(
            f"quiet pairings: {counts['skipped']} pairing-nights the memo skipped, each planned "
            f"in full as well and found quiet; {counts['planned']} planned"
        )
