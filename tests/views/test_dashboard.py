"""The program dashboard: what it shows, that it keeps to one issue's size, and that a night
writes it only when what it shows changed (through the real clients on the sandbox)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from automation.commands.demo import sandbox_cast
from automation.forge import RetryPolicy, connect
from automation.lifecycle import ledger, markers
from automation.lifecycle.actions import EditIssueBody, OpenIssue
from automation.lifecycle.ledger import PairState
from automation.lifecycle.observed import DASHBOARD, Observed, tended
from automation.lifecycle.rules import plan
from automation.lifecycle.rules.dashboard import expected
from automation.messages.templates import Templates
from automation.model import Comment, Issue, IssueState
from automation.night.run import plan_day, run_day
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox, start
from automation.views import dashboard
from automation.views.dashboard import MAX_CHARS, Detail, Previous, View
from automation.views.queue import QueueFigures
from automation.views.status import program_status
from tests.lifecycle.rules.world import at, comment, issue, observed_on

ROSTER = """\
program:
  name: Dashboard test
  report: {{include_goal_text: {goal_text}}}
forge: {{kind: gitlab, project: acme/mentoring, bot: mentorship-bot}}
people:
  - {{handle: alice, roles: [mentor]}}
  - {{handle: dave, roles: [mentor]}}
  - {{handle: bob, roles: [mentee]}}
  - {{handle: carol, roles: [mentee]}}
  - {{handle: dan, roles: [mentee]}}
  - {{handle: erin, roles: [mentee]}}
  - {{handle: fay, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05}}
  - mentor: alice
    mentee: carol
    start: 2025-09-01
    extended_until: 2026-03-12
    extension_reason: a goal slipped
  - {{mentor: alice, mentee: dan, start: 2026-02-02, private: true}}
  - {{mentor: dave, mentee: erin, start: 2025-12-01, ended: 2026-02-23, ended_reason: new team}}
  - {{mentor: dave, mentee: fay, start: 2026-04-06}}
"""
TODAY = date(2026, 3, 2)
BOB, CAROL, DAN, ERIN = (
    "alice--bob--2026-01-05",
    "alice--carol--2025-09-01",
    "alice--dan--2026-02-02",
    "dave--erin--2025-12-01",
)
BOB_GOALS = """## Goals

### Ship the runbook by 2026-04-01

- [x] Outline
- [x] Draft
- [ ] Review

### Join on-call

- [x] Shadow a shift
"""


def roster(goal_text: bool = False) -> Program:
    return parse_program(ROSTER.format(goal_text=str(goal_text).lower()), Path("program.yml"))


def forge_today(program: Program) -> Observed:
    """Bob on track and waiting for his mentor's answer, carol extended, stalled and behind
    in her last weeks, dan private, erin ended early with her retrospective open, fay not
    started."""
    issues = [
        issue(
            1,
            f"pair/{BOB}/pairing",
            body=BOB_GOALS,
            labels=(
                "mentorship",
                "mentorship::active",
                "mentorship-pace::on-track",
                "mentorship-awaiting::mentor",
            ),
        ),
        issue(
            2,
            f"pair/{CAROL}/pairing",
            body="## Goals\n\n### Learn Go\n\n- [x] Tour\n- [ ] Build a CLI\n- [ ] Ship it\n",
            labels=(
                "mentorship",
                "mentorship::ending-soon",
                "mentorship-extended",
                "mentorship-stalled",
                "mentorship-pace::behind",
            ),
        ),
        issue(
            3,
            f"pair/{DAN}/pairing",
            body="## Goals\n\n### A private goal\n\n- [ ] A secret step\n",
            labels=("mentorship", "mentorship::active"),
        ),
        issue(
            4,
            f"pair/{ERIN}/pairing",
            state=IssueState.CLOSED,
            labels=("mentorship", "mentorship::ended-early"),
        ),
        issue(
            5,
            f"pair/{ERIN}/retrospective/2026-02-23",
            labels=("mentorship", "mentorship::retrospective"),
        ),
        issue(
            6,
            None,
            body=ledger.render("ledger/2026-01", {BOB: PairState(met=(1, 2, 4))}),
            labels=("mentorship", "mentorship::ledger"),
        ),
    ]
    comments = [comment(1, "bob", date(2026, 2, 27)), comment(3, "dan", date(2026, 3, 1))]
    # The bot has tended the program since before carol's start.
    return observed_on(TODAY, issues, comments, program, adopted=date(2025, 8, 1))


def shown(program: Program, observed: Observed | None = None) -> dashboard.View:
    observed = observed or forge_today(program)
    statuses = program_status(program, observed, TODAY)
    return dashboard.view(
        program, statuses, TODAY, (p.id for p in tended(program, observed, TODAY))
    )


LAST_WEEK = Previous(
    date(2026, 2, 22),
    {
        **shown(roster()).figures,
        "running": 4,
        "ending_soon": 0,
        "ended_early": 0,
        "steps_done": 2,
    },
)

EXPECTED = """\
<!-- mentorship:v1 key=dashboard -->
# Dashboard test: dashboard

Updated 2026-03-02 by the nightly run, which edits this issue only when something on it \
changes. It shows numbers and states; goals, comments and retrospectives stay in the pairing \
issues.

| running | ending soon | upcoming | completed | ended early | stalled | behind |
| --- | --- | --- | --- | --- | --- | --- |
| 3 | 1 | 1 | 0 | 1 | 1 | 1 |

Running pairings: goal steps 4 of 8 done (50%), 1 goal reached, check-ins held 3 of 22, \
1 on an extension. Retrospectives still open, of terms ended in the last 28 days: 1.

## Since the previous update (2026-02-22)

- erin with dave: ended early
- carol with alice: ending soon
- running pairings: 4 → 3
- ending soon: 0 → 1
- pairings ended early: 0 → 1
- goal steps done in running pairings: 2 → 4
- people spoke or changed goals in 2 running pairings

## Running pairings

| mentee | mentor | week | goals | pace | quiet | next milestone |
| --- | --- | --- | --- | --- | --- | --- |
| bob | alice | 9 of 26 | ████████░░ 75% (3/4) | on track, mentor's turn | 3 days \
| midpoint review 2026-04-05 |
| carol | alice | 27 of 27 | ███░░░░░░░ 33% (1/3) | behind, stalled, extended | none seen \
| end 2026-03-12 |

quiet: days since the mentee or mentor last commented, changed their goals or edited a \
check-in, on the day of the update; none seen: not since the start, nor in the last 29 days.
mentor's or mentee's turn: a question of the other waits for their answer.

## Ending within 14 days

- carol with alice: ends 2026-03-12

## Waiting on a retrospective

Terms ended in the last 28 days, retrospective still open:

- erin with dave: ended early on 2026-02-23

## Mentors with room

1 of 2 mentors at or over their limit; 1 can take a mentee (`mentorship mentors` has the \
whole table).

| mentor | free | topics | time zone |
| --- | --- | --- | --- |
| dave | 1 |  |  |

## Mentors over their limit

- alice mentors 3 people at once now (soft limit 2)

1 private pairing is counted in the totals only.

<!-- mentorship-dashboard
{"day":"2026-03-02","figures":{"behind":1,"checkins_expected":22,"checkins_held":3,\
"completed":0,"ended_early":1,"ending_soon":1,"extended":1,"goals_reached":1,\
"mentors_at_limit":1,"on_track":1,"requests_waiting":0,"retrospectives_open":1,"running":3,"stalled":1,"steps":8,"steps_done":4,\
"upcoming":1},\
"previous":{"day":"2026-02-22","figures":{"behind":1,"checkins_expected":22,"checkins_held":3,\
"completed":0,"ended_early":0,"ending_soon":0,"extended":1,"goals_reached":1,\
"mentors_at_limit":1,"on_track":1,"requests_waiting":0,"retrospectives_open":1,"running":4,"stalled":1,"steps":8,"steps_done":2,\
"upcoming":1}},"sig":"@sign"}
-->
"""


def test_the_dashboard_of_a_small_program_shows_numbers_and_states() -> None:
    assert dashboard.render(shown(roster()), TODAY, LAST_WEEK) == EXPECTED


def test_the_first_dashboard_says_changes_show_from_the_next_update() -> None:
    body = dashboard.render(shown(roster()), TODAY, None)
    assert (
        "## Since the previous update\n\n"
        "This is the first update; the next one says what changed since.\n"
    ) in body
    stored = dashboard.parse(body)
    assert stored is not None
    assert (stored.day, stored.previous) == (TODAY, None)
    assert stored.figures == shown(roster()).figures


def test_a_private_pairing_counts_in_the_totals_and_is_named_nowhere() -> None:
    body = dashboard.render(shown(roster(goal_text=True)), TODAY, LAST_WEEK)
    assert "| 3 | 1 | 1 | 0 | 1 | 1 | 1 |" in body  # dan is one of the three running
    assert "dan" not in body
    assert "private goal" not in body
    assert "secret" not in body


def test_goal_titles_show_only_when_the_program_allows_them() -> None:
    assert "Ship the runbook" not in dashboard.render(shown(roster()), TODAY, LAST_WEEK)
    body = dashboard.render(shown(roster(goal_text=True)), TODAY, LAST_WEEK)
    assert "| goal titles |" in body
    assert "| Ship the runbook by 2026-04-01 2/3; Join on-call 1/1 |" in body
    assert "Goal titles are shown (`report.include_goal_text`)." in body


def test_goal_titles_cannot_break_the_table_or_inject_html() -> None:
    program = roster(goal_text=True)
    observed = forge_today(program)
    bob = observed.issues[f"pair/{BOB}/pairing"]
    hostile = BOB_GOALS.replace("Join on-call", 'Join | on-call <img src=x> "@ref:x"')
    issues = {**observed.issues, f"pair/{BOB}/pairing": replace(bob, body=hostile)}
    body = dashboard.render(shown(program, replace(observed, issues=issues)), TODAY, LAST_WEEK)
    assert 'Join \\| on-call <\u200bimg src=x> "@\u200bref:x" 1/1' in body


def test_an_unchanged_dashboard_is_not_rewritten_on_a_later_day() -> None:
    body = dashboard.render(shown(roster()), TODAY, LAST_WEEK)
    later = TODAY + timedelta(days=1)
    assert dashboard.update(shown(roster()), later, body) is None
    # The same words with the forge's line endings are the same dashboard.
    assert dashboard.update(shown(roster()), later, body.replace("\n", "\r\n")) is None


def test_a_changed_dashboard_says_what_changed_since_the_one_on_the_forge() -> None:
    program = roster()
    before = dashboard.render(shown(program), TODAY - timedelta(days=3), LAST_WEEK)
    observed = forge_today(program)
    carol = observed.issues[f"pair/{CAROL}/pairing"]
    unstalled = replace(carol, labels=tuple(x for x in carol.labels if x != "mentorship-stalled"))
    issues = {**observed.issues, f"pair/{CAROL}/pairing": unstalled}
    now = shown(program, replace(observed, issues=issues))
    body = dashboard.update(now, TODAY, before)
    assert body is not None
    since = body.split("## Since the previous update (2026-02-27)\n\n")[1].split("\n\n")[0]
    assert since.splitlines() == [
        "- stalled: 1 → 0",
        "- people spoke or changed goals in 1 running pairing",
    ]
    stored = dashboard.parse(body)
    assert stored is not None
    assert stored.previous == Previous(TODAY - timedelta(days=3), shown(program).figures)


def test_a_dashboard_edited_by_hand_or_damaged_is_written_again() -> None:
    body = dashboard.render(shown(roster()), TODAY, LAST_WEEK)
    edited = body.replace("| bob | alice |", "| bob (great!) | alice |")
    rewritten = dashboard.update(shown(roster()), TODAY, edited)
    assert rewritten is not None
    assert "great" not in rewritten
    damaged = body.replace('"figures":{', '"figures":[')
    fresh = dashboard.update(shown(roster()), TODAY, damaged)
    assert fresh is not None
    assert "This is the first update" in fresh


# ---------------------------------------------------------------- size


PRIVATE_EVERY = 97


def big_program(pairings: int, mentors: int = 100, mentor: str = "mentor-") -> Program:
    """Starts spread over five months: every phase at once, every mentor over the limit."""
    people = [f"  - {{handle: {mentor}{m:04}, roles: [mentor]}}" for m in range(mentors)]
    people += [f"  - {{handle: mentee-{i:04}, roles: [mentee]}}" for i in range(pairings)]
    first = date(2026, 1, 5)
    rows = [
        f"  - {{mentor: {mentor}{i % mentors:04}, mentee: mentee-{i:04}, "
        f"start: {first + timedelta(days=i * 150 // pairings)}"
        + (", private: true" if i % PRIVATE_EVERY == 0 else "")
        + "}"
        for i in range(pairings)
    ]
    text = (
        "program: {name: Big program}\n"
        "forge: {kind: gitlab, project: acme/m, bot: mentorship-bot}\n"
        "people:\n" + "\n".join(people) + "\npairings:\n" + "\n".join(rows) + "\n"
    )
    return parse_program(text, Path("program.yml"))


def big_forge(program: Program, today: date) -> Observed:
    goals = (
        "## Goals\n\n### Ship it\n\n- [x] One\n- [x] Two\n- [ ] Three\n\n### Learn\n\n- [ ] Go\n"
    )
    issues = []
    for k, pairing in enumerate(program.pairings):
        pace = "mentorship-pace::behind" if k % 3 else "mentorship-pace::on-track"
        stalled = ("mentorship-stalled",) if k % 5 == 0 else ()
        key = f"pair/{pairing.id}"
        issues.append(issue(2 * k + 1, f"{key}/pairing", body=goals, labels=(pace, *stalled)))
        if pairing.end(program.program) <= today:
            issues.append(issue(2 * k + 2, f"{key}/retrospective/{pairing.end(program.program)}"))
    return observed_on(today, issues, [], program)


def tables(body: str) -> list[list[list[str]]]:
    """Every Markdown table of `body` as rows of cells."""
    found: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*body.splitlines(), ""]:
        if line.startswith("|"):
            current.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
        elif current:
            found.append(current)
            current = []
    return found


def big_dashboard(program: Program, previous: Previous | None = None) -> tuple[str, View]:
    today = date(2026, 7, 15)
    observed = big_forge(program, today)
    statuses = program_status(program, observed, today)
    current = dashboard.view(
        program, statuses, today, (p.id for p in tended(program, observed, today))
    )
    return dashboard.render(current, today, previous), current


@pytest.mark.parametrize(
    ("pairings", "detail"),
    [(100, Detail.FULL), (500, Detail.COMPACT), (1000, Detail.MENTORS)],
)
def test_a_large_program_fits_one_issue_with_whole_tables(pairings: int, detail: Detail) -> None:
    program = big_program(pairings)
    _, current = big_dashboard(program)
    previous = Previous(date(2026, 7, 1), current.figures)
    body, _ = big_dashboard(program, previous)
    assert len(body) <= MAX_CHARS < dashboard.LIMIT
    assert body == dashboard.render_at(current, date(2026, 7, 15), previous, detail)
    for table in tables(body):
        assert {len(row) for row in table} == {len(table[0])}, table[0]
        assert set(table[1]) == {"---"}
    today = date(2026, 7, 15)
    running = {
        (p.mentee, p.mentor)
        for p in program.pairings
        if not p.private and p.start <= today < p.end(program.program)
    }
    # The totals, the running pairings, then mentors with room (when any has room).
    listed = tables(body)[1]
    if detail <= Detail.COMPACT:
        assert listed[0][:2] == ["mentee", "mentor"]
        assert sorted((row[0], row[1]) for row in listed[2:]) == sorted(running)
    else:
        assert listed[0][:2] == ["mentor", "running"]
        assert {row[0] for row in listed[2:]} == {mentor for _, mentor in running}
        assert sum(int(row[1]) for row in listed[2:]) == len(running)
    assert all(f"mentee-{i:04}" not in body for i in range(0, pairings, PRIVATE_EVERY))


def test_when_even_a_row_per_mentor_is_too_long_the_totals_remain() -> None:
    long = "a-mentor-whose-handle-is-long-enough-to-need-a-line-of-its-own-"
    program = big_program(1000, mentors=1000, mentor=long)
    body, current = big_dashboard(program)
    assert len(body) <= MAX_CHARS
    assert body == dashboard.render_at(current, date(2026, 7, 15), None, Detail.TOTALS)
    [totals] = tables(body)
    assert totals[2][0] == str(current.figures["running"])
    assert "even a row per mentor would make this issue longer than a forge allows" in body


def test_a_table_of_a_row_per_pairing_skipped_for_its_handles_would_not_have_fitted() -> None:
    long = "a-mentor-whose-handle-is-long-enough-to-need-a-line-of-its-own-"
    _, current = big_dashboard(big_program(1000, mentors=1000, mentor=long))
    assert current.handles > MAX_CHARS  # so `render` does not render these two
    for detail in (Detail.FULL, Detail.COMPACT):
        assert len(dashboard.render_at(current, date(2026, 7, 15), None, detail)) > MAX_CHARS


# ---------------------------------------------------------------- the plan


def test_the_night_opens_the_dashboard_last_showing_what_its_writes_leave() -> None:
    program = roster()
    observed = forge_today(program)
    bob = observed.issues[f"pair/{BOB}/pairing"]
    unpaced = replace(bob, labels=("mentorship", "mentorship::active"))
    observed = replace(observed, issues={**observed.issues, f"pair/{BOB}/pairing": unpaced})
    actions = plan(program, observed, TODAY, Templates())
    # Last but for the program's ledger, which records the dashboard's number.
    assert [a.key for a in actions[-2:]] == [DASHBOARD, "ledger/program"]
    opened = actions[-2]
    assert isinstance(opened, OpenIssue)
    assert (opened.key, opened.pairing, opened.after) == (DASHBOARD, "", ())
    assert opened.draft.title == "Dashboard test: dashboard"
    assert opened.draft.labels == ("mentorship", "mentorship::dashboard")
    assert opened.draft.confidential
    assert opened.draft.assignees == ()
    # Tonight labels bob on track; the dashboard shows it, as the forge will once the
    # night is done.
    assert any(a.key == f"pair/{BOB}/pace" for a in actions)
    assert "| bob | alice | 9 of 26 | ████████░░ 75% (3/4) | - |" in dashboard.render(
        shown(program, observed), TODAY, None
    )
    assert "| bob | alice | 9 of 26 | ████████░░ 75% (3/4) | on track |" in opened.draft.body


def test_once_the_night_is_done_the_dashboard_waits_for_a_change() -> None:
    program = roster()
    observed = forge_today(program)
    actions = plan(program, observed, TODAY, Templates())
    done = expected(observed, actions, TODAY, "UTC")  # the forge once the night is done
    done = replace(
        done, issues={**done.issues, DASHBOARD: replace(done.issues[DASHBOARD], number=40)}
    )
    assert [a for a in plan(program, done, TODAY, Templates()) if a.key == DASHBOARD] == []
    tomorrow = TODAY + timedelta(days=1)
    assert [a for a in plan(program, done, tomorrow, Templates()) if a.key == DASHBOARD] == []
    spoke = replace(done, activity={**done.activity, BOB: at(tomorrow)})
    [edit] = [a for a in plan(program, spoke, tomorrow, Templates()) if a.key == DASHBOARD]
    assert isinstance(edit, EditIssueBody)
    assert edit.target.number == 40
    assert "| bob | alice | 9 of 26 | ████████░░ 75% (3/4) | on track | 0 days |" in edit.body
    assert "## Since the previous update (2026-03-02)" in edit.body


def test_a_program_can_switch_the_dashboard_off() -> None:
    text = ROSTER.format(goal_text="false").replace(
        "report: {include_goal_text: false}", "report: {dashboard: false}"
    )
    program = parse_program(text, Path("program.yml"))
    actions = plan(program, forge_today(program), TODAY, Templates())
    assert actions
    assert [a for a in actions if a.key == DASHBOARD] == []


def test_comments_on_the_dashboard_are_nobodys_activity() -> None:
    program = roster()
    board = issue(40, DASHBOARD, labels=("mentorship", "mentorship::dashboard"))
    observed = observed_on(TODAY, [board], [comment(40, "bob", TODAY)], program)
    assert observed.issues[DASHBOARD].number == 40
    assert dict(observed.activity) == {}


# ---------------------------------------------------------------- on the sandbox

SANDBOX_ROSTER = """\
program:
  name: Sandbox dashboard
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/board,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, roles: [mentor]}}
  - {{handle: bob, roles: [mentee]}}
  - {{handle: carol, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05, term_months: 1}}
  - {{mentor: alice, mentee: carol, start: 2027-01-04}}
"""
START = date(2026, 1, 5)


class Night:
    def __init__(self, sandbox: RunningSandbox, program: Program) -> None:
        policy = RetryPolicy(retries=0)
        self.sandbox = sandbox
        self.program = program
        self.bot = connect(program.forge, {}, policy)
        self.bob = connect(program.forge, {"SANDBOX_TOKEN": "bob"}, policy)

    def run(self, day: date) -> list[str]:
        """The keys of what the night wrote."""
        self.sandbox.set_clock(datetime.combine(day, time(23), UTC))
        report = run_day(self.bot, self.program, day, Templates())
        assert report.failed == []
        return [o.action.key for o in report.outcomes]

    def dashboards(self) -> list[Issue]:
        return [
            i
            for i in self.bot.list_issues(labels=["mentorship::dashboard"])
            if (m := markers.find(i.body)) and m.key == DASHBOARD
        ]

    def say(self, day: date, number: int) -> Comment:
        self.sandbox.set_clock(datetime.combine(day, time(10), UTC))
        return self.bob.comment(number, "Met today, notes below.")


@pytest.fixture(params=["gitlab", "github"])
def night(request: pytest.FixtureRequest) -> Iterator[Night]:
    with start() as sandbox:
        text = SANDBOX_ROSTER.format(flavour=request.param, url=sandbox.url)
        program = parse_program(text, Path("program.yml"))
        sandbox.register_users(*sandbox_cast(program))
        yield Night(sandbox, program)


def test_a_rerun_and_a_quiet_night_leave_the_dashboard_alone(night: Night) -> None:
    assert DASHBOARD in night.run(START)
    assert plan_day(night.bot, night.program, START, Templates()) == []
    assert night.run(START) == []
    assert night.run(START + timedelta(days=1)) == []  # nothing changed: nothing written
    [board] = night.dashboards()
    assert "| bob | alice | 1 of 4 |" in board.body
    assert "| none seen |" in board.body

    pairing = next(i for i in night.bot.list_issues(labels=["mentorship::active"]))
    night.say(START + timedelta(days=2), pairing.number)
    assert night.run(START + timedelta(days=2)).count(DASHBOARD) == 1
    [edited] = night.dashboards()
    assert edited.number == board.number
    assert "| 0 days |" in edited.body
    assert "- people spoke or changed goals in 1 running pairing" in edited.body
    assert night.run(START + timedelta(days=3)) == []


def test_after_months_with_no_live_pairing_the_same_dashboard_is_edited(night: Night) -> None:
    night.run(START)
    [board] = night.dashboards()
    assert DASHBOARD in night.run(date(2026, 2, 5))  # bob's term ends
    # Bob's close-out was recorded as settled by the run that did it. Weeks later nothing
    # is tended (his follow-up's days are over too), but the dashboard's windows moved on:
    # his retrospective, open past its reminder, is no longer listed as waiting.
    assert night.run(date(2026, 3, 25)) == [DASHBOARD]
    assert night.run(date(2026, 4, 20)) == []  # nothing changed: nothing written
    # Carol starts: the dashboard was last written a year ago, long before anything else
    # the night lists, and is still found and edited rather than opened a second time.
    assert DASHBOARD in night.run(date(2027, 1, 4))
    [again] = night.dashboards()
    assert again.number == board.number
    assert "| carol | alice | 1 of 26 |" in again.body


def test_the_queue_shows_each_request_the_usual_and_longest_wait_and_time_to_a_pairing() -> None:
    program = roster()
    statuses = program_status(program, forge_today(program), TODAY)
    asked = [
        dashboard.Asked(41, "gwen", TODAY - timedelta(days=3)),
        dashboard.Asked(40, "hal", TODAY - timedelta(days=20)),
        dashboard.Asked(42, "ivy", TODAY - timedelta(days=9), ("Time zone", "People to avoid")),
    ]
    asking = QueueFigures(3, 9, 20, 4, 12, 2, 1)
    current = dashboard.view(program, statuses, TODAY, (), asked, asking)
    body = dashboard.render(current, TODAY, None)
    section = body.split("## Requests waiting for a mentor\n\n", 1)[1].split("\n\n## ", 1)[0]
    assert section.splitlines() == [
        "3 requests; the longest waits 20 days, the median 9. Requests answered lately waited "
        "12 days for their pairing (median).",
        "",
        "- #40 from hal: 20 days",
        "- #42 from ivy: 9 days; answers not read: Time zone, People to avoid",
        "- #41 from gwen: 3 days",
    ]
    assert current.figures["requests_waiting"] == 3
    summary = dashboard.render_at(current, TODAY, None, Detail.SUMMARY)
    assert "- #40" not in summary
    assert "3 requests; the longest waits 20 days, the median 9." in summary


def test_mentors_with_room_lists_only_those_who_can_take_a_mentee() -> None:
    text = ROSTER.format(goal_text="false").replace(
        "  - {handle: dave, roles: [mentor]}",
        "  - {handle: dave, roles: [mentor], topics: [go, sre], timezone: Europe/Paris}\n"
        "  - {handle: gil, roles: [mentor], away_until: 2026-06-01}",
    )
    program = parse_program(text, Path("program.yml"))
    body = dashboard.render(shown(program), TODAY, None)
    section = body.split("## Mentors with room\n\n", 1)[1].split("\n\n## ", 1)[0]
    assert section.splitlines() == [
        "1 of 3 mentors at or over their limit; 1 can take a mentee (`mentorship mentors` has "
        "the whole table).",
        "",
        "| mentor | free | topics | time zone |",
        "| --- | --- | --- | --- |",
        "| dave | 1 | go, sre | Europe/Paris |",
    ]


def test_a_change_of_mentor_counts_as_no_ended_early_and_says_so_in_the_milestones() -> None:
    roster = parse_program(
        """\
forge: {kind: gitlab, project: acme/mentoring, bot: mentorship-bot}
people:
  - {handle: alice, roles: [mentor]}
  - {handle: carol, roles: [mentor]}
  - {handle: bob, roles: [mentee]}
pairings:
  - {mentor: alice, mentee: bob, start: 2026-01-05}
  - {mentor: carol, mentee: bob, start: 2026-03-02, follows: alice, follows_reason: x}
""",
        Path("program.yml"),
    )
    today = date(2026, 3, 9)
    observed = Observed("mentorship-bot", datetime.combine(today, time(), UTC), {}, (), {}, {})
    statuses = program_status(roster, observed, today)

    totals = dashboard.figures(statuses, [], today, 28)

    assert (totals["running"], totals["ended_early"]) == (1, 0)
    assert statuses[0].milestones[-1].name == "changed mentor"
