"""Extension and end boxes with `requests.propose_changes`, on both forges through the real
clients: the ask becomes a change to the pairing's entry in the one roster merge/pull
request; merging it is the coordinators' approval, closing it unmerged declines the ask.
Each night runs on program.yml as the default branch holds it, and ends with nothing left
to do."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from automation.forge import ForgeError, RetryPolicy, connect
from automation.lifecycle import boxes, markers
from automation.model import ChangeRequest, Comment, IssueState
from automation.roster.config import Pairing, Program, parse_program
from automation.sandbox import start
from tests.lifecycle import test_boxes_forge as boxes_forge

START = date(2026, 3, 2)
ASKED = START + timedelta(days=20)  # 2026-03-22
PAIR = "alice--dana--2026-03-02"
BRANCH = "mentorship/roster"
ROSTER = """\
program:
  name: Boxes test
  coordinators: [carol]
  progress: {{comment: false, pace_label: false, celebrate: false, goal_nudge: false}}
  requests: {{propose_changes: true}}
  report: {{dashboard: false}}
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/boxes,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, roles: [mentor]}}
  - {{handle: dana, roles: [mentee]}}

pairings:
  # the first term
  - mentor: alice
    mentee: dana
    start: {start}
"""


@dataclass
class World(boxes_forge.World):
    """The boxes' world, its nights run on program.yml as the default branch holds it."""

    text: str  # program.yml as the first night found it

    def program(self) -> Program:
        """program.yml as the default branch holds it."""
        found = self.bot.read_file("program.yml")
        assert found is not None
        return parse_program(found.text, Path("program.yml"))

    def said(self, suffix: str) -> list[Comment]:
        return [
            c
            for c in self.bot.list_issue_comments(self.pairing().number)
            if (m := markers.find(c.body)) and m.key.endswith(suffix)
        ]

    def proposal(self) -> tuple[ChangeRequest, Pairing]:
        """The open roster merge request, and the pairing as its program.yml has it."""
        change = self.bot.find_change_request(BRANCH)
        assert change is not None
        branch = self.bot.read_file("program.yml", BRANCH)
        assert branch is not None
        (pairing,) = parse_program(branch.text, Path("program.yml")).pairings
        return change, pairing

    def merge(self, change: ChangeRequest) -> None:
        self.sandbox.register_users("carol", access="maintain")  # a coordinator may merge
        self.sandbox.merge(self.flavour, "acme/boxes", change.number, by="carol")


@pytest.fixture(params=["gitlab", "github"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    users = ["mentorship-bot", "alice", "dana", "carol", "mallory"]
    with start(users=users) as sandbox:
        text = ROSTER.format(flavour=request.param, url=sandbox.url, start=START)
        sandbox.put_file(request.param, "acme/boxes", "program.yml", text)
        roster = parse_program(text, Path("program.yml"))
        bot = connect(roster.forge, {}, RetryPolicy(retries=0))
        yield World(request.param, sandbox, roster, bot, text)


def test_an_extension_ticked_becomes_the_roster_merge_request_and_its_merge_extends(
    world: World,
) -> None:
    world.night(START)
    world.tick("dana", boxes.EXTEND, ASKED)
    written = world.night(ASKED)
    assert "roster/proposal" in written

    # The answer still holds the lines, and says where the change is proposed.
    (answer,) = world.said(f"/box/extend/{ASKED:%Y%m%d}T120000Z")
    assert "extended_until: 2026-10-02" in answer.body
    assert "merge request" in answer.body
    change, pairing = world.proposal()
    assert change.title == "Mentorship: 1 extension"
    assert f"pair/{PAIR}/box/extend/20260322T120000Z" in change.body
    assert f"#{world.pairing().number}" in change.body
    assert pairing.extended_until == date(2026, 10, 2)
    assert pairing.extension_reason == "asked for on the pairing issue by @dana on 2026-03-22"
    # Only the entry's two lines change: the rest of program.yml is the coordinators' bytes.
    branch = world.bot.read_file("program.yml", BRANCH)
    assert branch is not None
    assert branch.text == world.text + (
        "    extended_until: 2026-10-02\n"
        "    extension_reason: asked for on the pairing issue by @dana on 2026-03-22\n"
    )
    assert world.night(ASKED + timedelta(days=1)) == []  # the merge request shows it already

    world.merge(change)
    assert world.program().pairings[0].extended_until == date(2026, 10, 2)
    written = world.night(ASKED + timedelta(days=2))
    assert "roster/proposal" not in written
    assert world.bot.find_change_request(BRANCH) is None
    # The end the marker keeps is reached: a later night asks nothing again.
    assert world.night(ASKED + timedelta(days=3)) == []
    assert world.bot.find_change_request(BRANCH) is None


def test_an_end_ticked_becomes_the_roster_merge_request_and_its_merge_ends_the_term(
    world: World,
) -> None:
    world.night(START)
    world.tick("alice", boxes.END, ASKED)
    world.night(ASKED)
    change, pairing = world.proposal()
    assert change.title == "Mentorship: 1 pairing ended"
    assert (pairing.ended, pairing.ended_reason) == (
        ASKED,
        "asked for on the pairing issue by @alice on 2026-03-22",
    )

    world.merge(change)
    world.night(ASKED + timedelta(days=1))
    assert world.program().pairings[0].ended == ASKED
    assert world.pairing().state is IssueState.CLOSED  # ended, as the roster says
    assert world.bot.find_change_request(BRANCH) is None
    assert world.night(ASKED + timedelta(days=2)) == []


def test_a_merge_request_closed_unmerged_declines_the_ask_once_and_for_good(
    world: World,
) -> None:
    world.night(START)
    world.tick("carol", boxes.EXTEND, ASKED)
    world.night(ASKED)
    change, _ = world.proposal()
    world.sandbox.register_users("carol", access="maintain")
    world.person("carol").close_change_request(change.number)

    written = world.night(ASKED + timedelta(days=1))
    declined = f"pair/{PAIR}/box/extend/20260322T120000Z/declined"
    assert written == [declined]
    (said,) = world.said("/declined")
    assert "closed the proposed program.yml change" in said.body
    assert "not proposed again" in said.body
    assert world.bot.find_change_request(BRANCH) is None
    for days in (2, 3):
        assert world.night(ASKED + timedelta(days=days)) == []
    assert world.bot.find_change_request(BRANCH) is None
    assert world.program().pairings[0].extended_until is None

    # Ticked again: a new ask, proposed anew.
    world.tick("dana", boxes.EXTEND, ASKED + timedelta(days=4))
    world.night(ASKED + timedelta(days=4))
    change, pairing = world.proposal()
    assert f"pair/{PAIR}/box/extend/20260326T120000Z" in change.body
    assert pairing.extended_until == date(2026, 10, 2)


def test_a_strangers_tick_proposes_no_change(world: World) -> None:
    world.night(START)
    world.tick("mallory", boxes.EXTEND, ASKED)
    world.tick("mallory", boxes.END, ASKED)
    world.night(ASKED)
    assert len(world.said("T120000Z")) == 2  # answered as ignored
    assert world.bot.find_change_request(BRANCH) is None
    assert world.bot.read_file("program.yml", BRANCH) is None
    assert world.night(ASKED + timedelta(days=1)) == []


def test_a_bot_answer_edited_by_someone_else_proposes_no_change(world: World) -> None:
    """GitHub lets anyone with write access edit any comment (the pair need write access to
    tick boxes): a stranger's ignored tick, its answer's marker then rewritten as heeded and
    by the mentee, asks for nothing. GitLab lets only a note's author edit it."""
    world.night(START)
    world.tick("mallory", boxes.END, ASKED)
    world.night(ASKED)
    (answer,) = world.said(f"/box/end/{ASKED:%Y%m%d}T120000Z")
    forged = answer.body.replace("by=mallory", "by=dana").replace("heeded=no", "heeded=yes")
    assert forged != answer.body
    world.at(ASKED + timedelta(days=1), 10)
    mallory = world.person("mallory")
    if world.flavour == "gitlab":
        with pytest.raises(ForgeError):
            mallory.edit_comment(world.pairing().number, answer.id, forged)
        return
    mallory.edit_comment(world.pairing().number, answer.id, forged)

    world.night(ASKED + timedelta(days=1))
    assert world.bot.find_change_request(BRANCH) is None
    assert world.bot.read_file("program.yml", BRANCH) is None
