"""Where the tool lives and which commit of it this copy is: what `mentorship init` pins the
program repository's CI to (the GitHub Action, the GitLab CI/CD component)."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from automation import __version__
from automation.errors import ExpectedError

# The tool's home on each forge; pyproject.toml's [project.urls] name the same (a test keeps
# them so). GitHub: the action is `uses: <GITHUB_REPOSITORY>@<commit>`. GitLab: the CI/CD
# component is `component: <GITLAB_SERVER>/<GITLAB_PROJECT>/<name>@<commit>`.
GITHUB_REPOSITORY = "mentorship-automation/mentorship-automation"
GITLAB_SERVER = "gitlab.com"
GITLAB_PROJECT = "mentorship-automation/mentorship-automation"
DISTRIBUTION = "mentorship-automation"
_SHA = re.compile(r"[0-9a-f]{40}")


class UnknownCommit(ExpectedError):
    """No commit of the tool to pin the CI files to."""


@dataclass(frozen=True)
class Pin:
    """A commit of the tool, with the version it carries (for the `# vX.Y.Z` beside it)."""

    commit: str
    version: str


def pin(override: str | None = None) -> Pin:
    """The commit this copy of the tool was installed from, or `override`.

    In order: `override` (the --action-ref option); the commit pip recorded when it
    installed from git (PEP 610 direct_url.json, `vcs_info.commit_id`); the HEAD of the
    git checkout it was installed from, editable or not, or runs from."""
    if override is not None:
        if not _SHA.fullmatch(override):
            raise UnknownCommit(
                f"--action-ref {override!r}: give a full commit SHA (40 hex digits) of "
                f"github.com/{GITHUB_REPOSITORY}, e.g. the commit tagged v{__version__}"
            )
        return Pin(override, __version__)
    commit = commit_of(_direct_url(), Path(__file__).resolve().parents[2])
    if commit is None:
        raise UnknownCommit(
            "cannot tell which commit of mentorship-automation this is (it was not "
            "installed from git or a git checkout), and the CI files pin one: pass "
            f"--action-ref with the full SHA of the commit tagged v{__version__} in "
            f"github.com/{GITHUB_REPOSITORY}"
        )
    return Pin(commit, __version__)


def commit_of(direct_url: str | None, source: Path) -> str | None:
    """The commit from a PEP 610 direct_url.json, else the HEAD of the folder it names, else
    the HEAD of `source` when that is a checkout of this project."""
    record = json.loads(direct_url) if direct_url else {}
    vcs = record.get("vcs_info", {})
    if vcs.get("vcs") == "git" and _SHA.fullmatch(str(vcs.get("commit_id", ""))):
        return str(vcs["commit_id"])
    url = urlparse(str(record.get("url", "")))
    folders = [Path(unquote(url.path))] if "dir_info" in record and url.scheme == "file" else []
    for folder in [*folders, source]:
        if (folder / "pyproject.toml").is_file() and (head := _head(folder)):
            return head
    return None


def _direct_url() -> str | None:
    try:
        return metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None


def _head(folder: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--verify", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:  # no git on this machine
        return None
    head = done.stdout.strip()
    return head if done.returncode == 0 and _SHA.fullmatch(head) else None
