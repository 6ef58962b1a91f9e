"""Boxes on the pairing issue, on both forges through the real clients: the pair (or a
coordinator) ticks one, the next run acts on it, answers and unticks it; who ticked it comes
from the forge's own history (GitLab's system notes, GitHub's description revisions), so a
box ticked by anyone else is answered as ignored. Every night ends with nothing left to do."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from automation.commands.explain import explain
from automation.forge import RetryPolicy, connect
from automation.forge.base import Forge
from automation.lifecycle import boxes, markers
from automation.lifecycle.actions import PostComment
from automation.messages.templates import Templates
from automation.model import Comment, Issue
from automation.night.executor import apply
from automation.night.observe import read
from automation.night.run import plan_day, run_day
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox, start
from automation.views.status import pairing_status

START = date(2026, 3, 2)
PAIR = "alice--dana--2026-03-02"
ROSTER = """\
program:
  name: Boxes test
  coordinators: [carol]
  progress: {{comment: false, pace_label: false, celebrate: false, goal_nudge: false}}
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/boxes,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, roles: [mentor]}}
  - {{handle: dana, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: dana, start: {start}}}
"""


@dataclass
class World:
    flavour: str
    sandbox: RunningSandbox
    roster: Program
    bot: Forge

    def person(self, handle: str) -> Forge:
        return connect(self.roster.forge, {"SANDBOX_TOKEN": handle}, RetryPolicy(retries=0))

    def at(self, day: date, hour: int = 12) -> None:
        self.sandbox.set_clock(datetime.combine(day, time(hour), UTC))

    def program(self) -> Program:
        """The roster a night runs on."""
        return self.roster

    def night(self, day: date) -> list[str]:
        """A nightly run, then nothing left to do; the keys it wrote."""
        self.at(day, 23)
        roster = self.program()
        report = run_day(self.bot, roster, day, Templates())
        assert report.failed == []
        assert plan_day(self.bot, roster, day, Templates()) == []
        return [o.action.key for o in report.outcomes]

    def pairing(self) -> Issue:
        found = {m.key: i for i in self.bot.list_issues() if (m := markers.find(i.body))}
        return found[f"pair/{PAIR}/pairing"]

    def tick(self, handle: str, box: boxes.Box, day: date) -> None:
        """`handle` ticks `box` in the pairing issue's description, as the web page does."""
        self.at(day)
        issue = self.pairing()
        body = issue.body.replace(f"- [ ] {box.text}", f"- [x] {box.text}", 1)
        assert body != issue.body
        self.person(handle).edit_issue_body(issue.number, body)

    def answers(self) -> list[Comment]:
        prefix = f"pair/{PAIR}/box/"
        return [
            c
            for c in self.bot.list_issue_comments(self.pairing().number)
            if (m := markers.find(c.body)) and m.key.startswith(prefix)
        ]

    def held(self, day: date) -> int:
        observed = read(self.bot, self.roster, day)
        return pairing_status(self.roster, observed, self.roster.pairings[0], day).checkins_held


@pytest.fixture(params=["gitlab", "github"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    users = ["mentorship-bot", "alice", "dana", "carol", "mallory"]
    with start(users=users) as sandbox:
        text = ROSTER.format(flavour=request.param, url=sandbox.url, start=START)
        roster = parse_program(text, Path("program.yml"))
        bot = connect(roster.forge, {}, RetryPolicy(retries=0))
        yield World(request.param, sandbox, roster, bot)


def test_the_pairing_issue_carries_the_boxes_unticked(world: World) -> None:
    world.night(START)
    assert boxes.states(world.pairing().body) == {box.name: False for box in boxes.BOXES}


def test_a_ticked_we_met_box_counts_as_a_held_checkin_on_the_next_run(world: World) -> None:
    world.night(START)
    assert world.held(START) == 0
    world.tick("dana", boxes.MET, START + timedelta(days=3))
    world.night(START + timedelta(days=3))

    assert boxes.ticked(world.pairing().body) == ()  # unticked, for next time
    (answer,) = world.answers()
    assert "Thanks, @dana: your meeting on 2026-03-05 counts as the check-in of period 1" in (
        answer.body
    )
    assert world.held(START + timedelta(days=4)) == 1
    # Ticked again in the next period: a new request, a second check-in held.
    world.tick("alice", boxes.MET, START + timedelta(days=16))
    world.night(START + timedelta(days=16))
    assert len(world.answers()) == 2
    assert world.held(START + timedelta(days=17)) == 2


def test_pause_silences_nudges_for_two_weeks_then_they_resume(world: World) -> None:
    world.night(START)
    world.tick("dana", boxes.PAUSE, START + timedelta(days=2))
    world.night(START + timedelta(days=2))
    (answer,) = world.answers()
    assert "Reminders are paused until **2026-03-18**" in answer.body

    def nudges() -> list[str]:
        return [
            m.key
            for c in world.bot.list_issue_comments(world.pairing().number)
            if (m := markers.find(c.body)) and m.key.endswith("/first-meeting")
        ]

    # Without the pause, the first-meeting nudge is due from day 10.
    for days in (10, 12, 15):
        world.night(START + timedelta(days=days))
        assert nudges() == []
    day = START + timedelta(days=15)
    (pairing,) = world.roster.pairings
    why = explain(world.roster, pairing, read(world.bot, world.roster, day), day, Templates())
    assert [line.split(None, 1) for line in why if line.startswith("  nudges ")] == [
        ["nudges", "nothing — the pair paused reminders until 2026-03-18"]
    ]
    world.night(START + timedelta(days=16))  # 2026-03-18: the pause is over
    assert nudges() == [f"pair/{PAIR}/first-meeting"]


def test_extension_and_end_ask_the_coordinators_with_the_lines_for_program_yml(
    world: World,
) -> None:
    world.night(START)
    world.tick("carol", boxes.EXTEND, START + timedelta(days=20))  # a coordinator
    world.tick("dana", boxes.END, START + timedelta(days=20))
    world.night(START + timedelta(days=20))

    extend, end = sorted(world.answers(), key=lambda c: "extension" not in c.body)
    # The marker keeps the end asked for: a later extension must not move it.
    marker = markers.mark(_key(extend), by="carol", heeded="yes", until="2026-10-02")
    assert extend.body.startswith(f"{marker}\n")
    assert "@carol: @carol asks for an extension of this pairing" in extend.body
    extension = (
        "pairings:\n"
        "  - mentor: alice\n"
        "    mentee: dana\n"
        "    start: 2026-03-02\n"
        "    extended_until: 2026-10-02\n"
        "    extension_reason: asked for on the pairing issue by @carol on 2026-03-22\n"
    )
    assert f"```yaml\n{extension}```" in extend.body
    assert "    ended: 2026-03-22\n    ended_reason: asked for on the pairing issue by @dana" in (
        end.body
    )
    assert boxes.ticked(world.pairing().body) == ()
    # Without `requests.propose_changes` the answer is the only route: no merge request.
    assert "merge request" not in extend.body
    assert world.bot.find_change_request("mentorship/roster") is None

    # The lines as given make a valid program.yml: the coordinators' change.
    text = ROSTER.format(flavour=world.flavour, url=world.sandbox.url, start=START)
    extended = parse_program(text.split("pairings:\n")[0] + extension, Path("program.yml"))
    assert extended.pairings[0].extended_until == date(2026, 10, 2)


def test_a_box_ticked_by_someone_outside_the_pairing_is_ignored_and_said_so(
    world: World,
) -> None:
    world.night(START)
    world.tick("mallory", boxes.MET, START + timedelta(days=3))
    world.tick("mallory", boxes.END, START + timedelta(days=3))
    world.night(START + timedelta(days=3))

    answers = world.answers()
    assert len(answers) == 2
    for answer in answers:
        assert "was ticked by `mallory`, who is neither in this pairing nor a program" in (
            answer.body
        )
        assert "```yaml" not in answer.body
        assert "@mallory" not in answer.body
    assert boxes.ticked(world.pairing().body) == ()
    assert world.held(START + timedelta(days=4)) == 0


def test_a_stranger_who_reticks_a_box_the_mentee_ticked_is_who_counts(world: World) -> None:
    """The latest tick decides: a stranger unticking and ticking again takes it over."""
    world.night(START)
    world.tick("dana", boxes.MET, START + timedelta(days=3))
    world.at(START + timedelta(days=3), 13)
    stranger = world.person("mallory")
    issue = world.pairing()
    text = f"- [x] {boxes.MET.text}"
    unticked = issue.body.replace(text, f"- [ ] {boxes.MET.text}")
    stranger.edit_issue_body(issue.number, unticked)
    world.at(START + timedelta(days=3), 14)
    stranger.edit_issue_body(issue.number, issue.body)
    world.night(START + timedelta(days=3))
    (answer,) = world.answers()
    assert "`mallory`" in answer.body
    assert world.held(START + timedelta(days=4)) == 0


def test_an_answer_written_before_a_stopped_run_is_not_written_again(world: World) -> None:
    world.night(START)
    world.tick("dana", boxes.MET, START + timedelta(days=3))
    day = START + timedelta(days=3)
    world.at(day, 23)
    planned = plan_day(world.bot, world.roster, day, Templates())
    # The run stops after its answer, before unticking the box.
    outcomes = apply([a for a in planned if isinstance(a, PostComment)], world.bot)
    assert [o.action.key for o in outcomes] == [a.key for a in planned if "/box/" in a.key]
    world.night(day)  # the rerun only unticks
    assert len(world.answers()) == 1
    assert boxes.ticked(world.pairing().body) == ()
    world.night(day + timedelta(days=1))
    assert len(world.answers()) == 1
    assert world.held(day + timedelta(days=1)) == 1


def _key(comment: Comment) -> str:
    marker = markers.find(comment.body)
    assert marker is not None
    return marker.key


def test_a_run_after_a_gap_counts_the_meeting_in_the_period_it_was_ticked(world: World) -> None:
    world.night(START)
    world.tick("alice", boxes.MET, START + timedelta(days=12))  # period 1: days 0 to 13
    world.night(START + timedelta(days=20))  # the next run, in period 2
    (answer,) = world.answers()
    assert "your meeting on 2026-03-14 counts as the check-in of period 1" in answer.body
    assert world.held(START + timedelta(days=20)) == 1
    world.night(START + timedelta(days=21))
    assert len(world.answers()) == 1
