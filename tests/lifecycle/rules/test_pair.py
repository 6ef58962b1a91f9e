from __future__ import annotations

from datetime import date

from automation.lifecycle.actions import OpenIssue, Urgency
from automation.model import Draft
from tests.lifecycle.rules.world import PAIR, pair_on, pairing_issue

TODAY = date(2026, 2, 2)
GOALS = "## Goals\n\n### Learn Go\n\n- [x] tour\n- [ ] first patch\n"


def opening(part: str, body: str) -> OpenIssue:
    key = f"pair/{PAIR}/{part}"
    return OpenIssue(key, PAIR, Draft("New", body), Urgency.CHECKIN)


def test_opening_a_checkin_keeps_the_pairing_issue_checklist_parsed_before() -> None:
    pair = pair_on(TODAY, [pairing_issue(body=GOALS)])
    before = pair.checklist

    after = pair.expecting([opening("checkin/3", "Agenda\n- [ ] talk\n")])

    assert after is not pair
    assert after.checklist is before


def test_opening_the_pairing_issue_reads_the_checklist_of_the_one_opened() -> None:
    pair = pair_on(TODAY)
    assert pair.checklist is None

    after = pair.expecting([opening("pairing", GOALS)])

    assert after.checklist is not None
    assert [(goal.title, goal.done, goal.total) for goal in after.checklist.goals] == [
        ("Learn Go", 1, 2)
    ]
