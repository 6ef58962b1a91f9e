"""The write budget: the most urgent actions within a number of writes or of requests."""

from __future__ import annotations

import pytest

from automation.lifecycle.actions import (
    Action,
    OpenIssue,
    PostComment,
    ProposeRoster,
    Relabel,
    Target,
    Urgency,
    assignees_of,
    budget,
    requests_of,
)
from automation.model import Draft

ISSUE = Target("pair/a/pairing", 7)


def relabel(key: str, add: tuple[str, ...], remove: tuple[str, ...]) -> Relabel:
    return Relabel(key, "a", ISSUE, add, remove, Urgency.LABELS)


def nudge(key: str, after: tuple[str, ...] = ()) -> PostComment:
    return PostComment(key, "a", ISSUE, "hello", Urgency.NUDGE, after)


def kickoff(key: str) -> OpenIssue:
    return OpenIssue(key, "a", Draft("Pairing", "body"), Urgency.KICKOFF)


def proposal(text: str | None) -> ProposeRoster:
    return ProposeRoster("roster", "", "b", "program.yml", text, "t", "b", Urgency.HOUSEKEEPING)


@pytest.mark.parametrize(
    ("action", "github", "gitlab"),
    [
        (relabel("l", ("x",), ("y", "z")), 3, 1),  # GitHub removes labels one by one
        (relabel("l", (), ("y",)), 1, 1),
        (kickoff("k"), 1, 1),
        (nudge("n"), 1, 1),
        (proposal("pairings: []\n"), 4, 2),  # GitHub: a ref forced or made, then the file
        (proposal(None), 1, 1),
    ],
)
def test_an_action_costs_the_write_requests_it_sends(
    action: Action, github: int, gitlab: int
) -> None:
    assert (requests_of(action, "github"), requests_of(action, "gitlab")) == (github, gitlab)


def test_the_budget_keeps_the_most_urgent_first_in_plan_order() -> None:
    plan: list[Action] = [nudge("n1"), kickoff("k1"), relabel("l1", ("x",), ()), kickoff("k2")]

    kept = budget(plan, 3)

    assert [a.key for a in kept.run] == ["k1", "l1", "k2"]
    assert [a.key for a in kept.deferred] == ["n1"]


def test_a_budget_of_requests_counts_each_actions_cost() -> None:
    plan: list[Action] = [kickoff("k1"), relabel("l1", ("x",), ("y", "z")), nudge("n1")]

    kept = budget(plan, 3, lambda a: requests_of(a, "github"))

    # the relabel's three requests do not fit beside the kickoff; the nudge does
    assert [a.key for a in kept.run] == ["k1", "n1"]
    assert [a.key for a in kept.deferred] == ["l1"]


def test_an_action_waiting_for_a_deferred_one_is_deferred_with_it() -> None:
    plan: list[Action] = [kickoff("k1"), relabel("l1", ("x",), ("y", "z")), nudge("n1", ("l1",))]

    kept = budget(plan, 3, lambda a: requests_of(a, "github"))

    assert [a.key for a in kept.run] == ["k1"]
    assert [a.key for a in kept.deferred] == ["l1", "n1"]


def test_assignees_of_are_the_people_the_issues_opened_assign_each_once_in_order() -> None:
    def opening(key: str, *people: str) -> OpenIssue:
        draft = Draft("Pairing", "body", assignees=people)
        return OpenIssue(key, "a", draft, Urgency.KICKOFF)

    actions = [
        opening("pair/a/pairing", "bob", "alice"),
        nudge("pair/a/nudge"),  # a comment assigns nobody
        opening("pair/c/pairing", "carol", "alice"),
        opening("dashboard"),
    ]

    assert assignees_of(actions) == ["bob", "alice", "carol"]
    assert assignees_of([relabel("x", ("y",), ())]) == []
