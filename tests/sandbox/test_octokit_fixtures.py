"""Sandbox responses next to responses api.github.com really gave, recorded in @octokit/fixtures.

Each recording in `data/octokit-fixtures/` (copied by `scripts/extract_octokit_fixtures.py`)
is replayed against the sandbox: the same request, after the setup that gives the sandbox the
same state. Every key the real API returned must be in our response, recursively through
nested objects and list items; keys only we send are allowed when listed below with a reason.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from automation.sandbox import RunningSandbox
from tests.sandbox.key_sets import compare_keys, item_paths

DATA = Path(__file__).parent / "data"
RECORDINGS: dict[str, dict[str, Any]] = {
    path.stem: json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((DATA / "octokit-fixtures").glob("*.json"))
}
SUBSET = json.loads((DATA / "github-openapi-subset.json").read_text(encoding="utf-8"))
OWNER = "octokit-fixture-org"

# Keys our responses carry that the recordings (made in 2022) lack, by path inside one object
# ("[]" marks list items), with the schema of GitHub's current OpenAPI description that
# documents each: the API grew them after the recordings were made.
EXTRA_KEYS: dict[str, tuple[str, str]] = {
    "user.user_view_type": ("simple-user", "user objects say which view of the user they are"),
    "owner.user_view_type": ("simple-user", "the owner is a user object like any other"),
    "type": ("issue", "issue types; null when the repository has none"),
    "sub_issues_summary": ("issue", "sub-issue counts, sent with every issue"),
    "has_discussions": ("full-repository", "whether Discussions are on"),
    "status": ("basic-error", "error bodies now repeat the HTTP status as a string"),
}
# Keys a recording has that the sandbox deliberately does not send.
MISSING_KEYS: dict[str, str] = {
    "organization": (
        "the recorded repository belongs to an organization; sandbox repositories belong to "
        "users, and GitHub sends `organization` only for organization-owned repositories"
    ),
}


def test_compare_keys_finds_nested_missing_and_extra_keys() -> None:
    recorded = {"a": 1, "user": {"login": "x", "id": 1}, "labels": [{"id": 1}, {"name": "b"}]}
    ours = {"a": 2, "b": 3, "user": {"login": "y"}, "labels": [{"id": 2, "color": "c"}]}

    diff = compare_keys(recorded, ours)

    assert diff.missing == {"user.id", "labels[].name"}
    assert diff.extra == {"b", "labels[].color"}


def test_compare_keys_cannot_vouch_for_objects_we_send_as_null_or_empty() -> None:
    recorded = {"assignee": {"login": "x"}, "labels": [{"id": 1}], "milestone": None}
    ours = {"assignee": None, "labels": [], "milestone": {"id": 1}}

    diff = compare_keys(recorded, ours)

    assert diff.missing == {"assignee", "labels[]"}
    assert diff.extra == set()


# -- replaying the recordings ------------------------------------------------------------


@dataclass
class Replay:
    api: str
    repo: str  # our repository, standing in for the recorded one
    session: requests.Session

    def __call__(self, method: str, path: str, body: Any = None) -> requests.Response:
        headers = {
            "Accept": "application/vnd.github.v3+json",
            "Authorization": "token octokit-fixture-user-a",
        }
        return self.session.request(method, self.api + path, json=body, headers=headers, timeout=10)

    def recorded(self, recording: dict[str, Any]) -> requests.Response:
        """The recorded request, sent to our repository instead of the recorded one."""
        request = recording["request"]
        _, _, rest = request["path"].removeprefix(f"/repos/{OWNER}/").partition("/")
        path = f"/repos/{self.repo}" + (f"/{rest}" if rest else "")
        return self(request["method"], path, request["body"])


_repos = itertools.count(1)


@pytest.fixture
def replay(sandbox: RunningSandbox) -> Iterator[Replay]:
    with requests.Session() as session:
        yield Replay(f"{sandbox.url}/api/v3", f"{OWNER}/recorded-{next(_repos)}", session)


def _recorded_labels(replay: Replay) -> None:
    for label in RECORDINGS["labels-0"]["response"]:
        fields = {key: label[key] for key in ("name", "color", "description")}
        assert replay("POST", f"/repos/{replay.repo}/labels", fields).status_code == 201


# the state each recorded request met, rebuilt on the sandbox
SETUPS: dict[str, Callable[[Replay], object]] = {
    "add-labels-to-issue-1": lambda r: r(
        "POST", f"/repos/{r.repo}/issues", {"title": "Issue without a label"}
    ),
    "paginate-issues-0": lambda r: [
        r("POST", f"/repos/{r.repo}/issues", {"title": f"Test issue {n}"}) for n in range(1, 14)
    ],
    "labels-0": _recorded_labels,
}


def _replayed(replay: Replay, name: str) -> requests.Response:
    SETUPS.get(name, lambda _: None)(replay)
    return replay.recorded(RECORDINGS[name])


@pytest.mark.parametrize("name", RECORDINGS)
def test_every_recorded_key_is_in_the_sandbox_response(replay: Replay, name: str) -> None:
    recording = RECORDINGS[name]

    response = _replayed(replay, name)

    assert response.status_code == recording["status"], response.text
    diff = compare_keys(recording["response"], response.json())
    assert item_paths(diff.missing) - MISSING_KEYS.keys() == set()
    assert item_paths(diff.extra) - EXTRA_KEYS.keys() == set()


@pytest.mark.parametrize("name", RECORDINGS)
def test_recorded_headers_are_sent_alike(replay: Replay, name: str) -> None:
    recorded = RECORDINGS[name]["headers"]

    response = _replayed(replay, name)

    assert response.headers["Content-Type"] == recorded["content-type"]
    assert response.headers["X-GitHub-Media-Type"] == recorded["x-github-media-type"]
    assert ("Location" in response.headers) == ("location" in recorded)
    assert ("Link" in response.headers) == ("link" in recorded)
    if "location" in recorded:
        assert response.headers["Location"] == response.json()["url"]


def test_pages_are_linked_as_in_the_recording(replay: Replay) -> None:
    recorded = requests.utils.parse_header_links(RECORDINGS["paginate-issues-0"]["headers"]["link"])

    response = _replayed(replay, "paginate-issues-0")

    ours = requests.utils.parse_header_links(response.headers["Link"])
    assert [link["rel"] for link in ours] == [link["rel"] for link in recorded]
    for mine, theirs in zip(ours, recorded, strict=True):
        assert parse_qs(urlsplit(mine["url"]).query) == parse_qs(urlsplit(theirs["url"]).query)
        assert urlsplit(mine["url"]).scheme == "http"  # absolute, on the sandbox's own host


@pytest.mark.parametrize("name", ["add-labels-to-issue-1", "labels-0", "labels-1"])
def test_labels_keep_the_recorded_names_colors_and_descriptions(replay: Replay, name: str) -> None:
    recorded = RECORDINGS[name]["response"]

    response = _replayed(replay, name).json()

    def fields(labels: Any) -> list[tuple[str, str, str | None]]:
        labels = labels if isinstance(labels, list) else [labels]
        # sorted: the recordings cannot tell creation order from name order
        return sorted((label["name"], label["color"], label["description"]) for label in labels)

    assert fields(response) == fields(recorded)


def test_an_invalid_label_color_fails_as_recorded(replay: Replay) -> None:
    recording = RECORDINGS["errors-0"]

    response = _replayed(replay, "errors-0")

    assert response.status_code == 422
    assert response.json()["message"] == recording["response"]["message"]
    assert response.json()["errors"] == recording["response"]["errors"]


def test_every_allowance_is_needed_and_documented(replay: Replay) -> None:
    missing: set[str] = set()
    extra: set[str] = set()
    for name, recording in RECORDINGS.items():
        replay.repo = f"{OWNER}/allowances-{next(_repos)}"
        diff = compare_keys(recording["response"], _replayed(replay, name).json())
        missing |= item_paths(diff.missing)
        extra |= item_paths(diff.extra)

    assert missing == set(MISSING_KEYS)
    assert extra == set(EXTRA_KEYS)
    schemas = SUBSET["components"]["schemas"]
    for path, (schema, _reason) in EXTRA_KEYS.items():
        assert path.rsplit(".", 1)[-1] in schemas[schema]["properties"], path
