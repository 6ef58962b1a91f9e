"""What the forges record when someone ticks a box, and who may edit a description, as the
sandbox models them: GitLab's task-status system notes, GitHub's description revisions
(GraphQL `userContentEdits`), and the roles that may edit an issue someone else wrote."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from automation.sandbox import RunningSandbox, start

BODY = "<!-- mentorship:boxes -->\n- [ ] We met this period\n<!-- /mentorship:boxes -->\n"


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start(users=["bot", "dana"]) as running:
        running.register_users("reader", access="read")
        yield running


def _gitlab(
    sandbox: RunningSandbox, user: str, method: str, path: str, **data: object
) -> requests.Response:
    url = f"{sandbox.url}/api/v4/projects/acme%2Fb{path}"
    return requests.request(
        method, url, json=data or None, headers={"PRIVATE-TOKEN": user}, timeout=10
    )


def _github(
    sandbox: RunningSandbox, user: str, method: str, path: str, **data: object
) -> requests.Response:
    url = f"{sandbox.url}/api/v3/repos/acme/b{path}"
    return requests.request(
        method, url, json=data or None, headers={"Authorization": f"token {user}"}, timeout=10
    )


def _issue_fields(sandbox: RunningSandbox, number: int, fields: str) -> Any:
    """What GitHub's GraphQL answers for `fields` of issue `number` of acme/b, as the bot."""
    query = (
        "query($owner: String!, $name: String!, $number: Int!) { repository(owner: $owner, "
        f"name: $name) {{ issue(number: $number) {{ {fields} }} }} }}"
    )
    answer = requests.post(
        f"{sandbox.url}/api/graphql",
        json={"query": query, "variables": {"owner": "acme", "name": "b", "number": number}},
        headers={"Authorization": "token bot"},
        timeout=10,
    ).json()
    return answer["data"]["repository"]["issue"]


def test_gitlab_writes_a_note_by_whoever_ticked_a_box(sandbox: RunningSandbox) -> None:
    iid = _gitlab(sandbox, "bot", "POST", "/issues", title="t", description=BODY).json()["iid"]
    ticked = BODY.replace("[ ]", "[x]")
    assert _gitlab(sandbox, "dana", "PUT", f"/issues/{iid}", description=ticked).ok
    notes = _gitlab(sandbox, "bot", "GET", f"/issues/{iid}/notes").json()
    assert [(n["body"], n["author"]["username"], n["system"]) for n in notes] == [
        ("marked the checklist item **We met this period** as completed", "dana", True)
    ]
    # A reader who is not assigned may not edit the description.
    denied = _gitlab(sandbox, "reader", "PUT", f"/issues/{iid}", description=BODY)
    assert denied.status_code == 403


def test_github_keeps_each_revision_of_a_description_with_its_editor(
    sandbox: RunningSandbox,
) -> None:
    number = _github(sandbox, "bot", "POST", "/issues", title="t", body=BODY).json()["number"]
    ticked = BODY.replace("[ ]", "[x]")
    assert _github(sandbox, "dana", "PATCH", f"/issues/{number}", body=ticked).ok
    edits = "userContentEdits(last: 100) { nodes { editedAt diff editor { login } } }"
    nodes = _issue_fields(sandbox, number, edits)["userContentEdits"]["nodes"]
    assert [(n["editor"]["login"], n["diff"]) for n in nodes] == [("dana", ticked), ("bot", BODY)]
    # Read access may comment, not edit someone else's issue.
    denied = _github(sandbox, "reader", "PATCH", f"/issues/{number}", body=BODY)
    assert denied.status_code == 403
    assert denied.headers["X-Accepted-GitHub-Permissions"] == "issues=write"


def test_gitlab_keeps_a_guests_labels_on_a_new_issue_and_drops_them_on_an_edit() -> None:
    with start(users=["bot", "dana"]) as sandbox:
        sandbox.register_users("guest", access="read")
        _gitlab(sandbox, "bot", "POST", "/labels", name="x", color="#ff0000")
        made = _gitlab(
            sandbox, "guest", "POST", "/issues", title="t", labels="x", description="/label ~x"
        ).json()
        assert made["labels"] == ["x"]
        iid = made["iid"]
        edit = {"remove_labels": "x", "confidential": True, "due_date": "2026-05-01"}
        after = _gitlab(sandbox, "guest", "PUT", f"/issues/{iid}", **edit).json()
        assert (after["labels"], after["confidential"], after["due_date"]) == (["x"], False, None)
        by_reporter = _gitlab(sandbox, "dana", "PUT", f"/issues/{iid}", **edit).json()
        assert (by_reporter["labels"], by_reporter["confidential"]) == ([], True)


def test_github_gives_the_newest_and_the_oldest_revisions_at_either_end() -> None:
    with start(users=["bot", "dana"]) as sandbox:
        number = _github(sandbox, "bot", "POST", "/issues", title="t", body="v0").json()["number"]
        for version in range(1, 106):
            assert _github(sandbox, "dana", "PATCH", f"/issues/{number}", body=f"v{version}").ok
        ends = (
            "a: userContentEdits(first: 2) { nodes { diff } } "
            "b: userContentEdits(last: 2) { nodes { diff } }"
        )
        found = _issue_fields(sandbox, number, ends)
        assert [n["diff"] for n in found["a"]["nodes"]] == ["v105", "v104"]  # newest first
        assert [n["diff"] for n in found["b"]["nodes"]] == ["v1", "v0"]


def test_gitlab_shows_a_confidential_issue_only_to_its_people_and_reporters() -> None:
    with start(users=["bot", "dana"]) as sandbox:
        sandbox.register_users("bob", "mallory", access="read")
        made = _gitlab(
            sandbox, "bot", "POST", "/issues", title="form", confidential=True, assignee_ids=[3]
        ).json()
        assert [a["username"] for a in made["assignees"]] == ["bob"]
        iid = made["iid"]

        def sees(user: str) -> tuple[int, int, list[int]]:
            got = _gitlab(sandbox, user, "GET", f"/issues/{iid}").status_code
            notes = _gitlab(sandbox, user, "POST", f"/issues/{iid}/notes", body="hi").status_code
            listed = [i["iid"] for i in _gitlab(sandbox, user, "GET", "/issues").json()]
            return got, notes, listed

        assert sees("bob") == (200, 201, [iid])  # assigned
        assert sees("dana") == (200, 201, [iid])  # Developer: Reporter and up
        assert sees("mallory") == (404, 404, [])  # a Guest, neither author nor assignee
        # Nor do its events show to her: neither its opening nor the notes on it.
        events = [
            (e["action_name"], e["target_type"])
            for e in _gitlab(sandbox, "mallory", "GET", "/events").json()
        ]
        assert events == []
        assert len(_gitlab(sandbox, "bob", "GET", "/events").json()) == 3


def test_gitlab_keeps_an_issues_assignees_when_every_one_asked_for_is_dropped() -> None:
    with start(users=["bot", "dana"]) as sandbox:
        sandbox.register_users("nobody", access="none")
        made = _gitlab(sandbox, "bot", "POST", "/issues", title="t", assignee_ids=[2]).json()
        after = _gitlab(sandbox, "bot", "PUT", f"/issues/{made['iid']}", assignee_ids=[3]).json()
        assert [a["username"] for a in after["assignees"]] == ["dana"]
        cleared = _gitlab(sandbox, "bot", "PUT", f"/issues/{made['iid']}", assignee_ids=[]).json()
        assert cleared["assignees"] == []
