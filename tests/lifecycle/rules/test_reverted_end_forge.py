"""A mistaken `ended:` reverted, on the sandbox through the real python-gitlab and PyGithub
clients: the forms its end opened are closed with a word of why (an answer given on one is
kept), the term goes on as if it had never ended, and the real end opens fresh forms,
which are what the report reads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from automation.forge import RetryPolicy, connect
from automation.goals.checklist import Dialect
from automation.goals.feedback import read_back
from automation.lifecycle import ledger
from automation.messages.templates import Templates
from automation.model import CloseReason, Issue, IssueState
from automation.night.observe import read
from automation.night.run import Report, plan_day, run_day
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox, start
from tests.night.test_run import DiesAfter, Killed

START = date(2026, 1, 5)
MISTAKE = date(2026, 5, 20)  # the `ended:` a coordinator wrote, then took back
END = date(2026, 7, 5)
SECRET = "only the CI knows"
ROSTER = """\
program:
  name: Reverted end test
  coordinators: [carol]
  feedback: {{}}
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/mentoring,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, roles: [mentor]}}
  - {{handle: bob, roles: [mentee]}}
  - {{handle: carol, roles: [mentor]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05{ended}}}
"""
ENDED = ", ended: 2026-05-20, ended_reason: Bob changed teams"
PAIR = "alice--bob--2026-01-05"


class World:
    def __init__(self, sandbox: RunningSandbox, flavour: str) -> None:
        self.sandbox, self.flavour = sandbox, flavour
        self.program = self.roster(ended=True)
        policy = RetryPolicy(retries=0)
        self.bot = connect(self.program.forge, {"SANDBOX_TOKEN": "mentorship-bot"}, policy)
        self.bob = connect(self.program.forge, {"SANDBOX_TOKEN": "bob"}, policy)

    def roster(self, *, ended: bool) -> Program:
        text = ROSTER.format(
            flavour=self.flavour, url=self.sandbox.url, ended=ENDED if ended else ""
        )
        return parse_program(text, Path("program.yml"))

    def night(self, day: date) -> Report:
        self.sandbox.set_clock(datetime.combine(day, time(23), UTC))
        report = run_day(self.bot, self.program, day, Templates(), secret=SECRET)
        assert report.failed == []
        assert plan_day(self.bot, self.program, day, Templates(), secret=SECRET) == []
        return report

    def reads(self, day: date) -> int:
        """What observing the forge on `day` costs, in read requests."""
        self.sandbox.set_clock(datetime.combine(day, time(22), UTC))
        self.sandbox.reset_counts()
        read(self.bot, self.program, day, secret=SECRET)
        reads: int = self.sandbox.request_counts()["reads"]
        return reads

    def issue(self, key: str) -> Issue | None:
        """The bot's issue of the pairing whose marker is `key`, however old."""
        found = [i for i in self.bot.list_issues(state=None) if f"key=pair/{PAIR}/{key} " in i.body]
        assert len(found) <= 1, key
        return found[0] if found else None

    def issue_of(self, key: str) -> Issue:
        [found] = [i for i in self.bot.list_issues(state=None) if f"key={key} " in i.body]
        return found

    def comments_on(self, number: int) -> list[str]:
        since = datetime.combine(START, time(), UTC)
        return [c.body for c in self.bot.list_comments(since=since) if c.issue_number == number]


@pytest.fixture(params=["gitlab", "github"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    with start(users=["mentorship-bot", "alice", "bob", "carol"]) as sandbox:
        yield World(sandbox, request.param)


def _labels(world: World) -> set[str]:
    pairing = world.issue("pairing")
    assert pairing is not None
    return {label for label in pairing.labels if label.startswith("mentorship::")}


def test_a_reverted_end_closes_its_forms_and_the_real_end_opens_fresh_ones(world: World) -> None:
    gitlab = world.flavour == "gitlab"
    world.night(START)
    quiet = world.reads(MISTAKE - timedelta(days=1))
    world.night(MISTAKE)
    pairing = world.issue("pairing")
    assert pairing is not None
    assert pairing.state is IssueState.CLOSED
    assert _labels(world) == {"mentorship::ended-early"}
    stale = world.issue(f"retrospective/{MISTAKE}")
    assert stale is not None
    assert "ended early on 2026-05-20" in stale.body
    forms = {role: world.issue(f"feedback/end/{role}/{MISTAKE}") for role in ("mentee", "mentor")}
    if gitlab:
        mentee, mentor = forms["mentee"], forms["mentor"]
        assert mentee is not None
        assert mentor is not None
        # Bob answers his form before the coordinator takes the end back; Alice does not.
        world.sandbox.set_clock(datetime.combine(MISTAKE + timedelta(days=1), time(9), UTC))
        world.bob.edit_issue_body(mentee.number, mentee.body.replace("- [ ] 7\n", "- [x] 7\n"))
    else:
        assert forms == {"mentee": None, "mentor": None}

    # The coordinator removes `ended:`: the term goes on to its planned end. The night
    # after reads the two forms by the ledger's numbers; the nights after that, nothing more.
    world.program = world.roster(ended=False)
    if gitlab:
        assert world.reads(MISTAKE + timedelta(days=1)) == quiet + 2
    world.night(MISTAKE + timedelta(days=1))
    assert world.issue("pairing").state is IssueState.OPEN  # type: ignore[union-attr]
    assert _labels(world) == {"mentorship::active"}
    # The pair are told why their pairing issue is open again, once.
    said = [c for c in world.comments_on(pairing.number) if f"reopened/{MISTAKE}" in c]
    assert len(said) == 1
    assert (
        "@bob and @alice, this pairing goes on until 2026-07-05: program.yml no longer "
        "ends it on 2026-05-20." in said[0]
    )
    assert "Bob changed teams" not in said[0]
    # The retrospective of the end taken back is closed, with a word of why.
    stale = world.bot.get_issue(stale.number)
    assert stale.state is IssueState.CLOSED
    assert stale.close_reason in (None, CloseReason.NOT_PLANNED)
    [why] = world.comments_on(stale.number)
    assert "@bob and @alice, the term did not end on 2026-05-20 after all" in why
    assert "it goes on until 2026-07-05, as program.yml now says" in why
    assert "closed without answers. A new retrospective opens at the end of the term." in why
    if gitlab:
        mentee = world.bot.get_issue(forms["mentee"].number)  # type: ignore[union-attr]
        mentor = world.bot.get_issue(forms["mentor"].number)  # type: ignore[union-attr]
        assert mentee.state is IssueState.CLOSED
        assert mentor.state is IssueState.CLOSED
        assert mentor.close_reason in (None, CloseReason.NOT_PLANNED)
        [said] = world.comments_on(mentor.number)
        assert "@alice, the term did not end on 2026-05-20 after all" in said
        assert "goes on until 2026-07-05" in said
        assert "Bob changed teams" not in said
        # Bob's answer is kept: thanked and closed as completed, like any answered form.
        [thanks] = world.comments_on(mentee.number)
        assert "your answers are in" in thanks
        assert "- [x] 7" in mentee.body

    assert world.reads(MISTAKE + timedelta(days=2)) == quiet
    world.sandbox.reset_counts()
    world.night(MISTAKE + timedelta(days=2))
    assert world.sandbox.request_counts()["writes"] == 0
    assert world.reads(MISTAKE + timedelta(days=30)) == quiet

    world.night(END - timedelta(days=14))
    assert _labels(world) == {"mentorship::ending-soon"}
    world.night(END)
    assert _labels(world) == {"mentorship::completed"}
    assert world.issue("pairing").state is IssueState.CLOSED  # type: ignore[union-attr]
    # The real end opens a fresh retrospective, which links the one of the end taken back.
    retro = world.issue(f"retrospective/{END}")
    assert retro is not None
    assert retro.state is IssueState.OPEN
    assert "is complete (2026-01-05 to 2026-07-05)" in retro.body
    assert f"took back (2026-05-20): [#{stale.number}]({stale.url})" in retro.body
    assert world.bot.get_issue(stale.number).state is IssueState.CLOSED
    # The reminder follows it: on the fresh retrospective, not the closed one.
    world.night(END + timedelta(days=14))
    [reminder] = world.comments_on(retro.number)
    assert "gentle reminder" in reminder
    assert len(world.comments_on(stale.number)) == 1
    fresh = {role: world.issue(f"feedback/end/{role}/{END}") for role in ("mentee", "mentor")}
    if not gitlab:
        assert fresh == {"mentee": None, "mentor": None}
        return
    new = fresh["mentee"]
    assert new is not None
    assert new.state is IssueState.OPEN
    assert new.number != forms["mentee"].number  # type: ignore[union-attr]
    later = END + timedelta(days=15)
    world.sandbox.set_clock(datetime.combine(later, time(9), UTC))
    world.bob.edit_issue_body(new.number, new.body.replace("- [ ] 9\n", "- [x] 9\n"))
    world.night(later)
    assert world.bot.get_issue(new.number).state is IssueState.CLOSED
    observed = read(world.bot, world.program, later, everything=True)
    ends = {p.id: p.end(world.program.program) for p in world.program.pairings}
    answers = read_back(observed.issues, Dialect.GITLAB, ends)
    by_role = {(g["milestone"], g["role"]): g for g in answers["forms"]}
    # The end's forms are the real end's: Bob's 9, not his 7 of the end taken back.
    assert by_role["end", "mentee"]["forms"] == 1
    assert by_role["end", "mentee"]["answered"] == 1
    assert by_role["end", "mentor"]["forms"] == 1


def test_a_form_of_an_end_taken_back_deleted_since_does_not_stop_the_night() -> None:
    with start(users=["mentorship-bot", "alice", "bob", "carol"]) as sandbox:
        world = World(sandbox, "gitlab")
        world.night(START)
        world.night(MISTAKE)
        books = world.issue_of("ledger/2026-01")
        states = ledger.parse(books.body)
        state = states[PAIR]
        gone = f"feedback/end/mentor/{MISTAKE}"
        issues = tuple((part, 9999 if part == gone else n) for part, n in state.issues)
        states[PAIR] = replace(state, issues=issues)
        world.bot.edit_issue_body(books.number, ledger.render("ledger/2026-01", states))
        world.program = world.roster(ended=False)
        day = MISTAKE + timedelta(days=1)
        observed = read(world.bot, world.program, day)  # the ledger unsigned: no secret
        assert f"pair/{PAIR}/{gone}" not in observed.issues
        assert f"pair/{PAIR}/feedback/end/mentee/{MISTAKE}" in observed.issues


def test_a_retrospective_written_in_before_the_end_was_taken_back_is_kept_and_closed(
    world: World,
) -> None:
    world.night(START)
    world.night(MISTAKE)
    stale = world.issue(f"retrospective/{MISTAKE}")
    assert stale is not None
    # Alice answers in a comment, as the retrospective invites her to.
    world.sandbox.set_clock(datetime.combine(MISTAKE + timedelta(days=1), time(9), UTC))
    alice = connect(world.program.forge, {"SANDBOX_TOKEN": "alice"}, RetryPolicy(retries=0))
    alice.comment(stale.number, "What worked: the pairing sessions on Fridays.")
    world.program = world.roster(ended=False)
    world.night(MISTAKE + timedelta(days=1))
    kept = world.bot.get_issue(stale.number)
    assert kept.state is IssueState.CLOSED
    assert kept.close_reason in (None, CloseReason.COMPLETED)
    answer, why = world.comments_on(stale.number)
    assert answer == "What worked: the pairing sessions on Fridays."
    assert "what you wrote here stays as it is" in why
    world.night(END)
    fresh = world.issue(f"retrospective/{END}")
    assert fresh is not None
    assert f"[#{stale.number}]({stale.url})" in fresh.body


def test_a_night_killed_after_any_write_of_the_end_taken_back_is_finished_once(
    world: World,
) -> None:
    world.night(START)
    world.night(MISTAKE)
    world.program = world.roster(ended=False)
    day = MISTAKE + timedelta(days=1)
    world.sandbox.set_clock(datetime.combine(day, time(23), UTC))
    before = world.sandbox.store.snapshot()
    counting = DiesAfter(world.bot)
    run_day(counting, world.program, day, Templates(), secret=SECRET)  # type: ignore[arg-type]
    pairing = world.issue("pairing")
    assert pairing is not None
    # The reopen, its comment, the labels, the retrospective's comment and close, the
    # forms' (GitLab), the ledger: a kill after each of them.
    assert counting.calls >= 6
    for k in range(1, counting.calls):
        world.sandbox.store.restore(before)
        with pytest.raises(Killed):
            run_day(DiesAfter(world.bot, k), world.program, day, Templates(), secret=SECRET)  # type: ignore[arg-type]
        world.night(day)
        assert world.issue("pairing").state is IssueState.OPEN, k  # type: ignore[union-attr]
        assert _labels(world) == {"mentorship::active"}, k
        said = [c for c in world.comments_on(pairing.number) if f"reopened/{MISTAKE}" in c]
        assert len(said) == 1, k
        stale = world.issue(f"retrospective/{MISTAKE}")
        assert stale is not None
        assert stale.state is IssueState.CLOSED, k
        assert len(world.comments_on(stale.number)) == 1, k
