"""The key that signs the observation cache: the secret, else one drawn from a GitLab token."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.commands.connection import cache_key
from automation.roster.config import Program, parse_program


def program(kind: str) -> Program:
    return parse_program(
        f"program: {{name: Key test}}\nforge: {{kind: {kind}, project: acme/mentoring}}\n"
        "people: []\npairings: []\n",
        Path("program.yml"),
    )


def test_the_secret_signs_the_cache_when_there_is_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-one")
    assert cache_key(program("gitlab"), "s3cret") == "s3cret"
    assert cache_key(program("github"), "s3cret") == "s3cret"


def test_without_a_secret_a_gitlab_token_keys_the_cache_and_is_not_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-one")
    one = cache_key(program("gitlab"), None)
    assert one is not None
    assert "glpat-one" not in one
    assert cache_key(program("gitlab"), None) == one  # the same token: the same key
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-two")
    assert cache_key(program("gitlab"), None) not in (None, one)


def test_a_github_token_changes_every_job_so_it_keys_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_job")
    assert cache_key(program("github"), None) is None
