"""The sandbox's GitLab payloads next to the examples in GitLab's API documentation.

Every key a documented example shows must be in the sandbox's payload, recursively through
nested objects and list items. Where the sandbox sends a key the example lacks, or lacks one
it shows, the difference is listed below with its reason; the lists must be exact, so a fixed
gap fails the test until its entry goes.

The examples: `tests/forge/samples/gitlab/` (issue, notes, events, users, repository file,
commit, merge requests; see its README) and `data/gitlab-docs/` (labels; see `data/README.md`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from automation.sandbox import RunningSandbox
from tests.sandbox.key_sets import compare_keys, item_paths

SAMPLES = Path(__file__).parents[1] / "forge" / "samples" / "gitlab"
DOCS = Path(__file__).parent / "data" / "gitlab-docs"
PROJECT = "acme/payloads"


def _example(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# -- the documented differences ----------------------------------------------------------

LOCKED = "UserBasic exposes `locked`, as the List users example shows; older examples omit it"
ISSUE_MISSING = {"milestone": "the sandbox has no milestones: `milestone` is always null"}
ISSUE_EXTRA = {
    "author.locked": LOCKED,
    "assignee.locked": LOCKED,
    "assignees[].locked": LOCKED,
    "service_desk_reply_to": "API::Entities::Issue exposes it (null outside Service Desk)",
}
SINGLE_ISSUE_EXTRA = {
    **ISSUE_EXTRA,
    "subscribed": "single-issue responses carry it; lists do not (`include_subscribed: false`)",
}
_NOTE_ENTITY = "API::Entities::Note exposes it; the notes example predates it"
_NOTE_ENTITY_KEYS = (
    "type",
    "project_id",
    "commands_changes",
    "internal",
    "imported",
    "imported_from",
)
NOTE_MISSING = {
    "author.email": "note authors are UserBasic, which exposes no email; the example predates it",
    "author.created_at": "note authors are UserBasic, which has no created_at",
}
NOTE_EXTRA = {
    "author.avatar_url": "UserBasic, as in the events example",
    "author.web_url": "UserBasic, as in the events example",
    "author.locked": LOCKED,
    **dict.fromkeys(_NOTE_ENTITY_KEYS, _NOTE_ENTITY),
}
_EVENT_ENTITY = "API::Entities::Event exposes it; the events example predates it"
EVENT_MISSING = {
    "title": "API::Entities::Event no longer exposes `title`; the example still shows it",
}
NOTE_EVENT_MISSING = {
    **EVENT_MISSING,
    "data": "API::Entities::Event no longer exposes `data`; the example still shows it",
}
EVENT_EXTRA = {
    "id": _EVENT_ENTITY,
    "imported": _EVENT_ENTITY,
    "imported_from": _EVENT_ENTITY,
    "author.locked": LOCKED,
}
# an event's note is a whole Entities::Note: the keys the notes API sends, beyond the example's
NOTE_EVENT_EXTRA = {
    **EVENT_EXTRA,
    **{f"note.{key}": _NOTE_ENTITY for key in _NOTE_ENTITY_KEYS},
    **{
        f"note.{key}": "Entities::Note exposes it, as the notes example shows"
        for key in ("updated_at", "confidential", "resolvable")
    },
    "note.author.locked": LOCKED,
}
_USER_ENTITY = "API::Entities::User exposes it; the current-user example is shorter"
_USER_PUBLIC = "API::Entities::UserPublic (GET /user) exposes it; the example is shorter"
USER_EXTRA = {
    **dict.fromkeys(
        (
            "location",
            "linkedin",
            "twitter",
            "discord",
            "website_url",
            "organization",
            "job_title",
            "pronouns",
            "bot",
            "work_information",
            "local_time",
        ),
        _USER_ENTITY,
    ),
    **dict.fromkeys(
        (
            "theme_id",
            "color_scheme_id",
            "current_sign_in_at",
            "identities",
            "last_activity_on",
            "commit_email",
        ),
        _USER_PUBLIC,
    ),
}
LABEL_COUNTS = "API::Entities::Label exposes the counts only when asked `with_counts`"
CREATED_LABEL_MISSING = dict.fromkeys(
    ("open_issues_count", "closed_issues_count", "open_merge_requests_count"), LABEL_COUNTS
)


_MR_ENTITY = "API::Entities::MergeRequestBasic exposes it; the list example omits it"
MR_MISSING = {
    "assignee": "the sandbox assigns no one to a merge request: `assignee` is null",
    "milestone": "the sandbox has no milestones: `milestone` is always null",
    "merged_by": "an open merge request has no merger: null",
    "merge_user": "an open merge request has no merger: null",
    "assignees[]": "the sandbox assigns no one to a merge request: `assignees` is empty",
    "reviewers[]": "the sandbox asks no one to review: `reviewers` is empty",
}
MR_EXTRA = {
    "author.locked": LOCKED,
    **dict.fromkeys(
        ("has_conflicts", "blocking_discussions_resolved", "squash_on_merge"), _MR_ENTITY
    ),
}
MERGED_MR_MISSING = {
    key: reason for key, reason in MR_MISSING.items() if key not in ("merged_by", "merge_user")
}
MERGED_MR_EXTRA = {
    **MR_EXTRA,
    "merged_by.locked": LOCKED,
    "merge_user.locked": LOCKED,
}
SINGLE_MR_EXTRA = {
    **MR_EXTRA,
    "subscribed": "API::Entities::MergeRequest (one merge request) exposes it",
    "merge_error": "API::Entities::MergeRequest (one merge request) exposes it",
}
COMMIT_EXTRA = dict.fromkeys(
    ("trailers", "extended_trailers"),
    "API::Entities::Commit exposes them; the example predates them",
)


@dataclass(frozen=True)
class Comparison:
    payload: str  # which sandbox response, by name
    example: Any
    missing: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)


def _event(action: str) -> Any:
    events = _example(SAMPLES / "events.json")
    return next(event for event in events if event["action_name"] == action)


COMPARISONS = {
    "issue in a list": Comparison(
        "issue in a list", _example(SAMPLES / "issue.json"), ISSUE_MISSING, ISSUE_EXTRA
    ),
    "single issue": Comparison(
        "issue", _example(SAMPLES / "issue.json"), ISSUE_MISSING, SINGLE_ISSUE_EXTRA
    ),
    "created issue": Comparison(
        "created issue", _example(SAMPLES / "issue.json"), ISSUE_MISSING, SINGLE_ISSUE_EXTRA
    ),
    "edited issue": Comparison(
        "edited issue", _example(SAMPLES / "issue.json"), ISSUE_MISSING, SINGLE_ISSUE_EXTRA
    ),
    "notes": Comparison("notes", _example(SAMPLES / "notes.json"), NOTE_MISSING, NOTE_EXTRA),
    "created note": Comparison(
        "created note", _example(SAMPLES / "notes.json")[1], NOTE_MISSING, NOTE_EXTRA
    ),
    "opened event": Comparison("opened event", _event("opened"), EVENT_MISSING, EVENT_EXTRA),
    "comment event": Comparison(
        "comment event", _event("commented on"), NOTE_EVENT_MISSING, NOTE_EVENT_EXTRA
    ),
    "current user": Comparison("user", _example(SAMPLES / "user.json"), {}, USER_EXTRA),
    "user lookup": Comparison("users", _example(SAMPLES / "users.json")),
    "labels with counts": Comparison("labels", _example(DOCS / "labels.json")),
    "created label": Comparison(
        "created label", _example(DOCS / "labels.json")[0], CREATED_LABEL_MISSING
    ),
    "repository file": Comparison("file", _example(SAMPLES / "file.json")),
    "created commit": Comparison(
        "created commit", _example(SAMPLES / "commit.json"), {}, COMMIT_EXTRA
    ),
    "merge requests": Comparison(
        "merge requests", _example(SAMPLES / "merge_requests.json"), MR_MISSING, MR_EXTRA
    ),
    "created merge request": Comparison(
        "created merge request",
        _example(SAMPLES / "merge_requests.json")[0],
        MR_MISSING,
        SINGLE_MR_EXTRA,
    ),
    "merged merge request": Comparison(
        "merged merge request",
        _example(SAMPLES / "merge_requests.json")[0],
        MERGED_MR_MISSING,
        {**SINGLE_MR_EXTRA, **MERGED_MR_EXTRA},
    ),
}


# -- the sandbox's payloads --------------------------------------------------------------


@dataclass
class GitLab:
    api: str
    session: requests.Session

    def __call__(self, method: str, path: str, token: str = "root", **kwargs: Any) -> Any:
        project = f"/projects/{quote(PROJECT, safe='')}"
        url = self.api + path.replace("{p}", project)
        response = self.session.request(
            method, url, headers={"PRIVATE-TOKEN": token}, timeout=10, **kwargs
        )
        assert response.ok, response.text
        assert response.headers["Content-Type"] == "application/json"
        return response.json()


@pytest.fixture(scope="module")
def payloads(running: RunningSandbox) -> Iterator[dict[str, Any]]:
    """One of each payload, from a project holding what the examples show."""
    with requests.Session() as session:
        gl = GitLab(f"{running.url}/api/v4", session)
        found: dict[str, Any] = {}
        found["created label"] = gl(
            "POST", "{p}/labels", json={"name": "bug", "color": "#d9534f", "description": "Bug"}
        )
        alice = gl("GET", "/users", params={"username": "alice"})[0]["id"]
        description = "## Goals\n\n- [x] meet\n- [ ] ship\n"
        created = gl(
            "POST",
            "{p}/issues",
            json={
                "title": "Pairing",
                "description": description,
                "labels": "bug",
                "assignee_ids": [alice],
            },
        )
        found["created issue"] = created
        found["edited issue"] = gl(
            "PUT", f"{{p}}/issues/{created['iid']}", json={"add_labels": "mentorship"}
        )
        found["created note"] = gl(
            "POST", f"{{p}}/issues/{created['iid']}/notes", json={"body": "Kickoff done"}
        )
        gl("PUT", f"{{p}}/issues/{created['iid']}", json={"state_event": "close"})
        found["issue"] = gl("GET", f"{{p}}/issues/{created['iid']}")
        found["issue in a list"] = gl("GET", "{p}/issues", params={"state": "all"})[0]
        found["notes"] = gl("GET", f"{{p}}/issues/{created['iid']}/notes")
        events = gl("GET", "{p}/events")
        found["opened event"] = next(e for e in events if e["action_name"] == "opened")
        found["comment event"] = next(e for e in events if e["action_name"] == "commented on")
        found["user"] = gl("GET", "/user")
        found["users"] = gl("GET", "/users", params={"username": "alice"})
        found["labels"] = gl("GET", "{p}/labels", params={"with_counts": "true"})
        create = [{"action": "create", "file_path": "program.yml", "content": "people: []\n"}]
        gl(
            "POST",
            "{p}/repository/commits",
            json={"branch": "main", "commit_message": "Seed", "actions": create},
        )
        update = [{"action": "update", "file_path": "program.yml", "content": "pairings: []\n"}]
        found["created commit"] = gl(
            "POST",
            "{p}/repository/commits",
            json={
                "branch": "proposal",
                "start_branch": "main",
                "commit_message": "Propose",
                "actions": update,
            },
        )
        found["file"] = gl("GET", "{p}/repository/files/program.yml", params={"ref": "proposal"})
        found["created merge request"] = gl(
            "POST",
            "{p}/merge_requests",
            json={
                "source_branch": "proposal",
                "target_branch": "main",
                "title": "Roster",
                "remove_source_branch": True,
            },
        )
        found["merge requests"] = gl("GET", "{p}/merge_requests")
        running.register_users("coordinator", access="maintain")  # merges into main
        found["merged merge request"] = gl("PUT", "{p}/merge_requests/1/merge", token="coordinator")
        yield found


@pytest.mark.parametrize("name", COMPARISONS)
def test_every_documented_key_is_in_the_sandbox_payload(
    payloads: dict[str, Any], name: str
) -> None:
    comparison = COMPARISONS[name]

    diff = compare_keys(comparison.example, payloads[comparison.payload])

    assert item_paths(diff.missing) == set(comparison.missing)
    assert item_paths(diff.extra) == set(comparison.extra)


def test_the_payloads_hold_what_the_examples_show(payloads: dict[str, Any]) -> None:
    # so that no comparison passes for want of an assignee, a label or a task list
    issue = payloads["issue"]
    assert issue["assignees"]
    assert issue["assignee"] is not None
    assert issue["closed_by"] is not None
    assert issue["labels"] == ["bug", "mentorship"]
    assert issue["task_completion_status"] == {"count": 2, "completed_count": 1}
    assert issue["task_status"] == "1 of 2 checklist items completed"
    assert "subscribed" not in payloads["issue in a list"]
    assert any(not note["system"] for note in payloads["notes"])
    assert payloads["comment event"]["note"]["body"] == "Kickoff done"
    assert payloads["labels"][0]["closed_issues_count"] == 1
