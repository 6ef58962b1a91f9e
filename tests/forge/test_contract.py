"""One contract for every adapter: the real clients over loopback HTTP against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import gitlab
import pytest

from automation.config import ForgeSettings, load_program
from automation.forge import Forge, ForgeError, RetryPolicy, connect
from automation.forge.base import RateLimited, UnknownHandle
from automation.forge.retry import WaitBudget
from automation.model import CloseReason, Draft, IssueState
from automation.sandbox import RunningSandbox, start

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start(users=["mentorship-bot", "alice", "bob"]) as running:
        yield running


@dataclass
class Site:
    """A project of its own on the sandbox, reached as any user with either adapter."""

    sandbox: RunningSandbox
    flavour: Literal["gitlab", "github"]
    project: str
    sleeps: list[float] = field(default_factory=list)

    def forge(
        self, login: str = "mentorship-bot", retries: int = 5, policy: RetryPolicy | None = None
    ) -> Forge:
        settings = ForgeSettings(
            kind="sandbox", flavour=self.flavour, url=self.sandbox.url, project=self.project
        )
        policy = policy or RetryPolicy(retries=retries, sleep=self.sleeps.append)
        return connect(settings, {"SANDBOX_TOKEN": login}, policy)

    def reply_in_thread(self, number: int, login: str, opening: str, reply: str) -> None:
        """The bot opens a thread on the issue and `login` answers in it.

        GitLab: a thread (discussion) and a reply in it, both DiscussionNotes. GitHub has no
        threads on issues: two plain comments.
        """
        if self.flavour == "github":
            self.forge().comment(number, opening)
            self.forge(login).comment(number, reply)
            return
        client = gitlab.Gitlab(self.sandbox.url, private_token="mentorship-bot")
        issue = client.projects.get(self.project, lazy=True).issues.get(number, lazy=True)
        thread = issue.discussions.create({"body": opening})
        replier = gitlab.Gitlab(self.sandbox.url, private_token=login)
        theirs = replier.projects.get(self.project, lazy=True).issues.get(number, lazy=True)
        theirs.discussions.get(thread.id, lazy=True).notes.create({"body": reply})


@pytest.fixture(params=["gitlab", "github"])
def site(sandbox: RunningSandbox, request: pytest.FixtureRequest) -> Iterator[Site]:
    name = request.node.name.split("[")[0].removeprefix("test_").replace("_", "-")
    sandbox.set_clock(START)
    yield Site(sandbox, request.param, f"acme/{name[:50]}-{request.param}")
    sandbox.clear_faults()


def test_whoami_is_the_token_login(site: Site) -> None:
    assert site.forge().whoami() == "mentorship-bot"
    assert site.forge("alice").whoami() == "alice"


def test_created_issue_reads_back_normalised(site: Site) -> None:
    forge = site.forge()
    created = forge.create_issue(
        Draft(
            title="Mentorship: alice and bob",
            body="Hello\r\n- [ ] step",
            labels=("mentorship", "mentorship::active"),
            assignees=("alice", "bob"),
            confidential=True,
        )
    )
    [listed] = forge.list_issues()
    assert listed == created
    assert listed.number == 1
    assert listed.state is IssueState.OPEN
    assert listed.author == "mentorship-bot"
    # GitLab runs every description through its quick-action extractor, which deletes
    # carriage returns (lib/gitlab/quick_actions/extractor.rb); GitHub keeps them
    assert listed.body == (
        "Hello\n- [ ] step" if site.flavour == "gitlab" else "Hello\r\n- [ ] step"
    )
    assert set(listed.labels) == {"mentorship", "mentorship::active"}
    assert set(listed.assignees) == {"alice", "bob"}
    assert listed.created_at == START
    assert listed.confidential is (site.flavour == "gitlab")
    if site.flavour == "gitlab":
        assert listed.tasks is not None
        assert (listed.tasks.done, listed.tasks.total) == (0, 1)


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


def test_listing_250_issues_takes_three_requests(site: Site) -> None:
    forge = site.forge()
    for n in range(250):
        forge.create_issue(Draft(f"issue {n}", "", labels=("mentorship",)))
    site.sandbox.reset_counts()
    issues = forge.list_issues(labels=["mentorship"])
    assert len(issues) == 250
    assert len({i.number for i in issues}) == 250
    assert site.sandbox.request_counts()["reads"] == 3


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
    issue = forge.create_issue(Draft("t", "", labels=("mentorship", "old")))
    forge.add_labels(issue.number, ["mentorship::stalled", "mentorship::active"])
    forge.remove_labels(issue.number, ["old", "never-there"])
    [listed] = forge.list_issues()
    assert set(listed.labels) == {"mentorship", "mentorship::stalled", "mentorship::active"}


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
    done = forge.create_issue(Draft("done", ""))
    dropped = forge.create_issue(Draft("dropped", ""))
    forge.close(done.number, CloseReason.COMPLETED)
    forge.close(dropped.number, CloseReason.NOT_PLANNED)
    by_number = {i.number: i for i in forge.list_issues(state=IssueState.CLOSED)}
    assert by_number[done.number].closed_at == START
    reasons = {n: i.close_reason for n, i in by_number.items()}
    if site.flavour == "github":
        assert reasons == {
            done.number: CloseReason.COMPLETED,
            dropped.number: CloseReason.NOT_PLANNED,
        }
    else:
        assert reasons == {done.number: None, dropped.number: None}


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
    issue = bot.create_issue(Draft("t", ""))
    note = bot.comment(issue.number, "progress 10%")
    bot.edit_comment(issue.number, note.id, "progress 50%")
    [edited] = bot.list_issue_comments(issue.number)
    assert edited.body == "progress 50%"
    assert edited.id == note.id


def test_bot_edits_the_body_of_its_issue(site: Site) -> None:
    bot = site.forge()
    issue = bot.create_issue(Draft("dashboard", "old"))
    bot.edit_issue_body(issue.number, "new")
    [listed] = bot.list_issues()
    assert listed.body == "new"


def test_missing_issue_is_a_forge_error_naming_the_request(site: Site) -> None:
    with pytest.raises(ForgeError) as caught:
        site.forge().comment(999, "hello")
    assert caught.value.status == 404
    assert "/issues/999" in caught.value.request
    assert "answered 404" in str(caught.value)


def test_transient_read_failures_are_retried(site: Site) -> None:
    forge = site.forge()
    forge.create_issue(Draft("t", ""))
    site.sandbox.inject_fault(method="GET", path="/issues$", status=503, times=2)
    assert len(forge.list_issues()) == 1
    assert site.sleeps == [1.0, 2.0]


def test_rate_limited_write_waits_as_told_then_succeeds(site: Site) -> None:
    forge = site.forge()
    site.sandbox.inject_fault(
        method="POST", path="/issues$", status=429, headers={"Retry-After": "7"}, times=1
    )
    forge.create_issue(Draft("t", ""))
    assert site.sleeps == [7.0]
    assert len(forge.list_issues()) == 1


def test_create_is_not_repeated_after_a_lost_response(site: Site) -> None:
    forge = site.forge()
    site.sandbox.inject_fault(method="POST", path="/issues$", drop_response=True, times=1)
    with pytest.raises(ForgeError) as caught:
        forge.create_issue(Draft("t", ""))
    assert caught.value.transient
    # The forge did create it once; a retry would have made a duplicate.
    assert [i.title for i in forge.list_issues()] == ["t"]


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
    issue = bot.create_issue(Draft("pairing", ""))
    site.sandbox.advance(timedelta(days=1))

    site.reply_in_thread(issue.number, "alice", "How did the first meeting go?", "Great, thanks")

    recent = bot.list_comments(since=START + timedelta(hours=12))
    assert [(c.issue_number, c.author, c.body) for c in recent] == [
        (issue.number, "mentorship-bot", "How did the first meeting go?"),
        (issue.number, "alice", "Great, thanks"),
    ]
    assert [c.author for c in bot.list_issue_comments(issue.number)] == ["mentorship-bot", "alice"]


def test_pull_requests_never_appear_among_the_issues(site: Site) -> None:
    bot = site.forge()
    bot.create_issue(Draft("an issue", ""))
    if site.flavour == "github":
        site.sandbox.open_pull_request(site.project, "alice", "a pull request")
    site.sandbox.reset_counts()

    listed = bot.list_issues(state=None)

    assert [issue.title for issue in listed] == ["an issue"]
    assert site.sandbox.request_counts()["reads"] == 1  # no request per listed item


def test_an_unknown_handle_names_its_program_yml_line(site: Site, tmp_path: Path) -> None:
    roster = tmp_path / "program.yml"
    roster.write_text(
        f"forge: {{kind: sandbox, flavour: {site.flavour}, url: '{site.sandbox.url}',"
        f" project: {site.project}, bot: mentorship-bot}}\n"
        "people:\n"
        "  - {handle: alice, roles: [mentor]}\n"
        "  - {handle: ghost, roles: [mentee]}\n",
        encoding="utf-8",
    )
    program = load_program(roster)
    forge = connect(program.forge, {}, RetryPolicy(retries=0))

    with pytest.raises(UnknownHandle) as caught:
        forge.create_issue(Draft("pairing", "", assignees=("alice", "ghost")))

    assert str(caught.value).startswith(f"{roster}:4: people[1].handle: no user 'ghost' ")
    assert forge.list_issues() == []


def test_a_wrong_forge_url_is_told_from_a_wrong_project(site: Site) -> None:
    settings = ForgeSettings(
        kind="sandbox",
        flavour=site.flavour,
        url=f"{site.sandbox.url}/nowhere",
        project=site.project,
    )
    forge = connect(settings, {}, RetryPolicy(retries=0))

    with pytest.raises(ForgeError) as caught:
        forge.list_issues()

    assert caught.value.status == 404
    assert "does not answer like" in str(caught.value)
    assert "forge.url" in str(caught.value)


def test_a_secondary_limit_is_waited_out_within_the_runs_budget(sandbox: RunningSandbox) -> None:
    sandbox.set_clock(START)
    site = Site(sandbox, "github", "acme/secondary-limit")
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
