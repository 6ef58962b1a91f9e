"""The rules' reasons: asking why changes nothing in the plan, and every rule answers once,
in the order the plan runs them."""

from __future__ import annotations

from datetime import date

import pytest

from automation.lifecycle.rules import PLANNERS, plan, rule_name
from automation.lifecycle.rules.reasons import Reasons
from automation.messages.templates import Templates
from tests.lifecycle.rules.world import PAIR, comment, observed_on, pairing_issue, program

DAYS = [
    date(2026, 1, 5),  # the first night: the pairing issue opens
    date(2026, 1, 20),  # quiet past the first-meeting nudge, a check-in due
    date(2026, 4, 6),  # the midpoint
    date(2026, 6, 25),  # ending soon
    date(2026, 7, 6),  # the end
]


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_asking_why_plans_the_same_writes_and_hears_every_rule_once(today: date) -> None:
    roster = program(away="2026-02-01")
    issues = [] if today == DAYS[0] else [pairing_issue()]
    observed = observed_on(today, issues, [comment(1, "bob", date(2026, 1, 8))], roster)
    reasons = Reasons(PAIR)

    asked = plan(roster, observed, today, Templates(), reasons)

    assert asked == plan(roster, observed, today, Templates())
    assert [d.rule for d in reasons.decisions] == [rule_name(p) for p in PLANNERS]
    mine = [a for a in asked if a.pairing == PAIR]
    assert [a for d in reasons.decisions for a in d.actions] == mine
    # A rule that writes nothing says why.
    assert all(d.actions or d.reasons for d in reasons.decisions), reasons.decisions


def test_reasons_are_kept_for_the_pairing_asked_about_only() -> None:
    roster = program()
    observed = observed_on(date(2026, 1, 20), [pairing_issue()], [], roster)
    reasons = Reasons("someone--else--2026-01-05")

    plan(roster, observed, date(2026, 1, 20), Templates(), reasons)

    assert reasons.decisions == []
