"""One contract for every adapter: the real clients over HTTP, against the sandbox and, when
asked, against a real GitLab or GitHub project.

    GITLAB_TOKEN=... python -m pytest tests/forge/test_contract.py \\
        --live-gitlab https://gitlab.com --live-project me/mentorship-contract
    GITHUB_TOKEN=... python -m pytest tests/forge/test_contract.py \\
        --live-github https://api.github.com --live-project me/mentorship-contract

Without those options there are no live cases; without the token they skip. On a live project every
issue a test opens carries a label of that test's own; afterwards the test closes those
issues (GitLab deletes them when the token may) and deletes the labels it created. Tests
that need the sandbox's controls (its clock, faults, request counts, other users) run on
the sandbox only.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import github
import gitlab
import pytest

from automation.forge import Forge, ForgeError, RetryPolicy, connect, preflight
from automation.forge.base import RateLimited, UnknownHandle
from automation.forge.retry import WaitBudget
from automation.model import ChangeRequest, ChangeState, CloseReason, Draft, Issue, IssueState
from automation.roster.config import ForgeSettings, load_program
from automation.sandbox import RunningSandbox, start

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SANDBOX_ONLY = pytest.mark.sandbox_only
TOKEN_ENV = {"gitlab": "GITLAB_TOKEN", "github": "GITHUB_TOKEN"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start(users=["mentorship-bot", "alice", "bob"]) as running:
        yield running


@dataclass
class Site:
    """A project for one test, on the sandbox or on a live forge, reached with either adapter.

    Every issue a test opens carries `tag`, and lists filter on it, so tests sharing a live
    project never see each other's issues.
    """

    flavour: Literal["gitlab", "github"]
    kind: Literal["sandbox", "gitlab", "github"]
    url: str
    project: str
    token: str  # on the sandbox, the bot's login
    bot: str
    people: tuple[str, ...]  # logins that may be assigned
    box: RunningSandbox | None = None
    tag: str = field(default_factory=lambda: f"contract-{uuid.uuid4().hex[:8]}")
    sleeps: list[float] = field(default_factory=list)

    @property
    def branch(self) -> str:
        """The branch of this test's roster change: named by its tag, so runs never meet."""
        return f"mentorship/{self.tag}"

    @property
    def live(self) -> bool:
        return self.box is None

    @property
    def sandbox(self) -> RunningSandbox:
        assert self.box is not None, "a sandbox-only test ran live"
        return self.box

    def settings(self, url: str | None = None) -> ForgeSettings:
        flavour = {"flavour": self.flavour} if self.kind == "sandbox" else {}
        return ForgeSettings.model_validate(
            {
                "kind": self.kind,
                "url": url or self.url,
                "project": self.project,
                "token_env": "CONTRACT_TOKEN",
                **flavour,
            }
        )

    def forge(
        self, login: str | None = None, retries: int = 5, policy: RetryPolicy | None = None
    ) -> Forge:
        """The bot's adapter; on the sandbox, `login`'s."""
        policy = policy or RetryPolicy(retries=retries, sleep=self.sleeps.append)
        token = login if login is not None and not self.live else self.token
        return connect(self.settings(), {"CONTRACT_TOKEN": token}, policy)

    def draft(
        self, title: str, body: str = "", labels: tuple[str, ...] = (), **fields: object
    ) -> Draft:
        return Draft(title, body, (self.tag, *labels), **fields)  # type: ignore[arg-type]

    def listed(self, forge: Forge, **filters: object) -> list[Issue]:
        """This test's issues (any state unless told)."""
        filters.setdefault("state", None)
        labels = (self.tag, *filters.pop("labels", ()))  # type: ignore[misc]
        return forge.list_issues(labels=labels, **filters)  # type: ignore[arg-type]

    def labels(self, issue: Issue) -> set[str]:
        return set(issue.labels) - {self.tag}

    def reply_in_thread(self, number: int, login: str, opening: str, reply: str) -> None:
        """The bot opens a thread on the issue and `login` answers in it.

        GitLab: a thread (discussion) and a reply in it, both DiscussionNotes. GitHub has no
        threads on issues: two plain comments.
        """
        if self.flavour == "github":
            self.forge().comment(number, opening)
            self.forge(login).comment(number, reply)
            return
        thread = self._discussions(self.token, number).create({"body": opening})
        replier = self._discussions(self.token if self.live else login, number)
        replier.get(thread.id, lazy=True).notes.create({"body": reply})

    def _discussions(self, token: str, number: int) -> Any:
        """python-gitlab on one issue's threads: the adapters never start a thread."""
        client = gitlab.Gitlab(self.url, private_token=token)
        return (
            client.projects.get(self.project, lazy=True).issues.get(number, lazy=True).discussions
        )


def _live_site(request: pytest.FixtureRequest, flavour: Literal["gitlab", "github"]) -> Site:
    url = request.config.getoption(f"--live-{flavour}")
    project = request.config.getoption("--live-project")
    token = os.environ.get(TOKEN_ENV[flavour], "").strip()
    if not (url and project and token):
        pytest.skip(
            f"live {flavour}: pass --live-{flavour} URL --live-project PATH and set "
            f"${TOKEN_ENV[flavour]}"
        )
    if request.node.get_closest_marker("sandbox_only"):
        pytest.skip("needs the sandbox's controls")
    site = Site(flavour, flavour, url, project, token, bot="", people=())
    bot = request.config.getoption("--live-bot") or site.forge().whoami()
    people = () if bot.endswith("[bot]") else (bot,)  # an app cannot be assigned
    return Site(flavour, flavour, url, project, token, bot=bot, people=people)


def _clean_up(site: Site, labels_before: frozenset[str]) -> None:
    """Close (GitLab: delete, when allowed) the test's issues; delete labels it created;
    close the test's merge or pull request and delete its branch."""
    forge = site.forge(retries=2)
    change = forge.find_change_request(site.branch)
    if change is not None:
        forge.close_change_request(change.number)
    _delete_branch(site)
    for issue in site.listed(forge):
        if issue.state is IssueState.OPEN:
            forge.close(issue.number, CloseReason.NOT_PLANNED)
    created = preflight(site.settings(), {"CONTRACT_TOKEN": site.token}).label_names()
    created -= labels_before
    if site.flavour == "gitlab":
        client = gitlab.Gitlab(site.url, private_token=site.token)
        project = client.projects.get(site.project, lazy=True)
        for issue in site.listed(forge):
            # only owners may delete issues: for others, closed is as far as it goes
            with contextlib.suppress(gitlab.GitlabDeleteError):
                project.issues.delete(issue.number)
        for name in created:
            project.labels.delete(name)
    else:
        client = github.Github(base_url=site.url, auth=github.Auth.Token(site.token), lazy=True)
        repo = client.get_repo(site.project)
        for name in created:
            repo.get_label(name).delete()  # lazy: a DELETE, no GET before it


def _delete_branch(site: Site) -> None:
    """The adapters never delete a branch; the live contract cleans up with the clients."""
    if site.flavour == "gitlab":
        project = gitlab.Gitlab(site.url, private_token=site.token).projects.get(
            site.project, lazy=True
        )
        with contextlib.suppress(gitlab.GitlabDeleteError):
            project.branches.delete(site.branch)
    else:
        # DELETE /git/refs/{ref} (git/delete-ref); a lazy GitRef would send it to /git/ref/
        client = github.Github(base_url=site.url, auth=github.Auth.Token(site.token), lazy=True)
        with contextlib.suppress(github.GithubException):
            client.requester.requestJsonAndCheck(
                "DELETE", f"/repos/{site.project}/git/refs/heads/{site.branch}"
            )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every contract test on both sandbox flavours, and on each live forge given."""
    if "site" in metafunc.fixturenames:
        live = [
            f"live-{f}" for f in ("gitlab", "github") if metafunc.config.getoption(f"--live-{f}")
        ]
        metafunc.parametrize("site", ["gitlab", "github", *live], indirect=True)


@pytest.fixture
def site(request: pytest.FixtureRequest) -> Iterator[Site]:
    flavour: Literal["gitlab", "github"] = request.param.removeprefix("live-")
    if request.param.startswith("live-"):
        live = _live_site(request, flavour)
        forge = preflight(live.settings(), {"CONTRACT_TOKEN": live.token})
        before = forge.label_names()
        yield live
        _clean_up(live, before)
        return
    box: RunningSandbox = request.getfixturevalue("sandbox")
    name = request.node.name.split("[")[0].removeprefix("test_").replace("_", "-")
    box.set_clock(START)
    yield Site(
        flavour,
        "sandbox",
        box.url,
        f"acme/{name[:50]}-{flavour}",
        "mentorship-bot",
        bot="mentorship-bot",
        people=("alice", "bob"),
        box=box,
    )
    box.clear_faults()


@SANDBOX_ONLY
def test_whoami_is_the_token_login(site: Site) -> None:
    assert site.forge().whoami() == "mentorship-bot"
    assert site.forge("alice").whoami() == "alice"


def test_created_issue_reads_back_normalised(site: Site) -> None:
    forge = site.forge()
    created = forge.create_issue(
        site.draft(
            "Mentorship: alice and bob",
            "Hello\r\n- [ ] step",
            ("mentorship", "mentorship::active"),
            assignees=site.people,
            confidential=True,
        )
    )
    [listed] = site.listed(forge)
    assert listed == created
    assert listed.state is IssueState.OPEN
    assert listed.author == site.bot
    # GitLab runs every description through its quick-action extractor, which deletes
    # carriage returns (lib/gitlab/quick_actions/extractor.rb); GitHub keeps them
    assert listed.body == (
        "Hello\n- [ ] step" if site.flavour == "gitlab" else "Hello\r\n- [ ] step"
    )
    assert site.labels(listed) == {"mentorship", "mentorship::active"}
    assert set(listed.assignees) == set(site.people)
    assert listed.confidential is (site.flavour == "gitlab")
    if site.flavour == "gitlab":
        assert listed.tasks is not None
        assert (listed.tasks.done, listed.tasks.total) == (0, 1)
    if not site.live:
        assert (listed.number, listed.created_at) == (1, START)


@SANDBOX_ONLY
def test_list_filters_on_labels_state_and_update_time(site: Site) -> None:
    forge = site.forge()
    first = forge.create_issue(Draft("one", "", labels=("mentorship", "kind::pairing")))
    site.sandbox.advance(timedelta(days=1))
    second = forge.create_issue(Draft("two", "", labels=("mentorship",)))
    forge.create_issue(Draft("other", "", labels=("unrelated",)))
    forge.close(first.number, CloseReason.COMPLETED)

    def numbers(**filters: object) -> set[int]:
        return {i.number for i in forge.list_issues(**filters)}  # type: ignore[arg-type]

    assert numbers(labels=["mentorship"]) == {first.number, second.number}
    assert numbers(labels=["mentorship", "kind::pairing"]) == {first.number}
    assert numbers(labels=["mentorship"], state=IssueState.OPEN) == {second.number}
    assert numbers(labels=["mentorship"], state=IssueState.CLOSED) == {first.number}
    since = START + timedelta(hours=12)
    assert numbers(updated_since=since) == {1, 2, 3}  # closing updated the first one
    site.sandbox.advance(timedelta(days=1))
    assert numbers(updated_since=START + timedelta(days=1, hours=12)) == set()


def test_labels_state_filters_on_the_forge(site: Site) -> None:
    forge = site.forge()
    first = forge.create_issue(site.draft("one", "", ("mentorship", "kind::pairing")))
    second = forge.create_issue(site.draft("two", "", ("mentorship",)))
    forge.close(first.number, CloseReason.COMPLETED)

    def numbers(**filters: object) -> set[int]:
        return {i.number for i in site.listed(forge, **filters)}

    assert numbers(labels=["mentorship"]) == {first.number, second.number}
    assert numbers(labels=["mentorship", "kind::pairing"]) == {first.number}
    assert numbers(labels=["mentorship"], state=IssueState.OPEN) == {second.number}
    assert numbers(labels=["mentorship"], state=IssueState.CLOSED) == {first.number}


@SANDBOX_ONLY
def test_listing_250_issues_takes_three_requests(site: Site) -> None:
    forge = site.forge()
    for n in range(250):
        forge.create_issue(Draft(f"issue {n}", "", labels=("mentorship",)))
    site.sandbox.reset_counts()
    issues = forge.list_issues(labels=["mentorship"])
    assert len(issues) == 250
    assert len({i.number for i in issues}) == 250
    assert site.sandbox.request_counts()["reads"] == 3


@SANDBOX_ONLY
def test_creating_an_issue_costs_one_write(site: Site) -> None:
    forge = site.forge()
    forge.whoami()
    site.sandbox.reset_counts()
    draft = Draft("t", "b", labels=("mentorship", "x"), assignees=("alice", "bob"))
    forge.create_issue(draft)
    first = site.sandbox.request_counts()
    site.sandbox.reset_counts()
    forge.create_issue(draft)
    again = site.sandbox.request_counts()
    assert first["writes"] == again["writes"] == 1
    # GitLab assigns by user id: one lookup per new login, cached for the run.
    assert first["reads"] == (2 if site.flavour == "gitlab" else 0)
    assert again["reads"] == 0


def test_labels_are_added_and_removed_atomically(site: Site) -> None:
    forge = site.forge()
    issue = forge.create_issue(site.draft("t", "", ("mentorship", "old")))
    forge.add_labels(issue.number, ["mentorship::stalled", "mentorship::active"])
    forge.remove_labels(issue.number, ["old", "never-there"])
    [listed] = site.listed(forge)
    assert site.labels(listed) == {"mentorship", "mentorship::stalled", "mentorship::active"}


def test_a_label_is_created_once_and_then_exists(site: Site) -> None:
    forge = site.forge()
    name = f"{site.tag}-form"
    assert name not in forge.label_names()
    assert forge.create_label(name, "108548", "A contract test's label") is True
    assert name in forge.label_names()
    # A label by that name is there: no failure, nothing made (GitLab 409, GitHub 422).
    assert forge.create_label(name, "6b4fbb", "Again") is False


@SANDBOX_ONLY
def test_creating_a_label_costs_one_write_and_listing_them_one_read(site: Site) -> None:
    forge = site.forge()
    site.sandbox.reset_counts()
    forge.create_label("mentorship-request", "108548", "Someone asks for a mentor")
    forge.create_label("mentorship-request", "108548", "Someone asks for a mentor")
    assert site.sandbox.request_counts()["writes"] == 2
    site.sandbox.reset_counts()
    assert "mentorship-request" in forge.label_names()
    assert site.sandbox.request_counts()["reads"] == 1


@SANDBOX_ONLY
def test_relabel_costs_one_write_on_gitlab(site: Site) -> None:
    forge = site.forge()
    issue = forge.create_issue(Draft("t", "", labels=("mentorship", "mentorship::active")))
    site.sandbox.reset_counts()
    forge.relabel(issue.number, ["mentorship::ending-soon"], ["mentorship::active", "absent"])
    [listed] = forge.list_issues()
    assert set(listed.labels) == {"mentorship", "mentorship::ending-soon"}
    # GitHub takes one POST and a DELETE per label (the absent one answers 404).
    writes = site.sandbox.request_counts()["writes"]
    assert writes == (1 if site.flavour == "gitlab" else 3)


def test_close_records_the_reason_where_the_forge_has_one(site: Site) -> None:
    forge = site.forge()
    done = forge.create_issue(site.draft("done"))
    dropped = forge.create_issue(site.draft("dropped"))
    forge.close(done.number, CloseReason.COMPLETED)
    forge.close(dropped.number, CloseReason.NOT_PLANNED)
    by_number = {i.number: i for i in site.listed(forge, state=IssueState.CLOSED)}
    assert by_number[done.number].closed_at is not None
    if not site.live:
        assert by_number[done.number].closed_at == START
    reasons = {n: i.close_reason for n, i in by_number.items()}
    if site.flavour == "github":
        assert reasons == {
            done.number: CloseReason.COMPLETED,
            dropped.number: CloseReason.NOT_PLANNED,
        }
    else:
        assert reasons == {done.number: None, dropped.number: None}


@SANDBOX_ONLY
def test_comments_are_listed_per_issue_and_for_the_project(site: Site) -> None:
    bot, alice = site.forge(), site.forge("alice")
    issue = bot.create_issue(Draft("t", ""))
    other = bot.create_issue(Draft("u", ""))
    mine = bot.comment(issue.number, "<!-- marker -->\nprogress 0%")
    site.sandbox.advance(timedelta(days=2))
    human = alice.comment(issue.number, "We met today")
    alice.comment(other.number, "Hello")
    bot.add_labels(issue.number, ["mentorship::active"])  # a system note on GitLab
    bot.close(other.number, CloseReason.COMPLETED)

    thread = bot.list_issue_comments(issue.number)
    assert [(c.author, c.body) for c in thread] == [
        ("mentorship-bot", "<!-- marker -->\nprogress 0%"),
        ("alice", "We met today"),
    ]
    assert thread[0] == mine
    assert thread[1] == human
    assert thread[1].issue_number == issue.number

    recent = bot.list_comments(since=START + timedelta(days=1))
    assert sorted((c.issue_number, c.author, c.body) for c in recent) == [
        (issue.number, "alice", "We met today"),
        (other.number, "alice", "Hello"),
    ]
    assert len(bot.list_comments()) == 3


def test_bot_edits_its_own_comment(site: Site) -> None:
    bot = site.forge()
    issue = bot.create_issue(site.draft("t"))
    note = bot.comment(issue.number, "progress 10%")
    bot.edit_comment(issue.number, note.id, "progress 50%")
    [edited] = bot.list_issue_comments(issue.number)
    assert edited.body == "progress 50%"
    assert edited.id == note.id


def test_bot_edits_the_body_of_its_issue(site: Site) -> None:
    bot = site.forge()
    bot.edit_issue_body(bot.create_issue(site.draft("dashboard", "old")).number, "new")
    [listed] = site.listed(bot)
    assert listed.body == "new"


def test_missing_issue_is_a_forge_error_naming_the_request(site: Site) -> None:
    with pytest.raises(ForgeError) as caught:
        site.forge(retries=0).comment(99_999_999, "hello")
    assert caught.value.status == 404
    assert "/issues/99999999" in caught.value.request
    assert "answered 404" in str(caught.value)
    assert f"check forge.project ({site.project!r})" in str(caught.value)


@SANDBOX_ONLY
def test_transient_read_failures_are_retried(site: Site) -> None:
    forge = site.forge()
    forge.create_issue(Draft("t", ""))
    site.sandbox.inject_fault(method="GET", path="/issues$", status=503, times=2)
    assert len(forge.list_issues()) == 1
    assert site.sleeps == [1.0, 2.0]


@SANDBOX_ONLY
def test_rate_limited_write_waits_as_told_then_succeeds(site: Site) -> None:
    forge = site.forge()
    site.sandbox.inject_fault(
        method="POST", path="/issues$", status=429, headers={"Retry-After": "7"}, times=1
    )
    forge.create_issue(Draft("t", ""))
    assert site.sleeps == [7.0]
    assert len(forge.list_issues()) == 1


@SANDBOX_ONLY
def test_create_is_not_repeated_after_a_lost_response(site: Site) -> None:
    forge = site.forge()
    site.sandbox.inject_fault(method="POST", path="/issues$", drop_response=True, times=1)
    with pytest.raises(ForgeError) as caught:
        forge.create_issue(Draft("t", ""))
    assert caught.value.transient
    # The forge did create it once; a retry would have made a duplicate.
    assert [i.title for i in forge.list_issues()] == ["t"]


@SANDBOX_ONLY
def test_server_errors_give_up_after_the_retry_budget(site: Site) -> None:
    forge = site.forge(retries=2)
    site.sandbox.reset_counts()
    site.sandbox.inject_fault(method="GET", path="/issues$", status=502, times=10)
    with pytest.raises(ForgeError) as caught:
        forge.list_issues()
    assert caught.value.status == 502
    assert caught.value.transient
    assert site.sandbox.request_counts()["reads"] == 3


def test_a_reply_in_a_thread_counts_as_a_comment(site: Site) -> None:
    bot = site.forge()
    issue = bot.create_issue(site.draft("pairing"))
    if not site.live:
        site.sandbox.advance(timedelta(days=1))
    since = datetime.now(UTC) - timedelta(minutes=5) if site.live else START + timedelta(hours=12)
    replier = site.people[-1] if site.people else site.bot

    site.reply_in_thread(issue.number, replier, "How did the first meeting go?", "Great, thanks")

    recent = [c for c in bot.list_comments(since=since) if c.issue_number == issue.number]
    assert [(c.author, c.body) for c in recent] == [
        (site.bot, "How did the first meeting go?"),
        (replier, "Great, thanks"),
    ]
    assert [c.author for c in bot.list_issue_comments(issue.number)] == [site.bot, replier]


@SANDBOX_ONLY
def test_pull_requests_never_appear_among_the_issues(site: Site) -> None:
    bot = site.forge()
    bot.create_issue(Draft("an issue", ""))
    if site.flavour == "github":
        site.sandbox.open_pull_request(site.project, "alice", "a pull request")
    site.sandbox.reset_counts()

    listed = bot.list_issues(state=None)

    assert [issue.title for issue in listed] == ["an issue"]
    assert site.sandbox.request_counts()["reads"] == 1  # no request per listed item


@SANDBOX_ONLY
def test_list_created_is_the_authors_issues_opened_since_newest_first(site: Site) -> None:
    bot = site.forge()
    bot.create_issue(Draft("before", ""))
    site.sandbox.advance(timedelta(days=1))
    closed = bot.create_issue(Draft("closed since", ""))
    bot.close(closed.number, CloseReason.NOT_PLANNED)
    site.forge("alice").create_issue(Draft("someone else's", ""))
    if site.flavour == "github":
        site.sandbox.open_pull_request(site.project, site.bot, "the bot's pull request")
    site.sandbox.advance(timedelta(hours=1))
    bot.create_issue(Draft("open since", ""))
    site.sandbox.reset_counts()

    listed = bot.list_created(author=site.bot, since=START + timedelta(days=1))

    assert [issue.title for issue in listed] == ["open since", "closed since"]
    assert site.sandbox.request_counts()["reads"] == 1


@SANDBOX_ONLY
def test_list_created_reads_only_the_pages_holding_issues_opened_since(site: Site) -> None:
    bot = site.forge()
    for n in range(120):
        bot.create_issue(Draft(f"old {n}", ""))
    site.sandbox.advance(timedelta(days=1))
    for n in range(130):
        bot.create_issue(Draft(f"new {n}", ""))
    site.sandbox.reset_counts()

    listed = bot.list_created(author=site.bot, since=START + timedelta(days=1))

    assert len(listed) == 130
    # GitHub pages newest first and stops inside the second page; GitLab's filter leaves
    # two pages. A listing of everything would be three.
    assert site.sandbox.request_counts()["reads"] == 2


def with_a_ghost(site: Site, tmp_path: Path) -> tuple[str, Path, Forge]:
    """A handle no account has, the program.yml listing it (its line 3), and a forge
    connected through that program."""
    ghost = f"ghost-{uuid.uuid4().hex[:12]}"  # no such account, on any forge
    settings = site.settings()
    flavour = f", flavour: {site.flavour}" if site.kind == "sandbox" else ""
    roster = tmp_path / "program.yml"
    roster.write_text(
        f"forge: {{kind: {site.kind}{flavour}, url: '{settings.base_url}',"
        f" project: {site.project}, bot: '{site.bot}', token_env: CONTRACT_TOKEN}}\n"
        "people:\n"
        f"  - {{handle: {ghost}, roles: [mentee]}}\n",
        encoding="utf-8",
    )
    program = load_program(roster)
    forge = connect(program.forge, {"CONTRACT_TOKEN": site.token}, RetryPolicy(retries=0))
    return ghost, roster, forge


def test_an_unknown_handle_names_its_program_yml_line(site: Site, tmp_path: Path) -> None:
    ghost, roster, forge = with_a_ghost(site, tmp_path)

    with pytest.raises(UnknownHandle) as caught:
        forge.create_issue(site.draft("pairing", assignees=(*site.people, ghost)))

    assert str(caught.value).startswith(f"{roster}:3: people[0].handle: no user {ghost!r} ")
    assert site.listed(forge) == []


def test_people_known_ahead_are_assigned_and_an_unknown_one_is_still_named(
    site: Site, tmp_path: Path
) -> None:
    ghost, roster, forge = with_a_ghost(site, tmp_path)
    if site.box is not None:
        site.box.reset_counts()

    forge.know_users([*site.people, ghost])
    with pytest.raises(UnknownHandle) as caught:
        forge.create_issue(site.draft("pairing", assignees=(*site.people, ghost)))
    issue = forge.create_issue(site.draft("pairing", assignees=site.people))

    assert str(caught.value).startswith(f"{roster}:3: people[0].handle: no user {ghost!r} ")
    assert set(issue.assignees) == set(site.people)
    if site.box is not None:
        # GitLab: one query for the three, then the lookup that finds no ghost; GitHub
        # assigns by login and asks nothing
        asked = {"POST /api/graphql": 1, "GET /api/v4/users": 1}
        reads = asked if site.flavour == "gitlab" else {}
        by_route = site.box.request_counts()["by_route"]
        assert {route: n for route, n in by_route.items() if route in asked} == reads


def test_people_are_found_and_assigned_by_any_case_of_their_login(site: Site) -> None:
    """Both forges find a user by any case of the username (automation/roster/handles.py):
    `Alice` in program.yml assigns the account `alice`."""
    forge = site.forge()
    shouted = [person.upper() for person in site.people]

    forge.know_users(shouted)
    issue = forge.create_issue(site.draft("pairing", assignees=tuple(shouted)))

    assert {a.casefold() for a in issue.assignees} == {p.casefold() for p in site.people}
    people = preflight(site.settings(), {"CONTRACT_TOKEN": site.token})
    assert all(people.user_exists(login) for login in shouted)


def test_a_wrong_forge_url_is_told_from_a_wrong_project(site: Site) -> None:
    url = site.settings().base_url + "/nowhere"
    forge = connect(site.settings(url), {"CONTRACT_TOKEN": site.token}, RetryPolicy(retries=0))

    with pytest.raises(ForgeError) as caught:
        forge.list_issues()

    assert caught.value.status == 404
    assert "does not answer like" in str(caught.value)
    assert "set forge.url" in str(caught.value)


def test_a_secondary_limit_is_waited_out_within_the_runs_budget(sandbox: RunningSandbox) -> None:
    sandbox.set_clock(START)
    site = Site(
        "github",
        "sandbox",
        sandbox.url,
        "acme/secondary-limit",
        "mentorship-bot",
        bot="mentorship-bot",
        people=(),
        box=sandbox,
    )
    waited: list[float] = []

    def wait(seconds: float) -> None:  # the sandbox's clock stands in for time passing
        waited.append(seconds)
        sandbox.advance(timedelta(seconds=seconds))

    forge = site.forge(policy=RetryPolicy(retries=3, sleep=wait, budget=WaitBudget(200)))
    sandbox.set_secondary_limit(per_minute=2, per_hour=3)
    try:
        for n in range(3):
            forge.create_issue(Draft(f"issue {n}", ""))
        with pytest.raises(RateLimited) as caught:
            forge.create_issue(Draft("over the hour", ""))
    finally:
        sandbox.set_secondary_limit(on=False)

    # the third waits a minute; the fourth a minute too, then 120 s more would be over the
    # 80 s left of the budget: the run stops writing
    assert waited == [60.0, 60.0]
    assert [i.title for i in forge.list_issues()] == ["issue 2", "issue 1", "issue 0"]
    assert caught.value.status == 403


# -- the roster change: a branch of the bot's, one merge or pull request -------------------


def test_a_roster_change_is_proposed_updated_and_withdrawn(site: Site) -> None:
    forge = site.forge()
    base = forge.default_branch()
    path = f"{site.tag}.yml"  # a file of this test's own: live projects keep their program.yml
    assert forge.read_file(path) is None

    first = forge.put_branch_file(site.branch, path, "pairings: []\n", "Propose", base=base)

    # every write is a new commit on the base's head, the same text included
    again = forge.put_branch_file(site.branch, path, "pairings: []\n", "Again", base=base)
    assert again != first
    on_branch = forge.read_file(path, site.branch)
    assert on_branch is not None
    assert (on_branch.path, on_branch.text) == (path, "pairings: []\n")
    assert forge.read_file(path) is None  # the default branch is untouched
    assert forge.find_change_request(site.branch) is None

    opened = forge.open_change_request(site.branch, base, "Roster: 1 pairing", "- alice")
    assert (opened.state, opened.source, opened.target) == (ChangeState.OPEN, site.branch, base)
    assert (opened.title, opened.body, opened.head) == ("Roster: 1 pairing", "- alice", again)
    assert opened.author == site.bot
    assert forge.find_change_request(site.branch) == opened

    second = forge.put_branch_file(site.branch, path, "pairings: [x]\n", "Update", base=base)
    forge.edit_change_request(opened.number, "Roster: 2 pairings", "- alice\n- bob")
    found = forge.find_change_request(site.branch)
    assert found is not None
    assert (found.number, found.title, found.body) == (
        opened.number,
        "Roster: 2 pairings",
        "- alice\n- bob",
    )
    assert found.head == second
    text = forge.read_file(path, site.branch)
    assert text is not None
    assert text.text == "pairings: [x]\n"

    assert forge.closed_change_requests(site.branch) == []
    forge.close_change_request(opened.number)
    assert forge.find_change_request(site.branch) is None
    (closed,) = forge.closed_change_requests(site.branch)
    assert (closed.number, closed.state, closed.body) == (
        opened.number,
        ChangeState.CLOSED,
        "- alice\n- bob",
    )


def test_the_branch_the_bot_wrote_changes_only_its_file(site: Site) -> None:
    forge = site.forge()
    base = forge.default_branch()
    path = f"{site.tag}.yml"
    assert not forge.changes_only(site.branch, base, path)  # no branch yet

    forge.put_branch_file(site.branch, path, "pairings: []\n", "Propose", base=base)
    forge.put_branch_file(site.branch, path, "pairings: [x]\n", "Update", base=base)

    assert forge.changes_only(site.branch, base, path)
    assert not forge.changes_only(site.branch, base, "program.yml")


@SANDBOX_ONLY
def test_merging_the_change_is_the_coordinators_approval(site: Site) -> None:
    site.sandbox.register_users("coordinator", access="maintain")
    site.sandbox.put_file(site.flavour, site.project, "program.yml", "people: []\n")
    forge = site.forge()
    program = forge.read_file("program.yml")
    assert program is not None
    edited = program.text + "pairings: []\n"
    forge.put_branch_file(site.branch, "program.yml", edited, "Propose", base="main")
    opened = forge.open_change_request(site.branch, "main", "Roster", "")

    site.sandbox.merge(site.flavour, site.project, opened.number, by="coordinator")

    merged = forge.read_file("program.yml")
    assert merged is not None
    assert merged.text == edited
    assert forge.find_change_request(site.branch) is None
    assert forge.closed_change_requests(site.branch) == []  # merged is not closed


@SANDBOX_ONLY
def test_a_merge_keeps_what_the_coordinator_changed_meanwhile(site: Site) -> None:
    program = "people: []\n\n# the pairs\npairings: []\n"
    site.sandbox.register_users("coordinator", access="maintain")
    site.sandbox.put_file(site.flavour, site.project, "program.yml", program)
    forge = site.forge()
    proposed = program.replace("pairings: []", "pairings: [alice--bob]")
    forge.put_branch_file(site.branch, "program.yml", proposed, "Propose", base="main")
    opened = forge.open_change_request(site.branch, "main", "Roster", "")
    # a coordinator edits another part of program.yml by hand before merging: the forges
    # merge the two line by line (changes to adjacent lines would conflict, as in git)
    by_hand = program.replace("people: []", "people: [carol]")
    site.sandbox.put_file(site.flavour, site.project, "program.yml", by_hand)

    site.sandbox.merge(site.flavour, site.project, opened.number, by="coordinator")

    merged = forge.read_file("program.yml")
    assert merged is not None
    assert merged.text == "people: [carol]\n\n# the pairs\npairings: [alice--bob]\n"


@SANDBOX_ONLY
def test_roster_change_requests_are_counted(site: Site) -> None:
    site.sandbox.put_file(site.flavour, site.project, "program.yml", "people: []\n")
    forge = site.forge()

    def cost(operation: Callable[[], object]) -> tuple[int, int]:
        site.sandbox.reset_counts()
        operation()
        counts = site.sandbox.request_counts()
        return counts["reads"], counts["writes"]

    def put(text: str) -> Callable[[], object]:
        return lambda: forge.put_branch_file(site.branch, "program.yml", text, "m", base="main")

    gitlab = site.flavour == "gitlab"
    assert cost(forge.default_branch) == (1, 0)
    assert cost(forge.default_branch) == (0, 0)  # asked once per run
    assert cost(lambda: forge.read_file("program.yml")) == (1, 0)
    # Every write starts from the base's head, whatever the branch held. GitLab: the file on
    # the base, then one commit with `start_branch` and `force`. GitHub: the base's head,
    # the branch forced to it (a new branch: that PATCH answers 422, then the ref is made),
    # the file on the base, and the contents write.
    assert cost(put("a\n")) == ((1, 1) if gitlab else (2, 3))
    assert cost(put("b\n")) == ((1, 1) if gitlab else (2, 2))
    assert cost(put("b\n")) == ((1, 1) if gitlab else (2, 2))
    # the bot's own request among those open from the branch: one listing, with the bot's
    # login, which a night has asked already
    forge.whoami()
    assert cost(lambda: forge.find_change_request(site.branch)) == (1, 0)
    assert cost(lambda: forge.open_change_requests(site.branch)) == (1, 0)
    assert cost(lambda: forge.changes_only(site.branch, "main", "program.yml")) == (1, 0)
    opened: list[ChangeRequest] = []
    open_it = lambda: opened.append(forge.open_change_request(site.branch, "main", "R", ""))  # noqa: E731
    assert cost(open_it) == (0, 1)
    assert cost(lambda: forge.edit_change_request(opened[0].number, "Roster", "b")) == (0, 1)
    assert cost(lambda: forge.close_change_request(opened[0].number)) == (0, 1)


@SANDBOX_ONLY
def test_a_lost_answer_to_the_write_is_healed_by_the_next_run(site: Site) -> None:
    site.sandbox.put_file(site.flavour, site.project, "program.yml", "people: []\n")
    forge = site.forge()
    forge.put_branch_file(site.branch, "program.yml", "a\n", "Propose", base="main")
    write = "POST" if site.flavour == "gitlab" else "PUT"
    site.sandbox.inject_fault(method=write, path="/(commits|contents)", drop_response=True)

    with pytest.raises(ForgeError):
        forge.put_branch_file(site.branch, "program.yml", "b\n", "Update", base="main")

    # the forge did write it; the next run writes it again on the base's head
    healed = forge.put_branch_file(site.branch, "program.yml", "b\n", "Update", base="main")
    on_branch = forge.read_file("program.yml", site.branch)
    assert on_branch is not None
    assert on_branch.text == "b\n"
    assert healed


@SANDBOX_ONLY
def test_a_commit_someone_else_pushed_to_the_branch_is_dropped_by_the_next_write(
    site: Site,
) -> None:
    # A writer pushes a workflow of their own to the proposal branch, before the bot's
    # first write and again after it: each write leaves the base plus the bot's program.yml.
    site.sandbox.register_users("mallory", access="write")
    site.sandbox.put_file(site.flavour, site.project, "program.yml", "people: []\n")
    planted = ".github/workflows/evil.yml"
    mallory = site.forge("mallory")
    mallory.put_branch_file(site.branch, planted, "on: push\n", "tidy", base="main")
    forge = site.forge()

    forge.put_branch_file(site.branch, "program.yml", "pairings: []\n", "Propose", base="main")

    assert forge.read_file(planted, site.branch) is None
    assert forge.changes_only(site.branch, "main", "program.yml")
    opened = forge.open_change_request(site.branch, "main", "Roster", "")
    site.sandbox.put_file(site.flavour, site.project, planted, "on: push\n", branch=site.branch)
    assert not forge.changes_only(site.branch, "main", "program.yml")
    forge.put_branch_file(site.branch, "program.yml", "pairings: [x]\n", "Update", base="main")
    site.sandbox.register_users("coordinator", access="maintain")
    site.sandbox.merge(site.flavour, site.project, opened.number, by="coordinator")
    assert forge.read_file(planted) is None
    merged = forge.read_file("program.yml")
    assert merged is not None
    assert merged.text == "pairings: [x]\n"


@SANDBOX_ONLY
def test_a_request_a_person_opened_from_the_branch_is_not_the_bots(site: Site) -> None:
    site.sandbox.register_users("mallory", access="write")
    site.sandbox.put_file(site.flavour, site.project, "program.yml", "people: []\n")
    mallory = site.forge("mallory")
    mallory.put_branch_file(site.branch, "program.yml", "pairings: []\n", "mine", base="main")
    theirs = mallory.open_change_request(site.branch, "main", "WIP", "mine")
    forge = site.forge()

    assert forge.find_change_request(site.branch) is None
    assert forge.open_change_requests(site.branch) == [theirs]
    assert theirs.author == "mallory"


@SANDBOX_ONLY
def test_a_token_that_may_not_push_is_told_the_role_it_needs(site: Site) -> None:
    site.sandbox.register_users("reporter", access="triage")
    forge = site.forge("reporter", retries=0)

    with pytest.raises(ForgeError) as caught:
        forge.put_branch_file(site.branch, "program.yml", "a\n", "Propose", base="main")

    assert caught.value.status == 403
    if site.flavour == "gitlab":
        assert "the Developer role (or higher)" in caught.value.fix
    else:
        assert "GitHub wants contents=write" in caught.value.fix
        assert "contents: write, pull-requests: write" in caught.value.fix


# ---------------------------------------------------------------- who ticked the boxes

BOXES = (
    "<!-- mentorship:boxes -->\n- [ ] We met this period\n- [ ] Pause reminders for two weeks\n"
    "<!-- /mentorship:boxes -->\n"
)


def _tick(forge: Forge, number: int, text: str, mark: str = "x") -> None:
    """Tick (or, with mark " ", untick) the box `text` on issue `number`, as the web page
    does: the whole description written back with the box changed."""
    body = forge.get_issue(number).body
    old, new = ("x", " ") if mark == " " else (" ", mark)
    changed = body.replace(f"- [{old}] {text}", f"- [{new}] {text}", 1)
    assert changed != body
    forge.edit_issue_body(number, changed)


def test_box_ticks_of_names_who_ticked_and_unticked_each_box(site: Site) -> None:
    bot = site.forge()
    alice, bob = site.forge("alice"), site.forge("bob")
    met, paused, untouched = (bot.create_issue(site.draft(t, BOXES)).number for t in "abc")
    _tick(alice, met, "We met this period")
    _tick(bob, paused, "Pause reminders for two weeks")
    _tick(alice, paused, "Pause reminders for two weeks", " ")

    found = bot.box_ticks_of([met, paused, untouched])

    said = {n: [(t.text, t.checked, t.author) for t in ticks] for n, ticks in found.items()}
    who = {name: forge.whoami() for name, forge in (("alice", alice), ("bob", bob))}
    assert said == {
        met: [("We met this period", True, who["alice"])],
        paused: [
            ("Pause reminders for two weeks", True, who["bob"]),
            ("Pause reminders for two weeks", False, who["alice"]),
        ],
        untouched: [],
    }
    # the same ticks asked for one issue at a time
    assert {n: bot.box_ticks_of([n])[n] for n in found} == found


def test_box_ticks_of_an_issue_the_forge_does_not_have(site: Site) -> None:
    # GitLab: not among the issues GraphQL finds; GitHub: null, with a NOT_FOUND error
    bot = site.forge(retries=0)
    issue = bot.create_issue(site.draft("here", BOXES))
    assert bot.box_ticks_of([issue.number, 999_999]) == {issue.number: [], 999_999: []}


@SANDBOX_ONLY
def test_box_ticks_of_120_issues_takes_three_queries(site: Site) -> None:
    bot, alice = site.forge(), site.forge("alice")
    numbers = [bot.create_issue(Draft(f"issue {n}", BOXES)).number for n in range(120)]
    for number in numbers[::7]:
        _tick(alice, number, "We met this period")
    site.sandbox.reset_counts()

    found = bot.box_ticks_of(numbers)

    counts = site.sandbox.request_counts()
    assert (counts["reads"], counts["writes"]) == (3, 0)
    assert counts["by_route"] == {"POST /api/graphql": 3}
    assert [n for n in numbers if found[n]] == numbers[::7]


@SANDBOX_ONLY
def test_box_ticks_of_an_issue_with_more_than_100_notes(site: Site) -> None:
    # GitLab's first page of notes is 100: the issue's other notes come from its REST
    # listing (two pages); GitHub keeps comments apart from the description's revisions.
    bot, alice = site.forge(), site.forge("alice")
    busy, quiet = (bot.create_issue(site.draft(t, BOXES)).number for t in "ab")
    for n in range(110):
        bot.comment(busy, f"comment {n}")
    _tick(alice, busy, "We met this period")
    _tick(alice, quiet, "Pause reminders for two weeks")
    site.sandbox.reset_counts()

    found = bot.box_ticks_of([busy, quiet])

    assert [(t.text, t.author) for t in found[busy]] == [("We met this period", "alice")]
    assert [(t.text, t.author) for t in found[quiet]] == [
        ("Pause reminders for two weeks", "alice")
    ]
    routes = site.sandbox.request_counts()["by_route"]
    if site.flavour == "gitlab":
        assert routes == {
            "POST /api/graphql": 1,
            "GET /api/v4/projects/:id/issues/:iid/notes": 2,
        }
    else:
        assert routes == {"POST /api/graphql": 1}


@SANDBOX_ONLY
def test_box_ticks_of_an_issue_edited_more_than_100_times_include_the_newest(site: Site) -> None:
    # A pairing issue whose mentee ticks their goals' steps for six months: more revisions
    # than a connection gives at once. The latest tick is among those read.
    bot, alice, bob = site.forge(), site.forge("alice"), site.forge("bob")
    steps = "".join(f"- [ ] step {n}\n" for n in range(120))
    number = bot.create_issue(site.draft("busy", BOXES + steps)).number
    for n in range(120):
        _tick(bob, number, f"step {n}")
    _tick(alice, number, "We met this period")

    found = bot.box_ticks_of([number])

    assert ("We met this period", "alice") in [(t.text, t.author) for t in found[number]]
