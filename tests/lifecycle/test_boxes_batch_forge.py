"""Many boxes ticked on one night, on both forges through the real clients: who ticked each
is read in one GraphQL query per `TICKS_BATCH` pairing issues, not one read per issue, and
the night answers each as it answers a box ticked alone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from math import ceil
from pathlib import Path

import pytest

from automation.forge import RetryPolicy, connect
from automation.forge.base import TICKS_BATCH, Forge
from automation.lifecycle import boxes, markers
from automation.messages.templates import Templates
from automation.model import Tick
from automation.night.observe import read
from automation.night.run import run_day
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox, start

START = date(2026, 3, 2)
PAIRS = 60  # two batches: 50 and 10
HEADER = """\
program:
  name: Many boxes
  coordinators: [carol]
  progress: {{comment: false, pace_label: false, celebrate: false, goal_nudge: false}}
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/many,
        bot: mentorship-bot, retries: 0}}
"""


def _roster(flavour: str, url: str) -> str:
    people = "".join(
        f"  - {{handle: m{n}, roles: [mentor]}}\n  - {{handle: e{n}, roles: [mentee]}}\n"
        for n in range(PAIRS)
    )
    pairs = "".join(f"  - {{mentor: m{n}, mentee: e{n}, start: {START}}}\n" for n in range(PAIRS))
    return HEADER.format(flavour=flavour, url=url) + f"people:\n{people}pairings:\n{pairs}"


def _ticker(n: int) -> str:
    """Who ticks pairing `n`'s box: its mentee, its mentor, a coordinator, or someone
    outside the pairing (a tick to ignore)."""
    return (f"e{n}", f"m{n}", "carol", f"m{(n + 1) % PAIRS}")[n % 4]


@dataclass
class World:
    sandbox: RunningSandbox
    roster: Program
    bot: Forge

    def at(self, day: date, hour: int = 12) -> None:
        self.sandbox.set_clock(datetime.combine(day, time(hour), UTC))

    def pairing_issues(self) -> dict[int, int]:
        """Each pairing's issue number, by the pairing's index in the roster."""
        found = {m.key: i.number for i in self.bot.list_issues() if (m := markers.find(i.body))}
        return {n: found[f"pair/{p.id}/pairing"] for n, p in enumerate(self.roster.pairings)}

    def tick(self, handle: str, number: int) -> None:
        """`handle` ticks "We met this period" on issue `number`, as the web page does."""
        body = self.bot.get_issue(number).body
        ticked = body.replace(f"- [ ] {boxes.MET.text}", f"- [x] {boxes.MET.text}", 1)
        person = connect(self.roster.forge, {"SANDBOX_TOKEN": handle}, RetryPolicy(retries=0))
        person.edit_issue_body(number, ticked)

    def reads(self, day: date) -> tuple[int, int]:
        """A night's reads of the forge (`observe.read`): all of them, and its GraphQL
        queries."""
        self.sandbox.reset_counts()
        read(self.bot, self.roster, day)
        counts = self.sandbox.request_counts()
        assert counts["writes"] == 0
        return counts["reads"], counts["by_route"].get("POST /api/graphql", 0)


@pytest.fixture(params=["gitlab", "github"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    users = ["mentorship-bot", "carol"] + [f"{r}{n}" for n in range(PAIRS) for r in "me"]
    with start(users=users) as sandbox:
        roster = parse_program(_roster(request.param, sandbox.url), Path("program.yml"))
        bot = connect(roster.forge, {}, RetryPolicy(retries=0))
        running = World(sandbox, roster, bot)
        running.at(START, 23)
        assert run_day(bot, roster, START, Templates()).failed == []
        yield running


def test_many_ticked_boxes_cost_one_query_per_batch_and_keep_who_ticked_each(
    world: World,
) -> None:
    day = START + timedelta(days=3)
    world.at(day)
    quiet, none = world.reads(day)
    # Nobody ticked a box: no query for them (GitHub asks once who last edited the ledger
    # issues, which the night reads as the bot wrote them).
    ledgers = 1 if world.roster.forge.api_flavour == "github" else 0
    assert none == ledgers

    issues = world.pairing_issues()
    ticked_at = {}
    for n, number in issues.items():
        world.at(day, 12 + n % 6)
        world.tick(_ticker(n), number)
        ticked_at[n] = datetime.combine(day, time(12 + n % 6), UTC)

    busy, queries = world.reads(day)
    assert queries - ledgers == ceil(PAIRS / TICKS_BATCH) == 2
    assert busy - quiet == 2  # was one read per ticked issue: 60

    observed = read(world.bot, world.roster, day)
    for n, number in issues.items():
        tick = Tick(boxes.MET.text, True, _ticker(n), ticked_at[n])
        assert observed.ticks[number] == (tick,)

    # The night answers each, heeded or not by who ticked it, and unticks it.
    world.at(day, 23)
    assert run_day(world.bot, world.roster, day, Templates()).failed == []
    answers = {
        c.issue_number: marker.attrs
        for c in world.bot.list_comments(since=datetime.combine(day, time(22), UTC))
        if (marker := markers.find(c.body)) and "/box/met/" in marker.key
    }
    assert answers == {
        number: {"by": _ticker(n), "heeded": "no" if n % 4 == 3 else "yes"}
        for n, number in issues.items()
    }
    assert all(boxes.ticked(i.body) == () for i in world.bot.list_issues() if i.number in answers)
