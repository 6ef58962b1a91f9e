"""Users exist only when registered: lookups, tokens, membership and assignment on both APIs."""

from __future__ import annotations

from typing import Any

import github
import gitlab
import pytest
import requests
from github.Repository import Repository
from gitlab.v4.objects import Project

from automation.sandbox import RunningSandbox, SandboxError


def test_an_unknown_gitlab_username_is_an_empty_list(
    sandbox: RunningSandbox, gl: gitlab.Gitlab
) -> None:
    response = requests.get(
        f"{sandbox.url}/api/v4/users",
        params={"username": "never-seen"},
        headers={"PRIVATE-TOKEN": "bot"},
        timeout=5,
    )

    assert (response.status_code, response.json()) == (200, [])
    assert [user.username for user in gl.users.list(username="alice")] == ["alice"]
    assert "never-seen" not in [user["login"] for user in sandbox.users()]


@pytest.mark.parametrize(
    ("api", "header", "body"),
    [
        ("v4/user", "PRIVATE-TOKEN", {"message": "401 Unauthorized"}),
        (
            "v3/user",
            "Authorization",
            {
                "message": "Bad credentials",
                "documentation_url": "https://docs.github.com/rest",
                "status": "401",
            },
        ),
    ],
)
def test_a_token_of_nobody_registered_is_refused(
    sandbox: RunningSandbox, api: str, header: str, body: dict[str, str]
) -> None:
    token = "never-registered" if header == "PRIVATE-TOKEN" else "token never-registered"

    response = requests.get(f"{sandbox.url}/api/{api}", headers={header: token}, timeout=5)

    assert (response.status_code, response.json()) == (401, body)


def test_registering_creates_accounts_and_changes_roles(sandbox: RunningSandbox) -> None:
    first = sandbox.register_users("reg-one", "reg-two")
    again = sandbox.register_users("reg-one", access="none")

    assert [(u["login"], u["access"]) for u in first] == [
        ("reg-one", "write"),
        ("reg-two", "write"),
    ]
    assert again == [{"login": "reg-one", "id": first[0]["id"], "access": "none"}]
    with pytest.raises(SandboxError, match="access must be one of none, read, triage"):
        sandbox.register_users("reg-three", access="owner")
    malformed = requests.post(f"{sandbox.url}/_sandbox/users", json={"logins": "x"}, timeout=5)
    assert malformed.status_code == 400


def test_gitlab_members_are_the_users_with_a_role(
    sandbox: RunningSandbox, gl: gitlab.Gitlab, project: Project, gitlab_as: Any, path: str
) -> None:
    sandbox.register_users("gl-outsider", access="none")
    sandbox.register_users("gl-guest", access="read")
    outsider = gl.users.list(username="gl-outsider")[0]
    guest = gl.users.list(username="gl-guest")[0]

    members = {m.username: m.access_level for m in project.members_all.list(get_all=True)}
    member = project.members_all.get(guest.id)
    with pytest.raises(gitlab.GitlabGetError) as missing:
        project.members_all.get(outsider.id)

    assert members["alice"] == 30
    assert members["gl-guest"] == 10
    assert "gl-outsider" not in members
    assert member.access_level == 10
    assert missing.value.response_code == 404
    viewer = gitlab_as("gl-guest").projects.get(path)
    assert viewer.permissions["project_access"]["access_level"] == 10


def test_gitlab_drops_assignees_without_a_role(
    sandbox: RunningSandbox, gl: gitlab.Gitlab, project: Project
) -> None:
    sandbox.register_users("gl-drop", access="none")
    alice = gl.users.list(username="alice")[0]
    outsider = gl.users.list(username="gl-drop")[0]

    issue = project.issues.create({"title": "t", "assignee_ids": [alice.id, outsider.id, 999999]})

    assert [a["username"] for a in issue.assignees] == ["alice"]


def test_github_rejects_an_unknown_or_unassignable_assignee(
    sandbox: RunningSandbox, repo: Repository
) -> None:
    sandbox.register_users("gh-outsider", access="none")

    for login in ("ghost", "gh-outsider"):
        with pytest.raises(github.GithubException) as refused:
            repo.create_issue("t", assignees=["alice", login])
        assert refused.value.status == 422
        assert refused.value.data["errors"] == [
            {"resource": "Issue", "code": "invalid", "field": "assignees", "value": login}
        ]
    assert repo.get_issues(state="all").totalCount == 0
    issue = repo.create_issue("t", assignees=["alice"])
    with pytest.raises(github.GithubException):
        issue.edit(assignees=["ghost"])
    assert [u.login for u in repo.get_issue(issue.number).assignees] == ["alice"]


def test_github_says_who_can_be_assigned(sandbox: RunningSandbox, repo: Repository) -> None:
    sandbox.register_users("gh-nobody", access="none")

    listed = [user.login for user in repo.get_assignees()]

    assert "alice" in listed
    assert "gh-nobody" not in listed
    assert repo.has_in_assignees("alice")
    assert not repo.has_in_assignees("gh-nobody")
    assert not repo.has_in_assignees("ghost")


def test_github_reports_the_viewers_role_but_not_an_apps(
    sandbox: RunningSandbox, github_as: Any, path: str
) -> None:
    sandbox.register_users("gh-reader", access="read")

    reader = github_as("gh-reader").get_repo(path).raw_data
    app = github_as("github-actions[bot]").get_repo(path).raw_data

    assert reader["permissions"] == {
        "admin": False,
        "maintain": False,
        "push": False,
        "triage": False,
        "pull": True,
    }
    assert "permissions" not in app
    assert reader["owner"]["type"] == "Organization"
    assert "acme" not in [user["login"] for user in sandbox.users()]


def test_github_users_exist_only_when_registered(sandbox: RunningSandbox, gh: Any) -> None:
    assert gh.get_user("alice").login == "alice"
    with pytest.raises(github.UnknownObjectException):
        gh.get_user("ghost").name  # noqa: B018


def test_github_drops_labels_and_assignees_of_a_new_issue_by_a_reader(
    sandbox: RunningSandbox, github_as: Any, path: str
) -> None:
    sandbox.register_users("gh-reader-2", access="read")
    repo = github_as("gh-reader-2").get_repo(path)

    issue = repo.create_issue("asked for help", labels=["mentorship"], assignees=["ghost"])

    assert (issue.labels, issue.assignees) == ([], [])
