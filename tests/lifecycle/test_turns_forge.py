"""Whose turn it is, and check-in descriptions as activity, on both forges: the real clients
on the sandbox, people commenting and editing as themselves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from automation.forge import Forge, RetryPolicy, connect
from automation.lifecycle import markers
from automation.messages.templates import Templates
from automation.model import Issue
from automation.night.observe import read
from automation.night.run import plan_day, run_day
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox, start
from automation.views.status import pairing_status

START = date(2026, 1, 5)
PAIR = "alice--bob--2026-01-05"
ROSTER = """\
program:
  name: Turns test
  progress: {{comment: false, pace_label: false, celebrate: false, goal_nudge: false}}
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/turns,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, roles: [mentor]}}
  - {{handle: bob, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05}}
"""


def day(n: int) -> date:
    return START + timedelta(days=n)


@dataclass
class World:
    sandbox: RunningSandbox
    program: Program
    bot: Forge
    alice: Forge
    bob: Forge

    def night(self, n: int) -> list[str]:
        """The keys of what the night wrote about the pairing (not the ledger or the
        dashboard); planning again finds nothing."""
        self.sandbox.set_clock(datetime.combine(day(n), time(23), UTC))
        report = run_day(self.bot, self.program, day(n), Templates())
        assert report.failed == []
        assert plan_day(self.bot, self.program, day(n), Templates()) == []
        return [o.action.key for o in report.outcomes if o.action.key.startswith("pair/")]

    def daytime(self, n: int) -> None:
        self.sandbox.set_clock(datetime.combine(day(n), time(10), UTC))

    def bots(self, key: str) -> Issue:
        for issue in sorted(self.bot.list_issues(), key=lambda i: i.number):
            marker = markers.find(issue.body)
            if marker and marker.key == key and issue.author == "mentorship-bot":
                return issue
        raise AssertionError(f"no bot issue {key}")

    def labels(self) -> set[str]:
        number = self.bots(f"pair/{PAIR}/pairing").number
        return {label for label in self.bot.get_issue(number).labels if "awaiting" in label}


@pytest.fixture(params=["gitlab", "github"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    with start(users=["mentorship-bot", "alice", "bob"]) as sandbox:
        text = ROSTER.format(flavour=request.param, url=sandbox.url)
        program = parse_program(text, Path("program.yml"))
        policy = RetryPolicy(retries=0)

        def login(name: str) -> Forge:
            return connect(program.forge, {"SANDBOX_TOKEN": name}, policy)

        yield World(sandbox, program, login("mentorship-bot"), login("alice"), login("bob"))


def test_an_unanswered_question_nudges_the_other_once_and_labels_whose_turn(
    world: World,
) -> None:
    world.night(0)
    pairing = world.bots(f"pair/{PAIR}/pairing").number
    world.daytime(2)
    world.bob.comment(pairing, "> from the kickoff\n\nCould we meet on Friday?")
    assert world.night(2) == []
    assert world.night(6) == []
    nudge = f"pair/{PAIR}/answer/mentor/2026-01-07"
    assert nudge in world.night(7)
    assert world.labels() == {"mentorship-awaiting::mentor"}
    [said] = [c for c in world.bot.list_issue_comments(pairing) if c.author == "mentorship-bot"]
    assert "@alice" in said.body
    assert "@bob" not in said.body
    assert nudge not in world.night(8)  # once per question
    world.daytime(9)
    world.alice.comment(pairing, "Friday works. And for you, is 10:00 fine?")
    world.night(9)
    assert world.labels() == set()
    # Her answer asked back: now it is Bob's turn.
    assert f"pair/{PAIR}/answer/mentee/2026-01-14" in world.night(14)
    assert world.labels() == {"mentorship-awaiting::mentee"}


def test_the_pair_editing_a_check_in_description_is_activity(world: World) -> None:
    world.night(0)
    world.daytime(3)
    world.alice.comment(world.bots(f"pair/{PAIR}/pairing").number, "Welcome!")
    world.night(3)
    world.night(14)  # opens check-in 2
    checkin = world.bots(f"pair/{PAIR}/checkin/2")
    world.daytime(20)
    world.bob.edit_issue_body(checkin.number, checkin.body + "\nNotes: draft is up.\n")
    world.night(20)
    seen = read(world.bot, world.program, day(21))
    status = pairing_status(world.program, seen, world.program.pairings[0], day(21))
    assert status.last_activity == day(20)
    # 14 days after Alice's comment, the edit six days ago keeps the pair from a nudge.
    assert [k for k in world.night(17 + 5) if "/quiet/" in k] == []
