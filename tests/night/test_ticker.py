"""How far a long apply has got: a line every 50 writes in a CI log, a line redrawn on a
terminal."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from automation.cli import main
from automation.commands.demo import sandbox_cast
from automation.lifecycle.actions import PostComment, Target, Urgency
from automation.night.executor import Outcome, Status
from automation.night.ticker import Ticker
from automation.roster.config import load_program
from automation.sandbox import start

MENTEES = 60


def roster(flavour: str, url: str) -> str:
    people = "".join(f"  - {{handle: m{n}, roles: [mentee]}}\n" for n in range(MENTEES))
    pairings = "".join(
        f"  - {{mentor: alice, mentee: m{n}, start: 2026-01-05}}\n" for n in range(MENTEES)
    )
    return (
        "program:\n  name: Progress test\n  timezone: UTC\n"
        "  progress: {comment: false, pace_label: false, celebrate: false, goal_nudge: false}\n"
        f'forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/long,\n'
        "        bot: mentorship-bot}\n"
        "people:\n  - {handle: alice, roles: [mentor], capacity: 100}\n"
        f"{people}pairings:\n{pairings}"
    )


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_a_long_apply_in_a_log_says_every_fifty_writes_and_at_the_end(
    flavour: str, tmp_path: Path
) -> None:
    path = tmp_path / "program.yml"
    with start() as sandbox:
        sandbox.set_clock(datetime(2026, 1, 5, 23, tzinfo=UTC))
        path.write_text(roster(flavour, sandbox.url))
        sandbox.register_users(*sandbox_cast(load_program(path)))

        result = CliRunner().invoke(
            main, ["apply", "--config", str(path), "--today", "2026-01-05", "--force"]
        )

    assert result.exit_code == 0, result.output
    # the three labels the forms apply, 60 pairing issues, the pairings' ledger opened and
    # closed, the dashboard, the program's ledger opened and closed
    total = MENTEES + 8
    lines = [line for line in result.stderr.splitlines() if line.startswith("applied ")]
    assert lines == [
        f"applied 50/{total} (73%), 0 deferred",
        f"applied {total}/{total} (100%), 0 deferred",
    ]
    assert "\r" not in result.stderr


def outcome(status: Status) -> Outcome:
    key = "pair/alice--bob--2026-01-05/first-meeting"
    action = PostComment(key, "alice--bob--2026-01-05", Target(key, 1), "", Urgency.NUDGE)
    return Outcome(action, status)


def test_a_short_run_in_a_log_prints_no_progress() -> None:
    said: list[tuple[str, bool]] = []
    ticker = Ticker(lambda line, redraw: said.append((line, redraw)), terminal=False)
    ticker.planned(3)
    for _ in range(3):
        ticker.heard(outcome(Status.DONE))
    ticker.finished(0)

    assert said == []


def test_on_a_terminal_the_line_is_redrawn_after_each_write_and_stays_at_the_end() -> None:
    said: list[tuple[str, bool]] = []
    ticker = Ticker(lambda line, redraw: said.append((line, redraw)), terminal=True)
    ticker.planned(4)
    ticker.heard(outcome(Status.DONE))
    ticker.heard(outcome(Status.DEFERRED))
    ticker.finished(3)

    assert said == [
        ("applied 1/4 (25%), 0 deferred", True),
        ("applied 2/4 (50%), 1 deferred", True),
        ("applied 2/4 (50%), 3 deferred", True),
        ("", False),
    ]
