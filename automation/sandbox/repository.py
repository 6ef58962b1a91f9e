"""The sandbox's repositories in SQLite: blobs, commits, branches, merge and pull requests."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any

from automation.sandbox.git import blob_id, commit_id, merge_files
from automation.sandbox.records import Change, ChangeState, Commit, Project, User, Window

DEFAULT_BRANCH = "main"
SCHEMA = """
CREATE TABLE IF NOT EXISTS blobs (id TEXT PRIMARY KEY, text TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS commits (
    project_id INTEGER NOT NULL, id TEXT NOT NULL, parents TEXT NOT NULL, files TEXT NOT NULL,
    message TEXT NOT NULL, author TEXT NOT NULL, created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS branches (
    project_id INTEGER NOT NULL, name TEXT NOT NULL, head TEXT NOT NULL,
    PRIMARY KEY (project_id, name)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, number INTEGER NOT NULL,
    issue_id INTEGER, source TEXT NOT NULL, target TEXT NOT NULL, title TEXT NOT NULL,
    body TEXT, state TEXT NOT NULL, author_id INTEGER NOT NULL, created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL, closed_at INTEGER, closed_by INTEGER, merged_at INTEGER,
    merged_by INTEGER, merge_commit TEXT, head TEXT NOT NULL, remove_source INTEGER NOT NULL,
    UNIQUE (project_id, number));
"""
TABLES = ("blobs", "commits", "branches", "changes")
_CHANGE_COLUMNS = (
    "id, project_id, number, issue_id, source, target, title, body, state, author_id,"
    " created_at, updated_at, closed_at, closed_by, merged_at, merged_by, merge_commit, head,"
    " remove_source"
)


def _commit(row: Sequence[Any]) -> Commit:
    files = tuple(sorted(json.loads(row[3]).items()))
    return Commit(row[1], row[0], tuple(json.loads(row[2])), files, row[4], row[5], row[6])


def _change(row: Sequence[Any]) -> Change:
    return Change(
        id=row[0],
        project_id=row[1],
        number=row[2],
        issue_id=row[3],
        source=row[4],
        target=row[5],
        title=row[6],
        body=row[7],
        state=ChangeState(row[8]),
        author_id=row[9],
        created_at=row[10],
        updated_at=row[11],
        closed_at=row[12],
        closed_by=row[13],
        merged_at=row[14],
        merged_by=row[15],
        merge_commit=row[16],
        head=row[17],
        remove_source=bool(row[18]),
    )


class RepositoryRows:
    """Repository state for `Store`, which provides the connection, lock and clock.

    Every project starts with a `main` branch at an empty root commit; files arrive by
    commits. Trees are flat (path -> blob id) and a branch is a name for a commit.
    """

    _conn: sqlite3.Connection
    transaction: Callable[[], AbstractContextManager[None]]
    now: Callable[[], int]

    # -- commits and files ---------------------------------------------------------------

    def _ensure_root(self, project: Project) -> None:
        """The project's first branch, `main`, at an empty root commit, on first use."""
        if self._conn.execute(
            "SELECT 1 FROM branches WHERE project_id = ? LIMIT 1", (project.id,)
        ).fetchone():
            return
        root = self._store_commit(project, {}, (), "Initial commit", "", project.created_at)
        self._set_branch(project, DEFAULT_BRANCH, root.id)

    def commit(self, project: Project, ref: str) -> Commit | None:
        """The commit a branch name or a full commit id names."""
        with self.transaction():
            self._ensure_root(project)
            head = self.branch_head(project, ref)
            row = self._conn.execute(
                "SELECT project_id, id, parents, files, message, author, created_at FROM commits"
                " WHERE project_id = ? AND id = ?",
                (project.id, head or ref),
            ).fetchone()
            return None if row is None else _commit(row)

    def branch_head(self, project: Project, name: str) -> str | None:
        self._ensure_root(project)
        row = self._conn.execute(
            "SELECT head FROM branches WHERE project_id = ? AND name = ?", (project.id, name)
        ).fetchone()
        return None if row is None else str(row[0])

    def branches(self, project: Project) -> list[tuple[str, str]]:
        """(name, head) of every branch, by name."""
        self._ensure_root(project)
        rows = self._conn.execute(
            "SELECT name, head FROM branches WHERE project_id = ? ORDER BY name", (project.id,)
        ).fetchall()
        return [(str(name), str(head)) for name, head in rows]

    def texts(self, blob_ids: Sequence[str]) -> dict[str, str]:
        wanted = sorted(set(blob_ids))
        marks = ",".join("?" * len(wanted))
        rows = self._conn.execute(f"SELECT id, text FROM blobs WHERE id IN ({marks})", wanted)
        return dict(rows.fetchall())

    def files(self, commit: Commit) -> dict[str, str]:
        """Every file of a commit, path -> text."""
        texts = self.texts([blob for _, blob in commit.files])
        return {path: texts[blob] for path, blob in commit.files}

    def last_change(self, project: Project, commit: Commit, path: str) -> str:
        """The last commit before or at `commit` that changed `path`, as `git log -1 -- path`
        finds it: through a merge, follow a parent that has the same file."""
        blob = commit.tree.get(path)
        while True:
            parents = [p for p in (self.commit(project, c) for c in commit.parents) if p]
            same = next((p for p in parents if p.tree.get(path) == blob), None)
            if same is None:
                return commit.id
            commit = same

    def write_files(
        self,
        project: Project,
        branch: str,
        files: Mapping[str, str],
        message: str,
        author: str,
        *,
        parent: str,
    ) -> Commit:
        """Commit `files` (path -> text, added or replacing) on top of `parent` and point
        `branch` at the new commit."""
        with self.transaction():
            base = self.commit(project, parent)
            assert base is not None
            tree = {**base.tree, **{path: self._store_blob(text) for path, text in files.items()}}
            made = self._store_commit(project, tree, (base.id,), message, author, self.now())
            self._set_branch(project, branch, made.id)
            return made

    def create_branch(self, project: Project, name: str, head: str) -> None:
        with self.transaction():
            self._set_branch(project, name, head)

    def delete_branch(self, project: Project, name: str) -> None:
        """Forget the name; its commits stay, as git keeps them until it collects garbage."""
        self._conn.execute(
            "DELETE FROM branches WHERE project_id = ? AND name = ?", (project.id, name)
        )

    def _set_branch(self, project: Project, name: str, head: str) -> None:
        self._conn.execute(
            "INSERT INTO branches (project_id, name, head) VALUES (?, ?, ?)"
            " ON CONFLICT (project_id, name) DO UPDATE SET head = excluded.head",
            (project.id, name, head),
        )

    def _store_blob(self, text: str) -> str:
        blob = blob_id(text)
        self._conn.execute("INSERT OR IGNORE INTO blobs (id, text) VALUES (?, ?)", (blob, text))
        return blob

    def _store_commit(
        self,
        project: Project,
        tree: Mapping[str, str],
        parents: Sequence[str],
        message: str,
        author: str,
        at: int,
    ) -> Commit:
        made = commit_id(tree, parents, author, at, message)
        self._conn.execute(
            "INSERT OR IGNORE INTO commits (project_id, id, parents, files, message, author,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                project.id,
                made,
                json.dumps(list(parents)),
                json.dumps(dict(tree)),
                message,
                author,
                at,
            ),
        )
        return Commit(
            made, project.id, tuple(parents), tuple(sorted(tree.items())), message, author, at
        )

    def _ancestors(self, project: Project, start: str) -> list[str]:
        """`start` and every commit it descends from, nearest first."""
        seen: list[str] = []
        queue = [start]
        while queue:
            current = queue.pop(0)
            if current in seen:
                continue
            seen.append(current)
            found = self.commit(project, current)
            queue += list(found.parents) if found else []
        return seen

    def only_in(self, project: Project, one: str, other: str) -> list[Commit]:
        """The commits `one` descends from (itself included) that `other` does not, oldest
        first: `git log --reverse other..one`."""
        excluded = set(self._ancestors(project, other))
        found = [self.commit(project, c) for c in self._ancestors(project, one)]
        # the walk goes nearest first: reversed, parents come before their children
        return [c for c in reversed(found) if c is not None and c.id not in excluded]

    def merge_base(self, project: Project, one: str, other: str) -> str | None:
        """The nearest commit both descend from (the first ancestor of `other` found among
        those of `one`)."""
        mine = set(self._ancestors(project, one))
        return next((c for c in self._ancestors(project, other) if c in mine), None)

    def merged_files(
        self, project: Project, target: str, source: str
    ) -> dict[str, str] | list[str]:
        """The files `source` merged into `target` would leave, or the paths in conflict."""
        ours, theirs = self.commit(project, target), self.commit(project, source)
        assert ours is not None
        assert theirs is not None
        base_id = self.merge_base(project, ours.id, theirs.id)
        base = self.commit(project, base_id) if base_id else None
        return merge_files(self.files(base) if base else {}, self.files(ours), self.files(theirs))

    # -- merge requests and pull requests ------------------------------------------------

    def create_change(
        self,
        project: Project,
        author: User,
        *,
        source: str,
        target: str,
        title: str,
        body: str | None,
        remove_source: bool = False,
        issue_id: int | None = None,
        number: int | None = None,
    ) -> Change:
        """A merge request (numbered after the project's others) or, with the issue it is
        listed as and its number, a pull request."""
        with self.transaction():
            if number is None:
                row = self._conn.execute(
                    "SELECT COALESCE(MAX(number), 0) + 1 FROM changes WHERE project_id = ?",
                    (project.id,),
                ).fetchone()
                number = int(row[0])
            head = self.branch_head(project, source) or ""
            now = self.now()
            row_id = self._conn.execute(
                f"INSERT INTO changes ({_CHANGE_COLUMNS}) VALUES"
                " (NULL, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, NULL, NULL, NULL, NULL, NULL, ?, ?)",
                (
                    project.id,
                    number,
                    issue_id,
                    source,
                    target,
                    title,
                    body,
                    author.id,
                    now,
                    now,
                    head,
                    int(remove_source),
                ),
            ).lastrowid
            assert row_id is not None
            found = self._change_where("id = ?", (row_id,))
            assert found
            return found[0]

    def change(self, project: Project, number: int) -> Change | None:
        found = self._change_where("project_id = ? AND number = ?", (project.id, number))
        return found[0] if found else None

    def list_changes(
        self,
        project: Project,
        window: Window,
        *,
        states: Sequence[ChangeState] = (),
        source: str | None = None,
        target: str | None = None,
        ascending: bool = False,
    ) -> tuple[list[Change], int]:
        """One page of the project's changes, newest first unless `ascending`, and the total."""
        where = ["project_id = ?"]
        args: list[Any] = [project.id]
        if states:
            where.append(f"state IN ({','.join('?' * len(states))})")
            args += [state.value for state in states]
        for column, value in (("source", source), ("target", target)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        condition = " AND ".join(where)
        total = int(
            self._conn.execute(f"SELECT COUNT(*) FROM changes WHERE {condition}", args).fetchone()[
                0
            ]
        )
        direction = "ASC" if ascending else "DESC"
        page = self._change_where(
            f"{condition} ORDER BY created_at {direction}, id {direction} LIMIT ? OFFSET ?",
            (*args, window.limit, window.offset),
        )
        return page, total

    def head_of(self, project: Project, change: Change) -> str:
        """The source branch's head while the change is open; its last head after."""
        live = self.branch_head(project, change.source)
        return live if change.state is ChangeState.OPEN and live else change.head

    def edit_change(
        self,
        change: Change,
        actor: User,
        *,
        title: str | None = None,
        body: str | None = None,
        state: ChangeState | None = None,
    ) -> Change:
        """Retitle, describe, close or reopen; `updated_at` moves only on a change."""
        closing = state is ChangeState.CLOSED and change.state is not ChangeState.CLOSED
        reopening = state is ChangeState.OPEN
        after = replace(
            change,
            title=change.title if title is None else title,
            body=change.body if body is None else body,
            state=state or change.state,
            closed_at=self.now() if closing else None if reopening else change.closed_at,
            closed_by=actor.id if closing else None if reopening else change.closed_by,
        )
        if after == change:
            return change
        return self._save_change(replace(after, updated_at=self.now()))

    def merge_change(self, project: Project, change: Change, actor: User) -> Change | list[str]:
        """Merge the source branch into the target with a merge commit, as both forges do by
        default; the merged change, or the paths in conflict (nothing is written then)."""
        with self.transaction():
            target = self.branch_head(project, change.target)
            source = self.head_of(project, change)
            assert target is not None
            files = self.merged_files(project, target, source)
            if isinstance(files, list):
                return files
            message = _merge_message(project, change)
            now = self.now()
            tree = {path: self._store_blob(text) for path, text in files.items()}
            merged = self._store_commit(
                project, tree, (target, source), message, actor.username, now
            )
            self._set_branch(project, change.target, merged.id)
            if change.remove_source:
                self.delete_branch(project, change.source)
            return self._save_change(
                replace(
                    change,
                    state=ChangeState.MERGED,
                    head=source,
                    merged_at=now,
                    merged_by=actor.id,
                    merge_commit=merged.id,
                    updated_at=now,
                )
            )

    def _save_change(self, change: Change) -> Change:
        self._conn.execute(
            "UPDATE changes SET title = ?, body = ?, state = ?, updated_at = ?, closed_at = ?,"
            " closed_by = ?, merged_at = ?, merged_by = ?, merge_commit = ?, head = ?"
            " WHERE id = ?",
            (
                change.title,
                change.body,
                change.state.value,
                change.updated_at,
                change.closed_at,
                change.closed_by,
                change.merged_at,
                change.merged_by,
                change.merge_commit,
                change.head,
                change.id,
            ),
        )
        if change.issue_id is not None:
            # GitHub lists a pull request as an issue: the same title, text and state
            closed = change.state is not ChangeState.OPEN
            self._conn.execute(
                "UPDATE issues SET title = ?, body = ?, state = ?, updated_at = ?,"
                " closed_at = ?, closed_by = ? WHERE id = ?",
                (
                    change.title,
                    change.body,
                    "closed" if closed else "open",
                    change.updated_at,
                    change.merged_at or change.closed_at,
                    change.merged_by or change.closed_by,
                    change.issue_id,
                ),
            )
        return change

    def _change_where(self, condition: str, args: Sequence[Any]) -> list[Change]:
        rows = self._conn.execute(
            f"SELECT {_CHANGE_COLUMNS} FROM changes WHERE {condition}", args
        ).fetchall()
        return [_change(row) for row in rows]


def _merge_message(project: Project, change: Change) -> str:
    """Each forge's default merge commit message: GitLab's template ("Merge branch '%{source_
    branch}' into '%{target_branch}'", doc/user/project/merge_requests/commit_templates.md),
    GitHub's "Merge pull request #N from owner/branch"."""
    if change.issue_id is None:
        return (
            f"Merge branch '{change.source}' into '{change.target}'\n\n{change.title}\n\n"
            f"See merge request {project.path}!{change.number}"
        )
    owner = project.namespace
    return f"Merge pull request #{change.number} from {owner}/{change.source}\n\n{change.title}"
