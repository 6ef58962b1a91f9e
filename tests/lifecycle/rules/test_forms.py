"""The labels the request and offer forms apply: created while the ledger does not record
them, and no longer looked for once it does."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from automation.lifecycle import ledger
from automation.lifecycle.actions import CreateLabel, EditIssueBody, OpenIssue, Urgency, to_json
from automation.lifecycle.rules import forms, plan
from automation.messages.templates import Templates
from automation.model import Issue
from tests.lifecycle.rules.world import ADOPTED, issue, observed_on, program

DAY = date(2026, 1, 6)
FORMS = ("mentorship", "mentorship-offer", "mentorship-request")


def record(labels: str | None) -> Issue:
    """The program's ledger issue as an earlier run left it, with `labels` recorded."""
    body = ledger.render_program(ADOPTED, {}, labels=labels).split("\n", 1)[1]
    return issue(
        900,
        ledger.PROGRAM,
        body=body,
        labels=("mentorship", "mentorship::ledger"),
        created=ADOPTED,
    )


def test_the_missing_labels_of_the_forms_are_created_first() -> None:
    roster = program()
    observed = replace(
        observed_on(DAY, [], [], roster, adopted=None), label_names=frozenset({"mentorship"})
    )

    actions = plan(roster, observed, DAY, Templates())

    created = [a for a in actions if isinstance(a, CreateLabel)]
    assert actions[: len(created)] == created  # before every other write of the night
    assert created == [
        CreateLabel(
            "label/mentorship-request",
            "",
            "mentorship-request",
            "108548",
            "Someone asks for a mentor (the request form)",
            Urgency.KICKOFF,
        ),
        CreateLabel(
            "label/mentorship-offer",
            "",
            "mentorship-offer",
            "6b4fbb",
            "Someone offers to mentor (the offer form)",
            Urgency.KICKOFF,
        ),
    ]
    assert [a.describe() for a in created] == [
        "create label 'mentorship-request'",
        "create label 'mentorship-offer'",
    ]
    # The program's ledger records them as made if both creations succeed.
    [opened] = [a for a in actions if isinstance(a, OpenIssue) and a.key == ledger.PROGRAM]
    assert (
        '"labels":"@if-done:mentorship,mentorship-offer,mentorship-request:'
        'label/mentorship-request|label/mentorship-offer"'
    ) in opened.draft.body


def test_labels_that_exist_are_not_created_and_are_recorded_as_found() -> None:
    roster = program()
    observed = replace(
        observed_on(DAY, [record(None)], [], roster, adopted=None),
        label_names=frozenset({*FORMS, "bug"}),
    )

    actions = plan(roster, observed, DAY, Templates())

    assert not [a for a in actions if isinstance(a, CreateLabel)]
    [edit] = [a for a in actions if a.key == ledger.PROGRAM]
    assert isinstance(edit, EditIssueBody)
    assert ledger.program_labels(edit.body) == frozenset(FORMS)


def test_labels_the_ledger_records_are_not_looked_for_and_stay_recorded() -> None:
    roster = program()
    made = ledger.labels_value(FORMS)
    observed = observed_on(DAY, [record(made)], [], roster, adopted=None)

    assert observed.labels_made == frozenset(FORMS)
    assert not forms.unknown(roster, observed)  # observe does not list the labels
    actions = plan(roster, observed, DAY, Templates())
    assert not [a for a in actions if isinstance(a, CreateLabel)]
    # (the record is written here for the dashboard this plan opens) the labels stay
    [edit] = [a for a in actions if a.key == ledger.PROGRAM]
    assert isinstance(edit, EditIssueBody)
    assert f'"labels":"{made}"' in edit.body


@pytest.mark.parametrize(
    ("recorded", "unknown"),
    [
        (None, True),  # a ledger from before the run made labels
        ("null", True),  # a creation failed: its `if_done` came out null
        ('"mentorship,mentorship-request"', True),  # the offer form came later
        ('"mentorship,mentorship-offer,mentorship-request"', False),
    ],
)
def test_the_run_lists_the_labels_until_the_ledger_records_every_one(
    recorded: str | None, unknown: bool
) -> None:
    roster = program()
    body = ledger.render_program(ADOPTED, {})
    if recorded is not None:
        body = body.replace('"issues":', f'"labels":{recorded},"issues":')
    observed = observed_on(DAY, [], [], roster, adopted=None)

    found = replace(observed, labels_made=ledger.program_labels(body))

    assert forms.unknown(roster, found) is unknown


def test_another_prefix_wants_its_own_labels() -> None:
    roster = program()
    roster = roster.model_copy(
        update={"program": roster.program.model_copy(update={"label_prefix": "sre-mentoring"})}
    )
    observed = replace(observed_on(DAY, [], [], roster, adopted=None), labels_made=frozenset(FORMS))

    assert forms.unknown(roster, observed)
    listed = replace(observed, label_names=frozenset(FORMS))
    names = [a.name for a in forms.plan(roster, listed) if isinstance(a, CreateLabel)]
    assert names == ["sre-mentoring", "sre-mentoring-request", "sre-mentoring-offer"]


def test_a_label_to_create_as_json() -> None:
    action = CreateLabel("label/x", "", "x", "108548", "what x is for", Urgency.KICKOFF)

    assert json.loads(json.dumps(to_json(action))) == {
        "kind": "create-label",
        "key": "label/x",
        "pairing": "",
        "urgency": "kickoff",
        "after": [],
        "label": {"name": "x", "color": "108548", "description": "what x is for"},
    }
