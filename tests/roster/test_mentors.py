from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from automation.cli import main
from automation.roster.config import Program, parse_program
from automation.roster.mentors import Mentor, at_or_over_limit, mentor_table

ROSTER = textwrap.dedent("""\
    program:
      soft_limit: 2
      matching: {wiggle_room: 1}
    forge: {kind: gitlab, project: acme/mentoring}
    people:
      - {handle: alice, roles: [mentor], topics: [kubernetes, go], team: sre,
         timezone: Europe/Berlin}
      - {handle: bob, roles: [mentor, mentee], capacity: 1, team: web}
      - {handle: carol, roles: [mentor], away_until: 2026-04-01, topics: ["a | b"]}
      - {handle: dan, roles: [mentor], available: false}
      - {handle: erin, roles: [mentor], capacity: 3}
      - {handle: fay, roles: [mentee]}
      - {handle: gus, roles: [mentee]}
      - {handle: hal, roles: [mentee]}
    pairings:
      - {mentor: alice, mentee: fay, start: 2026-01-05}
      - {mentor: alice, mentee: gus, start: 2026-04-06}
      - {mentor: bob, mentee: hal, start: 2025-01-06}
      - {mentor: bob, mentee: gus, start: 2025-11-03}
      - {mentor: bob, mentee: fay, start: 2025-06-02}
    """)
DAY = date(2026, 3, 2)


def roster() -> Program:
    return parse_program(ROSTER)


def by_handle(table: list[Mentor]) -> dict[str, Mentor]:
    return {m.handle: m for m in table}


def test_every_mentor_is_listed_in_roster_order_and_no_one_else() -> None:
    assert [m.handle for m in mentor_table(roster(), DAY)] == [
        "alice",
        "bob",
        "carol",
        "dan",
        "erin",
    ]


def test_limit_is_the_own_capacity_else_the_soft_limit() -> None:
    table = by_handle(mentor_table(roster(), DAY))
    assert [table[h].limit for h in ("alice", "bob", "erin")] == [2, 1, 3]


def test_running_and_upcoming_terms_hold_places_ended_ones_do_not() -> None:
    table = by_handle(mentor_table(roster(), DAY))
    alice, bob = table["alice"], table["bob"]
    assert (alice.active, alice.upcoming, alice.free) == (1, 1, 0)
    # bob: hal's term ended in July 2025; gus's runs; fay's ended in December 2025.
    assert (bob.active, bob.upcoming, bob.free) == (1, 0, 0)


def test_wiggle_room_is_the_room_past_the_limit_that_is_left() -> None:
    program = parse_program(ROSTER.replace("wiggle_room: 1", "wiggle_room: 2"))
    table = by_handle(mentor_table(program, DAY))
    assert (table["alice"].over_limit_room, table["erin"].over_limit_room) == (2, 2)
    # Once a mentor is past the limit, only what is left of the wiggle room counts.
    over = parse_program(
        ROSTER.replace("wiggle_room: 1", "wiggle_room: 2")
        + "  - {mentor: bob, mentee: fay, start: 2026-02-02}\n"
    )
    assert by_handle(mentor_table(over, DAY))["bob"].over_limit_room == 1


def test_status_says_who_can_take_a_mentee_and_why_not() -> None:
    table = by_handle(mentor_table(roster(), DAY))
    assert {h: m.status for h, m in table.items()} == {
        "alice": "at the limit",
        "bob": "at the limit",
        "carol": "away until 2026-04-01",
        "dan": "not taking mentees",
        "erin": "available",
    }
    assert by_handle(mentor_table(roster(), date(2026, 4, 1)))["carol"].status == "available"


def test_share_at_or_over_the_limit() -> None:
    assert at_or_over_limit(mentor_table(roster(), DAY)) == (2, 5)
    assert at_or_over_limit([]) == (0, 0)


def run(tmp_path: Path, *args: str, text: str = ROSTER) -> tuple[int, str, str]:
    """`mentorship mentors` on `text` as program.yml, today 2026-03-02."""
    path = tmp_path / "program.yml"
    path.write_text(text)
    result = CliRunner().invoke(
        main, ["mentors", "--config", str(path), "--today", "2026-03-02", *args]
    )
    return result.exit_code, result.stdout, result.stderr


def test_mentors_command_prints_the_table_in_markdown(tmp_path: Path) -> None:
    code, out, err = run(tmp_path)
    assert (code, err) == (0, "")
    assert out == (
        "## Available mentors on 2026-03-02\n"
        "\n"
        "| mentor | team | limit | active | upcoming | free | over-limit room | status | "
        "topics | time zone |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
        "| alice | sre | 2 | 1 | 1 | 0 | 1 | at the limit | kubernetes, go | Europe/Berlin |\n"
        "| bob | web | 1 | 1 | 0 | 0 | 1 | at the limit |  |  |\n"
        "| carol |  | 2 | 0 | 0 | 2 | 1 | away until 2026-04-01 | a \\| b |  |\n"
        "| dan |  | 2 | 0 | 0 | 2 | 1 | not taking mentees |  |  |\n"
        "| erin |  | 3 | 0 | 0 | 3 | 1 | available |  |  |\n"
        "\n"
        "1 of 5 mentors can take a mentee (3 free places); 2 at or over their limit\n"
    )


def test_mentors_command_as_csv(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "--format", "csv")
    assert code == 0
    assert out == (
        "mentor,team,limit,active,upcoming,free,over-limit room,status,topics,time zone\n"
        "alice,sre,2,1,1,0,1,at the limit,kubernetes; go,Europe/Berlin\n"
        "bob,web,1,1,0,0,1,at the limit,,\n"
        "carol,,2,0,0,2,1,away until 2026-04-01,a | b,\n"
        "dan,,2,0,0,2,1,not taking mentees,,\n"
        "erin,,3,0,0,3,1,available,,\n"
    )


def test_a_topic_a_spreadsheet_would_run_is_written_to_the_csv_as_text(tmp_path: Path) -> None:
    text = ROSTER.replace('topics: ["a | b"]', 'topics: ["=HYPERLINK(1)", "+go"], team: "-ops"')
    code, out, _ = run(tmp_path, "--format", "csv", text=text)
    assert code == 0
    assert "carol,'-ops,2,0,0,2,1,away until 2026-04-01,'=HYPERLINK(1); +go,\n" in out


def test_mentors_command_as_json(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["date"] == "2026-03-02"
    assert data["mentors"][0] == {
        "handle": "alice",
        "name": None,
        "team": "sre",
        "limit": 2,
        "active": 1,
        "upcoming": 1,
        "free": 0,
        "over_limit_room": 1,
        "available": True,
        "away_until": None,
        "status": "at the limit",
        "topics": ["kubernetes", "go"],
        "timezone": "Europe/Berlin",
    }
    assert [m["status"] for m in data["mentors"]][2:] == [
        "away until 2026-04-01",
        "not taking mentees",
        "available",
    ]


def test_mentors_command_reports_a_broken_roster_as_an_error(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, text=ROSTER.replace("available: false", "available: maybe"))
    assert code == 1
    assert err == (
        f"Error: {tmp_path / 'program.yml'}:10: people[3].available: Input should be a valid "
        "boolean, unable to interpret input (got 'maybe')\n"
    )
