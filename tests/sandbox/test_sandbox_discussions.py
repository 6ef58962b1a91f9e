"""GitLab threads: discussions, replies, and how project events report them."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from gitlab.v4.objects import Project

from automation.sandbox import RunningSandbox


def events(sandbox: RunningSandbox, path: str, **params: str) -> list[dict[str, Any]]:
    response = requests.get(
        f"{sandbox.url}/api/v4/projects/{path.replace('/', '%2F')}/events",
        params={"sort": "asc", **params},
        headers={"PRIVATE-TOKEN": "bot"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def test_a_thread_and_its_replies_are_discussion_notes(
    sandbox: RunningSandbox, project: Project, gitlab_as: Any, path: str
) -> None:
    issue = project.issues.create({"title": "pairing"})
    mentor = gitlab_as("mentor").projects.get(path, lazy=True).issues.get(issue.iid, lazy=True)

    thread = mentor.discussions.create({"body": "How did the review go?"})
    reply = thread.notes.create({"body": "Went well, thanks"})
    issue.notes.create({"body": "a plain comment"})

    listed = issue.discussions.list(get_all=True)
    # python-gitlab's `notes` is the replies manager; the listed notes are in the attributes
    assert [(d.individual_note, [n["body"] for n in d.attributes["notes"]]) for d in listed] == [
        (False, ["How did the review go?", "Went well, thanks"]),
        (True, ["a plain comment"]),
    ]
    assert thread.individual_note is False
    assert [n["type"] for n in thread.attributes["notes"]] == ["DiscussionNote"]
    assert reply.type == "DiscussionNote"
    assert listed[1].attributes["notes"][0]["type"] is None


def test_project_events_name_the_note_class_and_filter_on_it_exactly(
    sandbox: RunningSandbox, project: Project, path: str
) -> None:
    issue = project.issues.create({"title": "pairing"})
    issue.notes.create({"body": "plain"})
    issue.discussions.create({"body": "threaded"})

    everything = events(sandbox, path, action="commented")
    notes_only = events(sandbox, path, action="commented", target_type="note")

    assert [(e["target_type"], e["note"]["body"]) for e in everything] == [
        ("Note", "plain"),
        ("DiscussionNote", "threaded"),
    ]
    assert [e["note"]["body"] for e in notes_only] == ["plain"]
    assert everything[1]["note"]["type"] == "DiscussionNote"


def test_a_reply_turns_a_single_note_into_a_thread(
    sandbox: RunningSandbox, project: Project, path: str
) -> None:
    issue = project.issues.create({"title": "pairing"})
    note = issue.notes.create({"body": "first"})
    (single,) = issue.discussions.list(get_all=True)

    single.notes.create({"body": "a reply"})

    (thread,) = issue.discussions.list(get_all=True)
    assert thread.individual_note is False
    first = thread.attributes["notes"][0]
    assert (first["id"], first["type"]) == (note.id, "DiscussionNote")
    # the event written when the note was a plain one keeps its target type
    assert [e["target_type"] for e in events(sandbox, path, action="commented")] == [
        "Note",
        "DiscussionNote",
    ]


def test_system_notes_are_discussions_that_take_no_reply(
    sandbox: RunningSandbox, project: Project
) -> None:
    issue = project.issues.create({"title": "pairing"})
    issue.labels = ["mentorship"]
    issue.save()
    (system,) = issue.discussions.list(get_all=True)

    with pytest.raises(Exception, match="can not be replied to") as refused:
        system.notes.create({"body": "reply"})

    assert system.attributes["notes"][0]["system"] is True
    assert getattr(refused.value, "response_code", None) == 400


def test_replying_to_an_unknown_discussion_is_404(
    sandbox: RunningSandbox, project: Project, path: str
) -> None:
    issue = project.issues.create({"title": "pairing"})

    response = requests.post(
        f"{sandbox.url}/api/v4/projects/{path.replace('/', '%2F')}/issues/{issue.iid}"
        "/discussions/0123456789abcdef/notes",
        json={"body": "hello"},
        headers={"PRIVATE-TOKEN": "bot"},
        timeout=5,
    )

    assert (response.status_code, response.json()) == (
        404,
        {"message": "404 Discussion Not Found"},
    )
