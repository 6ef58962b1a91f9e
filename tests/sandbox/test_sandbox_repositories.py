"""Repositories on the sandbox: git's ids and merge, commits with actions, merge and pull
requests, through python-gitlab and PyGithub as the forges answer them."""

from __future__ import annotations

import subprocess
from typing import Any

import gitlab
import pytest
from github import GithubException
from github.Repository import Repository
from gitlab.v4.objects import Project

from automation.sandbox import RunningSandbox, SandboxError
from automation.sandbox.git import blob_id, merge_files, merge_text

# -- git's ids and its three-way merge ---------------------------------------------------


@pytest.mark.parametrize("text", ["", "hello\n", "pairings:\n  - mentor: alice\n", "é\n"])
def test_blob_ids_are_gits(text: str) -> None:
    hashed = subprocess.run(
        ["git", "hash-object", "--stdin"], input=text.encode(), capture_output=True, check=True
    )
    assert blob_id(text) == hashed.stdout.decode().strip()


BASE = "people: []\n\n# pairs\npairings: []\n"


@pytest.mark.parametrize(
    ("ours", "theirs", "merged"),
    [
        # changes apart merge; a change made alike on both sides is taken once
        (
            "people: [carol]\n\n# pairs\npairings: []\n",
            "people: []\n\n# pairs\npairings: [x]\n",
            "people: [carol]\n\n# pairs\npairings: [x]\n",
        ),
        (BASE.replace("[]", "[y]", 1), BASE.replace("[]", "[y]", 1), BASE.replace("[]", "[y]", 1)),
        (BASE, BASE + "extra\n", BASE + "extra\n"),
        # the same line changed differently, or lines next to each other: a conflict
        (
            BASE.replace("pairings: []", "pairings: [a]"),
            BASE.replace("pairings: []", "p: [b]"),
            None,
        ),
        ("people: []\n\n# pairs!\npairings: []\n", "people: []\n\n# pairs\npairings: [x]\n", None),
    ],
    ids=["apart", "alike", "one side", "same line", "adjacent lines"],
)
def test_text_merges_as_diff3_does(ours: str, theirs: str, merged: str | None) -> None:
    assert merge_text(BASE, ours, theirs) == merged


def test_files_added_deleted_and_changed_merge_or_conflict() -> None:
    base = {"kept.yml": "a\n", "gone.yml": "b\n", "edited.yml": "c\n"}
    ours = {"kept.yml": "a\n", "edited.yml": "c2\n", "ours.yml": "o\n"}
    theirs = {**base, "theirs.yml": "t\n"}

    assert merge_files(base, ours, theirs) == {
        "kept.yml": "a\n",
        "edited.yml": "c2\n",
        "ours.yml": "o\n",
        "theirs.yml": "t\n",
    }
    # deleted on one side, changed on the other
    assert merge_files(base, ours, {**base, "gone.yml": "b2\n"}) == ["gone.yml"]


# -- GitLab: commits with actions --------------------------------------------------------


def commit(project: Project, **fields: Any) -> Any:
    data = {"branch": "main", "commit_message": "m", **fields}
    return project.commits.create(data)


def action(kind: str, text: str = "x\n", path: str = "program.yml", **extra: str) -> Any:
    return [{"action": kind, "file_path": path, "content": text, **extra}]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"actions": action("update")}, "A file with this name doesn't exist"),
        ({"branch": "feature", "actions": action("create")}, "You can only create or edit files"),
        (
            {"start_branch": "main", "branch": "main-too", "actions": action("delete")},
            "actions[0][action] does not have a valid value",
        ),
    ],
    ids=["update a missing file", "no such branch", "an action the sandbox does not serve"],
)
def test_gitlab_refuses_what_it_cannot_commit(
    project: Project, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(gitlab.GitlabCreateError) as caught:
        commit(project, **fields)

    assert caught.value.response_code == 400
    assert message in str(caught.value.error_message)


def test_gitlab_commits_guard_the_file_and_the_branch(project: Project) -> None:
    first = commit(project, actions=action("create", "a\n"))
    commit(project, branch="feature", start_branch="main", actions=action("update", "b\n"))
    refusals = [
        ({"actions": action("create")}, "A file with this name already exists"),
        (
            {"actions": action("update", last_commit_id="0" * 40)},
            "has changed since you started editing it",
        ),
        (
            {"branch": "feature", "start_branch": "main", "actions": action("update")},
            "A branch called 'feature' already exists",
        ),
    ]
    for fields, message in refusals:
        with pytest.raises(gitlab.GitlabCreateError) as caught:
            commit(project, **fields)
        assert message in str(caught.value.error_message)

    # with the last commit it read, and `force` to start the branch afresh
    commit(project, actions=action("update", "a2\n", last_commit_id=first.id))
    commit(project, branch="feature", start_branch="main", force=True, actions=action("update"))
    assert project.files.raw("program.yml", ref="feature") == b"x\n"
    assert project.files.get("program.yml", ref="main").decode() == b"a2\n"
    assert [b.name for b in project.branches.list()] == ["feature", "main"]


def test_gitlab_pushing_takes_the_developer_role(
    project: Project, gitlab_as: Any, path: str, sandbox: RunningSandbox
) -> None:
    sandbox.register_users("reporter", access="triage")
    as_reporter = gitlab_as("reporter").projects.get(path, lazy=True)

    with pytest.raises(gitlab.GitlabCreateError) as caught:
        commit(as_reporter, actions=action("create"))

    assert caught.value.response_code == 403
    assert "You are not allowed to push into this branch" in str(caught.value.error_message)


# -- GitLab: merge requests --------------------------------------------------------------


def proposal(project: Project, **fields: Any) -> Any:
    commit(project, actions=action("create", "people: []\n"))
    commit(project, branch="proposal", start_branch="main", actions=action("update", "p\n"))
    data = {"source_branch": "proposal", "target_branch": "main", "title": "Roster", **fields}
    return project.mergerequests.create(data)


def test_gitlab_merges_as_a_maintainer_and_removes_the_branch(
    project: Project, gitlab_as: Any, path: str, sandbox: RunningSandbox
) -> None:
    opened = proposal(project, remove_source_branch=True)
    with pytest.raises(gitlab.GitlabCreateError) as duplicate:
        project.mergerequests.create(
            {"source_branch": "proposal", "target_branch": "main", "title": "Again"}
        )
    # the bot is a Developer; python-gitlab takes any 401 for an authentication error
    with pytest.raises(gitlab.GitlabAuthenticationError) as refused:
        project.mergerequests.get(opened.iid).merge()
    sandbox.register_users("coordinator", access="maintain")
    as_coordinator = gitlab_as("coordinator").projects.get(path, lazy=True)

    as_coordinator.mergerequests.get(opened.iid).merge()

    assert duplicate.value.response_code == 409
    assert "Another open merge request already exists" in str(duplicate.value.error_message)
    assert refused.value.response_code == 401
    merged = project.mergerequests.get(opened.iid)
    assert (merged.state, merged.merge_user["username"]) == ("merged", "coordinator")
    assert merged.merge_commit_sha == project.branches.get("main").commit["id"]
    assert project.files.raw("program.yml", ref="main") == b"p\n"
    assert [b.name for b in project.branches.list()] == ["main"]


def test_gitlab_refuses_to_merge_a_conflict_or_a_closed_request(
    project: Project, gitlab_as: Any, path: str, sandbox: RunningSandbox
) -> None:
    sandbox.register_users("coordinator", access="maintain")
    opened = proposal(project)
    commit(project, actions=action("update", "by hand\n"))
    as_coordinator = gitlab_as("coordinator").projects.get(path, lazy=True)
    listed = project.mergerequests.list(state="opened")

    with pytest.raises(gitlab.GitlabMRClosedError) as conflict:
        as_coordinator.mergerequests.get(opened.iid).merge()
    project.mergerequests.update(opened.iid, {"state_event": "close"})
    with pytest.raises(gitlab.GitlabMRClosedError) as closed:
        as_coordinator.mergerequests.get(opened.iid).merge()

    assert [(m.detailed_merge_status, m.has_conflicts) for m in listed] == [("conflict", True)]
    assert (conflict.value.response_code, closed.value.response_code) == (406, 405)
    assert project.mergerequests.list(state="opened") == []


# -- GitHub: contents, refs and pull requests --------------------------------------------


def test_github_asks_for_write_access_and_names_the_permission(
    repo: Repository, github_as: Any, path: str, sandbox: RunningSandbox
) -> None:
    sandbox.register_users("reader", access="read")
    as_reader = github_as("reader").get_repo(path)

    with pytest.raises(GithubException) as caught:
        as_reader.create_file("program.yml", "m", "x\n")

    assert caught.value.status == 403
    assert caught.value.headers is not None
    assert caught.value.headers["x-accepted-github-permissions"] == "contents=write"


def test_github_lists_a_merged_pull_as_a_closed_issue(
    repo: Repository, sandbox: RunningSandbox, path: str
) -> None:
    repo.create_file("program.yml", "seed", "people: []\n", branch="main")
    main = repo.get_git_ref("heads/main").object.sha
    repo.create_git_ref("refs/heads/proposal", main)
    with pytest.raises(GithubException) as empty:
        repo.create_pull(base="main", head="proposal", title="Roster")
    repo.update_file(
        "program.yml", "p", "p\n", repo.get_contents("program.yml").sha, branch="proposal"
    )
    pull = repo.create_pull(base="main", head="proposal", title="Roster", body="- alice")
    sandbox.register_users("coordinator", access="maintain")

    sandbox.merge("github", path, pull.number, by="coordinator")

    assert empty.value.status == 422
    assert "No commits between main and proposal" in str(empty.value.data)
    merged = repo.get_pull(pull.number)
    assert (merged.merged, merged.state, merged.merged_by.login) == (True, "closed", "coordinator")
    [issue] = repo.get_issues(state="closed")
    assert (issue.number, issue.pull_request is not None) == (pull.number, True)
    assert repo.get_contents("program.yml").decoded_content == b"p\n"


def test_the_merge_control_asks_for_the_role_the_forge_does(
    sandbox: RunningSandbox, path: str
) -> None:
    sandbox.register_users("reader", access="read")
    sandbox.put_file("gitlab", path, "program.yml", "people: []\n", branch="proposal")

    with pytest.raises(SandboxError) as caught:
        sandbox.merge("gitlab", path, 1, by="reader")

    assert "reader may not merge: it takes maintain access" in str(caught.value)


def test_gitlab_deletes_a_branch_but_not_the_default_one(project: Project) -> None:
    commit(project, branch="proposal", start_branch="main", actions=action("create"))

    project.branches.delete("proposal")
    with pytest.raises(gitlab.GitlabDeleteError) as caught:
        project.branches.delete("main")

    assert caught.value.response_code == 405
    assert [b.name for b in project.branches.list()] == ["main"]


# -- comparing a branch with the base, and forcing a branch ------------------------------


def test_gitlab_compares_straight_or_from_the_merge_base(project: Project) -> None:
    commit(project, actions=action("create", "a\n"))
    commit(project, branch="roster", start_branch="main", actions=action("update", "b\n"))
    planted = action("create", "on: push\n", ".github/workflows/x.yml")
    commit(project, branch="roster", actions=planted)
    commit(project, actions=action("create", "c\n", "other.md"))

    def compare(**options: Any) -> Any:
        return project.repository_compare("main", "roster", **options)

    # from the merge base: what the branch brings; straight: every difference of the heads
    merged = compare()
    straight = compare(straight=True)

    assert [d["new_path"] for d in merged["diffs"]] == [".github/workflows/x.yml", "program.yml"]
    assert [d["new_path"] for d in straight["diffs"]] == [
        ".github/workflows/x.yml",
        "other.md",
        "program.yml",
    ]
    other = next(d for d in straight["diffs"] if d["new_path"] == "other.md")
    assert (other["deleted_file"], other["new_file"]) == (True, False)
    assert [c["title"] for c in merged["commits"]] == ["m", "m"]
    assert merged["commit"] == merged["commits"][-1]
    assert merged["compare_timeout"] is False
    with pytest.raises(gitlab.GitlabGetError) as caught:
        project.repository_compare("main", "nowhere")
    assert caught.value.response_code == 404
    assert "404 Ref Not Found" in str(caught.value.error_message)


def test_github_compares_from_the_merge_base_and_forces_a_ref(repo: Repository) -> None:
    repo.create_file("program.yml", "seed", "a\n", branch="main")
    main = repo.get_git_ref("heads/main").object.sha
    repo.create_git_ref("refs/heads/roster", main)
    blob = repo.get_contents("program.yml").sha
    repo.update_file("program.yml", "propose", "b\n", blob, branch="roster")
    repo.create_file(".github/workflows/x.yml", "tidy", "on: push\n", branch="roster")
    repo.create_file("other.md", "docs", "c\n", branch="main")

    compared = repo.compare("main", "roster")

    assert (compared.status, compared.ahead_by, compared.behind_by) == ("diverged", 2, 1)
    assert [f.filename for f in compared.files] == [".github/workflows/x.yml", "program.yml"]
    assert [(f.status, f.additions, f.deletions) for f in compared.files] == [
        ("added", 1, 0),
        ("modified", 1, 1),
    ]
    assert compared.merge_base_commit.sha == main
    assert [c.commit.message for c in compared.commits] == ["propose", "tidy"]

    # without `force` only a fast-forward; with it, anything
    head = repo.get_git_ref("heads/main").object.sha

    def update(**fields: Any) -> Any:
        ref = f"{repo.url}/git/refs/heads/roster"
        return repo.requester.requestJsonAndCheck("PATCH", ref, input={"sha": head, **fields})

    with pytest.raises(GithubException) as caught:
        update()
    assert (caught.value.status, caught.value.data["message"]) == (
        422,
        "Update is not a fast forward",
    )
    assert update(force=True)[1]["object"]["sha"] == head
    assert repo.compare("main", "roster").status == "identical"
