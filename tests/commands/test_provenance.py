"""Which commit of the tool `mentorship init` pins the CI files to, and where the tool lives."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest

from automation import __version__
from automation.commands.provenance import (
    GITHUB_REPOSITORY,
    GITLAB_PROJECT,
    GITLAB_SERVER,
    Pin,
    UnknownCommit,
    commit_of,
    pin,
)

ROOT = Path(__file__).resolve().parents[2]
SHA = "0123456789abcdef0123456789abcdef01234567"


def checkout(folder: Path) -> str:
    """A git checkout of a project with one commit; its HEAD."""
    folder.mkdir()
    (folder / "pyproject.toml").write_text("[project]\nname = 'mentorship-automation'\n")
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    return head.stdout.strip()


def test_pyproject_names_the_home_the_ci_files_pin() -> None:
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert urls["Source"] == f"https://github.com/{GITHUB_REPOSITORY}"
    assert urls["GitLab"] == f"https://{GITLAB_SERVER}/{GITLAB_PROJECT}"


def test_installed_from_git_the_commit_is_the_one_pip_recorded(tmp_path: Path) -> None:
    record = {"url": "https://example.com/x.git", "vcs_info": {"vcs": "git", "commit_id": SHA}}
    assert commit_of(json.dumps(record), tmp_path) == SHA


def test_installed_from_a_checkout_the_commit_is_its_head(tmp_path: Path) -> None:
    head = checkout(tmp_path / "source")
    record = {"url": (tmp_path / "source").as_uri(), "dir_info": {"editable": True}}
    assert commit_of(json.dumps(record), tmp_path / "elsewhere") == head


def test_run_from_a_checkout_without_install_the_commit_is_its_head(tmp_path: Path) -> None:
    head = checkout(tmp_path / "source")
    assert commit_of(None, tmp_path / "source") == head


def test_installed_from_an_index_there_is_no_commit(tmp_path: Path) -> None:
    site_packages = tmp_path / "site-packages"  # no pyproject.toml: not a checkout
    site_packages.mkdir()
    assert commit_of(None, site_packages) is None
    # a folder that is no git checkout
    (tmp_path / "unpacked").mkdir()
    (tmp_path / "unpacked" / "pyproject.toml").write_text("")
    record = {"url": (tmp_path / "unpacked").as_uri(), "dir_info": {}}
    assert commit_of(json.dumps(record), site_packages) is None


def test_action_ref_overrides_the_installed_commit() -> None:
    assert pin(SHA) == Pin(SHA, __version__)


def test_an_action_ref_that_is_no_full_commit_is_refused() -> None:
    with pytest.raises(UnknownCommit) as caught:
        pin("v0.1.0")
    assert str(caught.value) == (
        "--action-ref 'v0.1.0': give a full commit SHA (40 hex digits) of "
        f"github.com/{GITHUB_REPOSITORY}, e.g. the commit tagged v{__version__}"
    )


def test_without_a_commit_init_fails_and_names_the_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from automation.cli import main
    from automation.commands import provenance

    monkeypatch.setattr(provenance, "_direct_url", lambda: None)
    monkeypatch.setattr(provenance, "__file__", str(tmp_path / "automation" / "provenance.py"))

    result = CliRunner().invoke(main, ["init", str(tmp_path / "repo"), "--forge", "github"])

    assert result.exit_code == 1
    assert "pass --action-ref with the full SHA of the commit tagged v" in result.stderr
    assert not (tmp_path / "repo").exists()
