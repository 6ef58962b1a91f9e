from __future__ import annotations

from datetime import date, timedelta

from automation.lifecycle.actions import CloseIssue, OpenIssue, Urgency
from automation.model import CloseReason, IssueState
from tests.lifecycle.rules.world import (
    BOT,
    PAIR,
    comment,
    issue,
    lines,
    pairing_issue,
    plan_on,
    program,
)

END = date(2026, 7, 5)
RETRO = f"pair/{PAIR}/retrospective/2026-07-05"  # a retrospective per end
UNDATED = f"pair/{PAIR}/retrospective"  # as an earlier version kept it
ENDING = ("mentorship", "mentorship::ending-soon")


def test_term_end_opens_the_retrospective_before_closing_anything() -> None:
    checkin = issue(9, f"pair/{PAIR}/checkin/13", labels=("mentorship-check-in",))
    actions = plan_on(END, [pairing_issue(labels=ENDING), checkin])
    assert lines(actions) == [
        f"open issue 'Retrospective: Bob & Alice' [{RETRO}]",
        f"close #9 as completed [pair/{PAIR}/checkin/13/close] after {RETRO}",
        f"comment on #1: completed [pair/{PAIR}/completed] after {RETRO}",
        f"label #1 +mentorship::completed -mentorship::ending-soon "
        f"[pair/{PAIR}/pairing/labels] after {RETRO}",
        f"close #1 as completed [pair/{PAIR}/pairing/close] after {RETRO},"
        f"pair/{PAIR}/completed,pair/{PAIR}/pairing/labels",
    ]
    retro = actions[0]
    assert isinstance(retro, OpenIssue)
    assert retro.urgency is Urgency.TERM_END
    assert retro.draft.labels == ("mentorship", "mentorship::retrospective")


def test_a_rerun_after_a_crash_finishes_without_a_second_retrospective() -> None:
    retro = issue(20, RETRO, labels=("mentorship", "mentorship::retrospective"), created=END)
    assert lines(plan_on(END, [pairing_issue(labels=ENDING), retro])) == [
        f"comment on #1: completed [pair/{PAIR}/completed]",
        f"label #1 +mentorship::completed -mentorship::ending-soon [pair/{PAIR}/pairing/labels]",
        f"close #1 as completed [pair/{PAIR}/pairing/close] "
        f"after pair/{PAIR}/completed,pair/{PAIR}/pairing/labels",
    ]


def test_checkins_are_closed_even_after_the_pairing_issue_was() -> None:
    retro = issue(20, RETRO, labels=("mentorship", "mentorship::retrospective"), created=END)
    done = pairing_issue(labels=("mentorship", "mentorship::completed"), state=IssueState.CLOSED)
    checkin = issue(9, f"pair/{PAIR}/checkin/13", labels=("mentorship-check-in",))
    assert lines(plan_on(END, [done, retro, checkin])) == [
        f"close #9 as completed [pair/{PAIR}/checkin/13/close]"
    ]


def test_nothing_left_once_closed_and_labelled() -> None:
    retro = issue(20, RETRO, labels=("mentorship", "mentorship::retrospective"), created=END)
    done = pairing_issue(labels=("mentorship", "mentorship::completed"), state=IssueState.CLOSED)
    assert plan_on(END + timedelta(days=1), [done, retro]) == []


def test_early_end_closes_as_not_planned_with_its_own_note() -> None:
    ended = program(extra="ended: 2026-03-02\nended_reason: changed teams\n")
    actions = plan_on(date(2026, 3, 2), [pairing_issue()], [], ended)
    assert [a.key for a in actions] == [
        f"pair/{PAIR}/retrospective/2026-03-02",
        f"pair/{PAIR}/ended-early",
        f"pair/{PAIR}/pairing/labels",
        f"pair/{PAIR}/pairing/close",
    ]
    close = actions[-1]
    assert isinstance(close, CloseIssue)
    assert close.reason is CloseReason.NOT_PLANNED


def test_one_reminder_when_the_retrospective_is_still_open_two_weeks_later() -> None:
    retro = issue(20, RETRO, labels=("mentorship", "mentorship::retrospective"), created=END)
    done = pairing_issue(labels=("mentorship", "mentorship::completed"), state=IssueState.CLOSED)
    due = END + timedelta(days=14)
    assert plan_on(due - timedelta(days=1), [done, retro]) == []
    assert lines(plan_on(due, [done, retro])) == [
        f"comment on #20: retrospective/2026-07-05/reminder [{RETRO}/reminder]"
    ]
    sent = comment(20, BOT, due, key=f"{RETRO}/reminder")
    assert plan_on(due + timedelta(days=1), [done, retro], [sent]) == []
    returned = issue(20, RETRO, state=IssueState.CLOSED, created=END)
    assert plan_on(due, [done, returned]) == []


def test_a_retrospective_opened_by_an_earlier_version_is_reminded_under_its_old_key() -> None:
    retro = issue(20, UNDATED, created=END)
    done = pairing_issue(labels=("mentorship", "mentorship::completed"), state=IssueState.CLOSED)
    due = END + timedelta(days=14)
    assert lines(plan_on(due, [done, retro])) == [
        f"comment on #20: retrospective-reminder [pair/{PAIR}/retrospective-reminder]"
    ]
    sent = comment(20, BOT, due, key=f"pair/{PAIR}/retrospective-reminder")
    assert plan_on(due + timedelta(days=1), [done, retro], [sent]) == []


def test_duplicate_issues_from_concurrent_runs_are_closed() -> None:
    first = pairing_issue()
    second = issue(2, f"pair/{PAIR}/pairing", created=date(2026, 1, 5))
    actions = plan_on(date(2026, 1, 6), [second, first])
    assert lines(actions) == ["close #2 as not planned [duplicate/2]"]
