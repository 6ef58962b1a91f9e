"""One person's mentoring history, as mentor and as mentee, for a promotion packet."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from automation.lifecycle.ledger import PairState
from automation.model import IssueState
from automation.roster.config import Program, parse_program
from automation.roster.source import ConfigError
from automation.views.history import (
    History,
    UnknownPerson,
    company_history,
    person_history,
    to_json,
    to_markdown,
)
from automation.views.status import PairingStatus, program_status
from tests.lifecycle.rules.world import issue, ledger_issue, observed_on

ROSTER = """\
program:
  name: Platform mentoring
  report: {{include_goal_text: {goal_text}}}
forge: {{kind: gitlab, project: acme/mentoring, bot: mentorship-bot}}
people:
  - {{handle: alice, name: Alice Liddell, roles: [mentor, mentee]}}
  - {{handle: dave, name: Dave, roles: [mentor]}}
  - {{handle: bob, name: Bob, roles: [mentee]}}
  - {{handle: carol, name: Carol, roles: [mentee]}}
  - {{handle: erin, name: Erin, roles: [mentee]}}
  - {{handle: frank, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2025-07-07}}
  - mentor: alice
    mentee: carol
    start: 2025-08-04
    extended_until: 2026-03-02
    extension_reason: a goal slipped
  - {{mentor: alice, mentee: erin, start: 2025-10-06, ended: 2025-12-15, ended_reason: new team}}
  - {{mentor: dave, mentee: alice, start: 2026-01-05}}
  - {{mentor: alice, mentee: frank, start: 2026-01-12, private: true}}
"""
TODAY = date(2026, 3, 16)
URL = "https://gitlab.example/acme/mentoring/-/issues"
DONE_GOALS = """## Goals

### Run an incident review

- [x] Shadow one
- [x] Lead one

### Join on-call by 2026-01-01

- [x] Read the runbooks
"""
HALF_GOALS = """## Goals

### Learn the billing system

- [x] Read the code
- [ ] Fix a bug
"""


def program(goal_text: bool = False) -> Program:
    return parse_program(ROSTER.format(goal_text=str(goal_text).lower()), Path("program.yml"))


def alice(goal_text: bool = False) -> History:
    roster = program(goal_text)
    bob, carol, erin, dave, frank = (p.id for p in roster.pairings)
    closed = IssueState.CLOSED
    issues = [
        issue(1, f"pair/{bob}/pairing", body=DONE_GOALS, state=closed),
        issue(2, f"pair/{bob}/retrospective/2026-01-07", state=closed),
        issue(3, f"pair/{carol}/pairing", body=HALF_GOALS, state=closed),
        issue(4, f"pair/{carol}/retrospective/2026-03-02"),
        issue(5, f"pair/{erin}/pairing", state=closed),
        issue(6, f"pair/{dave}/pairing", body=HALF_GOALS),
        issue(7, f"pair/{frank}/pairing", body=DONE_GOALS),
        ledger_issue(
            8,
            "ledger/2025-07",
            {
                bob: PairState(met=tuple(range(1, 14))),
                carol: PairState(met=(1, 2, 3, 5, 8)),
                erin: PairState(met=(1, 2)),
                dave: PairState(met=(1, 2, 3, 4, 5)),
            },
        ),
    ]
    # The bot has tended the program since before its first pairing started.
    observed = observed_on(TODAY, issues, [], roster, adopted=date(2025, 7, 1))
    return person_history(roster, program_status(roster, observed, TODAY), "alice")


EXPECTED = f"""\
# Mentoring history: Alice Liddell (alice)

Platform mentoring. As mentor: 3 terms (2 completed, 1 ended early); as mentee: 1 term \
(1 running). Goals reached: 2 of 4; goal steps done: 5 of 7 (71%). Check-ins held: 25 of 40.

## As mentor

| mentee | term | outcome | goals reached | goal steps | check-ins | issues |
| --- | --- | --- | --- | --- | --- | --- |
| Bob (bob) | 2025-07-07 to 2026-01-07 | completed | 2 of 2 | 3/3 (100%) | 13 of 14 \
| [pairing]({URL}/1), [retrospective]({URL}/2) |
| Carol (carol) | 2025-08-04 to 2026-03-02 | completed; extended from 2026-02-04: a goal slipped \
| 0 of 1 | 1/2 (50%) | 5 of 15 | [pairing]({URL}/3), [retrospective]({URL}/4) |
| Erin (erin) | 2025-10-06 to 2025-12-15 | ended early on 2025-12-15: new team \
| no goals written | - | 2 of 5 | [pairing]({URL}/5) |

## As mentee

| mentor | term | outcome | goals reached | goal steps | check-ins | issues |
| --- | --- | --- | --- | --- | --- | --- |
| Dave (dave) | 2026-01-05 to 2026-07-05 | running | 0 of 1 | 1/2 (50%) | 5 of 6 \
| [pairing]({URL}/6) |

And 1 private term as mentor, not listed.
"""


def test_a_mentors_history_lists_every_term_with_its_outcome_and_links() -> None:
    assert to_markdown(alice()) == EXPECTED


def test_goal_titles_only_when_the_program_shows_them() -> None:
    assert "Run an incident review" not in to_markdown(alice())
    shown = to_markdown(alice(goal_text=True))
    assert (
        "Goals of the term with Bob from 2025-07-07:\n"
        "- Run an incident review: 2/2 (reached)\n"
        "- Join on-call by 2026-01-01: 1/1 (reached)\n"
    ) in shown
    assert "Goals of the term with Erin" not in shown  # she wrote none


def test_the_json_history_has_every_term_and_counts_private_ones() -> None:
    data = to_json(alice())
    assert json.loads(json.dumps(data)) == data
    assert [(t["role"], t["partner"]["handle"], t["outcome"]) for t in data["terms"]] == [
        ("mentor", "bob", "completed"),
        ("mentor", "carol", "completed"),
        ("mentor", "erin", "ended early"),
        ("mentee", "dave", "running"),
    ]
    carol = data["terms"][1]
    assert carol == {
        "pairing": "alice--carol--2025-08-04",
        "role": "mentor",
        "partner": {"handle": "carol", "name": "Carol"},
        "start": "2025-08-04",
        "planned_end": "2026-02-04",
        "end": "2026-03-02",
        "outcome": "completed",
        "extended": True,
        "extension_reason": "a goal slipped",
        "ended_reason": None,
        "goals": {"count": 1, "reached": 0, "steps_done": 1, "steps": 2, "percent": 50},
        "checkins": {"held": 5, "expected": 15},
        "pairing_url": f"{URL}/3",
        "retrospective": {"state": "open", "url": f"{URL}/4"},
        "follows": None,
        "followed_by": None,
        "change_reason": None,
    }
    assert data["terms"][2]["ended_reason"] == "new team"
    assert data["terms"][0]["retrospective"]["state"] == "returned"
    assert data["private_terms"] == {"mentor": 1}
    assert "frank" not in json.dumps(data)
    titled = to_json(alice(goal_text=True))["terms"][0]["goals"]["titles"]
    assert titled[0] == {"title": "Run an incident review", "done": 2, "total": 2}


def test_a_mentee_sees_the_same_term_from_their_side() -> None:
    roster = program()
    observed = observed_on(TODAY, [], [], roster)
    bob = person_history(roster, program_status(roster, observed, TODAY), "bob")
    [term] = bob.terms
    assert (term.role, term.partner, term.partner_name) == ("mentee", "alice", "Alice Liddell")
    assert to_markdown(bob).startswith(
        "# Mentoring history: Bob (bob)\n\nPlatform mentoring. As mentee: 1 term (1 completed)."
    )


def test_someone_without_terms_has_an_empty_history() -> None:
    roster = program()
    statuses = program_status(roster, observed_on(TODAY, [], [], roster), TODAY)
    history = person_history(roster, statuses[:1], "dave")
    assert history.terms == ()
    assert "No terms to list." in to_markdown(history)


@pytest.mark.parametrize(
    ("handle", "message"),
    [
        ("alise", "'alise' is not a person in program.yml; did you mean 'alice'?"),
        ("zed", "'zed' is not a person in program.yml; check the handle under people: in it"),
    ],
)
def test_an_unknown_handle_is_a_clear_error_with_a_suggestion(handle: str, message: str) -> None:
    roster = program()
    with pytest.raises(UnknownPerson) as raised:
        person_history(roster, [], handle)
    assert isinstance(raised.value, ConfigError)  # the command reports it like a config error
    assert str(raised.value) == message


def test_a_handle_asked_in_another_case_is_the_persons_history() -> None:
    roster = program()
    statuses = program_status(roster, observed_on(TODAY, [], [], roster), TODAY)
    asked = person_history(roster, statuses, "ALICE")
    assert asked.handle == "alice"
    assert asked.terms == person_history(roster, statuses, "alice").terms != ()


CHANGED = """\
program: {name: Platform mentoring}
forge: {kind: gitlab, project: acme/mentoring, bot: mentorship-bot}
people:
  - {handle: alice, name: Alice, roles: [mentor]}
  - {handle: carol, name: Carol, roles: [mentor]}
  - {handle: bob, name: Bob, roles: [mentee]}
pairings:
  - {mentor: alice, mentee: bob, start: 2026-01-05}
  - mentor: carol
    mentee: bob
    start: 2026-03-02
    follows: alice
    follows_reason: a closer match for the new goals
"""


def statuses_of(roster_text: str) -> tuple[Program, list[PairingStatus]]:
    roster = parse_program(roster_text, Path("program.yml"))
    old, new = (p.id for p in roster.pairings)
    issues = [
        issue(1, f"pair/{old}/pairing", body=HALF_GOALS, state=IssueState.CLOSED),
        issue(2, f"pair/{old}/retrospective/2026-03-02"),
        issue(3, f"pair/{new}/pairing", body=HALF_GOALS),
    ]
    observed = observed_on(TODAY, issues, [], roster, adopted=date(2025, 12, 1))
    return roster, program_status(roster, observed, TODAY)


def changed_history(handle: str, roster_text: str = CHANGED) -> History:
    roster, statuses = statuses_of(roster_text)
    return person_history(roster, statuses, handle)


def test_a_change_of_mentor_is_one_mentorship_with_two_mentors() -> None:
    history = changed_history("bob")
    text = to_markdown(history)

    assert [[t.partner for t in j] for j in history.journeys] == [["alice", "carol"]]
    assert "As mentee: 2 terms (1 changed mentor, 1 running) in 1 mentorship." in text
    assert (
        "| Alice (alice) | 2026-01-05 to 2026-03-02 | changed mentor on 2026-03-02: a closer "
        "match for the new goals; continued with carol |"
    ) in text
    assert (
        "| Carol (carol) | 2026-03-02 to 2026-09-02 | continues from the term with alice; "
        "running |" in text
    )
    assert (
        "One mentorship from 2026-01-05: Alice (alice), 2026-01-05 to 2026-03-02, then a change "
        "of mentor: a closer match for the new goals; Carol (carol), 2026-03-02 to 2026-09-02."
    ) in text
    data = to_json(history)
    assert data["journeys"] == [["alice--bob--2026-01-05", "carol--bob--2026-03-02"]]
    assert [(t["follows"], t["followed_by"]) for t in data["terms"]] == [
        (None, "carol"),
        ("alice", None),
    ]


def test_the_old_mentor_sees_the_hand_over_in_their_history_but_not_why() -> None:
    history = changed_history("alice")
    text = to_markdown(history)

    assert "changed mentor on 2026-03-02; continued with carol" in text
    assert "As mentor: 1 term (1 changed mentor)." in text
    assert "closer match" not in text
    assert to_json(history)["terms"][0]["change_reason"] is None
    # Nor an `ended:` reason a coordinator wrote on the term the mentee left.
    ended = CHANGED.replace(
        "start: 2026-01-05", "start: 2026-01-05, ended: 2026-03-02, ended_reason: alice cancels", 1
    )
    assert "alice cancels" not in json.dumps(to_json(changed_history("alice", ended)))
    assert "alice cancels" in json.dumps(to_json(changed_history("bob", ended)))


def test_a_private_term_keeps_the_change_unsaid() -> None:
    private = CHANGED.replace("    follows: alice\n", "    follows: alice\n    private: true\n")
    history = changed_history("bob", private)

    assert [t.partner for t in history.terms] == ["alice"]
    assert history.terms[0].followed_by is None
    assert "closer match" not in to_markdown(history)


def test_across_programs_every_term_names_its_program_and_journeys_stay_in_theirs() -> None:
    platform = statuses_of(CHANGED)
    data = statuses_of(CHANGED.replace("Platform mentoring", "Data mentoring"))
    history = company_history("Acme", [platform, data], "bob")

    assert history.programs == ("Platform mentoring", "Data mentoring")
    assert [(t.program, t.partner) for t in history.terms] == [
        ("Data mentoring", "alice"),
        ("Platform mentoring", "alice"),
        ("Data mentoring", "carol"),
        ("Platform mentoring", "carol"),
    ]
    journeys = [[(t.program, t.partner) for t in j] for j in history.journeys]
    assert journeys == [
        [("Data mentoring", "alice"), ("Data mentoring", "carol")],
        [("Platform mentoring", "alice"), ("Platform mentoring", "carol")],
    ]
    text = to_markdown(history)
    assert text.startswith(
        "# Mentoring history: Bob (bob)\n\nAcme. As mentee: 4 terms (2 changed mentor, "
        "2 running) in 2 mentorships."
    )
    assert "Programs: Platform mentoring, Data mentoring.\n" in text
    assert "| program | mentor | term | outcome |" in text
    assert "| Data mentoring | Carol (carol) | 2026-03-02 to 2026-09-02 |" in text
    data_json = to_json(history)
    assert data_json["programs"] == ["Platform mentoring", "Data mentoring"]
    assert [t["program"] for t in data_json["terms"]] == [t.program for t in history.terms]


def test_across_programs_private_terms_add_up() -> None:
    roster = program()
    renamed = roster.model_copy(
        update={"program": roster.program.model_copy(update={"name": "Data mentoring"})}
    )
    observed = observed_on(TODAY, [], [], roster, adopted=date(2025, 7, 1))
    statuses = program_status(roster, observed, TODAY)
    single = person_history(roster, statuses, "alice")
    history = company_history("Acme", [(roster, statuses), (renamed, statuses)], "alice")
    assert single.private == (("mentor", 1),)
    assert history.private == (("mentor", 2),)
    assert len(history.terms) == 2 * len(single.terms)
    assert "And 2 private terms as mentor, not listed." in to_markdown(history)


def test_someone_in_no_program_gets_the_closest_handle_of_any() -> None:
    platform = statuses_of(CHANGED)
    with pytest.raises(UnknownPerson) as raised:
        company_history("Acme", [platform, (program(), [])], "fran")
    assert str(raised.value) == (
        "'fran' is not a person in any of the 2 programs; did you mean 'frank'?"
    )
