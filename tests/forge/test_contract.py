"""One contract for every adapter: the real clients over loopback HTTP against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest

from automation.config import ForgeSettings
from automation.forge import Forge, ForgeError, RetryPolicy, connect
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

    def forge(self, login: str = "mentorship-bot", retries: int = 5) -> Forge:
        settings = ForgeSettings(
            kind="sandbox", flavour=self.flavour, url=self.sandbox.url, project=self.project
        )
        policy = RetryPolicy(retries=retries, sleep=self.sleeps.append)
        return connect(settings, {"SANDBOX_TOKEN": login}, policy)


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
