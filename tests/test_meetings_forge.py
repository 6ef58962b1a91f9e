"""A pair's own cadence and style on both forges through the real clients: its check-ins
open at its cadence with the agenda in its style, due on the last day of their period (a
GitLab due date; on GitHub, in the title), and a second run finds nothing to do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from automation.forge import RetryPolicy, connect
from automation.lifecycle import markers
from automation.messages.templates import Templates
from automation.model import Issue
from automation.night.run import plan_day, run_day
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox, start

START = date(2026, 3, 2)
PAIR = "alice--dana--2026-03-02"
ROSTER = """\
program:
  name: Meeting test
  progress: {{comment: false, pace_label: false, celebrate: false, goal_nudge: false}}
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/meetings,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, roles: [mentor]}}
  - {{handle: dana, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: dana, start: {start}, checkin_every_days: 7,
      meeting_style: async, meeting_minutes: 30}}
"""


@pytest.fixture(params=["gitlab", "github"])
def world(request: pytest.FixtureRequest) -> Iterator[tuple[str, RunningSandbox, Program]]:
    with start(users=["mentorship-bot", "alice", "dana"]) as sandbox:
        text = ROSTER.format(flavour=request.param, url=sandbox.url, start=START)
        yield request.param, sandbox, parse_program(text, Path("program.yml"))


def _by_key(issues: list[Issue]) -> dict[str, Issue]:
    return {m.key: i for i in issues if (m := markers.find(i.body)) is not None}


def test_a_pairs_checkins_follow_its_cadence_and_style_with_a_due_date_the_forge_shows(
    world: tuple[str, RunningSandbox, Program],
) -> None:
    flavour, sandbox, roster = world
    bot = connect(roster.forge, {}, RetryPolicy(retries=0))

    def night(day: date) -> None:
        sandbox.set_clock(datetime.combine(day, time(23), UTC))
        report = run_day(bot, roster, day, Templates())
        assert report.failed == []
        assert plan_day(bot, roster, day, Templates()) == []

    night(START)
    night(START + timedelta(days=7))  # the pair meets weekly: period 2 begins

    issues = _by_key(bot.list_issues(labels=["mentorship-check-in"]))
    checkin = issues[f"pair/{PAIR}/checkin/2"]
    due = date(2026, 3, 15)  # the last day of period 2 (2026-03-09 to 2026-03-15)
    if flavour == "gitlab":
        assert checkin.title == "Check-in 2: dana & alice (2026-03-09)"
        assert checkin.due == due
        assert bot.get_issue(checkin.number).due == due
    else:
        assert checkin.title == "Check-in 2: dana & alice (2026-03-09) · due 2026-03-15"
        assert checkin.due is None
    assert "## This check-in, in writing" in checkin.body
    assert "**@dana, by 2026-03-12:** post a comment" in checkin.body
    pairing = _by_key(bot.list_issues(labels=["mentorship"]))[f"pair/{PAIR}/pairing"]
    assert "- **Meetings:** every 7 days, about 30 minutes, in writing" in pairing.body
    assert "## Your first meeting, in writing" in pairing.body
    assert pairing.due is None
