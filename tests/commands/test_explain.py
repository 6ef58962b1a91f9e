"""`mentorship explain` and `--pairing` on both forges, through the real clients and the
sandbox: the timeline, the observed state and every rule's decision with its reason."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from automation.cli import main
from automation.commands.demo import sandbox_cast
from automation.forge import RetryPolicy, connect
from automation.roster.config import load_program
from automation.sandbox import RunningSandbox, start

BOB = "alice--bob--2026-01-05"
CAROL = "alice--carol--2026-01-05"
ROSTER = """\
program:
  name: Explain test
  timezone: UTC
  progress: {{comment: false, pace_label: false, celebrate: false, goal_nudge: false}}
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/explain,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, name: Alice, roles: [mentor]}}
  - {{handle: bob, name: Bob, roles: [mentee]{bob}}}
  - {{handle: carol, name: Carol, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05{ended}}}
  - {{mentor: alice, mentee: carol, start: 2026-01-05}}
"""


@dataclass
class Program:
    sandbox: RunningSandbox
    path: Path
    flavour: str

    def roster(self, bob: str = "", ended: str = "") -> None:
        text = ROSTER.format(flavour=self.flavour, url=self.sandbox.url, bob=bob, ended=ended)
        self.path.write_text(text)

    def run(self, *args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, [*args, "--config", str(self.path)])
        return result.exit_code, result.stdout, result.stderr

    def night(self, day: str) -> None:
        self.sandbox.set_clock(datetime.fromisoformat(f"{day}T23:00:00+00:00"))
        code, out, err = self.run("apply", "--today", day)
        assert code == 0, out + err

    def comment(self, handle: str, number: int, body: str, day: str) -> None:
        """`handle` comments on issue `number` at noon on `day`."""
        self.sandbox.set_clock(datetime.fromisoformat(f"{day}T12:00:00+00:00"))
        settings = load_program(self.path).forge
        connect(settings, {"SANDBOX_TOKEN": handle}, RetryPolicy(retries=0)).comment(number, body)

    def explain(self, pairing: str, day: str) -> list[str]:
        code, out, err = self.run("explain", pairing, "--today", day)
        assert code == 0, out + err
        return out.splitlines()


@pytest.fixture(params=["gitlab", "github"])
def program(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Program]:
    with start() as sandbox:
        sandbox.set_clock(datetime(2026, 1, 5, 23, tzinfo=UTC))
        made = Program(sandbox, tmp_path / "program.yml", request.param)
        made.roster()
        sandbox.register_users(*sandbox_cast(load_program(made.path)))
        yield made


def rule(lines: list[str], name: str) -> list[str]:
    """What the explanation says under `rules:` for one rule (its lines, its name dropped)."""
    said: list[str] = []
    current = ""
    for line in lines[lines.index("rules:") + 1 :]:
        if not line.startswith("  "):
            break
        if line[2] != " ":  # a rule's first line: its name, then what it decided
            current, _, line = line.strip().partition("  ")
        if current == name:
            said.append(line.strip())
    return said


def test_a_quiet_pairing_is_told_when_its_first_nudge_comes(program: Program) -> None:
    program.night("2026-01-05")

    lines = program.explain(BOB, "2026-01-10")

    assert lines[0] == f"{BOB}: bob with alice, on 2026-01-10: active, week 1 of 26"
    assert "  past  2026-01-05  start: the pairing issue (kickoff)" in lines
    assert (
        "  now   check-ins every 14 days, 13 periods: period 1, 2026-01-05 to 2026-01-18" in lines
    )
    assert "        2026-04-05  midpoint review" in lines
    assert "        2026-06-21  ending soon: label and comment" in lines
    assert "        2026-07-05  end: retrospective, pairing issue closed" in lines
    assert "        2026-07-19  grace: one reminder if the retrospective is still open" in lines
    assert "  pairing issue: #1 (open), labels: mentorship, mentorship::active" in lines
    assert "  goals: none written yet" in lines
    assert rule(lines, "nudges") == [
        "nothing — quiet since 2026-01-05 (5 days); the first-meeting nudge after 10 quiet "
        "days, on 2026-01-15"
    ]
    assert rule(lines, "ending") == ["nothing — ends 2026-07-05, ending-soon label from 2026-06-21"]
    assert rule(lines, "kickoff") == ["nothing — the pairing issue #1 exists"]
    assert rule(lines, "milestones") == [
        "nothing — the midpoint comment is due 2026-04-05",
        "nothing — the ending-soon comment is due 2026-06-21",
    ]
    assert rule(lines, "feedback") == ["nothing — no feedback forms (program.feedback is not set)"]

    early = program.explain(BOB, "2025-12-01")
    assert early[0] == f"{BOB}: bob with alice, on 2025-12-01: upcoming, week 1 of 26"
    assert early[early.index("rules:") + 1 :] == [
        "  none ran: the run leaves it alone: the term has not started"
    ]


def test_the_last_word_and_a_question_waiting_are_shown_without_their_text(
    program: Program,
) -> None:
    program.night("2026-01-05")
    program.comment("bob", 1, "Could we meet on Tuesday @alice?", "2026-01-08")

    lines = program.explain(BOB, "2026-01-10")

    assert lines[lines.index("observed:") + 3] == (
        "  last activity: 2026-01-08 (comments: 2026-01-08 by bob, goals changed: no, "
        "check-in edited: no; comments read from 2025-12-12)"
    )
    assert "  waiting: a question of the mentee, for the mentor, since 2026-01-08" in lines
    assert rule(lines, "nudges") == [
        "nothing — quiet since 2026-01-08 (2 days); the quiet nudge after 14 quiet days, on "
        "2026-01-22"
    ]
    assert rule(lines, "turns") == [
        "nothing — a question waits for the mentor since 2026-01-08; the answer nudge is due "
        "2026-01-13"
    ]
    assert "Tuesday" not in "\n".join(lines)


def test_the_rule_that_writes_today_says_what_it_writes(program: Program) -> None:
    program.night("2026-01-05")

    lines = program.explain(BOB, "2026-01-15")

    assert rule(lines, "nudges") == ["comment on #1: first-meeting"]
    program.night("2026-01-15")
    assert rule(program.explain(BOB, "2026-01-15"), "nudges") == [
        "nothing — the first-meeting nudge for this quiet spell was posted"
    ]


def test_an_away_participant_holds_the_nudge_until_they_are_back(program: Program) -> None:
    program.roster(bob=", away_until: 2026-03-02")
    program.night("2026-01-05")

    lines = program.explain(BOB, "2026-02-01")

    assert "  away: bob away until 2026-03-02" in lines
    assert rule(lines, "nudges") == ["nothing — the nudge waits while bob is away until 2026-03-02"]
    assert rule(program.explain(CAROL, "2026-02-01"), "nudges") == ["comment on #2: first-meeting"]


def test_an_ended_pairing_is_explained_as_closed_out(program: Program) -> None:
    program.night("2026-01-05")
    program.roster(ended=", ended: 2026-02-01, ended_reason: a new role")
    program.night("2026-02-02")

    lines = program.explain(BOB, "2026-02-03")

    assert lines[0] == f"{BOB}: bob with alice, on 2026-02-03: ended, week 4 of 4"
    assert "  past  2026-02-01  end (early): retrospective, pairing issue closed" in lines
    assert any(line.startswith("  retrospective/2026-02-01: #") for line in lines)
    assert rule(lines, "ending")[0] == (
        "nothing — ended 2026-02-01: retrospective, closing note, labels and close are done"
    )
    assert rule(lines, "afterwards") == ["nothing — no messages after this term"]
    assert "midpoint review" not in "\n".join(lines)  # the term ended before it

    settled = program.explain(BOB, "2026-09-03")
    assert settled[settled.index("rules:") + 1 :] == [
        "  none ran: the run leaves it alone: the term's close-out is done and its last "
        "message was due"
    ]


def test_plan_and_apply_for_one_pairing_leave_the_rest_for_a_full_run(program: Program) -> None:
    code, out, _ = program.run("plan", "--today", "2026-01-05", "--pairing", BOB)
    assert (code, out) == (
        0,
        f"{BOB}: open issue 'Mentorship: Bob & Alice'\nplan for 2026-01-05: 1 open-issue\n",
    )

    code, out, _ = program.run("apply", "--today", "2026-01-05", "--pairing", "alice--bob")
    assert code == 0
    assert out.splitlines()[-1] == "applied for 2026-01-05: 1 open-issue"

    code, out, _ = program.run("plan", "--today", "2026-01-05")
    assert f"{BOB}:" not in out
    assert f"{CAROL}: open issue 'Mentorship: Carol & Alice'" in out


def test_an_unknown_pairing_is_an_error_with_the_close_matches(program: Program) -> None:
    code, _, err = program.run("plan", "--pairing", "alice--bobb--2026-01-05")

    assert code == 1
    assert err == (
        "Error: no pairing 'alice--bobb--2026-01-05' in program.yml: did you mean "
        f"{BOB}, {CAROL}, alice--bob? (a pairing is named mentor--mentee--start, as "
        "`mentorship plan` "
        "prints it)\n"
    )
    assert program.run("explain", "nobody")[0] == 1


def test_a_mistyped_mentor_mentee_or_a_lone_handle_is_answered_with_the_pairings_meant(
    program: Program,
) -> None:
    code, _, err = program.run("plan", "--pairing", "alice--bobb")
    assert code == 1
    assert err.startswith("Error: no pairing 'alice--bobb' in program.yml: did you mean alice--bob")
    _, _, err = program.run("explain", "Alice")
    assert err.startswith(f"Error: no pairing 'Alice' in program.yml: Alice is in {BOB}, {CAROL} (")
