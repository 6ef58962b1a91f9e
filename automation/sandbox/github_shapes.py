"""GitHub's REST schemas (issue, comment, label, users, repository, contents, git refs, pull
requests) rendered from sandbox rows."""

from __future__ import annotations

import base64
import zlib
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from automation.sandbox.clock import github_time
from automation.sandbox.git import tree_id
from automation.sandbox.records import (
    Access,
    Change,
    ChangeState,
    Comment,
    Commit,
    Issue,
    IssueQuery,
    Label,
    Project,
    State,
    User,
    Window,
)
from automation.sandbox.store import Store

PREFIX = "/api/v3"


def node_id(kind: str, number: int) -> str:
    """GitHub's legacy global node id: base64 of "0<len(kind)>:<kind><id>"."""
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


class GitHubView:
    """Renders rows as GitHub's REST schemas, with URLs on the host the client used."""

    def __init__(
        self,
        store: Store,
        base_url: str,
        repo: Project | None = None,
        viewer: User | None = None,
    ) -> None:
        self.store = store
        self.base = base_url
        self.api = base_url + PREFIX
        self.repo = repo
        self.viewer = viewer

    @property
    def repo_api(self) -> str:
        assert self.repo is not None
        return f"{self.api}/repos/{self.repo.path}"

    def user(self, user: User, kind: str | None = None) -> dict[str, Any]:
        login = user.username
        api = f"{self.api}/users/{quote(login)}"
        return {
            "login": login,
            "id": user.id,
            "node_id": node_id("User", user.id),
            "avatar_url": f"{self.base}/avatars/u/{user.id}?v=4",
            "gravatar_id": "",
            "url": api,
            "html_url": f"{self.base}/{quote(login)}",
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs",
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": kind or ("Bot" if login.endswith("[bot]") else "User"),
            "user_view_type": "public",
            "site_admin": False,
        }

    def public_user(self, user: User) -> dict[str, Any]:
        created = github_time(user.created_at)
        return {
            **self.user(user),
            "name": user.username,
            "company": None,
            "blog": "",
            "location": None,
            "email": None,
            "hireable": None,
            "bio": None,
            "twitter_username": None,
            "public_repos": 0,
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "created_at": created,
            "updated_at": created,
        }

    def private_user(self, user: User) -> dict[str, Any]:
        return {
            **self.public_user(user),
            "notification_email": None,
            "private_gists": 0,
            "total_private_repos": 0,
            "owned_private_repos": 0,
            "disk_usage": 0,
            "collaborators": 0,
            "two_factor_authentication": False,
            "plan": {
                "name": "free",
                "space": 976562499,
                "collaborators": 0,
                "private_repos": 10000,
            },
        }

    def repository(self, repo: Project) -> dict[str, Any]:
        # Repositories belong to an organization named by the path; it is not a user who
        # could log in or be assigned, and its id is a checksum of its name.
        owner = User(zlib.crc32(repo.namespace.encode()) & 0x7FFFFFFF, repo.namespace, 0)
        api = f"{self.api}/repos/{repo.path}"
        created = github_time(repo.created_at)
        _, open_issues = self.store.list_issues(repo, IssueQuery(state=State.OPEN), Window(0, 0))
        host = self.base.split("://", 1)[-1].split(":", 1)[0]
        templated = {
            "archive_url": "{archive_format}{/ref}",
            "assignees_url": "assignees{/user}",
            "blobs_url": "git/blobs{/sha}",
            "branches_url": "branches{/branch}",
            "collaborators_url": "collaborators{/collaborator}",
            "comments_url": "comments{/number}",
            "commits_url": "commits{/sha}",
            "compare_url": "compare/{base}...{head}",
            "contents_url": "contents/{+path}",
            "contributors_url": "contributors",
            "deployments_url": "deployments",
            "downloads_url": "downloads",
            "events_url": "events",
            "forks_url": "forks",
            "git_commits_url": "git/commits{/sha}",
            "git_refs_url": "git/refs{/sha}",
            "git_tags_url": "git/tags{/sha}",
            "hooks_url": "hooks",
            "issue_comment_url": "issues/comments{/number}",
            "issue_events_url": "issues/events{/number}",
            "issues_url": "issues{/number}",
            "keys_url": "keys{/key_id}",
            "labels_url": "labels{/name}",
            "languages_url": "languages",
            "merges_url": "merges",
            "milestones_url": "milestones{/number}",
            "notifications_url": "notifications{?since,all,participating}",
            "pulls_url": "pulls{/number}",
            "releases_url": "releases{/id}",
            "stargazers_url": "stargazers",
            "statuses_url": "statuses/{sha}",
            "subscribers_url": "subscribers",
            "subscription_url": "subscription",
            "tags_url": "tags",
            "teams_url": "teams",
            "trees_url": "git/trees{/sha}",
        }
        return {
            "id": repo.id,
            "node_id": node_id("Repository", repo.id),
            "name": repo.name,
            "full_name": repo.path,
            "private": repo.private,
            "owner": self.user(owner, "Organization"),
            "html_url": f"{self.base}/{repo.path}",
            "description": None,
            "fork": False,
            "url": api,
            **{key: f"{api}/{suffix}" for key, suffix in templated.items()},
            "git_url": f"git://{host}/{repo.path}.git",
            "ssh_url": f"git@{host}:{repo.path}.git",
            "clone_url": f"{self.base}/{repo.path}.git",
            "svn_url": f"{self.base}/{repo.path}",
            "mirror_url": None,
            "homepage": None,
            "license": None,
            "language": None,
            "forks_count": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "size": 0,
            "default_branch": "main",
            "open_issues_count": open_issues,
            "is_template": False,
            "topics": [],
            "has_issues": True,
            "has_projects": True,
            "has_wiki": True,
            "has_pages": False,
            "has_downloads": True,
            "has_discussions": False,
            "archived": False,
            "disabled": False,
            "visibility": "private" if repo.private else "public",
            "pushed_at": created,
            "created_at": created,
            "updated_at": created,
            **self._permissions(),
            "allow_rebase_merge": True,
            "allow_squash_merge": True,
            "allow_merge_commit": True,
            "allow_auto_merge": False,
            "delete_branch_on_merge": False,
            "allow_update_branch": False,
            "use_squash_pr_title_as_default": False,
            "allow_forking": True,
            "web_commit_signoff_required": False,
            "forks": 0,
            "open_issues": open_issues,
            "watchers": 0,
            "network_count": 0,
            "subscribers_count": 0,
        }

    def _permissions(self) -> dict[str, Any]:
        """The viewer's role on the repository. An app's installation token (a `[bot]`
        login, GITHUB_TOKEN in Actions) gets none that can be trusted, so none is sent:
        https://github.com/lindell/multi-gitter/pull/334."""
        viewer = self.viewer
        if viewer is None or viewer.username.endswith("[bot]"):
            return {}
        roles = {
            "admin": Access.ADMIN,
            "maintain": Access.MAINTAIN,
            "push": Access.WRITE,
            "triage": Access.TRIAGE,
            "pull": Access.READ,
        }
        permissions = {role: viewer.access >= level for role, level in roles.items()}
        # temp_clone_token is sent to admins only
        return {"permissions": permissions} | (
            {"temp_clone_token": ""} if permissions["admin"] else {}
        )

    def label(self, label: Label) -> dict[str, Any]:
        return {
            "id": label.id,
            "node_id": node_id("Label", label.id),
            "url": f"{self.repo_api}/labels/{quote(label.name, safe='')}",
            "name": label.name,
            "color": label.color.lstrip("#"),
            "default": False,
            "description": label.description,
        }

    def _association(self, user: User) -> str:
        assert self.repo is not None
        return "OWNER" if user.username == self.repo.namespace else "COLLABORATOR"

    def _reactions(self, url: str) -> dict[str, Any]:
        counts = ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")
        return {"url": f"{url}/reactions", "total_count": 0, **dict.fromkeys(counts, 0)}

    def issues(self, issues: Sequence[Issue], *, closed_by: bool = False) -> list[dict[str, Any]]:
        ids = [issue.id for issue in issues]
        labels = self.store.issue_labels(ids)
        assignees = self.store.issue_assignees(ids)
        people = self.store.users(
            [issue.author_id for issue in issues]
            + [issue.closed_by for issue in issues if issue.closed_by is not None]
        )
        return [
            self._issue(issue, labels[issue.id], assignees[issue.id], people, closed_by)
            for issue in issues
        ]

    def issue(self, issue: Issue) -> dict[str, Any]:
        # GitHub sends `closed_by` for a single issue only, never in lists
        return self.issues([issue], closed_by=True)[0]

    def _issue(
        self,
        issue: Issue,
        labels: list[Label],
        assignees: list[User],
        people: Mapping[int, User],
        with_closed_by: bool,
    ) -> dict[str, Any]:
        assert self.repo is not None
        url = f"{self.repo_api}/issues/{issue.number}"
        kind = "pull" if issue.pull else "issues"
        author = people[issue.author_id]
        assignee_json = [self.user(user) for user in assignees]
        rendered: dict[str, Any] = {
            "url": url,
            "repository_url": self.repo_api,
            "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments",
            "events_url": f"{url}/events",
            "html_url": f"{self.base}/{self.repo.path}/{kind}/{issue.number}",
            "id": issue.id,
            "node_id": node_id("Issue", issue.id),
            "number": issue.number,
            "title": issue.title,
            "user": self.user(author),
            "labels": [self.label(label) for label in labels],
            "state": issue.state.value,
            "locked": False,
            "assignee": assignee_json[0] if assignee_json else None,
            "assignees": assignee_json,
            "milestone": None,
            "comments": issue.comments,
            "created_at": github_time(issue.created_at),
            "updated_at": github_time(issue.updated_at),
            "closed_at": None if issue.closed_at is None else github_time(issue.closed_at),
            "author_association": self._association(author),
            "type": None,
            "active_lock_reason": None,
            "sub_issues_summary": {"total": 0, "completed": 0, "percent_completed": 0},
            "body": issue.body,
            "reactions": self._reactions(url),
            "timeline_url": f"{url}/timeline",
            "performed_via_github_app": None,
            "state_reason": issue.state_reason,
        }
        if issue.pull:
            # GitHub lists pull requests among the issues, told apart by this key
            html = f"{self.base}/{self.repo.path}/pull/{issue.number}"
            rendered["draft"] = False
            rendered["pull_request"] = {
                "url": f"{self.repo_api}/pulls/{issue.number}",
                "html_url": html,
                "diff_url": f"{html}.diff",
                "patch_url": f"{html}.patch",
                "merged_at": None,
            }
        if with_closed_by:
            closer = people.get(issue.closed_by) if issue.closed_by is not None else None
            rendered["closed_by"] = None if closer is None else self.user(closer)
        return rendered

    def comments(self, comments: Sequence[Comment]) -> list[dict[str, Any]]:
        people = self.store.users(comment.author_id for comment in comments)
        return [self._comment(comment, people[comment.author_id]) for comment in comments]

    def comment(self, comment: Comment) -> dict[str, Any]:
        return self.comments([comment])[0]

    def _comment(self, comment: Comment, author: User) -> dict[str, Any]:
        url = f"{self.repo_api}/issues/comments/{comment.id}"
        assert self.repo is not None
        html = f"{self.base}/{self.repo.path}/issues/{comment.issue_number}"
        return {
            "id": comment.id,
            "node_id": node_id("IssueComment", comment.id),
            "url": url,
            "html_url": f"{html}#issuecomment-{comment.id}",
            "body": comment.body,
            "user": self.user(author),
            "created_at": github_time(comment.created_at),
            "updated_at": github_time(comment.updated_at),
            "issue_url": f"{self.repo_api}/issues/{comment.issue_number}",
            "author_association": self._association(author),
            "performed_via_github_app": None,
            "reactions": self._reactions(url),
        }


class GitHubRepositoryView(GitHubView):
    """GitHub's git data, contents and pull request schemas."""

    def content_file(self, path: str, ref: str, text: str, blob: str) -> dict[str, Any]:
        """`content-file` (repos/get-content for a file)."""
        data = text.encode()
        return {
            **self._content(path, ref, blob, len(data)),
            "content": base64.encodebytes(data).decode(),  # GitHub wraps it at 60 characters
            "encoding": "base64",
        }

    def _content(self, path: str, ref: str, blob: str, size: int) -> dict[str, Any]:
        assert self.repo is not None
        url = f"{self.repo_api}/contents/{quote(path)}?ref={quote(ref, safe='')}"
        html = f"{self.base}/{self.repo.path}/blob/{ref}/{path}"
        git = f"{self.repo_api}/git/blobs/{blob}"
        return {
            "type": "file",
            "size": size,
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": blob,
            "url": url,
            "git_url": git,
            "html_url": html,
            "download_url": f"{self.base}/raw/{self.repo.path}/{ref}/{path}",
            "_links": {"self": url, "git": git, "html": html},
        }

    def file_commit(self, commit: Commit, path: str, branch: str, text: str) -> dict[str, Any]:
        """`file-commit` (repos/create-or-update-file-contents)."""
        assert self.repo is not None
        return {
            "content": self._content(path, branch, commit.tree[path], len(text.encode())),
            "commit": {
                "sha": commit.id,
                "node_id": node_id("Commit", int(commit.id[:8], 16)),
                "url": f"{self.repo_api}/git/commits/{commit.id}",
                "html_url": f"{self.base}/{self.repo.path}/commit/{commit.id}",
                "author": _person(commit),
                "committer": _person(commit),
                "message": commit.message,
                "tree": self._tree(commit),
                "parents": self._parents(commit),
                "verification": dict(_UNSIGNED),
            },
        }

    def _tree(self, commit: Commit) -> dict[str, Any]:
        return {
            "url": f"{self.repo_api}/git/trees/{tree_id(commit.tree)}",
            "sha": tree_id(commit.tree),
        }

    def _parents(self, commit: Commit) -> list[dict[str, Any]]:
        assert self.repo is not None
        return [
            {
                "url": f"{self.repo_api}/git/commits/{parent}",
                "html_url": f"{self.base}/{self.repo.path}/commit/{parent}",
                "sha": parent,
            }
            for parent in commit.parents
        ]

    def commit(self, commit: Commit, author: User | None) -> dict[str, Any]:
        """`commit` (repos/get-commit, the items of a comparison): the account is the
        author's when the forge knows it, else null."""
        assert self.repo is not None
        account = self.user(author) if author is not None else None
        return {
            "url": f"{self.repo_api}/commits/{commit.id}",
            "sha": commit.id,
            "node_id": node_id("Commit", int(commit.id[:8], 16)),
            "html_url": f"{self.base}/{self.repo.path}/commit/{commit.id}",
            "comments_url": f"{self.repo_api}/commits/{commit.id}/comments",
            "commit": {
                "url": f"{self.repo_api}/git/commits/{commit.id}",
                "author": _person(commit),
                "committer": _person(commit),
                "message": commit.message,
                "comment_count": 0,
                "tree": self._tree(commit),
                "verification": dict(_UNSIGNED),
            },
            "author": account,
            "committer": account,
            "parents": self._parents(commit),
        }

    def diff_entry(
        self, path: str, old: str | None, new: str | None, head: str, counts: tuple[int, int]
    ) -> dict[str, Any]:
        """`diff-entry`: one file of a comparison, `old` and `new` its blob ids (None: the
        file is absent on that side)."""
        assert self.repo is not None
        added, deleted = counts
        status = "added" if old is None else "removed" if new is None else "modified"
        return {
            "sha": new or old,
            "filename": path,
            "status": status,
            "additions": added,
            "deletions": deleted,
            "changes": added + deleted,
            "blob_url": f"{self.base}/{self.repo.path}/blob/{head}/{quote(path)}",
            "raw_url": f"{self.base}/{self.repo.path}/raw/{head}/{quote(path)}",
            "contents_url": f"{self.repo_api}/contents/{quote(path)}?ref={head}",
        }

    def comparison(
        self,
        basehead: str,
        base: dict[str, Any],
        merge_base: dict[str, Any],
        counts: tuple[int, int],
        commits: list[dict[str, Any]],
        files: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """`commit-comparison` (repos/compare-commits)."""
        assert self.repo is not None
        ahead, behind = counts
        status = (
            "identical"
            if ahead == behind == 0
            else "ahead"
            if behind == 0
            else "behind"
            if ahead == 0
            else "diverged"
        )
        html = f"{self.base}/{self.repo.path}/compare/{basehead}"
        owner = self.repo.namespace
        head_sha = commits[-1]["sha"] if commits else base["sha"]
        return {
            "url": f"{self.repo_api}/compare/{basehead}",
            "html_url": html,
            "permalink_url": (
                f"{self.base}/{self.repo.path}/compare/{owner}:{base['sha']}...{owner}:{head_sha}"
            ),
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "base_commit": base,
            "merge_base_commit": merge_base,
            "status": status,
            "ahead_by": ahead,
            "behind_by": behind,
            "total_commits": ahead,
            "commits": commits,
            "files": files,
        }

    def git_ref(self, name: str, sha: str) -> dict[str, Any]:
        """`git-ref`: a branch as refs/heads/<name>."""
        ref = f"refs/heads/{name}"
        return {
            "ref": ref,
            "node_id": node_id("Ref", zlib.crc32(ref.encode())),
            "url": f"{self.repo_api}/git/{ref}",
            "object": {
                "type": "commit",
                "sha": sha,
                "url": f"{self.repo_api}/git/commits/{sha}",
            },
        }

    def pulls(self, changes: Sequence[Change], *, single: bool = False) -> list[dict[str, Any]]:
        assert self.repo is not None
        issue_ids = [c.issue_id for c in changes if c.issue_id is not None]
        labels = self.store.issue_labels(issue_ids)
        assignees = self.store.issue_assignees(issue_ids)
        people = self.store.users(
            [c.author_id for c in changes] + [c.merged_by for c in changes if c.merged_by]
        )
        repository = self.repository(self.repo)
        return [self._pull(c, labels, assignees, people, repository, single) for c in changes]

    def pull(self, change: Change) -> dict[str, Any]:
        return self.pulls([change], single=True)[0]

    def _pull(
        self,
        change: Change,
        labels: Mapping[int, list[Label]],
        assignees: Mapping[int, list[User]],
        people: Mapping[int, User],
        repository: dict[str, Any],
        single: bool,
    ) -> dict[str, Any]:
        """`pull-request-simple` (lists) or `pull-request` (single)."""
        assert self.repo is not None
        assert change.issue_id is not None
        number = change.number
        url = f"{self.repo_api}/pulls/{number}"
        issue = f"{self.repo_api}/issues/{number}"
        html = f"{self.base}/{self.repo.path}/pull/{number}"
        head = self.store.head_of(self.repo, change)
        base = self.store.branch_head(self.repo, change.target) or ""
        owner = self.user(
            User(zlib.crc32(self.repo.namespace.encode()) & 0x7FFFFFFF, self.repo.namespace, 0),
            "Organization",
        )
        author = people[change.author_id]
        assigned = [self.user(user) for user in assignees[change.issue_id]]
        links = {
            "self": url,
            "html": html,
            "issue": issue,
            "comments": f"{issue}/comments",
            "review_comments": f"{url}/comments",
            "review_comment": f"{self.repo_api}/pulls/comments{{/number}}",
            "commits": f"{url}/commits",
            "statuses": f"{self.repo_api}/statuses/{head}",
        }
        rendered: dict[str, Any] = {
            "url": url,
            "id": change.id,
            "node_id": node_id("PullRequest", change.id),
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": issue,
            "commits_url": links["commits"],
            "review_comments_url": links["review_comments"],
            "review_comment_url": links["review_comment"],
            "comments_url": links["comments"],
            "statuses_url": links["statuses"],
            "number": number,
            "state": "open" if change.state is ChangeState.OPEN else "closed",
            "locked": False,
            "title": change.title,
            "user": self.user(author),
            "body": change.body,
            "labels": [self.label(label) for label in labels[change.issue_id]],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": github_time(change.created_at),
            "updated_at": github_time(change.updated_at),
            "closed_at": _time(change.merged_at or change.closed_at),
            "merged_at": _time(change.merged_at),
            "merge_commit_sha": change.merge_commit,
            "assignee": assigned[0] if assigned else None,
            "assignees": assigned,
            "requested_reviewers": [],
            "requested_teams": [],
            "head": self._part(change.source, head, owner, repository),
            "base": self._part(change.target, base, owner, repository),
            "_links": {name: {"href": href} for name, href in links.items()},
            "author_association": self._association(author),
            "auto_merge": None,
            "draft": False,
        }
        if single:
            mergeable = change.state is not ChangeState.OPEN or not isinstance(
                self.store.merged_files(self.repo, base, head), list
            )
            merger = people.get(change.merged_by) if change.merged_by else None
            rendered |= {
                "merged": change.state is ChangeState.MERGED,
                "mergeable": mergeable,
                "rebaseable": mergeable,
                "mergeable_state": "clean" if mergeable else "dirty",
                "merged_by": None if merger is None else self.user(merger),
                "comments": 0,
                "review_comments": 0,
                "maintainer_can_modify": False,
                "commits": 1,
                "additions": 0,
                "deletions": 0,
                "changed_files": 0,
            }
        return rendered

    def _part(
        self, branch: str, sha: str, owner: dict[str, Any], repository: dict[str, Any]
    ) -> dict[str, Any]:
        assert self.repo is not None
        return {
            "label": f"{self.repo.namespace}:{branch}",
            "ref": branch,
            "sha": sha,
            "user": owner,
            "repo": repository,
        }


def _time(ms: int | None) -> str | None:
    return None if ms is None else github_time(ms)


_UNSIGNED = {
    "verified": False,
    "reason": "unsigned",
    "signature": None,
    "payload": None,
    "verified_at": None,
}


def _person(commit: Commit) -> dict[str, str]:
    """A commit's git author or committer: the sandbox names its committer's login."""
    who = commit.author or "sandbox"
    return {"name": who, "email": f"{who}@sandbox.invalid", "date": github_time(commit.created_at)}
