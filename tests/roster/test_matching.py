from __future__ import annotations

import itertools
import json
import random
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from automation.cli import main
from automation.roster.config import Program, parse_program
from automation.roster.edit import NewPairing, NewPerson
from automation.roster.fit import Fits, place_term
from automation.roster.matching import (
    Matching,
    days_to_match,
    greedy_match,
    match,
    next_start,
    roster_lines,
    to_json,
)
from automation.roster.request import Mode, Request

DAY = date(2026, 3, 4)  # a Wednesday
START = date(2026, 3, 9)  # the Monday after

HEAD = """\
forge: {kind: gitlab, project: acme/mentoring}
people:
"""


def roster(people: str, pairings: str = "", program: str = "") -> Program:
    text = (program and f"program:\n{textwrap.indent(program, '  ')}") + HEAD
    text += textwrap.indent(textwrap.dedent(people), "  ")
    if pairings:
        text += "pairings:\n" + textwrap.indent(textwrap.dedent(pairings), "  ")
    return parse_program(text)


def ask(number: int, handle: str, *topics: str, **fields: Any) -> Request:
    return Request(number, handle, date(2026, 2, number % 28 + 1), topics, **fields)


def proposed(matching: Matching) -> dict[int, str]:
    return {p.request.number: p.mentor for p in matching.proposals}


def reasons(matching: Matching) -> dict[int, str]:
    return {u.request.number: u.reason for u in matching.unmatched}


def test_proposes_a_mentor_with_a_free_place_and_a_shared_topic_and_says_why() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [kubernetes, go], timezone: Europe/Berlin}
        - {handle: bob, roles: [mentor], topics: [rust], timezone: Europe/Berlin}
        - {handle: carol, roles: [mentee], timezone: America/New_York}
        """)
    result = match(program, [ask(12, "carol", "Kubernetes", "sql")], DAY)
    assert result.start == START
    [proposal] = result.proposals
    assert proposal.mentor == "alice"
    assert [(t.name, round(t.points, 3), t.detail) for t in proposal.terms] == [
        ("topics", 1.5, "1 of 2: Kubernetes"),
        ("time zone", -0.5, "6h apart"),
        ("places", 1.0, "2 of 2 free"),
    ]
    assert proposal.score == 2.0
    assert proposal.pairing == NewPairing("alice", "carol", START, 12)
    assert proposal.person is None
    assert not proposal.over_limit
    assert (result.unmatched, result.warnings) == ((), ())


def test_the_next_start_is_the_monday_after() -> None:
    assert [next_start(date(2026, 3, d)) for d in (1, 2, 4, 8)] == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 9),
        date(2026, 3, 9),
    ]


def test_never_the_mentees_manager_and_the_reason_does_not_name_them() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [go]}
        - {handle: carol, roles: [mentee], manager: alice}
        """)
    result = match(program, [ask(1, "carol", "go")], DAY)
    assert result.proposals == ()
    assert reasons(result) == {
        1: "no mentor who shares a topic can take a mentee: 1 excluded (your manager, or "
        "someone you asked to avoid)"
    }


def test_the_manager_is_passed_over_for_a_worse_fit() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [go, sql]}
        - {handle: bob, roles: [mentor], topics: [go]}
        - {handle: carol, roles: [mentee], manager: alice}
        """)
    assert proposed(match(program, [ask(1, "carol", "go", "sql")], DAY)) == {1: "bob"}


def test_never_someone_the_request_asks_to_avoid() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [go]}
        - {handle: bob, roles: [mentor], topics: [go], capacity: 1}
        """)
    request = ask(1, "carol", "go", avoid=("alice",))
    assert proposed(match(program, [request], DAY)) == {1: "bob"}


def test_someone_to_avoid_is_avoided_in_any_case() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [go]}
        - {handle: bob, roles: [mentor], topics: [go], capacity: 1}
        """)
    request = ask(1, "carol", "go", avoid=("ALICE",))
    assert proposed(match(program, [request], DAY)) == {1: "bob"}


def test_a_manager_written_in_another_case_is_never_proposed() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [go]}
        - {handle: bob, roles: [mentee], manager: Alice}
        """)
    result = match(program, [ask(1, "bob", "go")], DAY)
    assert (result.proposals, list(reasons(result))) == ((), [1])


def test_the_author_of_a_request_is_their_roster_entry_in_any_case() -> None:
    # The forge reports the login as the account writes it; program.yml may not.
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [go]}
        - {handle: bob, roles: [mentor], topics: [go]}
        - {handle: carla, roles: [mentee], manager: alice, timezone: UTC}
        """)
    [proposal] = match(program, [ask(1, "Carla", "go")], DAY).proposals
    assert (proposal.mentor, proposal.person) == ("bob", None)
    assert proposal.pairing == NewPairing("bob", "carla", START, 1)


def test_a_mentor_is_not_proposed_to_themselves_in_another_case() -> None:
    program = roster("- {handle: alice, roles: [mentor, mentee], topics: [go]}\n")
    assert reasons(match(program, [ask(1, "ALICE", "go")], DAY)) == {
        1: "no mentor who shares a topic can take a mentee: you (a mentor of these topics yourself)"
    }


def test_an_earlier_mentor_is_known_whatever_case_the_request_writes() -> None:
    only_alice = REPEAT.replace(
        "topics: [go]}\n- {handle: carol", "topics: [sql]}\n- {handle: carol"
    )
    assert match(roster(only_alice, EARLIER), [ask(1, "Carol", "go")], DAY).proposals == ()


def test_a_second_request_in_another_case_waits_for_the_first() -> None:
    program = roster("- {handle: alice, roles: [mentor], topics: [go]}\n")
    result = match(program, [ask(1, "dan", "go"), ask(2, "DAN", "go")], DAY)
    assert reasons(result) == {2: "DAN asked already in request 1"}


REPEAT = """\
- {handle: alice, roles: [mentor], topics: [go]}
- {handle: bob, roles: [mentor], topics: [go]}
- {handle: carol, roles: [mentee]}
"""
EARLIER = "- {mentor: alice, mentee: carol, start: 2025-01-06}\n"


def test_a_mentor_from_an_earlier_term_is_not_proposed_unless_allowed() -> None:
    only_alice = REPEAT.replace(
        "topics: [go]}\n- {handle: carol", "topics: [sql]}\n- {handle: carol"
    )
    assert match(roster(only_alice, EARLIER), [ask(1, "carol", "go")], DAY).proposals == ()
    allowed = roster(only_alice, EARLIER, "matching: {allow_repeat: true}\n")
    [proposal] = match(allowed, [ask(1, "carol", "go")], DAY).proposals
    assert proposal.mentor == "alice"
    assert (proposal.terms[-1].name, proposal.terms[-1].points) == ("repeat", -1.0)
    assert proposal.terms[-1].detail == "mentored them before (from 2025-01-06)"


def test_a_repeat_costs_its_weight_when_allowed() -> None:
    allowed = roster(REPEAT, EARLIER, "matching: {allow_repeat: true}\n")
    # Equal in every other term, and alice first by handle: the repeat decides.
    assert proposed(match(allowed, [ask(1, "carol", "go")], DAY)) == {1: "bob"}


def test_a_mentor_of_the_mentee_already_is_never_proposed_again() -> None:
    running = "- {mentor: alice, mentee: carol, start: 2026-01-05}\n"
    program = roster(REPEAT, running, "matching: {allow_repeat: true}\n")
    assert proposed(match(program, [ask(1, "carol", "go")], DAY)) == {1: "bob"}


def test_never_over_the_limit_without_allow_over_limit() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [go], capacity: 1}
        """)
    requests = [ask(1, "carol", "go"), ask(2, "dan", "go"), ask(3, "erin", "go")]
    result = match(program, requests, DAY)
    assert proposed(result) == {1: "alice"}
    assert reasons(result) == {
        2: "the mentors who fit (alice) have no place left after the other proposals",
        3: "the mentors who fit (alice) have no place left after the other proposals",
    }


def test_over_the_limit_only_within_the_wiggle_room_and_with_a_warning() -> None:
    program = roster(
        """\
        - {handle: alice, roles: [mentor], topics: [go], capacity: 1}
        """,
        program="matching: {wiggle_room: 1}\n",
    )
    requests = [ask(1, "carol", "go"), ask(2, "dan", "go"), ask(3, "erin", "go")]
    result = match(program, requests, DAY, allow_over_limit=True)
    assert proposed(result) == {1: "alice", 2: "alice"}
    assert [p.over_limit for p in result.proposals] == [False, True]
    assert result.proposals[1].terms[2].detail == "over the limit: 2 mentees of 1"
    assert result.warnings == (
        "alice is proposed over their limit: 2 mentees of 1 (wiggle room 1), for request 2",
    )


def test_a_full_mentor_is_named_with_the_way_to_open_the_wiggle_room() -> None:
    program = roster(
        """\
        - {handle: alice, roles: [mentor], topics: [go], capacity: 1}
        - {handle: bob, roles: [mentee]}
        """,
        "- {mentor: alice, mentee: bob, start: 2026-01-05}\n",
    )
    assert reasons(match(program, [ask(1, "carol", "go")], DAY)) == {
        1: "no mentor who shares a topic can take a mentee: alice at their limit (the "
        "wiggle room is open with --allow-over-limit)"
    }


def test_the_most_requests_are_answered_where_a_greedy_choice_leaves_one_out() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [go, sql], capacity: 1}
        - {handle: bob, roles: [mentor], topics: [go], capacity: 1}
        """)
    # carol fits alice best and asked first; dan fits only alice.
    requests = [ask(1, "carol", "go", "sql"), ask(2, "dan", "sql")]
    assert proposed(greedy_match(program, requests, DAY)) == {1: "alice"}
    assert proposed(match(program, requests, DAY)) == {1: "bob", 2: "alice"}


def test_the_total_fit_beats_each_request_taking_its_best_in_turn() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [go, sql], capacity: 1}
        - {handle: bob, roles: [mentor], topics: [go, sql, rust], capacity: 1}
        """)
    # Alone, carol fits both equally and takes alice (first by handle); dan then gets bob,
    # who offers one of his two topics, where alice offers none: bob for dan is worth more.
    requests = [ask(1, "carol", "go"), ask(2, "dan", "rust", "sql")]
    greedy = greedy_match(program, requests, DAY)
    best = match(program, requests, DAY)
    assert proposed(greedy) == {1: "alice", 2: "bob"}
    assert proposed(best) == {1: "alice", 2: "bob"}
    assert best.total >= greedy.total


def test_places_spread_over_mentors_with_room() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [go]}
        - {handle: bob, roles: [mentor], topics: [go]}
        """)
    result = match(program, [ask(1, "carol", "go"), ask(2, "dan", "go")], DAY)
    assert sorted(proposed(result).values()) == ["alice", "bob"]


def test_equal_fits_go_to_the_mentor_first_by_handle_whatever_the_order() -> None:
    people = [
        "- {handle: zoe, roles: [mentor], topics: [go]}\n",
        "- {handle: adam, roles: [mentor], topics: [go]}\n",
        "- {handle: mia, roles: [mentor], topics: [go]}\n",
    ]
    for order in itertools.permutations(people):
        program = roster("".join(order))
        assert proposed(match(program, [ask(1, "carol", "go")], DAY)) == {1: "adam"}


def test_of_assignments_of_equal_fit_the_one_with_mentors_first_by_handle_wins() -> None:
    program = roster("""\
        - {handle: dan, roles: [mentor], topics: [sql, rust], capacity: 2}
        - {handle: fay, roles: [mentor], topics: [go], capacity: 1}
        - {handle: eve, roles: [mentor], topics: [sql], capacity: 1}
        - {handle: bob, roles: [mentor], topics: [go], capacity: 1}
        """)
    # Request 1 fits dan and eve equally (one topic of two, every place free); left to
    # itself the solver takes eve here.
    requests = [ask(1, "p1", "go", "sql"), ask(2, "p2", "go"), ask(3, "p3", "go")]
    result = match(program, requests, DAY)
    assert proposed(result)[1] == "dan"
    assert sorted(proposed(result).values()) == ["bob", "dan", "fay"]


def test_the_same_queue_in_any_order_gives_the_same_proposals() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [go, sql], timezone: Europe/Berlin}
        - {handle: bob, roles: [mentor], topics: [go], capacity: 1, timezone: Asia/Tokyo}
        - {handle: cy, roles: [mentor], topics: [sql, rust], timezone: UTC}
        """)
    requests = [
        ask(n, f"m{n}", *topics, timezone=zone)
        for n, topics, zone in [
            (1, ("go",), "UTC"),
            (2, ("sql",), "Asia/Tokyo"),
            (3, ("rust", "go"), None),
            (4, ("go", "sql"), "Europe/Paris"),
            (5, ("sql",), "UTC"),
        ]
    ]
    first = match(program, requests, DAY)
    shuffled = list(requests)
    random.Random(7).shuffle(shuffled)
    assert match(program, shuffled, DAY) == first


@pytest.mark.parametrize(
    ("prefer", "mentor"), [("same-team", "alice"), ("cross-team", "bob"), ("none", "alice")]
)
def test_the_team_preference_decides_between_equal_mentors(prefer: str, mentor: str) -> None:
    program = roster(
        """\
        - {handle: alice, roles: [mentor], topics: [go], team: sre}
        - {handle: bob, roles: [mentor], topics: [go], team: web}
        - {handle: carol, roles: [mentee], team: SRE}
        """,
        program=f"matching: {{prefer: {prefer}}}\n",
    )
    assert proposed(match(program, [ask(1, "carol", "go")], DAY)) == {1: mentor}


def test_time_zones_count_for_sync_requests_and_not_for_async_ones() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [go], timezone: Asia/Tokyo}
        - {handle: bob, roles: [mentor], topics: [go], timezone: America/Toronto}
        """)
    sync = ask(1, "carol", "go", timezone="America/New_York", mode=Mode.SYNC)
    assert proposed(match(program, [sync], DAY)) == {1: "bob"}
    asynchronous = ask(1, "carol", "go", timezone="America/New_York", mode=Mode.ASYNC)
    [proposal] = match(program, [asynchronous], DAY).proposals
    assert proposal.mentor == "alice"
    assert proposal.terms[1].detail == "async: no meeting to schedule"


def test_summer_time_moves_the_hours_apart() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [go], timezone: Europe/Berlin}
        """)
    request = ask(1, "carol", "go", timezone="America/New_York")
    winter = match(program, [request], date(2026, 1, 14)).proposals[0]
    spring = match(program, [request], date(2026, 3, 18)).proposals[0]  # the US moved first
    assert (winter.terms[1].detail, spring.terms[1].detail) == ("6h apart", "5h apart")


def test_unavailable_and_away_mentors_are_not_proposed_until_they_are_back() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor], topics: [go], available: false}
        - {handle: bob, roles: [mentor], topics: [go], away_until: 2026-03-20}
        """)
    result = match(program, [ask(1, "carol", "go")], DAY)
    assert reasons(result) == {
        1: "no mentor who shares a topic can take a mentee: alice not taking mentees; bob "
        "away until 2026-03-20"
    }
    later = match(program, [ask(1, "carol", "go")], DAY, start=date(2026, 3, 23))
    assert proposed(later) == {1: "bob"}


def test_requests_no_mentor_can_answer_say_why() -> None:
    program = roster("""\
        - {handle: alice, roles: [mentor, mentee], topics: [go]}
        - {handle: bob, roles: [mentor]}
        """)
    requests = [
        ask(1, "carol", "rust", "haskell"),
        ask(2, "alice", "go"),
        ask(3, "bob", "go"),
        ask(4, "dan"),
        ask(5, "carol", "go"),
    ]
    assert reasons(match(program, requests, DAY)) == {
        1: "no mentor offers these topics: rust, haskell",
        2: "no mentor who shares a topic can take a mentee: you (a mentor of these topics "
        "yourself)",
        3: "bob is in people: without the mentee role; add mentee to their roles in "
        "program.yml, then match again",
        4: "the request names no topics; add a topic or two",
        5: "carol asked already in request 1",
    }


def test_a_request_a_pairing_names_is_answered_not_matched_again() -> None:
    program = roster(
        """\
        - {handle: alice, roles: [mentor], topics: [go]}
        - {handle: carol, roles: [mentee]}
        """,
        "- {mentor: alice, mentee: carol, start: 2026-03-02, request: 7}\n",
    )
    result = match(program, [ask(7, "carol", "go")], DAY)
    assert (result.proposals, result.unmatched) == ((), ())
    assert result.answered == ((ask(7, "carol", "go"), "alice--carol--2026-03-02"),)


def test_someone_not_in_people_yet_is_added_as_a_mentee() -> None:
    program = roster("- {handle: alice, roles: [mentor], topics: [go]}\n")
    result = match(program, [ask(3, "erin", "go", timezone="Asia/Kolkata")], DAY)
    assert result.proposals[0].person == NewPerson("erin", "Asia/Kolkata")
    assert roster_lines(result) == (
        "people:\n"
        "  - handle: erin\n"
        "    roles: [mentee]\n"
        "    timezone: Asia/Kolkata\n"
        "pairings:\n"
        "  - mentor: alice\n"
        "    mentee: erin\n"
        "    start: 2026-03-09\n"
        "    request: 3\n"
    )


def test_days_from_request_to_match_come_from_the_pairings_request_numbers() -> None:
    program = roster(
        """\
        - {handle: alice, roles: [mentor], topics: [go]}
        - {handle: carol, roles: [mentee]}
        - {handle: dan, roles: [mentee]}
        """,
        "- {mentor: alice, mentee: carol, start: 2026-03-02, request: 7}\n"
        "- {mentor: alice, mentee: dan, start: 2026-03-02}\n",
    )
    requests = [Request(7, "carol", date(2026, 2, 20)), Request(8, "dan", date(2026, 2, 1))]
    assert days_to_match(program, requests) == {7: 10}


# ---------------------------------------------------------------- the command

CLI_ROSTER = """\
program:
  timezone: Europe/Berlin
forge: {kind: gitlab, project: acme/mentoring}
people:
  - {handle: alice, roles: [mentor], topics: [kubernetes, go], timezone: Europe/Berlin}
  - {handle: bob, roles: [mentor], topics: [go], capacity: 1, timezone: America/Toronto}
  - {handle: carol, roles: [mentee], manager: alice}
pairings:
  - {mentor: bob, mentee: carol, start: 2026-01-05}
"""
QUEUE = [
    {
        "number": 12,
        "handle": "erin",
        "opened": "2026-02-20",
        "topics": ["go", "kubernetes"],
        "timezone": "Europe/Paris",
        "mode": "sync",
    },
    {"number": 14, "handle": "carol", "opened": "2026-02-25", "topics": ["Go"]},
    {"number": 15, "handle": "fred", "opened": "2026-03-01", "topics": ["rust"]},
]


def run(tmp_path: Path, *args: str, queue: object = QUEUE) -> tuple[int, str, str]:
    """`mentorship match` on CLI_ROSTER and `queue` (JSON text as it is, else dumped)."""
    (tmp_path / "program.yml").write_text(CLI_ROSTER)
    (tmp_path / "queue.json").write_text(queue if isinstance(queue, str) else json.dumps(queue))
    result = CliRunner().invoke(
        main,
        [
            "match",
            "--config",
            str(tmp_path / "program.yml"),
            "--requests",
            str(tmp_path / "queue.json"),
            "--today",
            "2026-03-04",
            *args,
        ],
    )
    return result.exit_code, result.stdout, result.stderr


def test_match_command_prints_proposals_reasons_and_the_lines_to_add(tmp_path: Path) -> None:
    code, out, err = run(tmp_path)
    assert (code, err) == (0, "")
    assert out == (
        "## Proposed mentors on 2026-03-04 (terms from 2026-03-09)\n"
        "\n"
        "| request | mentee | mentor | score | why |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| 12 | erin | alice | 4.00 | topics +3.00 (2 of 2: go, kubernetes); time zone +0.00 "
        "(same hours); places +1.00 (2 of 2 free) |\n"
        "\n"
        "1 of 3 requests matched, total fit 4.00.\n"
        "\n"
        "### Not matched\n"
        "\n"
        "- request 14 (carol): no mentor who shares a topic can take a mentee: 1 excluded "
        "(your manager, or someone you asked to avoid); bob mentoring them already\n"
        "- request 15 (fred): no mentor offers these topics: rust\n"
        "\n"
        "### program.yml lines to add\n"
        "\n"
        "```yaml\n"
        "people:\n"
        "  - handle: erin\n"
        "    roles: [mentee]\n"
        "    timezone: Europe/Paris\n"
        "pairings:\n"
        "  - mentor: alice\n"
        "    mentee: erin\n"
        "    start: 2026-03-09\n"
        "    request: 12\n"
        "```\n"
    )


def test_match_command_json_and_the_over_limit_warning(tmp_path: Path) -> None:
    queue = [
        {
            "number": 20,
            "handle": "gus",
            "opened": "2026-03-01",
            "topics": ["go"],
            "avoid": ["alice"],
        }
    ]
    code, out, err = run(tmp_path, "--format", "json", "--allow-over-limit", queue=queue)
    assert code == 0
    assert err == (
        "warning: bob is proposed over their limit: 2 mentees of 1 (wiggle room 1), "
        "for request 20\n"
    )
    data = json.loads(out)
    assert data["proposals"] == [
        {
            "request": 20,
            "mentee": "gus",
            "mentor": "bob",
            "score": 1.5,
            "over_limit": True,
            "terms": [
                {"name": "topics", "points": 3.0, "detail": "1 of 1: go"},
                {"name": "time zone", "points": -0.5, "detail": "unknown"},
                {"name": "places", "points": -1.0, "detail": "over the limit: 2 mentees of 1"},
            ],
            "new_person": True,
        }
    ]
    assert data["warnings"] == [err.removeprefix("warning: ").rstrip("\n")]
    assert data["lines"].startswith("people:\n  - handle: gus\n")


def test_match_command_names_the_file_and_entry_of_a_bad_request(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, queue=[{"number": 1, "handle": "x"}])
    assert code == 1
    assert err == f"Error: {tmp_path / 'queue.json'}: [0].opened: required; add it\n"


def test_match_command_refuses_two_requests_with_one_number(tmp_path: Path) -> None:
    queue = [
        {"number": 10, "handle": "carol", "opened": "2026-02-01", "topics": ["go"]},
        {"number": 11, "handle": "dan", "opened": "2026-02-01", "topics": ["go"]},
        {"number": 10, "handle": "erin", "opened": "2026-02-02", "topics": ["go"]},
    ]
    code, out, err = run(tmp_path, queue=queue)
    assert (code, out) == (1, "")
    assert err == (
        f"Error: {tmp_path / 'queue.json'}: [2].number: request 10 is [0] already; a request "
        "issue is in the queue once: remove one of them\n"
    )


def test_match_command_names_the_line_of_invalid_json(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, queue='[\n  {"number": 1,}\n]\n')
    assert code == 1
    assert err == (
        f"Error: {tmp_path / 'queue.json'}:2: invalid JSON: Expecting property name enclosed "
        "in double quotes; fix it (a list of objects)\n"
    )


# ---------------------------------------------------------------- the assignment is optimal

TOPICS = ("go", "sql", "rust")
ZONES = (None, "UTC", "Asia/Tokyo", "America/New_York")


@st.composite
def instances(draw: st.DrawFn) -> tuple[Program, list[Request], bool]:
    mentors = draw(st.integers(1, 4))
    people = []
    for i in range(mentors):
        topics = draw(st.lists(st.sampled_from(TOPICS), min_size=1, unique=True))
        people.append(
            {
                "handle": f"m{i}",
                "roles": ["mentor"],
                "topics": topics,
                "capacity": draw(st.integers(0, 2)),
                "timezone": draw(st.sampled_from(ZONES)),
                "team": draw(st.sampled_from(["a", "b", None])),
            }
        )
    requests = []
    for n in range(1, draw(st.integers(1, 5)) + 1):
        handle = f"p{n}"
        people.append(
            {
                "handle": handle,
                "roles": ["mentee"],
                "manager": draw(st.sampled_from([None, *(f"m{i}" for i in range(mentors))])),
                "team": draw(st.sampled_from(["a", "b", None])),
            }
        )
        requests.append(
            Request(
                n,
                handle,
                date(2026, 2, draw(st.integers(1, 28))),
                tuple(draw(st.lists(st.sampled_from(TOPICS), min_size=1, unique=True))),
                timezone=draw(st.sampled_from(ZONES)),
                mode=draw(st.sampled_from(list(Mode))),
            )
        )
    rules = {
        "prefer": draw(st.sampled_from(["same-team", "cross-team", "none"])),
        "wiggle_room": draw(st.integers(0, 2)),
    }
    program = Program.model_validate(
        {
            "program": {"matching": rules},
            "forge": {"kind": "gitlab", "project": "a/b"},
            "people": people,
        }
    )
    return program, requests, draw(st.booleans())


def best_by_search(program: Program, requests: list[Request], over: bool) -> tuple[int, float]:
    """The most requests answered and the greatest fit among those, by trying every way."""
    fits = Fits.of(program, DAY, START, over, [r.timezone for r in requests])
    options = []
    for request in requests:
        possible = [c for c in fits.candidates(request) if c.excluded is None]
        options.append([None, *possible])
    weight = program.program.matching.weights.capacity
    best = (0, 0.0)
    for choice in itertools.product(*options):
        chosen = [c for c in choice if c is not None]
        taken: dict[int, int] = {}
        total = 0.0
        for candidate in chosen:
            k = taken[candidate.index] = taken.get(candidate.index, -1) + 1
            total += candidate.base + place_term(candidate.mentor, k, weight).points
        if all(taken[i] < fits.room(fits.mentors[i]) for i in taken):
            best = max(best, (len(chosen), round(total, 6)))
    return best


@given(instances())
def test_the_assignment_answers_the_most_requests_with_the_greatest_fit(
    instance: tuple[Program, list[Request], bool],
) -> None:
    program, requests, over = instance
    result = match(program, requests, DAY, allow_over_limit=over)
    count, total = best_by_search(program, requests, over)
    assert len(result.proposals) == count
    # Fits are compared in thousandths, so the total may be short by half of one per request.
    assert result.total >= total - 0.0005 * len(requests) - 1e-9
    assert len(greedy_match(program, requests, DAY, allow_over_limit=over).proposals) <= count


@given(instances())
def test_no_proposal_breaks_a_rule(instance: tuple[Program, list[Request], bool]) -> None:
    program, requests, over = instance
    result = match(program, requests, DAY, allow_over_limit=over)
    people = {p.handle: p for p in program.people}
    per_mentor: dict[str, int] = {}
    for proposal in result.proposals:
        mentor = people[proposal.mentor]
        assert people[proposal.request.handle].manager != proposal.mentor
        assert set(t.casefold() for t in mentor.topics) & {
            t.casefold() for t in proposal.request.topics
        }
        per_mentor[proposal.mentor] = per_mentor.get(proposal.mentor, 0) + 1
    for handle, count in per_mentor.items():
        limit = people[handle].capacity
        assert limit is not None
        room = limit + (program.program.matching.wiggle_room if over else 0)
        assert count <= room
        over_count = sum(p.over_limit for p in result.proposals if p.mentor == handle)
        assert over_count == max(0, count - limit)
    assert len({p.request.number for p in result.proposals}) == len(result.proposals)
    assert len(result.proposals) + len(result.unmatched) == len(requests)
    assert bool(result.warnings) == any(p.over_limit for p in result.proposals)


def test_json_lists_every_request_once(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "--format", "json")
    data = json.loads(out)
    assert code == 0
    numbers = [p["request"] for p in data["proposals"]] + [u["request"] for u in data["unmatched"]]
    assert sorted(numbers) == [12, 14, 15]
    assert data == to_json(match(parse_program(CLI_ROSTER), _requests(QUEUE), DAY))


def _requests(queue: list[dict[str, Any]]) -> list[Request]:
    from automation.roster.request import requests_from_json

    loaded, problems = requests_from_json(queue)
    assert problems == []
    return loaded
