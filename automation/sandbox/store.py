"""The sandbox's state in SQLite: users, projects, issues, labels, comments, events, the clock
(repositories: `repository.py`)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from automation.sandbox.clock import real_now_ms
from automation.sandbox.records import (
    Access,
    Comment,
    Event,
    EventAction,
    Flavour,
    Issue,
    IssueChanges,
    IssueEdit,
    IssueQuery,
    Label,
    Project,
    SortKey,
    State,
    User,
    Window,
)
from automation.sandbox.repository import SCHEMA as REPOSITORY_SCHEMA
from automation.sandbox.repository import TABLES as REPOSITORY_TABLES
from automation.sandbox.repository import RepositoryRows
from automation.sandbox.tasks import task_counts as gitlab_task_counts

# Bumped whenever _SCHEMA changes shape; a state file in another format is refused, not guessed at.
SCHEMA_VERSION = 4
_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL,
    access INTEGER NOT NULL);
-- find_user looks a username up in any case: by this index, not a scan of every user
CREATE INDEX IF NOT EXISTS users_by_name ON users (username COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY, flavour TEXT NOT NULL, path TEXT NOT NULL,
    private INTEGER NOT NULL, created_at INTEGER NOT NULL, UNIQUE (flavour, path));
CREATE TABLE IF NOT EXISTS issues (
    id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, number INTEGER NOT NULL,
    title TEXT NOT NULL, body TEXT, state TEXT NOT NULL, state_reason TEXT,
    author_id INTEGER NOT NULL, confidential INTEGER NOT NULL, comments INTEGER NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    closed_at INTEGER, closed_by INTEGER, tasks_total INTEGER NOT NULL,
    tasks_done INTEGER NOT NULL, pull INTEGER NOT NULL, due_date TEXT,
    UNIQUE (project_id, number));
CREATE INDEX IF NOT EXISTS issues_by_created ON issues (project_id, created_at);
CREATE INDEX IF NOT EXISTS issues_by_updated ON issues (project_id, updated_at);
CREATE TABLE IF NOT EXISTS labels (
    id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, name TEXT NOT NULL,
    key TEXT NOT NULL, color TEXT NOT NULL, description TEXT, created_at INTEGER NOT NULL,
    UNIQUE (project_id, key));
CREATE TABLE IF NOT EXISTS issue_labels (
    issue_id INTEGER NOT NULL, label_id INTEGER NOT NULL,
    PRIMARY KEY (issue_id, label_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS issue_labels_by_label ON issue_labels (label_id, issue_id);
CREATE TABLE IF NOT EXISTS issue_assignees (
    issue_id INTEGER NOT NULL, position INTEGER NOT NULL, user_id INTEGER NOT NULL,
    PRIMARY KEY (issue_id, position)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, issue_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL, body TEXT NOT NULL, system INTEGER NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, note_type TEXT NOT NULL,
    discussion_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS comments_by_issue ON comments (issue_id, id);
CREATE INDEX IF NOT EXISTS comments_by_project ON comments (project_id, updated_at);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, action TEXT NOT NULL,
    target_type TEXT NOT NULL, target_id INTEGER NOT NULL, target_iid INTEGER,
    target_title TEXT, author_id INTEGER NOT NULL, note_id INTEGER,
    created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_project ON events (project_id, created_at);
CREATE TABLE IF NOT EXISTS issue_edits (
    id INTEGER PRIMARY KEY, issue_id INTEGER NOT NULL, editor_id INTEGER NOT NULL,
    edited_at INTEGER NOT NULL, body TEXT);
CREATE INDEX IF NOT EXISTS issue_edits_by_issue ON issue_edits (issue_id, id);
"""
    + REPOSITORY_SCHEMA
)

_TABLES = (
    "users",
    "projects",
    "issues",
    "labels",
    "issue_labels",
    "issue_assignees",
    "comments",
    "events",
    "issue_edits",
    "meta",
    *REPOSITORY_TABLES,
)

_USER_COLUMNS = "id, username, created_at, access"
_ISSUE_COLUMNS = (
    "i.id, i.project_id, i.number, i.title, i.body, i.state, i.state_reason, i.author_id, "
    "i.confidential, i.comments, i.created_at, i.updated_at, i.closed_at, i.closed_by, "
    "i.tasks_total, i.tasks_done, i.pull, i.due_date"
)
_COMMENT_COLUMNS = (
    "c.id, c.project_id, c.issue_id, i.number, c.author_id, c.body, c.system, "
    "c.created_at, c.updated_at, c.note_type, c.discussion_id"
)
_EVENT_COLUMNS = (
    "id, project_id, action, target_type, target_id, target_iid, target_title, author_id, "
    "note_id, created_at"
)

# Labels GitLab creates on the fly get its default colour; GitHub's get its pale grey.
_DEFAULT_COLOR = {Flavour.GITLAB: "#6699cc", Flavour.GITHUB: "ededed"}
_CLOCK_KEY = "clock_frozen_ms"


class StateFormatError(RuntimeError):
    """The state file was written by a sandbox with a different schema."""


def task_counts(flavour: Flavour, body: str | None) -> tuple[int, int]:
    """(items, checked items) as GitLab's `task_completion_status` has them; GitHub has none."""
    return gitlab_task_counts(body) if flavour is Flavour.GITLAB else (0, 0)


def label_key(flavour: Flavour, name: str) -> str:
    """GitHub label names are case-insensitive; GitLab's are not."""
    return name.casefold() if flavour is Flavour.GITHUB else name


def _issue(row: Sequence[Any]) -> Issue:
    return Issue(
        id=row[0],
        project_id=row[1],
        number=row[2],
        title=row[3],
        body=row[4],
        state=State(row[5]),
        state_reason=row[6],
        author_id=row[7],
        confidential=bool(row[8]),
        comments=row[9],
        created_at=row[10],
        updated_at=row[11],
        closed_at=row[12],
        closed_by=row[13],
        tasks_total=row[14],
        tasks_done=row[15],
        pull=bool(row[16]),
        due_date=row[17],
    )


def _comment(row: Sequence[Any]) -> Comment:
    return Comment(
        id=row[0],
        project_id=row[1],
        issue_id=row[2],
        issue_number=row[3],
        author_id=row[4],
        body=row[5],
        system=bool(row[6]),
        created_at=row[7],
        updated_at=row[8],
        note_type=row[9],
        discussion_id=row[10],
    )


def _user(row: Sequence[Any]) -> User:
    return User(row[0], row[1], row[2], Access(row[3]))


def _event(row: Sequence[Any]) -> Event:
    return Event(
        id=row[0],
        project_id=row[1],
        action=EventAction(row[2]),
        target_type=row[3],
        target_id=row[4],
        target_iid=row[5],
        target_title=row[6],
        author_id=row[7],
        note_id=row[8],
        created_at=row[9],
    )


def _project(row: Sequence[Any]) -> Project:
    return Project(row[0], Flavour(row[1]), row[2], bool(row[3]), row[4])


def _label(row: Sequence[Any]) -> Label:
    return Label(
        id=row[0],
        project_id=row[1],
        name=row[2],
        color=row[3],
        description=row[4],
        created_at=row[5],
    )


def _placeholders(count: int) -> str:
    return ",".join("?" * count)


class Store(RepositoryRows):
    """SQLite-backed state; `path=None` keeps it in memory.

    One connection shared by all server threads, serialised by a re-entrant lock: SQLite
    writes are serial anyway, and a request's reads and writes must see one state.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = None if path is None else os.fspath(path)
        self._conn = sqlite3.connect(
            self.path or ":memory:", check_same_thread=False, isolation_level=None
        )
        self._lock = threading.RLock()
        self._depth = 0
        if self.path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
        # A sandbox trades durability on power loss for speed: one fsync per checkpoint.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._prepare_schema()
        self._frozen_ms = self._load_clock()
        # GitLab's edition: Free keeps one assignee per issue (POST /_sandbox/edition).
        self.gitlab_free = False

    def _prepare_schema(self) -> None:
        tables = self._one("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")[0]
        version = self._one("PRAGMA user_version")[0]
        if tables and version != SCHEMA_VERSION:
            self._conn.close()
            raise StateFormatError(
                f"{self.path} holds sandbox state in format {version}; this sandbox reads "
                f"format {SCHEMA_VERSION}. Delete the file (or pick another) to start afresh."
            )
        self._conn.executescript(_SCHEMA)
        self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and make everything inside one SQLite transaction (re-entrant)."""
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                self._conn.execute("BEGIN")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outermost:
                self._conn.execute("COMMIT")

    def _one(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self._conn.execute(sql, args).fetchone()

    def _all(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        return self._conn.execute(sql, args).fetchall()

    def _insert(self, sql: str, args: Sequence[Any]) -> int:
        row_id = self._conn.execute(sql, args).lastrowid
        assert row_id is not None
        return row_id

    # -- clock ---------------------------------------------------------------------------

    def _load_clock(self) -> int | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", (_CLOCK_KEY,))
        return None if row is None else int(row[0])

    def now(self) -> int:
        """The sandbox's current instant in epoch milliseconds."""
        frozen = self._frozen_ms
        return real_now_ms() if frozen is None else frozen

    @property
    def clock_frozen(self) -> bool:
        return self._frozen_ms is not None

    def set_clock(self, ms: int | None) -> None:
        """Freeze the clock at `ms`, or let it follow real time again with None."""
        with self.transaction():
            if ms is None:
                self._conn.execute("DELETE FROM meta WHERE key = ?", (_CLOCK_KEY,))
            else:
                self._conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_CLOCK_KEY, str(ms))
                )
            self._frozen_ms = ms

    def advance_clock(self, ms: int) -> int:
        """Move the clock forward (freezing it if it followed real time); returns the new now."""
        with self.transaction():
            target = self.now() + ms
            self.set_clock(target)
            return target

    def snapshot(self) -> bytes:
        """The whole state as bytes, for `restore()`: tests replay a night from it."""
        with self._lock:
            return self._conn.serialize()

    def restore(self, data: bytes) -> None:
        """Go back to a `snapshot()`, the clock included."""
        with self._lock:
            self._conn.deserialize(data)
            self._frozen_ms = self._load_clock()

    def reset(self) -> None:
        """Forget everything, the clock included."""
        with self.transaction():
            for table in _TABLES:
                self._conn.execute(f"DELETE FROM {table}")
            self._frozen_ms = None

    # -- users ---------------------------------------------------------------------------

    def register_users(self, logins: Sequence[str], access: Access = Access.WRITE) -> list[User]:
        """Create these accounts (or change their role); only registered users exist."""
        with self.transaction():
            now = self.now()
            for login in logins:
                known = self.find_user(login)  # one account whatever the case
                if known is not None:
                    self._conn.execute(
                        "UPDATE users SET access = ? WHERE id = ?", (int(access), known.id)
                    )
                    continue
                self._conn.execute(
                    "INSERT INTO users (username, created_at, access) VALUES (?, ?, ?)",
                    (login, now, int(access)),
                )
            return [user for login in logins if (user := self.find_user(login)) is not None]

    def find_user(self, username: str) -> User | None:
        """The account of a username in any case, as both forges find one: GitLab's
        `User.by_username` matches case-insensitively (gitlab-foss issue 38304, fixed in
        11.5), and GitHub answers `/users/OCTOCAT` with the user `octocat`; neither lets two
        accounts differ only by case. The account keeps the case it was registered with."""
        row = self._one(
            f"SELECT {_USER_COLUMNS} FROM users WHERE username = ? COLLATE NOCASE", (username,)
        )
        return None if row is None else _user(row)

    def find_users(self, usernames: Iterable[str]) -> list[User]:
        """The users with these usernames (matched as `find_user` matches one), by id."""
        wanted = sorted(set(usernames))
        if not wanted:
            return []
        rows = self._all(
            f"SELECT {_USER_COLUMNS} FROM users"
            f" WHERE username COLLATE NOCASE IN ({_placeholders(len(wanted))}) ORDER BY id",
            wanted,
        )
        return [_user(row) for row in rows]

    def user_by_id(self, user_id: int) -> User | None:
        return self.users([user_id]).get(user_id)

    def users(self, ids: Iterable[int]) -> dict[int, User]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = self._all(
            f"SELECT {_USER_COLUMNS} FROM users WHERE id IN ({_placeholders(len(wanted))})",
            wanted,
        )
        return {row[0]: _user(row) for row in rows}

    def all_users(self) -> list[User]:
        rows = self._all(f"SELECT {_USER_COLUMNS} FROM users ORDER BY id")
        return [_user(row) for row in rows]

    def assignable_users(self, window: Window) -> tuple[list[User], int]:
        """One page of the users with a role (project members, GitHub assignees), by id."""
        condition = f"access >= {int(Access.READ)}"
        total = int(self._one(f"SELECT COUNT(*) FROM users WHERE {condition}")[0])
        rows = self._all(
            f"SELECT {_USER_COLUMNS} FROM users WHERE {condition} ORDER BY id LIMIT ? OFFSET ?",
            (window.limit, window.offset),
        )
        return [_user(row) for row in rows], total

    # -- projects ------------------------------------------------------------------------

    def project(self, flavour: Flavour, path: str) -> Project:
        """The project or repository at `path`, created (private) on first use."""
        with self.transaction():
            row = self._one(
                "SELECT id, flavour, path, private, created_at FROM projects"
                " WHERE flavour = ? AND path = ?",
                (flavour.value, path),
            )
            if row is not None:
                return _project(row)
            now = self.now()
            project_id = self._insert(
                "INSERT INTO projects (flavour, path, private, created_at) VALUES (?, ?, 1, ?)",
                (flavour.value, path, now),
            )
            return Project(project_id, flavour, path, True, now)

    def project_by_id(self, flavour: Flavour, project_id: int) -> Project | None:
        row = self._one(
            "SELECT id, flavour, path, private, created_at FROM projects"
            " WHERE flavour = ? AND id = ?",
            (flavour.value, project_id),
        )
        return None if row is None else _project(row)

    def set_private(self, project: Project, private: bool) -> Project:
        with self.transaction():
            self._conn.execute(
                "UPDATE projects SET private = ? WHERE id = ?", (int(private), project.id)
            )
        return Project(project.id, project.flavour, project.path, private, project.created_at)

    # -- labels --------------------------------------------------------------------------

    def labels(self, project: Project) -> list[Label]:
        rows = self._all(
            "SELECT id, project_id, name, color, description, created_at FROM labels"
            " WHERE project_id = ? ORDER BY key",
            (project.id,),
        )
        return [_label(row) for row in rows]

    def find_label(self, project: Project, name: str) -> Label | None:
        row = self._one(
            "SELECT id, project_id, name, color, description, created_at FROM labels"
            " WHERE project_id = ? AND key = ?",
            (project.id, label_key(project.flavour, name)),
        )
        return None if row is None else _label(row)

    def create_label(
        self, project: Project, name: str, color: str | None = None, description: str | None = None
    ) -> Label | None:
        """A new project label, or None when one by that name exists."""
        with self.transaction():
            if self.find_label(project, name) is not None:
                return None
            now = self.now()
            color = color or _DEFAULT_COLOR[project.flavour]
            label_id = self._insert(
                "INSERT INTO labels (project_id, name, key, color, description, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (project.id, name, label_key(project.flavour, name), color, description, now),
            )
            return Label(label_id, project.id, name, color, description, now)

    def ensure_labels(self, project: Project, names: Iterable[str]) -> list[Label]:
        """The labels by these names, creating the missing ones as both forges do on use."""
        labels: dict[int, Label] = {}
        for name in names:
            label = self.find_label(project, name) or self.create_label(project, name)
            assert label is not None
            labels[label.id] = label
        return list(labels.values())

    def issue_labels(self, issue_ids: Iterable[int]) -> dict[int, list[Label]]:
        wanted = sorted(set(issue_ids))
        found: dict[int, list[Label]] = {issue_id: [] for issue_id in wanted}
        if not wanted:
            return found
        rows = self._all(
            "SELECT il.issue_id, l.id, l.project_id, l.name, l.color, l.description, l.created_at"
            " FROM issue_labels il JOIN labels l ON l.id = il.label_id"
            f" WHERE il.issue_id IN ({_placeholders(len(wanted))}) ORDER BY l.key",
            wanted,
        )
        for row in rows:
            found[row[0]].append(_label(row[1:]))
        return found

    def delete_label(self, label: Label) -> None:
        """Remove a project label, and with it from every issue, as both forges do."""
        with self.transaction():
            self._conn.execute("DELETE FROM issue_labels WHERE label_id = ?", (label.id,))
            self._conn.execute("DELETE FROM labels WHERE id = ?", (label.id,))

    def label_issue_counts(self, project: Project) -> dict[int, tuple[int, int]]:
        """Per label id: (open issues, closed issues)."""
        rows = self._all(
            "SELECT il.label_id, SUM(i.state = 'open'), SUM(i.state = 'closed')"
            " FROM issue_labels il JOIN issues i ON i.id = il.issue_id"
            " WHERE i.project_id = ? GROUP BY il.label_id",
            (project.id,),
        )
        return {row[0]: (row[1], row[2]) for row in rows}

    def _set_issue_labels(self, issue_id: int, labels: Iterable[Label]) -> None:
        self._conn.execute("DELETE FROM issue_labels WHERE issue_id = ?", (issue_id,))
        self._conn.executemany(
            "INSERT INTO issue_labels (issue_id, label_id) VALUES (?, ?)",
            [(issue_id, label.id) for label in labels],
        )

    # -- assignees -----------------------------------------------------------------------

    def issue_assignees(self, issue_ids: Iterable[int]) -> dict[int, list[User]]:
        wanted = sorted(set(issue_ids))
        found: dict[int, list[User]] = {issue_id: [] for issue_id in wanted}
        if not wanted:
            return found
        rows = self._all(
            "SELECT a.issue_id, u.id, u.username, u.created_at, u.access"
            " FROM issue_assignees a JOIN users u ON u.id = a.user_id"
            f" WHERE a.issue_id IN ({_placeholders(len(wanted))}) ORDER BY a.issue_id, a.position",
            wanted,
        )
        for row in rows:
            found[row[0]].append(_user(row[1:]))
        return found

    def _set_assignees(self, issue_id: int, user_ids: Sequence[int]) -> None:
        self._conn.execute("DELETE FROM issue_assignees WHERE issue_id = ?", (issue_id,))
        unique = list(dict.fromkeys(user_ids))
        self._conn.executemany(
            "INSERT INTO issue_assignees (issue_id, position, user_id) VALUES (?, ?, ?)",
            [(issue_id, position, user_id) for position, user_id in enumerate(unique)],
        )

    # -- issues --------------------------------------------------------------------------

    def create_issue(
        self,
        project: Project,
        author: User,
        *,
        title: str,
        body: str | None = None,
        labels: Sequence[str] = (),
        assignee_ids: Sequence[int] = (),
        confidential: bool = False,
        created_at: int | None = None,
        pull: bool = False,
        due_date: str | None = None,
    ) -> Issue:
        with self.transaction():
            now = self.now() if created_at is None else created_at
            row = self._one(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM issues WHERE project_id = ?",
                (project.id,),
            )
            number = int(row[0])
            tasks = task_counts(project.flavour, body)
            issue_id = self._insert(
                "INSERT INTO issues (project_id, number, title, body, state, state_reason,"
                " author_id, confidential, comments, created_at, updated_at, tasks_total,"
                " tasks_done, pull, due_date)"
                " VALUES (?, ?, ?, ?, 'open', NULL, ?, ?, 0, ?, ?, ?, ?, ?, ?)",
                (
                    project.id,
                    number,
                    title,
                    body,
                    author.id,
                    int(confidential),
                    now,
                    now,
                    *tasks,
                    int(pull),
                    due_date,
                ),
            )
            self._set_issue_labels(issue_id, self.ensure_labels(project, labels))
            self._set_assignees(issue_id, assignee_ids)
            return Issue(
                issue_id,
                project.id,
                number,
                title,
                body,
                State.OPEN,
                None,
                author.id,
                confidential,
                0,
                now,
                now,
                None,
                None,
                *tasks,
                pull,
                due_date,
            )

    def issue(self, project: Project, number: int) -> Issue | None:
        row = self._one(
            f"SELECT {_ISSUE_COLUMNS} FROM issues i WHERE i.project_id = ? AND i.number = ?",
            (project.id, number),
        )
        return None if row is None else _issue(row)

    def delete_issue(self, issue: Issue) -> None:
        """Remove an issue with its labels, assignees, notes and events."""
        with self.transaction():
            for table, column in (
                ("issue_labels", "issue_id"),
                ("issue_assignees", "issue_id"),
                ("comments", "issue_id"),
                ("issues", "id"),
            ):
                self._conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (issue.id,))
            self._conn.execute(
                "DELETE FROM events WHERE project_id = ? AND target_type = 'Issue'"
                " AND target_id = ?",
                (issue.project_id, issue.id),
            )

    def issue_by_id(self, issue_id: int) -> Issue | None:
        row = self._one(f"SELECT {_ISSUE_COLUMNS} FROM issues i WHERE i.id = ?", (issue_id,))
        return None if row is None else _issue(row)

    def list_issues(
        self, project: Project, query: IssueQuery, window: Window
    ) -> tuple[list[Issue], int]:
        """One page of the project's issues matching `query`, and how many match in all."""
        found = self._issue_conditions(project, query)
        if found is None:
            return [], 0
        condition, args = " AND ".join(found[0]), found[1]
        total = int(self._one(f"SELECT COUNT(*) FROM issues i WHERE {condition}", args)[0])
        direction = "ASC" if query.ascending else "DESC"
        rows = self._all(
            f"SELECT {_ISSUE_COLUMNS} FROM issues i WHERE {condition}"
            f" ORDER BY i.{query.sort.value} {direction}, i.id {direction} LIMIT ? OFFSET ?",
            [*args, window.limit, window.offset],
        )
        return [_issue(row) for row in rows], total

    def _issue_conditions(
        self, project: Project, query: IssueQuery
    ) -> tuple[list[str], list[Any]] | None:
        """SQL conditions and arguments for `query`; None when nothing can match."""
        where = ["i.project_id = ?"]
        args: list[Any] = [project.id]
        label_ids = []
        for name in query.labels:
            label = self.find_label(project, name)
            if label is None:
                return None
            label_ids.append(label.id)
        searched = [f for f in query.search_in if f in ("title", "body")]  # column names
        has_label = "EXISTS (SELECT 1 FROM issue_labels il WHERE il.issue_id = i.id"
        has_assignee = "EXISTS (SELECT 1 FROM issue_assignees a WHERE a.issue_id = i.id"
        optional: list[tuple[str, Sequence[Any], bool]] = [
            ("i.state = ?", [query.state], query.state is not None),
            *((f"{has_label} AND il.label_id = ?)", [x], True) for x in label_ids),
            (f"{has_label})", [], query.any_label is True),
            (f"NOT {has_label})", [], query.any_label is False),
            ("i.created_at >= ?", [query.created_after], query.created_after is not None),
            ("i.created_at <= ?", [query.created_before], query.created_before is not None),
            ("i.updated_at >= ?", [query.updated_after], query.updated_after is not None),
            ("i.updated_at <= ?", [query.updated_before], query.updated_before is not None),
            (
                f"i.number IN ({_placeholders(len(query.numbers))})",
                query.numbers,
                bool(query.numbers),
            ),
            ("i.author_id = ?", [query.author_id], query.author_id is not None),
            (
                f"{has_assignee} AND a.user_id = ?)",
                [query.assignee_id],
                query.assignee_id is not None,
            ),
            (f"{has_assignee})", [], query.assigned is True),
            (f"NOT {has_assignee})", [], query.assigned is False),
            ("i.confidential = ?", [query.confidential], query.confidential is not None),
            (
                "("
                + " OR ".join(f"instr(lower(coalesce(i.{f}, '')), lower(?)) > 0" for f in searched)
                + ")",
                [query.search] * len(searched),
                query.search is not None and bool(searched),
            ),
            (
                f"(i.confidential = 0 OR i.author_id = ? OR {has_assignee} AND a.user_id = ?))",
                [query.visible_to, query.visible_to],
                query.visible_to is not None,
            ),
        ]
        for sql, values, applies in optional:
            if applies:
                where.append(sql)
                args.extend(values)
        return where, args

    def edit_issue(
        self, project: Project, issue: Issue, actor: User, edit: IssueEdit
    ) -> IssueChanges:
        """Apply `edit`; `updated_at` moves only when something actually changed."""
        with self.transaction():
            labels_before = self.issue_labels([issue.id])[issue.id]
            labels_after = self._edited_labels(project, labels_before, edit)
            before_ids = {label.id for label in labels_before}
            after_ids = {label.id for label in labels_after}
            assignees_changed = self._edit_assignees(issue, edit)
            fields = self._edited_fields(issue, actor, edit)
            changes = IssueChanges(
                before=issue,
                after=fields,
                added_labels=tuple(x.name for x in labels_after if x.id not in before_ids),
                removed_labels=tuple(x.name for x in labels_before if x.id not in after_ids),
                assignees_changed=assignees_changed,
            )
            if not changes.changed:
                return changes
            if before_ids != after_ids:
                self._set_issue_labels(issue.id, labels_after)
            after = self._touch_issue(project, fields, body_changed=issue.body != fields.body)
            if issue.body != fields.body:
                self._record_edit(issue, after, actor)
            return IssueChanges(
                before=issue,
                after=after,
                added_labels=changes.added_labels,
                removed_labels=changes.removed_labels,
                assignees_changed=assignees_changed,
            )

    def _record_edit(self, before: Issue, after: Issue, editor: User) -> None:
        """Keep the description's revisions with their editors, as GitHub shows them
        (`userContentEdits`): the first edit keeps the original as its author wrote it."""
        known = self._conn.execute(
            "SELECT 1 FROM issue_edits WHERE issue_id = ? LIMIT 1", (before.id,)
        ).fetchone()
        insert = (
            "INSERT INTO issue_edits (issue_id, editor_id, edited_at, body) VALUES (?, ?, ?, ?)"
        )
        if known is None:
            self._conn.execute(
                insert, (before.id, before.author_id, before.created_at, before.body)
            )
        self._conn.execute(insert, (after.id, editor.id, after.updated_at, after.body))

    def issue_edits(self, issue: Issue) -> list[tuple[User, int, str | None]]:
        """The description's revisions, newest first: (editor, when in ms, text)."""
        rows = self._conn.execute(
            "SELECT editor_id, edited_at, body FROM issue_edits WHERE issue_id = ?"
            " ORDER BY id DESC",
            (issue.id,),
        ).fetchall()
        users = self.users(row[0] for row in rows)
        return [(users[row[0]], int(row[1]), row[2]) for row in rows]

    def _edited_labels(
        self, project: Project, current: list[Label], edit: IssueEdit
    ) -> list[Label]:
        # Like GitLab: start from `labels` when given, then add `add_labels`, drop `remove_labels`.
        base = current if edit.labels is None else self.ensure_labels(project, edit.labels)
        result = {label.id: label for label in base}
        for label in self.ensure_labels(project, edit.add_labels):
            result[label.id] = label
        for name in edit.remove_labels:
            found = self.find_label(project, name)
            if found is not None:
                result.pop(found.id, None)
        return sorted(result.values(), key=lambda label: label_key(project.flavour, label.name))

    def _edit_assignees(self, issue: Issue, edit: IssueEdit) -> bool:
        if edit.assignee_ids is None:
            return False
        current = [user.id for user in self.issue_assignees([issue.id])[issue.id]]
        wanted = list(dict.fromkeys(edit.assignee_ids))
        if current == wanted:
            return False
        self._set_assignees(issue.id, wanted)
        return True

    def _edited_fields(self, issue: Issue, actor: User, edit: IssueEdit) -> Issue:
        state, reason = issue.state, issue.state_reason
        closed_at, closed_by = issue.closed_at, issue.closed_by
        if edit.state is not None and edit.state is not issue.state:
            state = edit.state
            closing = state is State.CLOSED
            closed_at = self.now() if closing else None
            closed_by = actor.id if closing else None
        if edit.state_reason is not None:
            reason = edit.state_reason
        return replace(
            issue,
            title=issue.title if edit.title is None else edit.title,
            body=issue.body if edit.body is None else edit.body,
            state=state,
            state_reason=reason,
            confidential=issue.confidential if edit.confidential is None else edit.confidential,
            due_date=issue.due_date if edit.due_date is None else (edit.due_date or None),
            closed_at=closed_at,
            closed_by=closed_by,
        )

    def _touch_issue(self, project: Project, issue: Issue, *, body_changed: bool) -> Issue:
        now = self.now()
        if body_changed:
            self._conn.execute(
                "UPDATE issues SET tasks_total = ?, tasks_done = ? WHERE id = ?",
                (*task_counts(project.flavour, issue.body), issue.id),
            )
        self._conn.execute(
            "UPDATE issues SET title = ?, body = ?, state = ?, state_reason = ?, confidential = ?,"
            " due_date = ?, updated_at = ?, closed_at = ?, closed_by = ? WHERE id = ?",
            (
                issue.title,
                issue.body,
                issue.state.value,
                issue.state_reason,
                int(issue.confidential),
                issue.due_date,
                now,
                issue.closed_at,
                issue.closed_by,
                issue.id,
            ),
        )
        updated = self.issue_by_id(issue.id)
        assert updated is not None
        return updated

    # -- comments ------------------------------------------------------------------------

    def add_comment(
        self,
        issue: Issue,
        author: User,
        body: str,
        *,
        system: bool = False,
        created_at: int | None = None,
        note_type: str = "Note",
        discussion_id: str | None = None,
    ) -> Comment:
        """A comment (or GitLab note); it touches the issue's `updated_at` as both do.

        Without `discussion_id` the note starts a discussion of its own, as every GitLab note
        belongs to one; a reply passes its thread's id and the `DiscussionNote` type.
        """
        with self.transaction():
            now = self.now() if created_at is None else created_at
            comment_id = self._insert(
                "INSERT INTO comments (project_id, issue_id, author_id, body, system, created_at,"
                " updated_at, note_type, discussion_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')",
                (issue.project_id, issue.id, author.id, body, int(system), now, now, note_type),
            )
            if discussion_id is None:
                seed = f"discussion-{issue.project_id}-{issue.id}-{comment_id}".encode()
                discussion_id = hashlib.sha1(seed, usedforsecurity=False).hexdigest()
            self._conn.execute(
                "UPDATE comments SET discussion_id = ? WHERE id = ?", (discussion_id, comment_id)
            )
            counted = 0 if system else 1
            self._conn.execute(
                "UPDATE issues SET comments = comments + ?, updated_at = MAX(updated_at, ?)"
                " WHERE id = ?",
                (counted, now, issue.id),
            )
            return Comment(
                comment_id,
                issue.project_id,
                issue.id,
                issue.number,
                author.id,
                body,
                system,
                now,
                now,
                note_type,
                discussion_id,
            )

    def discussion(self, issue: Issue, discussion_id: str) -> list[Comment]:
        """The notes of one discussion of an issue, oldest first (empty: no such thread)."""
        rows = self._all(
            f"SELECT {_COMMENT_COLUMNS} FROM comments c JOIN issues i ON i.id = c.issue_id"
            " WHERE c.issue_id = ? AND c.discussion_id = ? ORDER BY c.id",
            (issue.id, discussion_id),
        )
        return [_comment(row) for row in rows]

    def set_note_type(self, comment: Comment, note_type: str) -> Comment:
        """Change a note's class, as GitLab does when a reply turns a note into a thread."""
        with self.transaction():
            self._conn.execute(
                "UPDATE comments SET note_type = ? WHERE id = ?", (note_type, comment.id)
            )
        return replace(comment, note_type=note_type)

    def comment(self, project: Project, comment_id: int) -> Comment | None:
        row = self._one(
            f"SELECT {_COMMENT_COLUMNS} FROM comments c JOIN issues i ON i.id = c.issue_id"
            " WHERE c.id = ? AND c.project_id = ?",
            (comment_id, project.id),
        )
        return None if row is None else _comment(row)

    def comments_by_id(self, ids: Iterable[int]) -> dict[int, Comment]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = self._all(
            f"SELECT {_COMMENT_COLUMNS} FROM comments c JOIN issues i ON i.id = c.issue_id"
            f" WHERE c.id IN ({_placeholders(len(wanted))})",
            wanted,
        )
        return {row[0]: _comment(row) for row in rows}

    def edit_comment(self, comment: Comment, body: str) -> Comment:
        if body == comment.body:
            return comment
        with self.transaction():
            now = self.now()
            self._conn.execute(
                "UPDATE comments SET body = ?, updated_at = ? WHERE id = ?", (body, now, comment.id)
            )
            self._conn.execute(
                "UPDATE issues SET updated_at = MAX(updated_at, ?) WHERE id = ?",
                (now, comment.issue_id),
            )
            return replace(comment, body=body, updated_at=now)

    def list_comments(
        self,
        *,
        project: Project,
        issue: Issue | None,
        window: Window,
        since: int | None = None,
        sort: SortKey = SortKey.CREATED,
        ascending: bool = True,
        include_system: bool = True,
    ) -> tuple[list[Comment], int]:
        """One page of an issue's comments (or the whole project's), and the total."""
        where = ["c.project_id = ?"]
        args: list[Any] = [project.id]
        if issue is not None:
            where.append("c.issue_id = ?")
            args.append(issue.id)
        if not include_system:
            where.append("c.system = 0")
        if since is not None:
            where.append("c.updated_at >= ?")
            args.append(since)
        condition = " AND ".join(where)
        total = int(self._one(f"SELECT COUNT(*) FROM comments c WHERE {condition}", args)[0])
        direction = "ASC" if ascending else "DESC"
        rows = self._all(
            f"SELECT {_COMMENT_COLUMNS} FROM comments c JOIN issues i ON i.id = c.issue_id"
            f" WHERE {condition} ORDER BY c.{sort.value} {direction}, c.id {direction}"
            " LIMIT ? OFFSET ?",
            [*args, window.limit, window.offset],
        )
        return [_comment(row) for row in rows], total

    # -- events --------------------------------------------------------------------------

    def add_event(
        self,
        issue: Issue,
        author: User,
        action: EventAction,
        note: Comment | None = None,
        created_at: int | None = None,
    ) -> Event:
        with self.transaction():
            now = self.now() if created_at is None else created_at
            # GitLab records the note's class name: a reply in a thread is a DiscussionNote
            # (app/services/event_create_service.rb, `target_type: record.class.name`)
            target_type = note.note_type if note is not None else "Issue"
            target_id = note.id if note is not None else issue.id
            # GitLab reports a note event's target_iid as the note's id: notes have no iid
            target_iid = note.id if note is not None else issue.number
            event_id = self._insert(
                f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    issue.project_id,
                    action.value,
                    target_type,
                    target_id,
                    target_iid,
                    issue.title,
                    author.id,
                    None if note is None else note.id,
                    now,
                ),
            )
            return Event(
                event_id,
                issue.project_id,
                action,
                target_type,
                target_id,
                target_iid,
                issue.title,
                author.id,
                None if note is None else note.id,
                now,
            )

    def list_events(
        self,
        project: Project,
        *,
        window: Window,
        action: EventAction | None = None,
        target_type: str | None = None,
        created_from: int | None = None,
        created_until: int | None = None,
        ascending: bool = False,
        visible_to: int | None = None,
    ) -> tuple[list[Event], int]:
        """Events with `created_from <= created_at < created_until`, newest first by default;
        with `visible_to`, none of a confidential issue that user is neither the author of
        nor assigned to."""
        where = ["project_id = ?"]
        args: list[Any] = [project.id]
        if visible_to is not None:
            issue = (
                "(CASE WHEN note_id IS NULL THEN target_id"
                " ELSE (SELECT c.issue_id FROM comments c WHERE c.id = note_id) END)"
            )
            where.append(
                f"NOT EXISTS (SELECT 1 FROM issues i WHERE i.id = {issue} AND i.confidential = 1"
                " AND i.author_id != ? AND NOT EXISTS (SELECT 1 FROM issue_assignees a"
                " WHERE a.issue_id = i.id AND a.user_id = ?))"
            )
            args += [visible_to, visible_to]
        if action is not None:
            where.append("action = ?")
            args.append(action.value)
        if target_type is not None:
            where.append("target_type = ?")
            args.append(target_type)
        if created_from is not None:
            where.append("created_at >= ?")
            args.append(created_from)
        if created_until is not None:
            where.append("created_at < ?")
            args.append(created_until)
        condition = " AND ".join(where)
        total = int(self._one(f"SELECT COUNT(*) FROM events WHERE {condition}", args)[0])
        direction = "ASC" if ascending else "DESC"
        rows = self._all(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE {condition}"
            f" ORDER BY id {direction} LIMIT ? OFFSET ?",
            [*args, window.limit, window.offset],
        )
        return [_event(row) for row in rows], total
