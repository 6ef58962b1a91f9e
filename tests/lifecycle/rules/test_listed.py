"""Labels taken off the bot's issues: read by their ledger numbers, put back."""

from __future__ import annotations

from datetime import timedelta

from automation.lifecycle.actions import Relabel
from automation.lifecycle.labels import Labels
from automation.lifecycle.ledger import PairState
from automation.lifecycle.observed import labels_of, unlisted
from automation.lifecycle.rules import listed
from tests.lifecycle.rules.world import (
    PAIR,
    START,
    issue,
    ledger_issue,
    observed_on,
    pairing_issue,
    program,
)

LABELS = Labels("mentorship")
RECORDED = PairState(issues=(("checkin/2", 5), ("pairing", 1), ("retrospective", 9)))


def test_each_kind_of_issue_keeps_the_labels_it_is_listed_by() -> None:
    assert labels_of(f"pair/{PAIR}/pairing", LABELS) == ("mentorship",)
    assert labels_of(f"pair/{PAIR}/retrospective/2026-07-05", LABELS) == (
        "mentorship",
        "mentorship::retrospective",
    )
    assert labels_of(f"pair/{PAIR}/checkin/3", LABELS) == ("mentorship-check-in",)
    assert labels_of(f"pair/{PAIR}/feedback/mentee/end", LABELS) == ("mentorship-feedback",)
    assert labels_of("ledger/2026-01", LABELS) == ("mentorship", "mentorship::ledger")
    assert labels_of("dashboard", LABELS) == ("mentorship", "mentorship::dashboard")
    assert labels_of(f"pair/{PAIR}/quiet/2026-02-01", LABELS) == ()


def test_an_issue_the_ledger_records_gets_back_the_labels_taken_off() -> None:
    roster = program()
    book = ledger_issue(50, "ledger/2026-01", {PAIR: RECORDED})
    bare = pairing_issue(labels=("mentorship::active",))
    observed = observed_on(START + timedelta(days=3), [bare, book], [], roster)
    assert observed.issues[f"pair/{PAIR}/pairing"].number == 1
    [action] = listed.plan(roster, observed)
    assert isinstance(action, Relabel)
    assert (action.key, action.target.number, action.add, action.remove) == (
        f"pair/{PAIR}/pairing/listed",
        1,
        ("mentorship",),
        (),
    )


def test_issues_with_their_labels_are_left_alone() -> None:
    roster = program()
    book = ledger_issue(50, "ledger/2026-01", {PAIR: RECORDED})
    observed = observed_on(START + timedelta(days=3), [pairing_issue(), book], [], roster)
    assert listed.plan(roster, observed) == []


def test_recorded_issues_a_listing_would_have_found_are_read_by_number() -> None:
    roster = program()
    book = ledger_issue(50, "ledger/2026-01", {PAIR: RECORDED})
    # Period 2 runs from day 14 (fortnightly): its check-in is listed then and in period 3.
    for day, wanted in ((20, [5, 1, 9]), (35, [5, 1, 9]), (45, [1, 9])):
        observed = observed_on(START + timedelta(days=day), [book], [], roster)
        assert unlisted(roster, observed, roster.pairings, START + timedelta(days=day)) == wanted
    # Those the listings found are not read again.
    found = [book, pairing_issue(), issue(5, f"pair/{PAIR}/checkin/2")]
    observed = observed_on(START + timedelta(days=20), found, [], roster)
    assert unlisted(roster, observed, roster.pairings, START + timedelta(days=20)) == [9]
