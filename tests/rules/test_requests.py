"""The queue of requests for a mentor, planned from what a run observes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from automation.config import Program, parse_program
from automation.model import Comment, Issue, IssueState
from automation.rules import requests
from tests.rules.world import BOT, comment, issue, lines, observed_on, plan_on

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
    queue = requests.queue(roster, seen, ASKED + timedelta(days=20))
    assert dict(queue.waiting) == {14: ASKED}
