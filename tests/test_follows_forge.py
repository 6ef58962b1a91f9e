"""A change of mentor on both forges through the real clients: the old pairing hands over
and closes, the new pairing issue links it and carries the goals left open there."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from automation.forge import Forge, RetryPolicy, connect
from automation.lifecycle import ledger, markers
from automation.messages.templates import Templates
from automation.model import Issue, IssueState
from automation.night.run import plan_day, run_day
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox, start

OLD = "alice--bob--2026-01-05"
ROSTER = """\
program:
  name: Change test
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/change,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, name: Alice, roles: [mentor]}}
  - {{handle: carol, name: Carol, roles: [mentor]}}
  - {{handle: bob, name: Bob, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05{ended}}}
{follower}"""
GOALS = """

## Goals

### Ship the runbook by 2026-06-01

- [x] Outline the alerts
- [ ] Draft the paging section
"""


def follower(start: str) -> str:
    return (
        f"  - {{mentor: carol, mentee: bob, start: {start}, follows: alice,\n"
        "     follows_reason: a closer match}\n"
    )


@dataclass
class World:
    sandbox: RunningSandbox
    flavour: str
    bot: Forge
    bob: Forge

    def roster(self, ended: str = "", after: str = "") -> Program:
        text = ROSTER.format(
            flavour=self.flavour, url=self.sandbox.url, ended=ended, follower=after
        )
        return parse_program(text, Path("program.yml"))

    def night(self, program: Program, day: date) -> list[str]:
        """The keys of what the night wrote; planning again finds nothing."""
        self.sandbox.set_clock(datetime.combine(day, time(23), UTC))
        report = run_day(self.bot, program, day, Templates())
        assert report.failed == []
        assert plan_day(self.bot, program, day, Templates()) == []
        return [o.action.key for o in report.outcomes]

    def bots(self, key: str) -> Issue:
        for issue in sorted(self.bot.list_issues(), key=lambda i: i.number):
            marker = markers.find(issue.body)
            if marker and marker.key == key and issue.author == "mentorship-bot":
                return issue
        raise AssertionError(f"no bot issue {key}")

    def write_goals(self, day: date) -> Issue:
        """Bob writes his goals into his pairing issue with alice."""
        self.sandbox.set_clock(datetime.combine(day, time(10), UTC))
        old = self.bots(f"pair/{OLD}/pairing")
        self.bob.edit_issue_body(old.number, old.body + GOALS)
        return self.bot.get_issue(old.number)


@pytest.fixture(params=["gitlab", "github"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    with start(users=["mentorship-bot", "alice", "carol", "bob"]) as sandbox:
        text = ROSTER.format(flavour=request.param, url=sandbox.url, ended="", follower="")
        forge = parse_program(text, Path("program.yml")).forge
        policy = RetryPolicy(retries=0)
        yield World(
            sandbox,
            request.param,
            connect(forge, {}, policy),
            connect(forge, {"SANDBOX_TOKEN": "bob"}, policy),
        )


def test_a_change_of_mentor_hands_over_and_carries_the_open_goals(world: World) -> None:
    alone = world.roster()
    world.night(alone, date(2026, 1, 5))
    written = world.write_goals(date(2026, 1, 20))
    world.night(alone, date(2026, 2, 2))

    changed = world.roster(after=follower("2026-03-02"))
    new = "carol--bob--2026-03-02"
    keys = world.night(changed, date(2026, 3, 2))

    assert f"pair/{OLD}/retrospective/2026-03-02" in keys
    assert f"pair/{new}/pairing" in keys
    old = world.bot.get_issue(written.number)
    assert old.state is IssueState.CLOSED
    assert "mentorship::ended-early" in old.labels
    assert old.body == written.body  # never rewritten
    handover = world.bots(f"pair/{OLD}/retrospective/2026-03-02")
    assert handover.title == "Hand-over: Bob & Alice"
    [note] = [
        c.body
        for c in world.bot.list_issue_comments(old.number)
        if (m := markers.find(c.body)) and m.key == f"pair/{OLD}/ended-early"
    ]
    assert "goes on with a new mentor, Carol, from 2026-03-02" in note
    opened = world.bots(f"pair/{new}/pairing")
    assert f"[#{old.number}]({old.url})" in opened.body
    assert "- [ ] Draft the paging section" in opened.body
    assert "Outline the alerts" not in opened.body
    assert opened.state is IssueState.OPEN

    # Bob ticks a step in his old issue: the new issue, written once, stays as it was.
    world.sandbox.set_clock(datetime.combine(date(2026, 3, 3), time(10), UTC))
    world.bob.edit_issue_body(old.number, old.body.replace("- [ ] Draft", "- [x] Draft"))
    world.night(changed, date(2026, 3, 3))
    assert world.bot.get_issue(opened.number).body == opened.body


ENDED = ", ended: 2026-02-02, ended_reason: Bob paused the program"


def closed_out_long_ago(world: World) -> Issue:
    """Bob's term with alice, his goals written, ended and settled: a quiet night no longer
    lists its issues. The pairing issue as Bob left it."""
    alone = world.roster(ended=ENDED)
    world.night(alone, date(2026, 1, 5))
    written = world.write_goals(date(2026, 1, 20))
    for day in (date(2026, 2, 2), date(2026, 3, 2), date(2026, 3, 3)):
        world.night(alone, day)
    return written


def test_a_new_mentor_months_after_the_old_term_closed_still_carries_the_goals(
    world: World,
) -> None:
    written = closed_out_long_ago(world)

    later = world.roster(ended=ENDED, after=follower("2026-05-04"))
    keys = world.night(later, date(2026, 5, 4))

    assert keys.count("pair/carol--bob--2026-05-04/pairing") == 1
    opened = world.bots("pair/carol--bob--2026-05-04/pairing")
    assert f"[#{written.number}]" in opened.body
    assert "- [ ] Draft the paging section" in opened.body


def test_an_old_pairing_issue_deleted_since_does_not_stop_the_new_mentors_night(
    world: World,
) -> None:
    closed_out_long_ago(world)
    # A coordinator deleted the old pairing issue: the ledger's number names no issue.
    books = world.bots("ledger/2026-01")
    states = ledger.parse(books.body)
    state = states[OLD]
    issues = tuple((part, 9999 if part == "pairing" else n) for part, n in state.issues)
    states[OLD] = replace(state, issues=issues)
    world.bot.edit_issue_body(books.number, ledger.render("ledger/2026-01", states))

    later = world.roster(ended=ENDED, after=follower("2026-05-04"))
    keys = world.night(later, date(2026, 5, 4))

    assert "pair/carol--bob--2026-05-04/pairing" in keys
    opened = world.bots("pair/carol--bob--2026-05-04/pairing")
    assert "Draft the paging section" not in opened.body  # nothing left to carry over


def test_a_change_of_mentor_added_weeks_ahead_shows_on_the_old_pairing_only_on_its_day(
    world: World,
) -> None:
    alone = world.roster()
    world.night(alone, date(2026, 1, 5))
    world.write_goals(date(2026, 1, 20))
    world.night(alone, date(2026, 2, 2))
    old = world.bots(f"pair/{OLD}/pairing")

    # The coordinators add the change on 2026-02-24, for 2026-03-09: bob will tell alice.
    ahead = world.roster(after=follower("2026-03-09"))
    keys = world.night(ahead, date(2026, 2, 24))

    # Nothing about the term: not its pace, not its weeks, not the end two weeks away (the
    # check-in of the period and a stalled label are due whatever comes).
    mine = [k.split("/", 2)[2] for k in keys if k.startswith(f"pair/{OLD}/")]
    assert not [k for k in mine if k.startswith(("progress", "pace"))], mine
    labels = world.bot.get_issue(old.number).labels
    assert "mentorship::ending-soon" not in labels
    assert "mentorship::active" in labels
    checkin = world.bots(f"pair/{OLD}/checkin/4")
    assert "last meeting" not in checkin.body.lower()
    [progress] = [
        c.body
        for c in world.bot.list_issue_comments(old.number)
        if (m := markers.find(c.body)) and m.key == f"pair/{OLD}/progress"
    ]
    assert " of 26, **on track**" in progress  # the six-month term, not nine weeks

    keys = world.night(ahead, date(2026, 3, 9))
    assert f"pair/{OLD}/retrospective/2026-03-09" in keys  # the hand-over, on its day
    assert world.bot.get_issue(old.number).state is IssueState.CLOSED
