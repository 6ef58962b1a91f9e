"""The store and the WSGI app without a server: label semantics, clock formats, plain WSGI."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from automation.sandbox import SandboxApp, StateFormatError, Store
from automation.sandbox.clock import github_time, gitlab_time, parse_instant, to_ms
from automation.sandbox.records import Flavour, IssueEdit

NAMES = st.sampled_from(["a", "b", "c", "mentorship::active", "with space"])
OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["set", "add", "remove"]), st.lists(NAMES, max_size=3)),
    max_size=12,
)


@pytest.fixture
def store() -> Iterator[Store]:
    memory = Store(None)
    memory.set_clock(to_ms(datetime(2026, 3, 2, tzinfo=UTC)))
    memory.register_users(["bot"])
    yield memory
    memory.close()


@settings(max_examples=60, deadline=None)
@given(operations=OPERATIONS)
def test_label_edits_behave_like_set_operations(operations: list[tuple[str, list[str]]]) -> None:
    store = Store(None)
    project = store.project(Flavour.GITLAB, "acme/labels")
    bot = store.register_users(["bot"])[0]
    issue = store.create_issue(project, bot, title="t")
    expected: set[str] = set()

    for kind, names in operations:
        if kind == "set":
            edit, expected = IssueEdit(labels=tuple(names)), set(names)
        elif kind == "add":
            edit, expected = IssueEdit(add_labels=tuple(names)), expected | set(names)
        else:
            edit, expected = IssueEdit(remove_labels=tuple(names)), expected - set(names)
        changes = store.edit_issue(project, issue, bot, edit)
        issue = changes.after
        current = {label.name for label in store.issue_labels([issue.id])[issue.id]}
        assert current == expected
        assert set(changes.added_labels) <= expected
        assert not set(changes.removed_labels) & expected
    store.close()


def test_github_label_names_ignore_case_gitlab_ones_do_not(store: Store) -> None:
    bot = store.register_users(["bot"])[0]
    for flavour in Flavour:
        project = store.project(flavour, "acme/case")
        store.create_issue(project, bot, title="t", labels=["Bug", "bug"])

    github = store.project(Flavour.GITHUB, "acme/case")
    gitlab = store.project(Flavour.GITLAB, "acme/case")

    assert [label.name for label in store.labels(github)] == ["Bug"]
    assert sorted(label.name for label in store.labels(gitlab)) == ["Bug", "bug"]


def test_an_edit_changing_nothing_leaves_the_row_alone(store: Store) -> None:
    project = store.project(Flavour.GITHUB, "acme/noop")
    bot = store.register_users(["bot"])[0]
    issue = store.create_issue(project, bot, title="t", body="b", labels=["x"])
    store.advance_clock(60_000)

    changes = store.edit_issue(
        project, issue, bot, IssueEdit(title="t", body="b", labels=("x",), remove_labels=("y",))
    )

    assert not changes.changed
    assert store.issue(project, issue.number) == issue


def test_timestamps_use_each_forges_precision() -> None:
    instant = parse_instant("2026-03-02T09:00:01.234+00:00")

    assert gitlab_time(instant) == "2026-03-02T09:00:01.234Z"
    assert github_time(instant) == "2026-03-02T09:00:01Z"
    assert parse_instant("2026-03-02") == parse_instant("2026-03-02T00:00:00Z")
    assert parse_instant("2026-03-02 10:00:00+01:00") == parse_instant("2026-03-02T09:00:00Z")
    with pytest.raises(ValueError, match="Invalid"):
        parse_instant("next tuesday")


def call_wsgi(
    app: SandboxApp, method: str, path: str, body: Any = None, **environ: str
) -> tuple[str, dict[str, str], Any]:
    """One request through the WSGI callable, as any WSGI server would make it."""
    data = b"" if body is None else json.dumps(body).encode()
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(data)),
        "CONTENT_TYPE": "application/json",
        "HTTP_PRIVATE_TOKEN": "bot",
        "wsgi.input": io.BytesIO(data),
        **environ,
    }
    setup_testing_defaults(env)
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer["status"], answer["headers"] = status, dict(headers)

    chunks = app(env, start_response)
    payload = b"".join(chunks)
    return answer["status"], answer["headers"], json.loads(payload) if payload else None


def test_plain_wsgi_routes_decoded_nested_project_paths(store: Store) -> None:
    app = SandboxApp(store)

    status, _, created = call_wsgi(
        app, "POST", "/api/v4/projects/acme/team/mentoring/issues", {"title": "t"}
    )
    _, _, by_id = call_wsgi(app, "GET", f"/api/v4/projects/{created['project_id']}/issues/1")
    _, _, project = call_wsgi(app, "GET", "/api/v4/projects/acme/team/mentoring")

    assert status == "201 Created"
    assert by_id["title"] == "t"
    assert project["path_with_namespace"] == "acme/team/mentoring"


def test_raw_request_uri_keeps_encoded_slashes_in_one_segment(store: Store) -> None:
    app = SandboxApp(store)

    call_wsgi(
        app,
        "POST",
        "/api/v4/projects/acme/issues/issues",
        {"title": "t"},
        REQUEST_URI="/api/v4/projects/acme%2Fissues/issues",
    )
    _, _, project = call_wsgi(
        app, "GET", "/api/v4/projects/acme/issues", REQUEST_URI="/api/v4/projects/acme%2Fissues"
    )

    assert project["path_with_namespace"] == "acme/issues"
    assert project["open_issues_count"] == 1


def test_wrong_method_on_a_known_path(store: Store) -> None:
    app = SandboxApp(store)

    gitlab_status, _, gitlab_body = call_wsgi(app, "DELETE", "/api/v4/user")
    github_status, _, _ = call_wsgi(app, "DELETE", "/api/v3/user")

    assert (gitlab_status, gitlab_body) == ("405 Method Not Allowed", {"error": "405 Not Allowed"})
    assert github_status == "404 Not Found"


def test_a_state_file_in_another_format_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "old.sqlite"
    with sqlite3.connect(state) as old:
        old.execute("CREATE TABLE issues (id INTEGER PRIMARY KEY)")

    with pytest.raises(StateFormatError, match="Delete the file"):
        Store(state)


def test_a_state_file_reopens_with_its_data(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    first = Store(state)
    project = first.project(Flavour.GITLAB, "acme/kept")
    first.create_issue(
        project, first.register_users(["bot"])[0], title="kept", body="- [x] done\n- [ ] not"
    )
    first.close()

    again = Store(state)
    issue = again.issue(again.project(Flavour.GITLAB, "acme/kept"), 1)
    again.close()

    assert issue is not None
    assert (issue.title, issue.tasks_total, issue.tasks_done) == ("kept", 2, 1)


def test_restoring_a_snapshot_brings_back_rows_and_clock(store: Store) -> None:
    project = store.project(Flavour.GITHUB, "acme/replay")
    bot = store.register_users(["bot"])[0]
    store.create_issue(project, bot, title="before")
    saved = store.snapshot()
    store.advance_clock(3_600_000)
    store.create_issue(project, bot, title="after")

    store.restore(saved)

    assert store.issue(project, 2) is None
    assert store.now() == to_ms(datetime(2026, 3, 2, tzinfo=UTC))
    assert store.create_issue(project, bot, title="again").number == 2
