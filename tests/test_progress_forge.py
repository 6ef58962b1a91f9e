"""Goal progress on the forge, through the real clients: the mentee ticks boxes, the night
runs, and the progress comment, ledger, labels and celebrations follow."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from automation.commands.demo import sandbox_cast
from automation.forge import Forge, RetryPolicy, connect
from automation.lifecycle import ledger, markers
from automation.lifecycle.rules.progress import CELEBRATED_GOALS, goal_key
from automation.messages.templates import Templates
from automation.model import Comment, Issue
from automation.night.run import run_day
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox, start

ROSTER = """\
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/progress,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, name: Alice, roles: [mentor]}}
  - {{handle: bob, name: Bob, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05}}
"""
START = date(2026, 1, 5)
GOALS = """
### Run an incident review by 2026-03-01

- [ ] Shadow a review
- [ ] Facilitate one

### Join on-call by 2026-05-01

- [ ] Read the runbooks
"""


@dataclass
class World:
    sandbox: RunningSandbox
    program: Program
    bot: Forge
    bob: Forge

    def night(self, day: date) -> int:
        self.sandbox.set_clock(datetime.combine(day, time(23), UTC))
        self.sandbox.reset_counts()
        report = run_day(self.bot, self.program, day, Templates())
        assert report.failed == []
        return int(self.sandbox.request_counts()["writes"])

    def pairing_issue(self) -> Issue:
        return self._keyed()["pair/alice--bob--2026-01-05/pairing"]

    def _keyed(self) -> dict[str, Issue]:
        return {m.key: i for i in self.bot.list_issues() if (m := markers.find(i.body))}

    def edit_goals(self, day: date, edit: str) -> None:
        self.sandbox.set_clock(datetime.combine(day, time(10), UTC))
        issue = self.pairing_issue()
        head, _, _ = issue.body.partition("## Goals")
        mine = "Run an incident review" in issue.body
        current = issue.body.partition("## Goals")[2] if mine else GOALS
        self.bob.edit_issue_body(issue.number, f"{head}## Goals\n{edit_steps(current, edit)}")

    def bot_comments(self) -> dict[str, Comment]:
        return {
            m.key.split("/", 2)[2]: c
            for c in self.bot.list_issue_comments(self.pairing_issue().number)
            if c.author == "mentorship-bot" and (m := markers.find(c.body))
        }

    def remembered(self) -> ledger.PairState:
        return ledger.parse(self._keyed()["ledger/2026-01"].body)["alice--bob--2026-01-05"]


def edit_steps(goals: str, edit: str) -> str:
    """`edit` is `+step` to tick a step or `-step` to untick it ('' leaves them)."""
    for change in filter(None, edit.split(",")):
        sign, step = change[0], change[1:]
        before, after = ("[ ]", "[x]") if sign == "+" else ("[x]", "[ ]")
        goals = goals.replace(f"- {before} {step}", f"- {after} {step}")
    return goals


@pytest.fixture(params=["gitlab", "github"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    with start() as sandbox:
        text = ROSTER.format(flavour=request.param, url=sandbox.url)
        program = parse_program(text, Path("program.yml"))
        sandbox.register_users(*sandbox_cast(program))
        policy = RetryPolicy(retries=0)
        yield World(
            sandbox,
            program,
            connect(program.forge, {}, policy),
            connect(program.forge, {"SANDBOX_TOKEN": "bob"}, policy),
        )


def test_ticking_goals_moves_the_one_progress_comment_and_celebrates_once(world: World) -> None:
    world.night(START)
    first = world.bot_comments()["progress"]
    assert world.remembered().comment == first.id  # the reference was filled in by apply
    # The template's example goal is not a goal: no pace until the mentee writes theirs.
    assert not {"mentorship-pace::on-track", "mentorship-pace::behind"} & set(
        world.pairing_issue().labels
    )

    world.edit_goals(START + timedelta(days=1), "+Shadow a review")
    assert world.night(START + timedelta(days=1)) > 0
    assert "mentorship-pace::on-track" in world.pairing_issue().labels
    comments = world.bot_comments()
    assert comments["progress"].id == first.id
    assert "1 of 3 goal steps (33%)" in comments["progress"].body

    assert world.night(START + timedelta(days=2)) == 0  # nothing moved: nothing written

    world.edit_goals(START + timedelta(days=3), "+Facilitate one")
    world.night(START + timedelta(days=3))
    reviewed = goal_key("Run an incident review")
    assert f"celebrate/{reviewed}" in world.bot_comments()
    assert world.remembered().celebrated == (reviewed,)

    world.edit_goals(START + timedelta(days=4), "-Facilitate one")
    world.night(START + timedelta(days=4))
    world.edit_goals(START + timedelta(days=5), "+Facilitate one")
    world.night(START + timedelta(days=5))
    celebrations = [k for k in world.bot_comments() if k.startswith("celebrate/")]
    assert celebrations == [f"celebrate/{reviewed}"]

    progress = world.bot_comments()["progress"]
    assert progress.id == first.id
    assert "2 of 3 goal steps (67%)" in progress.body
    assert world.remembered().history[-1] == (1, 2, 3)
    assert world.remembered().changed == "2026-01-10"


def test_thousands_of_goals_still_get_a_progress_comment_within_the_forges_limit(
    world: World,
) -> None:
    # 2,300 short goals make a description GitHub takes (42,000 characters); the progress
    # comment that shows each of them would be 100,000: it is cut to fit, and the night,
    # the ledger's write with it, succeeds.
    world.night(START)
    goals = "".join(f"### Goal {n}\n- [x] s\n" for n in range(2_300))
    issue = world.pairing_issue()
    head = issue.body.partition("## Goals")[0]
    world.sandbox.set_clock(datetime.combine(START + timedelta(days=1), time(10), UTC))
    world.bob.edit_issue_body(issue.number, f"{head}## Goals\n{goals}")
    world.night(START + timedelta(days=1))  # asserts that no write failed
    progress = world.bot_comments()["progress"].body
    limit = 65_536 if world.program.forge.api_flavour == "github" else 1_000_000
    assert "| Goal 0 |" in progress
    assert len(progress) <= limit
    cut = "The rest of this text is cut" in progress
    assert cut == (world.program.forge.api_flavour == "github")
    assert world.remembered().history[-1][1:] == (2_300, 2_300)
    # Three celebrations; the other goals at 100% are remembered as celebrated, not cheered.
    assert len([k for k in world.bot_comments() if k.startswith("celebrate/")]) == 3
    assert len(world.remembered().celebrated) == CELEBRATED_GOALS
