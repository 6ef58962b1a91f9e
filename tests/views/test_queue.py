"""The queue's figures: who waits and how long, how fast requests are answered, and how
full the mentors are."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from automation.model import Issue, IssueState
from automation.roster.config import Program, parse_program
from automation.views.queue import queue, queue_figures
from tests.lifecycle.rules.world import at, issue

TODAY = date(2026, 3, 16)  # a Monday
ROSTER = """\
program:
  name: Queue test
  requests: {max_wait_days: 30, expire_days: 60}
forge: {kind: gitlab, project: acme/mentoring, bot: mentorship-bot}
people:
  - {handle: alice, roles: [mentor]}
  - {handle: dave, roles: [mentor], capacity: 3}
  - {handle: ann, roles: [mentor], available: false}
  - {handle: bob, roles: [mentee]}
  - {handle: carol, roles: [mentee]}
  - {handle: erin, roles: [mentee]}
pairings:
  - {mentor: alice, mentee: bob, start: 2026-01-05, request: 1}
  - {mentor: alice, mentee: carol, start: 2026-04-06, request: 2}
  - {mentor: dave, mentee: erin, start: 2026-02-02}
"""


def program() -> Program:
    return parse_program(ROSTER, Path("program.yml"))


def asked(number: int, opened: date, closed: date | None = None) -> Issue:
    made = issue(number, None, labels=("mentorship", "mentorship-request"), created=opened)
    if closed is None:
        return made
    return replace(made, state=IssueState.CLOSED, closed_at=at(closed))


REQUESTS = {
    1: asked(1, date(2025, 12, 22), closed=date(2026, 1, 5)),  # answered after 14 days
    2: asked(2, date(2026, 3, 2)),  # answered, its pairing starts later: not waiting
    3: asked(3, date(2026, 3, 9)),  # waits 7 days
    4: asked(4, date(2026, 2, 14)),  # waits 30 days
    5: asked(5, date(2026, 1, 5)),  # 70 days: expired, no longer in the queue
    6: asked(6, date(2026, 2, 1), closed=date(2026, 2, 8)),  # withdrawn by its author
}


def test_the_queue_is_the_open_unanswered_unexpired_requests() -> None:
    assert dict(queue(program(), REQUESTS, TODAY).waiting) == {
        3: date(2026, 3, 9),
        4: date(2026, 2, 14),
    }


def test_figures_give_the_waits_the_time_to_a_pairing_and_the_full_mentors() -> None:
    figures = queue_figures(program(), REQUESTS, TODAY)
    assert (figures.waiting, figures.median_wait, figures.longest_wait) == (2, 18, 30)
    assert (figures.matched, figures.median_to_match) == (1, 14)
    # alice holds two places (bob running, carol upcoming) of two; dave one of three; ann
    # takes no one but holds no place either.
    assert (figures.mentors_at_limit, figures.mentors, figures.at_limit_percent) == (1, 3, 33)
    assert figures.by_week == ()


def test_the_queue_week_by_week_counts_requests_open_and_not_expired_on_each_monday() -> None:
    weeks = dict(queue_figures(program(), REQUESTS, TODAY, weeks=True).by_week)
    assert min(weeks) == date(2025, 12, 22)
    assert max(weeks) == TODAY
    assert weeks[date(2025, 12, 29)] == 1  # request 1
    assert weeks[date(2026, 1, 5)] == 1  # 1 closed that day; 5 opened
    assert weeks[date(2026, 2, 2)] == 2  # 5 and 6
    assert weeks[date(2026, 3, 9)] == 3  # 5 expired on 03-06; 2, 3 and 4
    assert weeks[TODAY] == 3


def test_no_requests_give_no_figures_but_the_mentors() -> None:
    figures = queue_figures(program(), {}, TODAY, weeks=True)
    assert (figures.waiting, figures.median_wait, figures.longest_wait) == (0, None, None)
    assert (figures.matched, figures.median_to_match, figures.by_week) == (0, None, ())
    assert figures.mentors == 3
    assert queue_figures(program(), {}, TODAY + timedelta(days=365)).mentors_at_limit == 0
