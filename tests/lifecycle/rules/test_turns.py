from __future__ import annotations

from datetime import date, timedelta

import pytest

from automation.lifecycle.actions import PostComment, Relabel
from automation.lifecycle.rules import status, turns
from automation.lifecycle.turns import asks
from tests.lifecycle.rules.world import (
    BOT,
    PAIR,
    START,
    comment,
    issue,
    lines,
    pair_on,
    pairing_issue,
    plan_on,
    program,
)

ACTIVE = ("mentorship", "mentorship::active")


def day(n: int) -> date:
    return START + timedelta(days=n)


def asked(who: str, n: int, on: int = 1) -> list:  # type: ignore[type-arg]
    return [comment(on, who, day(n), body="Could we meet on Friday?")]


@pytest.mark.parametrize(
    "text",
    [
        "Could we meet on Friday?",
        "Two things.\n\nIs the runbook the right goal?\n",
        "Sounds good (or Monday?)",
        "What do you think?!",
        "Ready?\r\nthanks",
        "Good session.\n\n- [ ] send me the draft by Friday",
        "Thanks!\n\nAsk: review my outline before we meet.",
        "**Action items:** read chapter 3",
        "1. TODO: book the room",
        "Your turn to pick the topic.",
        "* next step: shadow an on-call shift",
    ],
)
def test_a_question_or_an_explicit_ask_asks(text: str) -> None:
    assert asks(text)


@pytest.mark.parametrize(
    "text",
    [
        "Done, thanks.",
        "> Could we meet on Friday?\n\nYes, Friday works.",
        "```\nwhy?\n```\nFixed it.",
        "~~~~\n```\nwhy?\n~~~~\nFixed it.",
        "Run `ls -d ?` first.",
        "Notes:\n\n    what?\n",
        "<!-- why? -->Fixed it.",
        "See https://example.com/?q=1 for it.",
        "a ? b",
        "- [x] sent the draft",
        "> Ask: review my outline",
        "```\n- [ ] not a task\n```",
        "I asked: what now. Done.",
        "No request: all good, thanks.",
        "Task: none",
    ],
)
def test_quotes_code_comments_and_links_do_not_ask(text: str) -> None:
    assert not asks(text)


def test_a_mentees_question_unanswered_for_five_days_nudges_the_mentor_only() -> None:
    assert turns.plan(pair_on(day(14), [pairing_issue()], asked("bob", 10))) == []
    [nudge] = turns.plan(pair_on(day(15), [pairing_issue()], asked("bob", 10)))
    assert isinstance(nudge, PostComment)
    assert nudge.key == f"pair/{PAIR}/answer/mentor/2026-01-15"
    assert nudge.target.number == 1
    assert "@alice" in nudge.body
    assert "@bob" not in nudge.body
    assert "5 days" in nudge.body


def test_a_mentors_question_nudges_the_mentee() -> None:
    [nudge] = turns.plan(pair_on(day(15), [pairing_issue()], asked("alice", 10)))
    assert nudge.key == f"pair/{PAIR}/answer/mentee/2026-01-15"
    assert "@bob" in nudge.body
    assert "@alice" not in nudge.body


def test_a_comment_on_a_private_feedback_form_is_neither_a_question_nor_activity() -> None:
    form = issue(7, f"pair/{PAIR}/feedback/midpoint/mentee", labels=("mentorship-feedback",))
    pair = pair_on(day(16), [pairing_issue(), form], asked("bob", 10, on=7))
    assert turns.plan(pair) == []
    assert turns.awaiting(pair) is None
    assert pair.observed.activity == {}


def test_an_answer_on_a_check_in_means_no_nudge() -> None:
    checkin = issue(2, f"pair/{PAIR}/checkin/1", labels=("mentorship-check-in",))
    answered = [*asked("bob", 10), comment(2, "alice", day(12), body="Friday works.")]
    pair = pair_on(day(16), [pairing_issue(), checkin], answered)
    assert turns.plan(pair) == []
    assert turns.awaiting(pair) is None


def test_more_talk_by_the_asker_is_no_answer() -> None:
    talk = [*asked("bob", 10), comment(1, "bob", day(12), body="Also, I pushed the draft.")]
    assert [a.key for a in turns.plan(pair_on(day(15), [pairing_issue()], talk))] == [
        f"pair/{PAIR}/answer/mentor/2026-01-15"
    ]


def test_one_nudge_per_question() -> None:
    sent = comment(1, BOT, day(15), key=f"pair/{PAIR}/answer/mentor/2026-01-15")
    again = [*asked("bob", 10), sent, *asked("bob", 16)]
    assert turns.plan(pair_on(day(22), [pairing_issue()], again)) == []


def test_a_new_question_after_an_answer_is_nudged_anew() -> None:
    sent = comment(1, BOT, day(15), key=f"pair/{PAIR}/answer/mentor/2026-01-15")
    talk = [*asked("bob", 10), sent, comment(1, "alice", day(16), body="Yes."), *asked("bob", 17)]
    assert [a.key for a in turns.plan(pair_on(day(22), [pairing_issue()], talk))] == [
        f"pair/{PAIR}/answer/mentor/2026-01-22"
    ]


def test_a_nudge_past_its_catch_up_time_is_skipped() -> None:
    assert len(turns.plan(pair_on(day(28), [pairing_issue()], asked("bob", 10)))) == 1
    assert turns.plan(pair_on(day(29), [pairing_issue()], asked("bob", 10))) == []


def test_whose_turn_label_on_after_the_wait_and_off_when_answered() -> None:
    assert status.plan(pair_on(day(14), [pairing_issue()], asked("bob", 10))) == []
    assert lines(status.plan(pair_on(day(15), [pairing_issue()], asked("bob", 10)))) == [
        f"label #1 +mentorship-awaiting::mentor [pair/{PAIR}/pairing/labels]"
    ]
    labelled = pairing_issue(labels=(*ACTIVE, "mentorship-awaiting::mentor"))
    answered = [*asked("bob", 10), comment(1, "alice", day(16), body="Friday works.")]
    [off] = status.plan(pair_on(day(17), [labelled], answered))
    assert isinstance(off, Relabel)
    assert (off.add, off.remove) == ((), ("mentorship-awaiting::mentor",))


def test_an_answer_that_asks_back_turns_the_label_over() -> None:
    labelled = pairing_issue(labels=(*ACTIVE, "mentorship-awaiting::mentor"))
    back = [*asked("bob", 10), *asked("alice", 16)]
    [relabel] = status.plan(pair_on(day(21), [labelled], back))
    assert isinstance(relabel, Relabel)
    assert (relabel.add, relabel.remove) == (
        ("mentorship-awaiting::mentee",),
        ("mentorship-awaiting::mentor",),
    )


def test_the_whose_turn_label_comes_off_at_the_close() -> None:
    labelled = pairing_issue(labels=(*ACTIVE, "mentorship-awaiting::mentee"))
    end = date(2026, 7, 5)
    relabel = [a for a in plan_on(end, [labelled]) if isinstance(a, Relabel)]
    assert [r.remove for r in relabel] == [("mentorship-awaiting::mentee", "mentorship::active")]


def test_a_question_from_before_the_bot_counted_waits_from_its_first_day() -> None:
    roster = program(extra="adopted: 2026-01-20\n")
    talk = asked("bob", 10)
    assert turns.plan(pair_on(day(19), [pairing_issue()], talk, roster=roster)) == []
    [nudge] = turns.plan(pair_on(day(20), [pairing_issue()], talk, roster=roster))
    assert nudge.key == f"pair/{PAIR}/answer/mentor/2026-01-15"


def test_nobody_is_nudged_while_someone_is_away() -> None:
    pair = pair_on(day(15), [pairing_issue()], asked("bob", 10), roster=program(away="2026-03-01"))
    assert turns.plan(pair) == []


def test_a_question_by_someone_outside_the_pair_is_not_theirs() -> None:
    talk = [comment(1, "carol", day(10), body="How is it going?")]
    pair = pair_on(day(15), [pairing_issue()], talk)
    assert turns.plan(pair) == []
    assert turns.awaiting(pair) is None
