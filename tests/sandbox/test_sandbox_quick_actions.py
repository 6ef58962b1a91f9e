"""GitLab quick actions in notes and descriptions, and the extractor they go through."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from gitlab.v4.objects import Project

from automation.sandbox import RunningSandbox
from automation.sandbox.quick_actions import Command, extract


@pytest.mark.parametrize(
    ("text", "kept", "commands"),
    [
        ("We met.\n/close", "We met.", [Command("close", "")]),
        ('/label ~a ~"b c"\nthanks', "thanks", [Command("label", '~a ~"b c"')]),
        ("/LABELS ~x", "", [Command("label", "~x")]),
        ("/remove_label ~x\n/reopen\n", "", [Command("unlabel", "~x"), Command("reopen", "")]),
        ("see /close here", "see /close here", []),
        ("  /close", "  /close", []),  # only at a line start
        ("```\n/close\n```", "```\n/close\n```", []),
        ("<details>\n/close\n</details>", "<details>\n/close\n</details>", []),
        (">>>\n/close\n>>>", ">>>\n/close\n>>>", []),
        ("/shrug unknown to the sandbox", "/shrug unknown to the sandbox", []),
        ("/closed is another word", "/closed is another word", []),
        ("done\r\n\r\n/close\r\n", "done", [Command("close", "")]),
        ("trailing space  \n\n", "trailing space", []),
    ],
)
def test_extract_follows_gitlabs_extractor(text: str, kept: str, commands: list[Command]) -> None:
    assert extract(text) == (kept, commands)


def test_a_close_command_in_a_mentees_note_closes_the_issue(
    sandbox: RunningSandbox, project: Project, gitlab_as: Any, path: str
) -> None:
    issue = project.issues.create({"title": "pairing"})
    mentee = gitlab_as("mentee").projects.get(path, lazy=True).issues.get(issue.iid, lazy=True)
    project.labels.create({"name": "done", "color": "#00ff00"})

    note = mentee.notes.create({"body": "We are finished, thanks!\n/close\n/label ~done"})

    after = project.issues.get(issue.iid)
    (label,) = project.labels.list(get_all=True)
    assert note.body == "We are finished, thanks!"
    assert note.commands_changes == {
        "state_event": "close",
        "add_label_ids": [label.id],
    }
    assert (after.state, after.labels) == ("closed", ["done"])
    assert after.attributes["closed_by"]["username"] == "mentee"
    system = [n.body for n in issue.notes.list(get_all=True, sort="asc") if n.system]
    assert system == ['added ~"done" label', "closed"]


def test_a_note_of_commands_only_is_not_stored(
    sandbox: RunningSandbox, project: Project, path: str
) -> None:
    issue = project.issues.create({"title": "pairing"})

    response = requests.post(
        f"{sandbox.url}/api/v4/projects/{path.replace('/', '%2F')}/issues/{issue.iid}/notes",
        json={"body": "/close"},
        headers={"PRIVATE-TOKEN": "bot"},
        timeout=5,
    )

    assert (response.status_code, response.json()) == (
        202,
        {"commands_changes": {"state_event": "close"}, "summary": ["Closed this issue."]},
    )
    assert [n for n in issue.notes.list(get_all=True) if not n.system] == []
    assert project.issues.get(issue.iid).state == "closed"


def test_labels_and_assignees_need_a_reporter(
    sandbox: RunningSandbox, project: Project, gitlab_as: Any, path: str
) -> None:
    sandbox.register_users("qa-guest", access="read")
    project.labels.create({"name": "stalled", "color": "#ff0000"})
    issue = project.issues.create({"title": "pairing"})
    guest = gitlab_as("qa-guest").projects.get(path, lazy=True).issues.get(issue.iid, lazy=True)

    note = guest.notes.create({"body": "hello\n/label ~stalled\n/assign @alice\n/close"})

    after = project.issues.get(issue.iid)
    assert note.body == "hello"
    assert note.commands_changes == {}
    assert (after.state, after.labels, after.assignees) == ("opened", [], [])


def test_a_guest_labels_the_issue_they_open_with_a_quick_action(
    sandbox: RunningSandbox, project: Project, gitlab_as: Any, path: str
) -> None:
    sandbox.register_users("qa-guest", access="read")
    project.labels.create({"name": "mentorship-request", "color": "#ff0000"})
    guest = gitlab_as("qa-guest").projects.get(path, lazy=True)

    issue = guest.issues.create(
        {"title": "A mentor, please", "description": "Hi\n/label ~mentorship-request"}
    )

    assert project.issues.get(issue.iid).labels == ["mentorship-request"]


def test_quick_actions_in_descriptions_run_and_leave_the_text(
    sandbox: RunningSandbox, project: Project
) -> None:
    project.labels.create({"name": "mentorship", "color": "#0000ff"})
    issue = project.issues.create(
        {"title": "pairing", "description": "Goals\r\n/label ~mentorship\r\n/assign @alice"}
    )

    assert issue.description == "Goals"
    assert issue.labels == ["mentorship"]
    assert [a["username"] for a in issue.assignees] == ["alice"]

    issue.description = "Goals, done\n/unlabel\n/close"
    issue.save()
    after = project.issues.get(issue.iid)
    assert (after.description, after.labels, after.state) == ("Goals, done", [], "closed")


def test_a_command_in_a_code_block_is_text(sandbox: RunningSandbox, project: Project) -> None:
    issue = project.issues.create({"title": "pairing"})

    note = issue.notes.create({"body": "Type this:\n```\n/close\n```"})

    assert note.body == "Type this:\n```\n/close\n```"
    assert project.issues.get(issue.iid).state == "opened"
