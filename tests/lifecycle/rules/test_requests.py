"""The queue of requests for a mentor, planned from what a run observes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from automation.lifecycle.actions import PostComment, ProposeRoster, if_done
from automation.lifecycle.observed import Observed, Roster
from automation.lifecycle.rules import requests
from automation.lifecycle.rules.boxes import RosterAsk
from automation.messages.templates import Templates
from automation.model import ChangeRequest, ChangeState, Comment, Issue, IssueState
from automation.roster.config import Program, parse_program
from automation.roster.edit import Amendment
from automation.views.queue import queue as queue_of
from tests.lifecycle.rules.world import BOT, comment, issue, lines, observed_on, plan_on

ASKED = date(2026, 3, 2)
ROSTER = """\
program:
  name: Test program
  coordinators: [coco]
  requests: {{max_wait_days: 30, expire_days: 90}}
forge: {{kind: gitlab, project: acme/mentoring, bot: mentorship-bot}}
people:
  - {{handle: alice, roles: [mentor]}}
  - {{handle: dana, roles: [mentee]}}
pairings:
{pairings}"""
ANSWER = "  - {mentor: alice, mentee: dana, start: 2026-03-16, request: 12}\n"


def program(pairings: str = "  []\n") -> Program:
    return parse_program(ROSTER.format(pairings=pairings), Path("program.yml"))


def request(state: IssueState = IssueState.OPEN, *labels: str) -> Issue:
    """Dana's request, as the form opened it on ASKED (she wrote it: not the bot's)."""
    body = "### Topics\n\nkubernetes\n"
    labels = ("mentorship", "mentorship-request", *labels)
    return issue(12, None, body=body, labels=labels, state=state, author="dana", created=ASKED)


def plan(
    day: date, *issues: Issue, talk: tuple[Comment, ...] = (), roster: Program | None = None
) -> list[str]:
    return lines(plan_on(day, list(issues), list(talk), roster or program()))


def test_a_new_request_is_acknowledged_once_then_labelled_waiting() -> None:
    assert plan(ASKED, request()) == [
        "comment on #12: request/12/received [request/12/received]",
        "label #12 +mentorship-request::waiting [request/12/labels] after request/12/received",
    ]
    assert (
        plan(ASKED + timedelta(days=1), request(IssueState.OPEN, "mentorship-request::waiting"))
        == []
    )


def test_the_coordinators_hear_once_when_a_request_waits_too_long() -> None:
    waiting = request(IssueState.OPEN, "mentorship-request::waiting")
    due = ASKED + timedelta(days=30)
    assert plan(due - timedelta(days=1), waiting) == []
    assert plan(due, waiting) == ["comment on #12: request/12/waiting [request/12/waiting]"]
    told = comment(12, BOT, due, key="request/12/waiting")
    assert plan(due + timedelta(days=1), waiting, talk=(told,)) == []


def test_a_pairing_that_names_the_request_closes_it_with_a_link() -> None:
    waiting = request(IssueState.OPEN, "mentorship-request::waiting")
    answered = program(ANSWER)
    written = plan(date(2026, 3, 16), waiting, roster=answered)
    pairing = "pair/alice--dana--2026-03-16/pairing"
    assert written[0] == f"open issue 'Mentorship: dana & alice' [{pairing}]"
    assert written[-3:] == [
        f"comment on #12: request/12/matched [request/12/matched] after {pairing}",
        "label #12 +mentorship-request::matched -mentorship-request::waiting "
        "[request/12/labels] after request/12/matched",
        "close #12 as completed [request/12/close] after request/12/matched,request/12/labels",
    ]


def test_a_request_closed_by_its_author_is_withdrawn() -> None:
    closed = request(IssueState.CLOSED, "mentorship-request::waiting")
    assert plan(ASKED + timedelta(days=3), closed) == [
        "label #12 +mentorship-request::withdrawn -mentorship-request::waiting [request/12/labels]"
    ]


def test_an_unanswered_request_is_closed_kindly_when_it_expires() -> None:
    waiting = request(IssueState.OPEN, "mentorship-request::waiting")
    assert plan(ASKED + timedelta(days=90), waiting) == [
        "comment on #12: request/12/expired [request/12/expired]",
        "label #12 +mentorship-request::expired -mentorship-request::waiting "
        "[request/12/labels] after request/12/expired",
        "close #12 as not planned [request/12/close] after request/12/expired,request/12/labels",
    ]


def test_the_queue_keeps_open_unanswered_requests_and_the_usual_wait() -> None:
    roster = program(ANSWER)
    open_one = issue(
        14, None, labels=("mentorship", "mentorship-request"), author="erin", created=ASKED
    )
    matched = request(IssueState.CLOSED, "mentorship-request::matched")
    seen = observed_on(ASKED + timedelta(days=20), [open_one, matched], [], roster)
    queue = queue_of(roster, seen.requests, ASKED + timedelta(days=20))
    assert dict(queue.waiting) == {14: ASKED}


MATCHED = ROSTER.replace("roles: [mentor]}", "roles: [mentor], topics: [kubernetes]}")


def proposing(*, propose_changes: bool = False) -> Program:
    text = MATCHED.replace(
        "expire_days: 90}", f"expire_days: 90, propose_changes: {str(propose_changes).lower()}}}"
    )
    return parse_program(text.format(pairings="  []\n"), Path("program.yml"))


def proposal_key(roster: Program, day: date, *issues: Issue) -> str:
    [proposal] = requests.proposals(
        roster, observed_on(day, list(issues), [], roster), day
    ).proposals
    return f"request/12/proposal/{requests.digest(proposal)}"


def test_a_mentor_who_fits_is_proposed_once_on_the_request() -> None:
    roster = proposing()
    waiting = request(IssueState.OPEN, "mentorship-request::waiting")
    key = proposal_key(roster, ASKED, waiting)
    assert plan(ASKED, waiting, roster=roster) == [
        f"comment on #12: {key} [{key}]",
        f"label #12 +mentorship-request::proposed -mentorship-request::waiting "
        f"[request/12/labels] after {key}",
    ]
    seen = observed_on(ASKED, [waiting], [], roster)
    _, kept = requests.plan(roster, seen, ASKED, Templates(), ())
    # The ledger records it as posted only if tonight's comment is.
    assert dict(kept.proposed) == {12: if_done(key.rsplit("/", 1)[1], [key])}


def test_a_proposal_recorded_in_the_ledger_is_not_posted_again() -> None:
    roster = proposing()
    proposed = request(IssueState.OPEN, "mentorship-request::proposed")
    key = proposal_key(roster, ASKED, proposed)
    seen = replace(
        observed_on(ASKED + timedelta(days=9), [proposed], [], roster),
        proposed={12: key.rsplit("/", 1)[1]},
    )
    actions, kept = requests.plan(roster, seen, ASKED + timedelta(days=9), Templates(), ())
    assert actions == []
    assert dict(kept.proposed) == {12: key.rsplit("/", 1)[1]}
    # Another mentor proposed (the ledger names someone else): posted again.
    other = replace(seen, proposed={12: "00000000"})
    assert [a.key for a in requests.plan(roster, other, ASKED, Templates(), ())[0]] == [key]


def test_the_proposal_text_quotes_the_request_inert_and_does_not_mention_the_mentor() -> None:
    roster = proposing()
    waiting = request(IssueState.OPEN, "mentorship-request::waiting")
    seen = observed_on(ASKED, [waiting], [], roster)
    [posted, _] = requests.plan(roster, seen, ASKED, Templates(), ())[0]
    assert isinstance(posted, PostComment)
    assert "@coco" in posted.body
    assert "`alice`" in posted.body
    assert "@alice" not in posted.body
    assert "```yaml\npairings:\n" in posted.body
    assert "request: 12" in posted.body


def test_with_propose_changes_one_merge_request_adds_every_proposal() -> None:
    roster = proposing(propose_changes=True)
    text = MATCHED.format(pairings="  []\n")
    waiting = request(IssueState.OPEN, "mentorship-request::waiting")
    seen = replace(observed_on(ASKED, [waiting], [], roster), roster=Roster(text, None, None))
    actions, _ = requests.plan(roster, seen, ASKED, Templates(), ())
    [change] = [a for a in actions if isinstance(a, ProposeRoster)]
    assert change.branch == "mentorship/roster"
    assert change.path == "program.yml"
    assert change.title == "Mentorship: 1 proposed pairing"
    assert "| #12 | dana |" in change.body
    assert change.text is not None
    [added] = parse_program(change.text, Path("program.yml")).pairings
    assert (added.mentor, added.mentee, added.request) == ("alice", "dana", 12)
    # The branch and the merge request already show it: nothing to write.
    open_change = ChangeRequest(
        3,
        change.title,
        change.body,
        ChangeState.OPEN,
        "mentorship/roster",
        "main",
        "c0ffee",
        BOT,
        "https://forge.example/acme/mentoring/-/merge_requests/3",
    )
    shown = replace(seen, roster=Roster(text, change.text, open_change))
    assert not [
        a
        for a in requests.plan(roster, shown, ASKED, Templates(), ())[0]
        if isinstance(a, ProposeRoster)
    ]
    # No request left to propose for: the merge request is closed.
    gone = replace(shown, requests={})
    [closing] = requests.plan(roster, gone, ASKED, Templates(), ())[0]
    assert isinstance(closing, ProposeRoster)
    assert closing.text is None


def test_a_roster_that_does_not_validate_gets_no_merge_request() -> None:
    roster = proposing(propose_changes=True)
    waiting = request(IssueState.OPEN, "mentorship-request::waiting")
    seen = replace(
        observed_on(ASKED, [waiting], [], roster), roster=Roster("people: [", None, None)
    )
    actions, _ = requests.plan(roster, seen, ASKED, Templates(), ())
    assert not [a for a in actions if isinstance(a, ProposeRoster)]


EXTEND = "pair/alice--dana--2025-06-02/box/extend/20251120T120000Z"


def _queue_and_extension(why: str) -> tuple[Program, Observed, RosterAsk]:
    """Dana's request waiting, and her earlier pairing with alice extended with the box on
    its issue, for `why`: the roster, what the run sees, and the ask."""
    roster = proposing(propose_changes=True)
    earlier = "  - mentor: alice\n    mentee: dana\n    start: 2025-06-02\n"
    text = MATCHED.format(pairings=earlier)
    waiting = request(IssueState.OPEN, "mentorship-request::waiting")
    seen = replace(observed_on(ASKED, [waiting], [], roster), roster=Roster(text, None, None))
    fields = (("extended_until", date(2026, 1, 5)), ("extension_reason", why))
    amendment = Amendment("alice", "dana", date(2025, 6, 2), fields)
    return roster, seen, RosterAsk(EXTEND, 7, "extend", "dana", amendment)


def test_the_one_merge_request_carries_the_queue_and_the_box_asks_together() -> None:
    why = "asked for on the pairing issue by @dana on 2025-11-20"
    roster, seen, ask = _queue_and_extension(why)
    actions, _ = requests.plan(roster, seen, ASKED, Templates(), (), [ask])
    [change] = [a for a in actions if isinstance(a, ProposeRoster)]
    assert change.title == "Mentorship: 1 proposed pairing, 1 extension"
    assert "| #12 | dana |" in change.body
    assert (
        "| #7 | alice | dana | extension to 2026-01-05 | dana | "
        "`pair/alice--dana--2025-06-02/box/extend/20251120T120000Z` |"
    ) in change.body
    assert change.text is not None
    extended, added = parse_program(change.text, Path("program.yml")).pairings
    assert (extended.extended_until, extended.extension_reason) == (date(2026, 1, 5), why)
    assert added.request == 12
    # The asks alone, once the queue is empty, keep the merge request open.
    alone = replace(seen, requests={})
    [kept] = requests.plan(roster, alone, ASKED, Templates(), (), [ask])[0]
    assert isinstance(kept, ProposeRoster)
    assert kept.title == "Mentorship: 1 extension"


def test_the_title_counts_each_kind_of_change() -> None:
    def ask(name: str) -> RosterAsk:
        return RosterAsk("k", None, name, "dana", Amendment("a", "b", ASKED, ()))

    assert requests.proposal_title(2, []) == "Mentorship: 2 proposed pairings"
    assert (
        requests.proposal_title(0, [ask("end"), ask("end"), ask("extend")])
        == "Mentorship: 1 extension, 2 pairings ended"
    )


def test_a_change_that_would_not_load_is_left_out_of_the_merge_request(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # An ask whose reason holds a direction control, which program.yml refuses: merged, it
    # would break every night after. The request's proposal goes ahead alone.
    why = "asked for on the pairing issue by @dana\u202e on 2025-11-20"
    roster, seen, ask = _queue_and_extension(why)
    with caplog.at_level("WARNING"):
        actions, _ = requests.plan(roster, seen, ASKED, Templates(), (), [ask])
    [change] = [a for a in actions if isinstance(a, ProposeRoster)]
    assert change.title == "Mentorship: 1 proposed pairing"
    assert change.text is not None
    earlier_term, added = parse_program(change.text, Path("program.yml")).pairings
    assert (earlier_term.extended_until, added.request) == (None, 12)
    assert f"{EXTEND} is left out of the roster change: " in caplog.text
    # Alone, it makes no merge request at all.
    alone = replace(seen, requests={})
    assert not requests.plan(roster, alone, ASKED, Templates(), (), [ask])[0]
