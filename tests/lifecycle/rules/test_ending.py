from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from automation.lifecycle.actions import Action, CloseIssue, OpenIssue, PostComment, Urgency
from automation.model import CloseReason, IssueState
from tests.lifecycle.rules.world import (
    BOT,
    PAIR,
    at,
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


MISTAKE = date(2026, 5, 20)  # an `ended:` the coordinator wrote, then took back
STALE = f"pair/{PAIR}/retrospective/2026-05-20"
REOPENED_DAY = MISTAKE + timedelta(days=1)


def _stale_actions(actions: list[Action]) -> list[Action]:
    return [a for a in actions if a.key.startswith(STALE)]


def test_a_retrospective_of_an_end_taken_back_is_closed_as_not_planned_with_a_word_of_why() -> None:
    stale = issue(20, STALE, created=MISTAKE)
    actions = _stale_actions(plan_on(REOPENED_DAY, [pairing_issue(), stale]))
    assert lines(actions) == [
        f"comment on #20: retrospective/2026-05-20/moved [{STALE}/moved]",
        f"close #20 as not planned [{STALE}/close] after {STALE}/moved",
    ]
    said = actions[0]
    assert isinstance(said, PostComment)
    assert said.body.endswith(
        "@bob and @alice, the term did not end on 2026-05-20 after all: it goes on until "
        "2026-07-05, as program.yml now says. This retrospective was opened for that end, so "
        "it is closed without answers. A new retrospective opens at the end of the term.\n"
    )
    assert "answered=no" in said.body.splitlines()[0]
    # A rerun after a lost close closes it; once closed, nothing more.
    told = comment(20, BOT, REOPENED_DAY, key=f"{STALE}/moved", body=said.body)
    assert lines(_stale_actions(plan_on(REOPENED_DAY, [pairing_issue(), stale], [told]))) == [
        f"close #20 as not planned [{STALE}/close]"
    ]
    closed = replace(stale, state=IssueState.CLOSED)
    assert _stale_actions(plan_on(REOPENED_DAY, [pairing_issue(), closed], [told])) == []


def test_a_retrospective_someone_wrote_in_is_closed_as_completed_and_kept() -> None:
    written = replace(
        issue(20, STALE, created=MISTAKE), updated_at=at(MISTAKE + timedelta(days=1), 9)
    )
    actions = _stale_actions(plan_on(REOPENED_DAY, [pairing_issue(), written]))
    assert [a.key for a in actions] == [f"{STALE}/moved", f"{STALE}/close"]
    said, close = actions
    assert isinstance(said, PostComment)
    assert isinstance(close, CloseIssue)
    assert close.reason is CloseReason.COMPLETED
    assert (
        "so it is closed: what you wrote here stays as it is, and the new retrospective links "
        "back here." in said.body
    )
    # The comment touched it too: the rerun reads the decision from the comment's marker.
    told = comment(20, BOT, REOPENED_DAY, key=f"{STALE}/moved", body="")
    told = replace(told, body=said.body)
    [again] = _stale_actions(plan_on(REOPENED_DAY, [pairing_issue(), written], [told]))
    assert isinstance(again, CloseIssue)
    assert again.reason is CloseReason.COMPLETED


def test_the_real_end_opens_a_fresh_retrospective_that_links_the_one_taken_back() -> None:
    stale = issue(20, STALE, created=MISTAKE, state=IssueState.CLOSED)
    actions = plan_on(END, [pairing_issue(labels=ENDING), stale])
    [opened] = [a for a in actions if isinstance(a, OpenIssue)]
    assert opened.key == RETRO
    assert "is complete (2026-01-05 to 2026-07-05)" in opened.draft.body
    assert (
        "An earlier retrospective, opened for an end program.yml took back (2026-05-20): "
        "[#20](https://gitlab.example/acme/mentoring/-/issues/20)" in opened.draft.body
    )
    assert _stale_actions(actions) == []


def test_a_retrospective_of_an_earlier_version_is_read_as_the_end_it_was_opened_on() -> None:
    # Opened on its end, or the night after: the term's; opened before the end the roster
    # now says: of an end taken back.
    done = pairing_issue(labels=("mentorship", "mentorship::completed"), state=IssueState.CLOSED)
    held = issue(20, UNDATED, created=END + timedelta(days=1))
    assert plan_on(END + timedelta(days=2), [done, held]) == []
    taken_back = issue(20, UNDATED, created=MISTAKE)
    keys = [a.key for a in plan_on(REOPENED_DAY, [pairing_issue(), taken_back])]
    assert [k for k in keys if k.startswith(f"{UNDATED}/")] == [
        f"{UNDATED}/moved",
        f"{UNDATED}/close",
    ]
