"""The forge boundary: the operations the rules need, and the one error they raise."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Protocol, TypeVar

from automation.errors import ExpectedError
from automation.model import (
    ChangeRequest,
    CloseReason,
    Comment,
    Draft,
    FileAt,
    Issue,
    IssueState,
    Tick,
)
from automation.roster.handles import same_handle

T = TypeVar("T")


class ForgeError(ExpectedError):
    """An expected failure talking to a forge; the message says what failed and the fix.

    `problem` and `fix` are the two halves of the message, for reports that show them apart.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request: str = "",
        transient: bool = False,
        fix: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.request = request
        self.transient = transient
        self.fix = fix

    @property
    def problem(self) -> str:
        message = str(self)
        return message.removesuffix(f": {self.fix}") if self.fix else message


class RateLimited(ForgeError):
    """The forge still refuses after the waits its rate limit asks for, within the run's
    rate-limit budget: stop writing now and leave the rest to the next run."""

    def __init__(
        self, message: str, *, status: int | None = None, request: str = "", fix: str = ""
    ) -> None:
        super().__init__(message, status=status, request=request, transient=True, fix=fix)


class UnknownHandle(ForgeError):
    """A handle of program.yml that the forge does not know or will not assign."""

    def __init__(
        self, message: str, *, login: str, status: int | None, request: str, fix: str
    ) -> None:
        super().__init__(message, status=status, request=request, fix=fix)
        self.login = login


def failure(
    forge: str, status: int | None, request: str, fix: str, *, transient: bool = False
) -> ForgeError:
    """The one message shape: who answered what to which request, then the fix."""
    return ForgeError(
        f"{answered(forge, status, request)}: {fix}",
        status=status,
        request=request,
        transient=transient,
        fix=fix,
    )


def unreachable(forge: str, url: str, request: str, error: BaseException) -> ForgeError:
    """The forge did not answer at all, after the retries: what happened, in a few words,
    and what to check (a traceback of urllib3's layers would say neither)."""
    fix = (
        f"could not reach {url} ({_cause(error)}); check forge.url in program.yml, the "
        "network, and the proxy (HTTPS_PROXY, NO_PROXY) if this network needs one, then run "
        "again"
    )
    return failure(forge, None, request, fix, transient=True)


# What the requests/urllib3 errors mean, by the name of an error in the chain or its text.
_CAUSES = (
    ("ProxyError", "the proxy failed"),
    ("SSLError", "the TLS handshake failed"),
    ("ConnectTimeout", "no connection within the connect timeout"),
    ("ReadTimeout", "no answer within forge.timeout_seconds"),
    ("Name or service not known", "the host name does not resolve"),
    ("nodename nor servname", "the host name does not resolve"),
    ("Temporary failure in name resolution", "the host name does not resolve"),
    ("getaddrinfo failed", "the host name does not resolve"),
    ("Connection refused", "connection refused"),
    ("Network is unreachable", "the network is unreachable"),
    ("No route to host", "no route to the host"),
)


def _cause(error: BaseException) -> str:
    chain: list[BaseException] = []
    found: BaseException | None = error
    while found is not None and found not in chain:
        chain.append(found)
        found = found.__cause__ or found.__context__
    said = " ".join(f"{type(e).__name__} {e}" for e in chain)
    for clue, cause in _CAUSES:
        if clue in said:
            return cause
    return type(error).__name__


def answered(forge: str, status: int | None, request: str) -> str:
    return f"{forge} answered {status} to {request}" if status else f"{request} failed"


def rate_limited(forge: str, status: int | None, request: str, budget: float) -> RateLimited:
    fix = (
        "rate limited, and retries ran out, or the wait asked for is over "
        "forge.max_retry_wait_seconds, or the run has spent its forge.rate_limit_budget_seconds "
        f"({budget:g}) waiting; stop writing now: the next run does the rest"
    )
    return RateLimited(
        f"{answered(forge, status, request)}: {fix}", status=status, request=request, fix=fix
    )


def unknown_handle(
    login: str,
    where: str | None,
    evidence: str,
    project: str,
    *,
    status: int | None = None,
    request: str = "",
) -> UnknownHandle:
    """Which handle, where program.yml writes it, what the forge said, and the fix."""
    place = f"{where}: " if where else ""
    fix = f"fix the handle in program.yml, or give {login} a role in {project}"
    return UnknownHandle(
        f"{place}no user {login!r} who can be assigned in {project} ({evidence}); {fix}",
        login=login,
        status=status,
        request=request,
        fix=fix,
    )


class Forge(Protocol):
    """What the rules may ask of GitLab, GitHub or the sandbox.

    Issue numbers are per project (GitLab `iid`, GitHub `number`). Lists are complete
    (all pages) and filtered on the server.
    """

    @property
    def kind(self) -> str: ...

    def whoami(self) -> str:
        """The bot's login: author of everything the bot writes."""
        ...

    def server_time(self) -> datetime | None:
        """The forge's clock (its Date header) when it answered the adapter's first request,
        `whoami` or, where program.yml names the bot, the first page listed, if known."""
        ...

    def user_ids(self) -> dict[str, int]:
        """The user ids the adapter has learned by login (GitLab assigns by id; GitHub by
        login: none), for the observation cache to keep between runs."""
        ...

    def learn_user_ids(self, ids: Mapping[str, int]) -> None:
        """Ids an earlier run learned: no lookup for them in this one."""
        ...

    def know_users(self, logins: Sequence[str]) -> None:
        """Learn the ids of the people a run is about to assign, before its writes: GitLab
        asks for those it does not know yet, `USERS_BATCH` a query, and leaves a login
        nobody has to the lookup of the write that assigns it (its error names the line of
        program.yml); GitHub assigns by login and asks nothing."""
        ...

    def list_issues(
        self,
        *,
        labels: Sequence[str] = (),
        state: IssueState | None = None,
        updated_since: datetime | None = None,
    ) -> list[Issue]:
        """Issues (never pull requests) carrying all `labels`; `state=None` means any."""
        ...

    def list_created(self, *, author: str, since: datetime) -> list[Issue]:
        """Issues (never pull requests), open or closed, that `author` opened at or after
        `since`, newest first: only the pages that hold them (GitHub sorts by creation and
        stops at the first older one; GitLab filters on `created_after`)."""
        ...

    def find_titled(self, words: str, author: str) -> list[Issue]:
        """Issues, open or closed, whose title holds `words`, that `author` opened: one
        search request a 100, whatever labels they carry."""
        ...

    def get_issue(self, number: int) -> Issue:
        """One issue, as it is now (to read back a write whose answer was lost)."""
        ...

    def create_issue(self, draft: Draft) -> Issue: ...

    def edit_issue_body(self, number: int, body: str) -> None:
        """Replace the body of an issue the bot owns."""
        ...

    def comment(self, number: int, body: str) -> Comment: ...

    def edit_comment(self, number: int, comment_id: int, body: str) -> None:
        """Replace the body of a comment the bot wrote on issue `number`."""
        ...

    def add_labels(self, number: int, labels: Sequence[str]) -> None: ...

    def remove_labels(self, number: int, labels: Sequence[str]) -> None:
        """Remove labels; labels the issue does not carry are ignored."""
        ...

    def relabel(self, number: int, add: Sequence[str], remove: Sequence[str]) -> None:
        """Add and remove labels in as few requests as the forge allows (GitLab: one)."""
        ...

    def close(self, number: int, reason: CloseReason) -> None: ...

    def reopen(self, number: int) -> None: ...

    def label_names(self) -> frozenset[str]:
        """The names of the project's labels: one paged listing."""
        ...

    def create_label(self, name: str, color: str, description: str) -> bool:
        """Create a project label (`color`: six hex digits, no '#'); False when one by that
        name exists already (GitLab answers 409, GitHub 422 `already_exists`), which is
        as good: the label is there."""
        ...

    def list_comments(self, *, since: datetime | None = None) -> list[Comment]:
        """Comments on issues of the whole project created at or after `since`."""
        ...

    def list_issue_comments(self, number: int) -> list[Comment]:
        """All comments of one issue, oldest first."""
        ...

    def box_ticks_of(self, numbers: Sequence[int]) -> dict[int, list[Tick]]:
        """Who ticked or unticked which task item of each issue's description, as the
        forge's history records it (GitLab: system notes; GitHub: description revisions),
        by issue number, every number given included (an issue the forge no longer has:
        none). One GraphQL query per `TICKS_BATCH` issues (GitLab: and the REST listing of
        an issue with more than 100 notes)."""
        ...

    def authored_descriptions(self, authors: Mapping[int, str]) -> dict[int, str]:
        """The description of each issue `authors` names (number -> its author) as the
        author last wrote it, for the issues someone else edited since: GitHub lets anyone
        with write access edit any description (one GraphQL query per 100 issues for who
        last edited each, and one per `TICKS_BATCH` someone else edited for their
        revisions). Nothing on GitLab, where only the author, the assignees and Reporters and
        above may (nothing read). An issue missing from the answer stands as listed; `""`:
        nothing of the author's is left in its history."""
        ...

    # -- the roster change: one merge request (GitLab) / pull request (GitHub) that edits
    # program.yml on a branch of the bot's; merging it is the coordinators' approval

    def default_branch(self) -> str:
        """The branch program.yml is read from and changes are merged into."""
        ...

    def read_file(self, path: str, ref: str | None = None) -> FileAt | None:
        """A text file on `ref` (default: the default branch); None when the file or the
        ref does not exist."""
        ...

    def put_branch_file(self, branch: str, path: str, text: str, message: str, *, base: str) -> str:
        """Make `branch` the head of `base` plus one new commit that makes `text` the whole
        content of `path`, whatever `branch` held before (it is created when missing; a
        commit anyone else pushed to it is dropped, so merging the branch brings exactly
        that file); the new commit's id. A change made to the file on `base` between the
        read and the write fails the write (the next run starts from what is there)."""
        ...

    def changes_only(self, branch: str, base: str, path: str) -> bool:
        """Whether `branch` is the head of `base` with `path` changed and nothing else, so
        that merging it brings that one file: False when anything else differs (a file
        someone else pushed there, or a base that moved on) or the branch is missing. One
        request (the forges' compare)."""
        ...

    def open_change_requests(self, branch: str) -> list[ChangeRequest]:
        """The open merge/pull requests from `branch`, whoever opened them, oldest first:
        one page (at most `CLOSED_PAGE`)."""
        ...

    def find_change_request(self, branch: str) -> ChangeRequest | None:
        """The bot's open merge/pull request from `branch` (the oldest, when there are
        several): one opened by anyone but `whoami` is not the bot's proposal."""
        ...

    def closed_change_requests(self, branch: str) -> list[ChangeRequest]:
        """The latest merge/pull requests from `branch` closed without a merge, newest
        first: at most `CLOSED_PAGE`, one listing, never the whole history."""
        ...

    def open_change_request(
        self, branch: str, base: str, title: str, body: str
    ) -> ChangeRequest: ...

    def edit_change_request(self, number: int, title: str, body: str) -> None: ...

    def close_change_request(self, number: int) -> None:
        """Close without merging (no proposal is left); the branch stays."""
        ...


CLOSED_PAGE = 20  # closed roster changes read a night (rules/boxes.py: declined asks)
# Issues whose box ticks one GraphQL query reads. GitHub: 50 issues of 100 revisions each
# are 5,000 of the 500,000 nodes a query may ask for
# (https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits).
TICKS_BATCH = 50
# Logins whose user ids one GitLab GraphQL query asks for: a page of `Query.users` (GitLab's
# `max_page_size`, https://docs.gitlab.com/ee/api/graphql/#pagination).
USERS_BATCH = 100


def own_change_request(changes: Sequence[ChangeRequest], bot: str) -> ChangeRequest | None:
    """The first of `changes` (open requests from the proposal branch, oldest first) that
    the bot opened: one anyone else opened there is never the bot's proposal."""
    return next((c for c in changes if same_handle(c.author, bot)), None)


def batches(items: Sequence[T], size: int) -> list[tuple[T, ...]]:
    """`items` without repeats, in order, in runs of at most `size`."""
    unique = tuple(dict.fromkeys(items))
    return [unique[start : start + size] for start in range(0, len(unique), size)]


def named(noun: str, items: Sequence[object]) -> str:
    """A few of `items` after `noun`, made plural for more than one, for a request's
    description: `issue 3`, `users alice, bob, carol` or `issues 3, 5, 9 and 47 more`."""
    shown = ", ".join(str(item) for item in items[:3])
    rest = len(items) - 3
    if rest > 0:
        return f"{noun}s {shown} and {rest} more"
    return f"{noun} {shown}" if len(items) == 1 else f"{noun}s {shown}"


@dataclass(frozen=True)
class Access:
    """What the token may do in the project, as the forge reports it (None: not reported)."""

    private: bool
    # the forge's name for the token's role, e.g. "Developer (30)", "push"
    role: str | None
    # label, assign and close any issue (GitLab Reporter, GitHub triage)
    manages_issues: bool | None
    # create project labels (GitLab Reporter, GitHub push)
    creates_labels: bool | None
    # GitLab token scopes
    scopes: tuple[str, ...] | None = None


class Preflight(Protocol):
    """The reads `mentorship doctor` makes: who the token is, what it may do, who can be
    assigned and which labels exist. Paged listings, never a request per person."""

    @property
    def kind(self) -> str: ...

    def token_owner(self) -> str | None:
        """The token's login, or None when the token cannot tell (a GitHub App token)."""
        ...

    def access(self) -> Access: ...

    def assignable(self) -> frozenset[str]:
        """Logins that can be assigned in the project: one paged listing."""
        ...

    def user_exists(self, login: str) -> bool: ...

    def label_names(self) -> frozenset[str]: ...


def server_date(header: str | None) -> datetime | None:
    """An HTTP Date header (RFC 9110, e.g. "Wed, 02 Dec 2026 02:17:00 GMT") as a time."""
    try:
        return parsedate_to_datetime(header) if header else None
    except (TypeError, ValueError):
        return None
