"""A small program and hand-built forge observations for planning tests."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from automation.lifecycle import ledger, markers
from automation.lifecycle.actions import Action
from automation.lifecycle.labels import Labels
from automation.lifecycle.ledger import PairState
from automation.lifecycle.observed import (
    DASHBOARD,
    Observed,
    lookback_days,
    part_of,
    snapshot,
    start_of_day,
)
from automation.lifecycle.rules import plan
from automation.lifecycle.rules.pair import Pair
from automation.messages.templates import Templates
from automation.model import Comment, Issue, IssueState
from automation.roster.config import Program, parse_program

BOT = "mentorship-bot"
START = date(2026, 1, 5)  # a Monday; planned end 2026-07-05, midpoint 2026-04-05
ADOPTED = date(2025, 12, 1)  # the bot's first run for the program: before every start
PAIR = "alice--bob--2026-01-05"

ROSTER = """\
program:
  name: Test program
  checkin_style: {style}
  progress: {{{progress}}}
forge:
  kind: gitlab
  project: acme/mentoring
  bot: mentorship-bot
people:
  - {{handle: alice, name: Alice, roles: [mentor]}}
  - {{handle: bob, name: Bob, roles: [mentee]{away}}}
pairings:
  - mentor: alice
    mentee: bob
    start: 2026-01-05
{extra}"""


QUIET_PROGRESS = "comment: false, pace_label: false, celebrate: false, goal_nudge: false"


def program(
    style: str = "issue", extra: str = "", away: str = "", progress: str = QUIET_PROGRESS
) -> Program:
    """The test roster; progress features are off unless a test turns them on."""
    text = ROSTER.format(
        progress=progress,
        style=style,
        extra=textwrap.indent(textwrap.dedent(extra), "    "),
        away=f", away_until: {away}" if away else "",
    )
    return parse_program(text, Path("program.yml"))


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def issue(
    number: int,
    key: str | None,
    *,
    labels: Iterable[str] | None = None,
    state: IssueState = IssueState.OPEN,
    body: str = "",
    author: str = BOT,
    created: date = START,
) -> Issue:
    """An issue; the bot's, by default, with the labels the bot opens one of its kind with."""
    text = markers.attach(body, key) if key else body
    return Issue(
        number=number,
        title=f"issue {number}",
        body=text,
        state=state,
        author=author,
        labels=tuple(kind_labels(key) if labels is None else labels),
        assignees=("bob", "alice"),
        created_at=at(created),
        updated_at=at(created),
        url=f"https://gitlab.example/acme/mentoring/-/issues/{number}",
    )


def kind_labels(key: str | None) -> tuple[str, ...]:
    """The labels the bot opens the issue of `key` with (the program's prefix is the
    default `mentorship`)."""
    labels = Labels("mentorship")
    part = part_of(key) if key else None
    return {
        "pairing": (labels.program, labels.phase("active")),
        "checkin": (labels.checkin,),
        "feedback": (labels.feedback,),
        "retrospective": (labels.program, labels.retrospective),
    }.get(part or "", ())


def pairing_issue(**kwargs: object) -> Issue:
    kwargs.setdefault("labels", ("mentorship", "mentorship::active"))
    return issue(1, f"pair/{PAIR}/pairing", **kwargs)  # type: ignore[arg-type]


def comment(
    number: int, author: str, day: date, key: str | None = None, body: str = "hi"
) -> Comment:
    text = markers.attach(body, key) if key else body
    return Comment(
        id=hash((number, author, day, key)) & 0xFFFF,
        issue_number=number,
        body=text,
        author=author,
        created_at=at(day),
        updated_at=at(day),
    )


def observed_on(
    today: date,
    issues: Iterable[Issue],
    comments: Iterable[Comment],
    roster: Program,
    adopted: date | None = ADOPTED,
) -> Observed:
    """What a run sees; `adopted` is the adoption day its ledger keeps (None: first run).
    Comments older than the window are not seen: the forge lists those since its start."""
    window = start_of_day(today - timedelta(days=lookback_days(roster)), roster.program.timezone)
    if adopted is not None:
        issues = [*issues, program_record(adopted)]
    listed = [c for c in comments if c.created_at >= window]
    return snapshot(roster, BOT, issues, listed, window)


def ledger_issue(number: int, key: str, states: Mapping[str, PairState]) -> Issue:
    """A ledger issue as an earlier run left it."""
    return issue(
        number,
        key,
        body=ledger.render(key, states).split("\n", 1)[1],  # issue() adds the marker
        labels=("mentorship", "mentorship::ledger"),
        state=IssueState.CLOSED,
    )


def program_record(adopted: date, number: int = 900) -> Issue:
    """The program's ledger issue, as the bot's first run left it."""
    body = ledger.render_program(adopted, {}).split("\n", 1)[1]  # issue() adds the marker
    return issue(
        number,
        ledger.PROGRAM,
        body=body,
        labels=("mentorship", "mentorship::ledger"),
        state=IssueState.CLOSED,
        created=adopted,
    )


def plan_on(
    today: date,
    issues: Iterable[Issue] = (),
    comments: Iterable[Comment] = (),
    roster: Program | None = None,
    adopted: date | None = ADOPTED,
) -> list[Action]:
    """The whole plan of the day, without the ledger and dashboard writes
    (tests/lifecycle/rules/test_progress.py and tests/views/test_dashboard.py cover those): a test
    here states the writes of its own rule."""
    roster = roster or program()
    observed = observed_on(today, issues, comments, roster, adopted)
    actions = plan(roster, observed, today, Templates())
    return [a for a in actions if not a.key.startswith("ledger/") and a.key != DASHBOARD]


def pair_on(
    today: date,
    issues: Iterable[Issue] = (),
    comments: Iterable[Comment] = (),
    roster: Program | None = None,
    adopted: date | None = ADOPTED,
) -> Pair:
    """The pairing as one planner sees it."""
    roster = roster or program()
    observed = observed_on(today, issues, comments, roster, adopted)
    return Pair(roster, roster.pairings[0], today, observed, Templates())


def lines(actions: Iterable[Action]) -> list[str]:
    return [
        f"{a.describe()} [{a.key}]" + (f" after {','.join(a.after)}" if a.after else "")
        for a in actions
    ]
