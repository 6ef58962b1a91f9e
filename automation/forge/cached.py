"""Incremental observation: the issues and comments a run lists, kept between runs.

A nightly run lists the same live issues and the same weeks of comments night after night,
though on a quiet night almost none of them changed. `Cached` wraps a forge and answers
those listings from a cache of the previous runs' answers, brought up to date with what
changed since: one listing of every issue updated since the watermark and one of the
comments created since it, whatever the program's size (README, "Incremental
observation").

The cache answers a listing only where it is complete. It keeps, per set of labels, the
issues that carry them: complete for every open one, or from a day on for all states,
according to the full listings that filled it. An issue that changed lands in every set
whose labels it carries and leaves the sets whose labels it lost. The watermark is the
forge's own clock: the latest `updated_at` (issues) or `created_at` (comments) the cache
has seen, or the forge's time when it answered the run's first request (its Date header)
if later, read back from `MARGIN` before it, so that the runner's clock never matters and a
change a listing missed while the forge was writing it is read the next time.

What no listing shows is not seen until a full read: an issue or comment deleted, and a
person's edit of a comment older than the watermark (GitLab lists no note edits at all).
So the cache is dropped, and every listing made whole again, once it is `FULL_READ_DAYS`
old (a full read a week), or when it was made for another project or bot. The bot's own
edits of its comments are written into it as they happen. A write of the run's own makes
the next listing read the changes again, so what a run lists after its writes (a lost
answer's read-back) is current. The duplicate check after the writes lists only the
issues the bot opened since the run began (`list_created`, which the cache passes to the
forge like every call it does not keep), so it reads none of the run's other writes and
moves no watermark past them: the next run reads them, once.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pydantic_core

from automation import collector
from automation.forge.base import Forge
from automation.goals import checklist
from automation.lifecycle.rules import quiet
from automation.model import CloseReason, Comment, Issue, IssueState, TaskCounts
from automation.roster.config import ForgeSettings

VERSION = 5  # 5: the quiet pairings; 4: a header line, then the cache (3: one JSON document)
MARGIN = timedelta(minutes=10)  # read back from this long before the watermark
FULL_READ_DAYS = 7  # a cache older than this is dropped: the run lists everything again
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# zlib's level 3 compresses a cache to about a 18th, at less than half the CPU of level 6
# (which compresses it to a 40th: the CI cache holds either well).
_GZIP_LEVEL = 3
# The writes that change what the listings show: each makes the next listing read the
# changes again (`edit_comment` also writes the bot's new text into the cache).
_WRITES = frozenset(
    {"create_issue", "edit_issue_body", "comment", "add_labels", "remove_labels", "relabel"}
    | {"close", "reopen"}
)


@dataclass
class Shelf:
    """The issues carrying one set of labels: every open one if `open`, and every one
    updated at or after `since` (if not None)."""

    issues: dict[int, Issue] = field(default_factory=dict)
    open: bool = False
    since: datetime | None = None

    def answers(self, state: IssueState | None, updated_since: datetime | None) -> bool:
        if state is IssueState.OPEN and updated_since is None and self.open:
            return True
        return self.since is not None and self.since <= (updated_since or EPOCH)


@dataclass
class Cache:
    """What the runs listed, for one project as one bot sees it."""

    identity: str  # the forge, project and bot it was made for
    made: date  # the day of its full read
    shelves: dict[tuple[str, ...], Shelf] = field(default_factory=dict)
    issues_seen: datetime = EPOCH  # the latest updated_at of an issue it holds
    comments: dict[int, Comment] = field(default_factory=dict)
    comments_since: datetime | None = None  # complete for comments created from then
    comments_seen: datetime = EPOCH  # the latest created_at of a comment it holds
    # How the bodies the last run read read (automation.goals.checklist.remembered): a body is
    # parsed again only when it changed.
    parsed: dict[str, list[Any]] = field(default_factory=dict)
    # The pairings the last run found quiet, until when, with their dashboard rows
    # (automation.lifecycle.rules.quiet.remembered): skipped while nothing of them changes.
    quiet: dict[str, list[Any]] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)  # GitLab's user ids by login

    def fresh(self, identity: str, today: date) -> bool:
        return self.identity == identity and 0 <= (today - self.made).days < FULL_READ_DAYS


class Cached:
    """A forge whose issue and comment listings come from `cache`, brought up to date once
    per run (and again after a write of the run's own). Everything else goes to `inner`."""

    def __init__(self, inner: Forge, cache: Cache) -> None:
        self.inner = inner
        self.cache = cache
        self._issues_synced = self._comments_synced = False

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.inner, name)
        if name not in _WRITES:
            return found

        def write(*args: Any, **kwargs: Any) -> Any:
            self._wrote()
            return found(*args, **kwargs)

        return write

    # ------------------------------------------------------------ reads

    def list_issues(
        self,
        *,
        labels: Sequence[str] = (),
        state: IssueState | None = None,
        updated_since: datetime | None = None,
    ) -> list[Issue]:
        self._sync_issues()
        key = tuple(sorted(labels))
        shelf = self.cache.shelves.setdefault(key, Shelf())
        if not shelf.answers(state, updated_since):
            self._fill(shelf, key, state, updated_since)
        found = [
            issue
            for issue in shelf.issues.values()
            if (state is None or issue.state is state)
            and (updated_since is None or issue.updated_at >= updated_since)
        ]
        return sorted(found, key=lambda i: (i.created_at, i.number), reverse=True)

    def list_comments(self, *, since: datetime | None = None) -> list[Comment]:
        self._sync_comments()
        cache = self.cache
        if since is None or cache.comments_since is None or since < cache.comments_since:
            self._comments_seen(self.inner.list_comments(since=since))
        # Complete from `since` on: older comments are not asked for again (the window
        # only moves forward), so they are dropped.
        cache.comments_since = since or EPOCH
        cache.comments = {
            i: c for i, c in cache.comments.items() if c.created_at >= cache.comments_since
        }
        return sorted(cache.comments.values(), key=lambda c: (c.created_at, c.id))

    def _fill(
        self,
        shelf: Shelf,
        key: tuple[str, ...],
        state: IssueState | None,
        updated_since: datetime | None,
    ) -> None:
        """A full listing for what the shelf cannot answer yet."""
        listed = self.inner.list_issues(labels=key, state=state, updated_since=updated_since)
        shelf.issues.update((i.number, i) for i in listed)
        if state is IssueState.OPEN and updated_since is None:
            shelf.open = True
        elif state is None:
            since = updated_since or EPOCH
            shelf.since = since if shelf.since is None else min(shelf.since, since)
        self._seen(listed)

    def _sync_issues(self) -> None:
        """Once per run, and again after a write: the issues changed since the watermark."""
        if self._issues_synced:
            return
        self._issues_synced = True
        cache = self.cache
        if not cache.shelves:
            return
        changed = self.inner.list_issues(updated_since=cache.issues_seen - MARGIN)
        for key, shelf in cache.shelves.items():
            wanted = set(key)
            for issue in changed:
                if wanted <= set(issue.labels):
                    shelf.issues[issue.number] = issue
                else:
                    shelf.issues.pop(issue.number, None)
        self._seen(changed)

    def _sync_comments(self) -> None:
        """Once per run, and again after a write: the comments created since the watermark."""
        if self._comments_synced:
            return
        self._comments_synced = True
        cache = self.cache
        if cache.comments_since is None:
            return
        new = self.inner.list_comments(since=cache.comments_seen - MARGIN)
        self._comments_seen(new)

    def _seen(self, issues: Iterable[Issue]) -> None:
        """After a listing: everything changed before the forge answered the run's first
        request is listed by now, and so is every change the listing returned."""
        times = [self.cache.issues_seen, *(i.updated_at for i in issues)]
        self.cache.issues_seen = max(times + self._clock())

    def _comments_seen(self, comments: Iterable[Comment]) -> None:
        self.cache.comments.update((c.id, c) for c in comments)
        times = [self.cache.comments_seen, *(c.created_at for c in comments)]
        self.cache.comments_seen = max(times + self._clock())

    def _clock(self) -> list[datetime]:
        now = self.inner.server_time()
        return [now] if now is not None else []

    # ------------------------------------------------------------ writes

    def _wrote(self) -> None:
        self._issues_synced = self._comments_synced = False

    def edit_comment(self, number: int, comment_id: int, body: str) -> None:
        self._wrote()
        self.inner.edit_comment(number, comment_id, body)
        # No listing shows an edit of an older comment: the cache takes the bot's own, and
        # dates it no earlier than the run (an edit is a write the forge's limits count).
        kept = self.cache.comments.get(comment_id)
        if kept is not None:
            edited = max([kept.updated_at, *self._clock()])
            self.cache.comments[comment_id] = replace(kept, body=body, updated_at=edited)


# ---------------------------------------------------------------- the file


@contextmanager
def kept(
    forge: Forge, path: Path | None, settings: ForgeSettings, today: date, key: str | None
) -> Iterator[Forge]:
    """`forge` observing through the cache kept at `path` (none: `forge` itself), signed
    with `key` (`commands.connection.cache_key`); the cache is written back when the
    work inside succeeds."""
    if path is None:
        yield forge
        return
    made_for = f"{settings.kind} {settings.url or ''} {settings.project} {forge.whoami()}"
    made_for += f" {code(PACKAGE)}"
    cached = Cached(forge, load(path, made_for, today, key))
    checklist.remember(cached.cache.parsed)
    quiet.remember_records(cached.cache.quiet)
    forge.learn_user_ids(cached.cache.users)
    yield cast(Forge, cached)  # a Forge: every other call goes to the one it wraps
    cached.cache.parsed = checklist.remembered()
    cached.cache.quiet = quiet.remembered()
    cached.cache.users = forge.user_ids()
    save(path, cached.cache, key)


PACKAGE = Path(__file__).parents[1]  # automation/


@functools.cache
def code(root: Path) -> str:
    """A digest of the package's source under `root`. A cache written by other code (an
    upgrade) is not believed: how it read the descriptions, and which pairings it found
    quiet until when, came from that code's rules."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def load(path: Path, identity: str, today: date, key: str | None) -> Cache:
    """The cache kept at `path`, or an empty one when there is none that may be used:
    missing, unreadable, of another version, project or bot, too old, or (with a key) not
    signed with it (without one, signed at all: a run with a key wrote it)."""
    with collector.paused():  # a decoded cache is a million objects and no cycles
        return _load(path, identity, today, key)


def _load(path: Path, identity: str, today: date, key: str | None) -> Cache:
    empty = Cache(identity, today)
    try:
        head, _, body = gzip.decompress(path.read_bytes()).partition(b"\n")
        data = _from_bytes(head)
    except (OSError, ValueError, EOFError):
        return empty
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return empty
    signature = data.get("sig")
    if key is None and signature is not None:
        return empty  # the key is gone: a cache a run without one cannot check
    # Bytes, not text: a planted signature of non-ASCII text would make the text compare raise.
    if key is not None and not hmac.compare_digest(
        str(signature).encode(), _sign(body, key).encode()
    ):
        return empty
    try:
        cache = _from_json(_from_bytes(body))
    except (KeyError, TypeError, ValueError):
        return empty
    return cache if cache.fresh(identity, today) else empty


def save(path: Path, cache: Cache, key: str | None) -> None:
    """A line of JSON saying what the file is (its version, and the signature of the rest
    with a key), then the cache as one JSON document, gzipped. The signature is of the
    bytes as written, so checking it reads them once more and no more."""
    with collector.paused():
        body = _to_bytes(_to_json(cache))
    head = _to_bytes({"version": VERSION, "sig": _sign(body, key) if key else None})
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_bytes(gzip.compress(head + b"\n" + body, _GZIP_LEVEL))
    part.replace(path)


def _to_bytes(data: Any) -> bytes:
    """JSON on one line (a newline in text is written `\\n`). pydantic-core's encoder (which
    pydantic brings) writes the 100 MB of a 10,000-pairing program's cache three times as
    fast as the standard library's; text it cannot encode as UTF-8 (a lone surrogate) goes
    to the standard library's, which escapes it."""
    try:
        return pydantic_core.to_json(data)
    except pydantic_core.PydanticSerializationError:
        return json.dumps(data, separators=(",", ":")).encode()


def _from_bytes(raw: bytes) -> Any:
    """What `_to_bytes` wrote; the standard library's decoder reads what only it wrote."""
    try:
        return pydantic_core.from_json(raw)
    except ValueError:
        return json.loads(raw)


def _sign(body: bytes, key: str) -> str:
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _issue_json(issue: Issue) -> dict[str, Any]:
    return {
        "n": issue.number,
        "t": issue.title,
        "b": issue.body,
        "s": issue.state.value,
        "a": issue.author,
        "l": list(issue.labels),
        "as": list(issue.assignees),
        "c": _time(issue.created_at),
        "u": _time(issue.updated_at),
        "url": issue.url,
        "x": _time(issue.closed_at),
        "conf": issue.confidential,
        "why": issue.close_reason.value if issue.close_reason else None,
        "tasks": [issue.tasks.done, issue.tasks.total] if issue.tasks else None,
        "due": issue.due.isoformat() if issue.due else None,
    }


def _issue(data: Mapping[str, Any]) -> Issue:
    tasks = data["tasks"]
    return Issue(
        number=int(data["n"]),
        title=str(data["t"]),
        body=str(data["b"]),
        state=IssueState(data["s"]),
        author=str(data["a"]),
        labels=tuple(data["l"]),
        assignees=tuple(data["as"]),
        created_at=datetime.fromisoformat(data["c"]),
        updated_at=datetime.fromisoformat(data["u"]),
        url=str(data["url"]),
        closed_at=_parse_time(data["x"]),
        confidential=bool(data["conf"]),
        close_reason=CloseReason(data["why"]) if data["why"] else None,
        tasks=TaskCounts(int(tasks[0]), int(tasks[1])) if tasks else None,
        due=date.fromisoformat(data["due"]) if data["due"] else None,
    )


def _comment_json(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "n": comment.issue_number,
        "b": comment.body,
        "a": comment.author,
        "c": _time(comment.created_at),
        "u": _time(comment.updated_at),
    }


def _comment(data: Mapping[str, Any]) -> Comment:
    return Comment(
        int(data["id"]),
        int(data["n"]),
        str(data["b"]),
        str(data["a"]),
        datetime.fromisoformat(data["c"]),
        datetime.fromisoformat(data["u"]),
    )


def _to_json(cache: Cache) -> dict[str, Any]:
    return {
        "identity": cache.identity,
        "made": cache.made.isoformat(),
        "issues_seen": _time(cache.issues_seen),
        "shelves": [
            {
                "labels": list(key),
                "open": shelf.open,
                "since": _time(shelf.since),
                "issues": [_issue_json(i) for i in shelf.issues.values()],
            }
            for key, shelf in cache.shelves.items()
        ],
        "comments_since": _time(cache.comments_since),
        "comments_seen": _time(cache.comments_seen),
        "comments": [_comment_json(c) for c in cache.comments.values()],
        "parsed": cache.parsed,
        "quiet": cache.quiet,
        "users": cache.users,
    }


def _from_json(data: Any) -> Cache:
    shelves = {
        tuple(str(label) for label in shelf["labels"]): Shelf(
            {issue.number: issue for issue in map(_issue, shelf["issues"])},
            bool(shelf["open"]),
            _parse_time(shelf["since"]),
        )
        for shelf in data["shelves"]
    }
    return Cache(
        identity=str(data["identity"]),
        made=date.fromisoformat(data["made"]),
        shelves=shelves,
        issues_seen=_parse_time(data["issues_seen"]) or EPOCH,
        comments={c.id: c for c in map(_comment, data["comments"])},
        comments_since=_parse_time(data["comments_since"]),
        comments_seen=_parse_time(data["comments_seen"]) or EPOCH,
        parsed={str(key): list(record) for key, record in data["parsed"].items()},
        quiet={str(key): list(record) for key, record in data["quiet"].items()},
        users={str(login): int(number) for login, number in data["users"].items()},
    )
