"""The live contract run itself, pointed at a served sandbox standing in for a real forge:
its cases pass there, and it leaves the project as it found it (no open issue, no label, no
open merge or pull request, no branch but the default one).
On GitHub it runs as it would for real, one write a second."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from automation.forge import connect, preflight
from automation.model import IssueState
from automation.roster.config import ForgeSettings
from automation.sandbox import start
from automation.sandbox.records import ChangeState, Flavour, Window

CONTRACT = Path(__file__).parent / "test_contract.py"
PROJECT = "acme/live-contract"


@pytest.mark.parametrize(("flavour", "api"), [("gitlab", ""), ("github", "/api/v3")])
def test_the_live_run_passes_on_a_forge_and_cleans_up_after_itself(flavour: str, api: str) -> None:
    token = {"gitlab": "GITLAB_TOKEN", "github": "GITHUB_TOKEN"}[flavour]
    with start(users=["mentorship-bot"]) as sandbox:
        url = f"{sandbox.url}{api}"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                str(CONTRACT),
                "-k",
                "live",
                f"--live-{flavour}",
                url,
                "--live-project",
                PROJECT,
            ],
            env={**os.environ, token: "mentorship-bot"},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        settings = ForgeSettings.model_validate({"kind": flavour, "url": url, "project": PROJECT})
        env = {token: "mentorship-bot"}
        issues = connect(settings, env).list_issues()
        labels = preflight(settings, env).label_names()
        project = sandbox.store.project(Flavour(flavour), PROJECT)
        branches = [name for name, _ in sandbox.store.branches(project)]
        changes, _ = sandbox.store.list_changes(project, Window(0, 100))

    summary = done.stdout.strip().splitlines()[-1]
    assert done.returncode == 0, done.stdout[-4000:]
    # 17 live cases: with test_people_known_ahead_are_assigned_and_an_unknown_one_is_still_named,
    # test_a_label_is_created_once_and_then_exists (whose label the clean-up deletes),
    # test_people_are_found_and_assigned_by_any_case_of_their_login and
    # test_the_branch_the_bot_wrote_changes_only_its_file
    assert re.fullmatch(r"17 passed, 24 skipped, 83 deselected in .*", summary), summary
    assert issues  # the run did write...
    assert {issue.state for issue in issues} == {IssueState.CLOSED}  # ...and closed it all
    assert labels == frozenset()
    assert branches == ["main"]
    assert [change.state for change in changes] == [ChangeState.CLOSED]
