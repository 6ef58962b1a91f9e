from __future__ import annotations

from datetime import date, timedelta

from automation.lifecycle import markers
from automation.lifecycle.actions import OpenIssue, PostComment, Urgency, issue_ref
from automation.model import Issue, IssueState
from tests.lifecycle.rules.world import (
    BOT,
    PAIR,
    START,
    comment,
    issue,
    lines,
    pairing_issue,
    plan_on,
    program,
)


def test_nothing_before_the_start() -> None:
    assert plan_on(START - timedelta(days=1)) == []


def test_pairing_issue_opens_on_the_start_day() -> None:
    [action] = plan_on(START)
    assert isinstance(action, OpenIssue)
    assert action.key == f"pair/{PAIR}/pairing"
    assert action.urgency is Urgency.KICKOFF
    draft = action.draft
    assert draft.title == "Mentorship: Bob & Alice"
    assert draft.labels == ("mentorship", "mentorship::active")
    assert draft.assignees == ("bob", "alice")
    assert draft.confidential is True
    found = markers.find(draft.body)
    assert found is not None
    assert found.key == f"pair/{PAIR}/pairing"
    assert "## Goals" in draft.body


def test_a_late_first_run_opens_it_and_follows_up_in_the_same_run() -> None:
    first, *rest = plan_on(START + timedelta(days=40))
    assert lines([first]) == [f"open issue 'Mentorship: Bob & Alice' [pair/{PAIR}/pairing]"]
    # Everything else acts on the new issue, so it waits for it: the current period's
    # check-in (which links it: apply fills the link in) and the stalled label. One run
    # leaves nothing for the next.
    assert [(a.key, a.after) for a in rest] == [
        (f"pair/{PAIR}/checkin/3", (f"pair/{PAIR}/pairing",)),
        (f"pair/{PAIR}/pairing/labels", (f"pair/{PAIR}/pairing",)),
    ]
    checkin = rest[0]
    assert isinstance(checkin, OpenIssue)
    assert f"[#{issue_ref(f'pair/{PAIR}/pairing', 'number')}]" in checkin.draft.body


def test_existing_pairing_issue_is_not_opened_again() -> None:
    assert plan_on(START + timedelta(days=1), [pairing_issue()]) == []


def test_a_marker_typed_by_a_human_is_not_trusted() -> None:
    forged = issue(1, f"pair/{PAIR}/pairing", author="bob")
    assert lines(plan_on(START, [forged])) == [
        f"open issue 'Mentorship: Bob & Alice' [pair/{PAIR}/pairing]"
    ]


def test_a_term_over_before_the_bot_was_adopted_is_left_alone() -> None:
    assert plan_on(date(2026, 7, 6), adopted=None) == []
    assert plan_on(date(2026, 7, 6), adopted=date(2026, 7, 5)) == []


def test_a_term_that_ended_in_a_gap_between_runs_is_opened_and_closed_in_one_run() -> None:
    actions = plan_on(date(2026, 9, 1))
    pairing, retro = f"pair/{PAIR}/pairing", f"pair/{PAIR}/retrospective/2026-07-05"
    assert [(a.key, a.after) for a in actions] == [
        (pairing, ()),
        (retro, (pairing,)),
        (f"pair/{PAIR}/completed", (retro, pairing)),
        (f"pair/{PAIR}/pairing/labels", (retro, pairing)),
        (f"{pairing}/close", (retro, f"pair/{PAIR}/completed", f"{pairing}/labels", pairing)),
    ]


MISTAKE = date(2026, 5, 20)  # an `ended:` the coordinator wrote, then took back
ENDED_EARLY = ("mentorship", "mentorship::ended-early")
STALE = f"pair/{PAIR}/retrospective/2026-05-20"
REOPENED = f"pair/{PAIR}/reopened/2026-05-20"


def _taken_back(state: IssueState = IssueState.CLOSED) -> list[Issue]:
    """The pairing issue the bot closed at the end taken back, and that end's retrospective."""
    return [
        pairing_issue(state=state, labels=ENDED_EARLY),
        issue(20, STALE, created=MISTAKE),
    ]


def test_a_pairing_issue_reopened_after_an_end_taken_back_tells_the_pair_why() -> None:
    day = MISTAKE + timedelta(days=1)
    actions = [a for a in plan_on(day, _taken_back()) if "/pairing" in a.key or "reopen" in a.key]
    reopen = f"pair/{PAIR}/pairing/reopen"
    assert lines(actions) == [
        f"reopen #1 [{reopen}]",
        f"comment on #1: reopened/2026-05-20 [{REOPENED}] after {reopen}",
        # (stalled: nobody spoke in this hand-built world)
        f"label #1 +mentorship-stalled +mentorship::active -mentorship::ended-early "
        f"[pair/{PAIR}/pairing/labels] after {REOPENED},{reopen}",
    ]
    said = actions[1]
    assert isinstance(said, PostComment)
    assert said.body.endswith(
        "@bob and @alice, this pairing goes on until 2026-07-05: program.yml no longer ends it "
        "on 2026-05-20. So this issue is open again: check-ins and reminders carry on as "
        "before, and a new retrospective opens at the end of the term.\n"
    )


def test_a_run_killed_between_the_reopen_and_its_comment_writes_it_on_the_rerun() -> None:
    # The end's label is the lasting record: still on the open issue, the comment is owed.
    day = MISTAKE + timedelta(days=2)
    actions = plan_on(day, _taken_back(IssueState.OPEN))
    assert [a.key for a in actions if a.key.startswith(f"pair/{PAIR}/reopen")] == [REOPENED]
    [labels] = [a for a in actions if a.key == f"pair/{PAIR}/pairing/labels"]
    assert labels.after == (REOPENED,)
    # Said already (a run killed before the labels): not said again.
    told = comment(1, BOT, day - timedelta(days=1), key=REOPENED)
    again = plan_on(day, _taken_back(IssueState.OPEN), [told])
    assert REOPENED not in [a.key for a in again]
    assert f"pair/{PAIR}/pairing/labels" in [a.key for a in again]
    # Once the labels are right, nothing more.
    relabelled = [pairing_issue(labels=("mentorship", "mentorship::active")), issue(20, STALE)]
    assert not [a for a in plan_on(day, relabelled, [told]) if a.key == REOPENED]


def test_an_extension_added_after_the_end_is_told_by_its_own_comment_not_twice() -> None:
    extended = program(extra="extended_until: 2026-09-01\nextension_reason: more time\n")
    done = (
        pairing_issue(state=IssueState.CLOSED, labels=("mentorship", "mentorship::completed")),
        issue(20, f"pair/{PAIR}/retrospective/2026-07-05", created=date(2026, 7, 5)),
    )
    keys = [a.key for a in plan_on(date(2026, 7, 20), done, roster=extended)]
    assert f"pair/{PAIR}/extended/2026-09-01" in keys
    assert not [k for k in keys if "/reopened/" in k]
    # The rerun after a run killed once the extension was told and labelled.
    told = comment(1, BOT, date(2026, 7, 20), key=f"pair/{PAIR}/extended/2026-09-01")
    labelled = pairing_issue(labels=("mentorship", "mentorship::completed", "mentorship-extended"))
    rerun = plan_on(date(2026, 7, 21), [labelled, done[1]], [told], roster=extended)
    assert not [a for a in rerun if "/reopened/" in a.key or "/extended/" in a.key]


def test_an_end_taken_back_on_a_term_extended_long_before_is_told_by_the_reopen() -> None:
    # The extension's comment was said months ago; its label stays through the end.
    extended = program(extra="extended_until: 2026-09-01\nextension_reason: more time\n")
    closed = pairing_issue(
        state=IssueState.CLOSED,
        labels=("mentorship", "mentorship::ended-early", "mentorship-extended"),
    )
    actions = plan_on(
        MISTAKE + timedelta(days=1), [closed, issue(20, STALE, created=MISTAKE)], roster=extended
    )
    said = [a for a in actions if a.key == REOPENED]
    assert len(said) == 1
    assert isinstance(said[0], PostComment)
    assert "goes on until 2026-09-01: program.yml no longer ends it on 2026-05-20" in said[0].body
