"""Participants cannot steer the bot: each attack of a hostile participant, on both forges,
through the real clients on the sandbox. Whatever they write into issues they may edit, the
next run does only what it would have done without it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from automation.forge import Forge, RetryPolicy, connect
from automation.lifecycle import ledger, markers
from automation.lifecycle.observed import Observed
from automation.messages.markdown import ZWSP
from automation.messages.templates import Templates
from automation.model import Draft, Issue, IssueState
from automation.night.observe import read
from automation.night.run import plan_day, run_day
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox, start
from automation.views import dashboard
from automation.views.status import pairing_status

SECRET = "a long random string only the CI knows"
START = date(2026, 1, 5)
PAIR = "alice--bob--2026-01-05"
ROSTER = """\
program:
  name: Security test
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/secure,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, roles: [mentor]}}
  - {{handle: bob, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05}}
"""


@dataclass
class Program_:
    """The program on the sandbox, the bot and two people who may edit issues."""

    sandbox: RunningSandbox
    program: Program
    bot: Forge
    bob: Forge  # the mentee: edits his pairing issue, as assignee or writer
    writer: Forge  # anyone with write access (GitHub) or Developer role (GitLab)

    def night(self, day: date) -> list[str]:
        """The keys of what the night wrote; planning again finds nothing."""
        self.sandbox.set_clock(datetime.combine(day, time(23), UTC))
        report = run_day(self.bot, self.program, day, Templates(), secret=SECRET)
        assert report.failed == []
        assert plan_day(self.bot, self.program, day, Templates(), secret=SECRET) == []
        return [o.action.key for o in report.outcomes]

    def settled(self) -> Observed:
        """The program's first two nights, and what a run after them reads."""
        self.night(START)
        self.night(START + timedelta(days=1))
        return self.seen(START + timedelta(days=1))

    def daytime(self, day: date) -> None:
        self.sandbox.set_clock(datetime.combine(day, time(10), UTC))

    def seen(self, day: date) -> Observed:
        """What a run on `day` reads."""
        return read(self.bot, self.program, day, secret=SECRET)

    def strip(self, day: date, *keys: str) -> dict[str, Issue]:
        """On `day`, a writer takes every label off the bot's issues of `keys` (as found)."""
        self.daytime(day)
        stripped = {key: self.bots(key) for key in keys}
        for issue in stripped.values():
            self.writer.remove_labels(issue.number, issue.labels)
        return stripped

    def bots(self, key: str) -> Issue:
        """The bot's issue whose marker shows `key` (the oldest)."""
        for issue in sorted(self.bot.list_issues(), key=lambda i: i.number):
            marker = markers.find(issue.body)
            if marker and marker.key == key and issue.author == "mentorship-bot":
                return issue
        raise AssertionError(f"no bot issue {key}")


@pytest.fixture(params=["gitlab", "github"])
def world(request: pytest.FixtureRequest) -> Iterator[Program_]:
    with start(users=["mentorship-bot", "alice", "bob", "writer"]) as sandbox:
        text = ROSTER.format(flavour=request.param, url=sandbox.url)
        program = parse_program(text, Path("program.yml"))
        policy = RetryPolicy(retries=0)

        def login(name: str) -> Forge:
            return connect(program.forge, {"SANDBOX_TOKEN": name}, policy)

        yield Program_(sandbox, program, login("mentorship-bot"), login("bob"), login("writer"))


def test_a_forged_dashboard_marker_in_a_pairing_issue_changes_nothing(world: Program_) -> None:
    world.night(START)
    pairing, board = world.bots(f"pair/{PAIR}/pairing"), world.bots("dashboard")
    # Bob may edit his pairing issue: he puts the dashboard's marker first.
    world.daytime(START + timedelta(days=1))
    forged = f"{markers.mark('dashboard')}\n{pairing.body}\n\nMy own notes."
    world.bob.edit_issue_body(pairing.number, forged)
    written = world.night(START + timedelta(days=1))
    # The real dashboard is neither closed nor moved; the pairing issue is not rewritten
    # with the dashboard nor opened a second time.
    assert world.bot.get_issue(board.number).state is IssueState.OPEN
    assert world.bot.get_issue(pairing.number).body == forged
    assert [k for k in written if k.startswith(("dashboard", "duplicate/", "pair/"))] == []
    titles = [i.title for i in world.bot.list_issues()]
    assert titles.count("Mentorship: bob & alice") == 1


def test_a_pairing_issue_given_its_own_check_ins_key_stays_the_pairing_issue(
    world: Program_,
) -> None:
    world.night(START)
    pairing = world.bots(f"pair/{PAIR}/pairing")
    world.daytime(START + timedelta(days=1))
    # With his check-in's key, the bot would open a second pairing issue and close his
    # when check-in 3 opens.
    forged = markers.mark(f"pair/{PAIR}/checkin/2") + "\n" + pairing.body
    world.bob.edit_issue_body(pairing.number, forged)
    for day in (START + timedelta(days=1), START + timedelta(days=14), START + timedelta(days=28)):
        assert f"pair/{PAIR}/pairing" not in world.night(day)
    assert world.bot.get_issue(pairing.number).state is IssueState.OPEN
    titles = [i.title for i in world.bot.list_issues()]
    assert titles.count("Mentorship: bob & alice") == 1
    # GitHub's title ends with the check-in's due date (" · due 2026-02-15").
    assert [t for t in titles if t.startswith("Check-in 3: bob & alice (2026-02-02)")] != []


def test_a_forged_ledger_is_not_believed(world: Program_) -> None:
    world.night(START)
    world.daytime(START + timedelta(days=1))
    # A coordinator's comment on an unrelated issue holds a decision.
    other = world.writer.create_issue(Draft("Budget", "An unrelated issue."))
    decision = world.writer.comment(other.number, "Approved budget: 10k")
    key = "ledger/2026-01"
    book = world.bots(key)
    # Someone who may edit the ledger points the pairing's progress comment at that
    # comment and claims thirteen check-ins held.
    lie = ledger.PairState(comment=decision.id, digest="forged", met=tuple(range(1, 14)))
    world.writer.edit_issue_body(book.number, ledger.render(key, {PAIR: lie}))
    world.daytime(START + timedelta(days=3))
    world.bob.comment(world.bots(f"pair/{PAIR}/pairing").number, "We met.")
    world.night(START + timedelta(days=3))
    # Not one word of the coordinator's changed, nothing written on their issue, and the
    # check-ins held are the bot's own count.
    comments = world.bot.list_issue_comments(other.number)
    assert [(c.author, c.body) for c in comments] == [("writer", "Approved budget: 10k")]
    seen = world.seen(START + timedelta(days=3))
    status = pairing_status(world.program, seen, world.program.pairings[0], START)
    assert status.checkins_held <= 1


def test_goal_titles_mention_nobody_in_what_the_bot_writes(world: Program_) -> None:
    world.night(START)
    pairing = world.bots(f"pair/{PAIR}/pairing")
    world.daytime(START + timedelta(days=2))
    goals = "## Goals\n\n### Learn X @all @carol <!-- by 2026-03-01\n\n- [x] One\n- [x] Two\n"
    head = pairing.body.partition("## Goals")[0]
    world.bob.edit_issue_body(pairing.number, head + goals)
    world.night(START + timedelta(days=2))
    bodies = [
        c.body
        for c in world.bot.list_issue_comments(pairing.number)
        if c.author == "mentorship-bot"
    ]
    celebration = next(b for b in bodies if "Learn X" in b and "celebrate" in b)
    assert f"@{ZWSP}all @{ZWSP}carol <{ZWSP}!{ZWSP}--" in celebration
    assert "@all" not in "".join(bodies)
    assert "@carol" not in "".join(bodies)


# Words from program.yml as a hostile hand writes them: a mention of everyone, HTML, a
# reference, and quick actions on lines of their own. The loader refuses the line breaks;
# the pairing below gets them another way, to show that the bot's writes quote them
# whatever the roster holds.
HOSTILE = "@all <b>x</b> see #3\n/close\n/assign @zed"
HOSTILE_ROSTER = """\
program:
  name: "Prog <b>x</b> @all /close"
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/secure,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, name: "@carol <i>Alice</i>", roles: [mentor], topics: ["@carol"]}}
  - {{handle: bob, name: "/close @all", roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05, extended_until: 2026-08-03,
      extension_reason: "more time"}}
"""


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_roster_words_are_shown_inert_and_run_no_quick_action(flavour: str) -> None:
    with start(users=["mentorship-bot", "alice", "bob", "carol", "zed"]) as sandbox:
        loaded = parse_program(HOSTILE_ROSTER.format(flavour=flavour, url=sandbox.url))
        pairing = loaded.pairings[0].model_copy(
            update={"extension_reason": HOSTILE, "follows_reason": HOSTILE}
        )
        bob = loaded.people[1].model_copy(update={"name": "/close\n/assign @zed"})
        program = loaded.model_copy(
            update={"pairings": [pairing], "people": [loaded.people[0], bob]}
        )
        bot = connect(program.forge, {"SANDBOX_TOKEN": "mentorship-bot"}, RetryPolicy(retries=0))
        for day in (START, START + timedelta(days=1)):
            sandbox.set_clock(datetime.combine(day, time(23), UTC))
            report = run_day(bot, program, day, Templates(), secret=SECRET)
            assert report.failed == []
        issues = [i for i in bot.list_issues() if i.author == "mentorship-bot"]
        pairing_issue = next(i for i in issues if i.title.startswith("Mentorship:"))
        # Still open, assigned to the pair alone: no quick action ran as the bot.
        assert pairing_issue.state is IssueState.OPEN
        assert sorted(pairing_issue.assignees) == ["alice", "bob"]
        mentor = f"@{ZWSP}carol <{ZWSP}i>Alice<{ZWSP}/i>"
        assert pairing_issue.title == f"Mentorship: {ZWSP}/close /assign @{ZWSP}zed & {mentor}"
        assert f"**Mentee:** {ZWSP}/close /assign @{ZWSP}zed (@bob)" in pairing_issue.body
        assert f"Welcome to **Prog <{ZWSP}b>x<{ZWSP}/b> @{ZWSP}all /close**" in pairing_issue.body
        assert f"topics: @{ZWSP}carol" in pairing_issue.body
        comments = bot.list_issue_comments(pairing_issue.number)
        extended = next(c.body for c in comments if "Reason:" in c.body)
        assert (
            f"Reason: @{ZWSP}all <{ZWSP}b>x<{ZWSP}/b> see #{ZWSP}3 /close /assign @{ZWSP}zed"
            in extended
        )
        written = [pairing_issue.title, pairing_issue.body, *(c.body for c in comments)]
        for text in written:
            assert not [line for line in text.split("\n") if line.startswith("/")], text
            assert "@all" not in text
            assert "@carol" not in text
            assert "<b>" not in text


def test_a_ledger_edited_by_someone_else_is_read_as_the_bot_last_wrote_it(
    world: Program_,
) -> None:
    # On GitHub a writer may edit the ledger: stripping the signature of every ledger issue
    # would have them all taken for a ledger kept before the secret, and signed by the run.
    world.settled()
    world.daytime(START + timedelta(days=2))
    books = [i for i in world.bot.list_issues(labels=["mentorship::ledger"], state=None)]
    assert books
    for book in books:
        stripped = re.sub(r'"sig":"[0-9a-f]+"', '"sig":"@sign"', book.body)
        if world.program.forge.api_flavour == "github":
            world.writer.edit_issue_body(book.number, stripped)
    seen = world.seen(START + timedelta(days=2))
    assert seen.unsigned == frozenset()  # nothing believed without the bot's signature
    assert PAIR in seen.ledger
    assert world.night(START + timedelta(days=2)) == []  # a quiet night: nothing to redo


def test_labels_taken_off_the_bots_issues_are_put_back_and_nothing_is_opened_twice(
    world: Program_,
) -> None:
    # GitHub's triage and GitLab's Reporters may take labels off. Without its label a
    # pairing issue is not listed, and the run took it for missing: it opened a second
    # one; a ledger issue's pairings were forgotten, and a second dashboard opened.
    before = world.settled()
    keys = (f"pair/{PAIR}/pairing", "ledger/2026-01", "dashboard")
    stripped = world.strip(START + timedelta(days=2), *keys)
    assert all(world.bot.get_issue(i.number).labels == () for i in stripped.values())
    written = world.night(START + timedelta(days=2))
    # The pairing issue's phase label is the status rule's, as on any night.
    assert sorted(written) == sorted([*(f"{key}/listed" for key in keys), f"{keys[0]}/labels"])
    for key, issue in stripped.items():
        assert set(world.bot.get_issue(issue.number).labels) >= set(issue.labels), key
    titles = [i.title for i in world.bot.list_issues(state=None)]
    assert titles.count("Mentorship: bob & alice") == 1
    assert len([t for t in titles if "dashboard" in t.lower()]) == 1
    after = world.seen(START + timedelta(days=2))
    assert after.ledger[PAIR] == before.ledger[PAIR]


def test_a_check_in_whose_label_was_taken_off_is_not_opened_again(world: Program_) -> None:
    world.night(START)
    world.night(START + timedelta(days=14))  # check-in 2 opens
    [checkin] = world.strip(START + timedelta(days=15), f"pair/{PAIR}/checkin/2").values()
    written = world.night(START + timedelta(days=15))
    assert written == [f"pair/{PAIR}/checkin/2/listed"]
    assert set(world.bot.get_issue(checkin.number).labels) == set(checkin.labels)
    titles = [i.title for i in world.bot.list_issues(state=None)]
    assert len([t for t in titles if t.startswith("Check-in 2:")]) == 1


def test_every_ledger_issue_taken_off_its_label_is_found_again_by_its_signed_record(
    world: Program_,
) -> None:
    # The program's own record among them: nothing left that a listing finds by label.
    before = world.settled()
    world.strip(START + timedelta(days=20), ledger.PROGRAM, "ledger/2026-01")
    written = world.night(START + timedelta(days=20))
    assert {"ledger/2026-01/listed", "ledger/program/listed"} <= set(written)
    assert not [k for k in written if k.endswith("/progress")]  # no second progress comment
    titles = [i.title for i in world.bot.list_issues(state=None)]
    assert len([t for t in titles if t.startswith(ledger.TITLE)]) == 2  # none opened again
    after = world.seen(START + timedelta(days=20))
    assert after.adopted == before.adopted == START
    assert after.ledger[PAIR].comment == before.ledger[PAIR].comment


def test_the_program_record_taken_off_its_label_keeps_the_adoption_day(world: Program_) -> None:
    world.settled()
    world.strip(START + timedelta(days=20), ledger.PROGRAM)
    world.night(START + timedelta(days=20))
    seen = world.seen(START + timedelta(days=20))
    # Not the day the record was missed: the day the first run opened the ledger.
    assert seen.adopted == START
    assert PAIR in seen.ledger


def test_a_progress_comment_someone_rewrote_is_written_again(world: Program_) -> None:
    if world.program.forge.api_flavour == "gitlab":
        pytest.skip("on GitLab only Maintainers, trusted as the bot is, edit another's note")
    world.night(START)
    pairing = world.bots(f"pair/{PAIR}/pairing")
    [progress] = [
        c
        for c in world.bot.list_issue_comments(pairing.number)
        if (m := markers.find(c.body)) and m.key == f"pair/{PAIR}/progress"
    ]
    world.daytime(START + timedelta(days=1))
    # The marker kept, the words the mentee's: all goals done, on track.
    forged = progress.body.split("\n", 1)[0] + "\nAll goals done, well ahead of the term."
    world.writer.edit_comment(pairing.number, progress.id, forged)
    written = world.night(START + timedelta(days=1))
    assert f"pair/{PAIR}/progress/edit" in written
    [again] = [c for c in world.bot.list_issue_comments(pairing.number) if c.id == progress.id]
    assert again.body.split("\n", 1)[1] == progress.body.split("\n", 1)[1]


def test_a_dashboard_someone_rewrote_does_not_show_their_figures(world: Program_) -> None:
    world.night(START)
    board = world.bots("dashboard")
    kept = dashboard.parse(board.body)
    assert kept is not None
    world.daytime(START + timedelta(days=1))
    # The figures the dashboard keeps for its next "since the last update": 40 running.
    figures = json.dumps(kept.figures, separators=(",", ":"), sort_keys=True)
    lie = figures.replace('"running":1', '"running":40')
    assert lie != figures
    world.writer.edit_issue_body(board.number, board.body.replace(figures, lie))
    world.night(START + timedelta(days=1))
    after = dashboard.parse(world.bot.get_issue(board.number).body)
    assert after is not None
    assert after.figures["running"] == 1
    assert after.previous is None or after.previous.figures["running"] != 40


def test_the_search_for_ledger_titles_finds_the_bots_issues_only(world: Program_) -> None:
    world.night(START)
    world.writer.create_issue(Draft(f"{ledger.TITLE}: the program", "a look-alike"))
    world.writer.create_issue(Draft("Notes", f"{ledger.TITLE} in a body only"))
    found = world.bot.find_titled(ledger.TITLE, "mentorship-bot")
    assert sorted(i.title for i in found) == [
        f"{ledger.TITLE}: pairings started 2026-01",
        f"{ledger.TITLE}: the program",
    ]
    assert {i.author for i in found} == {"mentorship-bot"}
