"""Programs played out twice: run every night (the baseline) and on a sparse schedule.

A `Scenario` is a roster that may change on a day, people who talk and tick goals, and the
nights the job runs. `play()` walks the days in lockstep: the baseline, on a forge in
memory, runs every night from the first run on; the schedule under test runs on the
sandbox through the real clients only on its nights. People act in both worlds alike, and
only where both have the pairing issue open, so the two can be compared: after every
scheduled night the state parts of the forge (README, "How a nightly run works") must be
equal, and planning again right after a run must find nothing to do.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings

from automation.forge import Forge, ForgeError, RetryPolicy, connect
from automation.forge.cached import kept
from automation.lifecycle import boxes, markers, retrospectives
from automation.lifecycle.observed import Observed
from automation.messages.templates import Templates
from automation.model import Issue, IssueState
from automation.night.observe import read
from automation.night.run import Report, plan_day, run_day
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox
from automation.views import dashboard
from tests.convergence.memory import MemoryForge

BASE = date(2026, 1, 5)
BOT = "mentorship-bot"
TEMPLATES = Templates(Path(__file__).parent / "templates")
MENTORS = ("alice", "dave")
MENTEES = ("bob", "carol", "erin", "fay")

# Short terms and short spells, so a whole lifecycle fits in weeks.
HEAD = """\
program:
  name: Convergence
  checkin_every_days: 7
  ending_soon_days: 5
  retrospective_reminder_days: 5
  stale: {{first_meeting_days: 5, nudge_days: 8, stalled_days: 14}}
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/converge,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, roles: [mentor]}}
  - {{handle: dave, roles: [mentor]}}
  - {{handle: bob, roles: [mentee]}}
  - {{handle: carol, roles: [mentee]}}
  - {{handle: erin, roles: [mentee]}}
  - {{handle: fay, roles: [mentee]}}
pairings:
"""
OWNED = re.compile(
    r"^mentorship(::(active|ending-soon|completed|ended-early)|-stalled|-extended|-pace::.*"
    r"|-awaiting::.*)$"
)


@dataclass(frozen=True)
class Entry:
    """One pairing of the roster."""

    mentor: str
    mentee: str
    start: date
    term_months: int = 1
    ended: date | None = None
    extended_until: date | None = None

    def yaml(self) -> str:
        fields = [
            f"mentor: {self.mentor}",
            f"mentee: {self.mentee}",
            f"start: {self.start}",
            f"term_months: {self.term_months}",
        ]
        if self.ended:
            fields += [f"ended: {self.ended}", "ended_reason: changed teams"]
        if self.extended_until:
            fields += [f"extended_until: {self.extended_until}", "extension_reason: more time"]
        return "  - {" + ", ".join(fields) + "}\n"


# The boxes of the pairing issue a pair ticks: `met` and `pause` talks.
BOXES = {"met": boxes.MET, "pause": boxes.PAUSE}


@dataclass(frozen=True)
class Talk:
    """Something a pair does on a day: `comment` or `ask` (a question; mentee or mentor),
    `goals` (the mentee writes their own goal in place of the example), `tick` (the
    mentee ticks a step), or `met` and `pause` (one of them ticks that box)."""

    day: date
    mentee: str
    what: str
    by_mentor: bool = False


@dataclass(frozen=True)
class Scenario:
    rosters: tuple[tuple[date, tuple[Entry, ...]], ...]  # (from this day on, the roster)
    talks: tuple[Talk, ...]
    runs: tuple[date, ...]  # the nights the job runs, in order

    def roster_on(self, day: date) -> tuple[Entry, ...]:
        return [r for since, r in self.rosters if since <= day][-1]

    def days(self) -> Iterator[date]:
        day = self.runs[0]
        while day <= self.runs[-1]:
            yield day
            day += timedelta(days=1)


@functools.cache
def program(entries: tuple[Entry, ...], flavour: str, url: str) -> Program:
    text = HEAD.format(flavour=flavour, url=url)
    text += "".join(e.yaml() for e in entries) if entries else "  []\n"
    return parse_program(text, Path("program.yml"))


# Bounded in CI (each example plays whole programs on the sandbox twice);
# MENTORSHIP_PROPERTY_EXAMPLES raises it for a long run.
EXAMPLES = int(os.environ.get("MENTORSHIP_PROPERTY_EXAMPLES", "60"))
# A failing example of a whole program is slow to shrink; MENTORSHIP_PROPERTY_SHRINK=0
# reports the first one found as it is.
PHASES = (
    tuple(Phase)
    if os.environ.get("MENTORSHIP_PROPERTY_SHRINK", "1") == "1"
    else (Phase.explicit, Phase.reuse, Phase.generate)
)


def explored(examples: int) -> settings:
    """Settings of a property over whole programs: no deadline (a program takes a while)."""
    return settings(
        max_examples=examples,
        deadline=None,
        phases=PHASES,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# ---------------------------------------------------------------- the state parts


def state(forge: Forge, program: Program, day: date) -> dict[str, Any]:
    """What converges: each pairing issue's state, close reason (GitHub keeps one) and
    the bot's labels on it; which retrospectives exist; which check-ins are open; what the
    ledger settled and when the bot was adopted; the dashboard's figures. Keys are read
    as a run reads them (a pairing whose start moved carries on under its new id).

    A pairing taken out of the roster leaves only this: its pairing issue and check-ins
    are closed (runs that never saw it opened none); a retrospective is the pair's."""
    seen = read(forge, program, day, everything=True)
    _invariants(seen, program, day)
    flavour = program.forge.api_flavour
    roster = {p.id: p for p in program.pairings}
    zone = program.program.timezone
    out: dict[str, Any] = {"adopted": seen.adopted}
    for key, issue in seen.issues.items():
        named = retrospectives.end_of(key)
        if key.startswith("pair/") and key.split("/")[1] not in roster:
            if named is None:
                assert issue.state is IssueState.CLOSED, (day, key)
        elif key.endswith("/pairing"):
            reason = issue.close_reason if flavour == "github" else None
            labels = sorted(label for label in issue.labels if OWNED.match(label))
            out[key] = (issue.state.value, reason, labels)
        elif named is not None:
            # The retrospective of the end the roster holds exists; one of an end it no
            # longer holds (runs that never saw that end opened none) is closed.
            end = roster[named[0]].end(program.program)
            keys = seen.by_pairing.get(named[0], ())
            if retrospectives.current_of(seen.issues, keys, named[0], end, zone) is issue:
                out[f"pair/{named[0]}/retrospective"] = "exists"
            else:
                assert issue.state is IssueState.CLOSED, (day, key)
        elif "/checkin/" in key and issue.state is IssueState.OPEN:
            out[key] = "open"
        elif key == "dashboard":
            stored = dashboard.parse(issue.body)
            assert stored is not None
            # Check-ins held count the periods in which a run saw the pair speak: a
            # history, exact only with a run in every period, not a state.
            out[key] = {k: v for k, v in stored.figures.items() if k != "checkins_held"}
    for pairing, entry in seen.ledger.items():
        if pairing in roster:
            out[f"settled/{pairing}"] = entry.settled
    open_duplicates = [i.number for i in seen.duplicates if i.state is IssueState.OPEN]
    assert open_duplicates == [], open_duplicates
    return out


def _invariants(seen: Observed, program: Program, day: date) -> None:
    """What must hold after any run, whatever the schedule: no stalled, pace or awaiting
    label on a closed pairing issue; every ended term closed with a retrospective and no open
    check-in."""
    ended = {p.id for p in program.pairings if p.end(program.program) <= day}
    for key, issue in seen.issues.items():
        pairing = key.split("/")[1] if key.startswith("pair/") else None
        if key.endswith("/pairing") and issue.state is IssueState.CLOSED:
            flags = ("stalled", "-pace::", "-awaiting::")
            assert not [x for x in issue.labels if any(f in x for f in flags)], key
        if pairing in ended and "/checkin/" in key:
            assert issue.state is IssueState.CLOSED, (day, key)
        if pairing in ended and key.endswith("/pairing"):
            assert issue.state is IssueState.CLOSED, (day, key)
            [entry] = [p for p in program.pairings if p.id == pairing]
            end = entry.end(program.program)
            keys = seen.by_pairing.get(pairing, ())
            zone = program.program.timezone
            assert retrospectives.current_of(seen.issues, keys, pairing, end, zone), (day, key)


def _differences(got: dict[str, Any], want: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """(on the schedule, every night) for each part that differs."""
    return {
        k: (got.get(k), want.get(k)) for k in sorted({*got, *want}) if got.get(k) != want.get(k)
    }


# ---------------------------------------------------------------- people


@dataclass
class People:
    """The cast in one world: writes as each person."""

    forge: Forge
    as_person: Callable[[str], Forge]

    def pairing_issue(self, mentee: str) -> Issue | None:
        for issue in self.forge.list_issues(state=IssueState.OPEN):
            marker = markers.find(issue.body) if issue.author == BOT else None
            if marker and marker.key.endswith("/pairing") and f"--{mentee}--" in marker.key:
                return issue
        return None

    def act(self, talk: Talk, issue: Issue, mentor: str) -> None:
        person = self.as_person(mentor if talk.by_mentor else talk.mentee)
        if talk.what == "comment":
            person.comment(issue.number, "We met today.")
        elif talk.what == "ask":
            person.comment(issue.number, "Shall we meet on Friday?")
        elif talk.what == "goals":
            person.edit_issue_body(issue.number, _own_goals(issue.body, talk.day))
        elif talk.what in BOXES:
            text = BOXES[talk.what].text
            person.edit_issue_body(
                issue.number, issue.body.replace(f"- [ ] {text}", f"- [x] {text}")
            )
        else:
            person.edit_issue_body(issue.number, _tick(issue.body))


def _own_goals(body: str, day: date) -> str:
    head, _, _ = body.partition("### Example")
    due = day + timedelta(days=30)
    return f"{head}### Ship the runbook by {due}\n\n- [ ] Draft\n- [ ] Review\n- [ ] Ship\n"


def _tick(body: str) -> str:
    """The first step of the goals ticked (the boxes above them are not steps)."""
    head, goals, rest = body.partition("## Goals")
    return head + goals + rest.replace("- [ ]", "- [x]", 1)


class _As:
    """A person writing on the memory forge."""

    def __init__(self, forge: MemoryForge, login: str) -> None:
        self._forge, self._login = forge, login

    def comment(self, number: int, body: str) -> object:
        return self._forge.comment(number, body, author=self._login)

    def edit_issue_body(self, number: int, body: str) -> None:
        self._forge.edit_issue_body(number, body, author=self._login)


# ---------------------------------------------------------------- playing


@dataclass
class Play:
    """What a play saw, for the tests' figures."""

    nights: int = 0
    runs: int = 0
    reports: list[Report] = field(default_factory=list)


def play(
    scenario: Scenario,
    flavour: str,
    sandbox: RunningSandbox,
    *,
    before_run: Callable[[date], None] | None = None,
    cache: Path | None = None,
) -> Play:
    """Walk the scenario's days in both worlds; assert equal state after each run.

    `before_run` is called before each scheduled run on the sandbox (to arm faults); the
    run it precedes may then fail in part, and the state is compared after the next clean
    run instead (`runs` lists consecutive nights for that). With a `cache` file, the
    scheduled runs observe incrementally through it (README, "Incremental observation").
    """
    sandbox.reset()
    sandbox.register_users(BOT, *MENTORS, *MENTEES)
    memory = MemoryForge(flavour)
    policy = RetryPolicy(retries=0)
    settings = program((), flavour, sandbox.url).forge
    bot = connect(settings, {}, policy)
    logins: dict[str, Forge] = {}

    def on_sandbox(login: str) -> Forge:
        if login not in logins:
            logins[login] = connect(settings, {"SANDBOX_TOKEN": login}, policy)
        return logins[login]

    worlds = (
        People(memory, lambda login: _As(memory, login)),  # type: ignore[arg-type,return-value]
        People(bot, on_sandbox),
    )
    seen = Play()
    runs = set(scenario.runs)
    faulty = False
    # README, "What converges": the one loss the next run does not heal exactly, a ledger
    # write lost on the night a change to the goals is first seen. No state is compared
    # after it (the runs go on, as the faults test counts them).
    unhealed = False
    last_run: date | None = None
    for day in scenario.days():
        roster = program(scenario.roster_on(day), flavour, sandbox.url)
        talks = [t for t in scenario.talks if t.day == day]
        if talks or day in runs:
            sandbox.set_clock(datetime.combine(day, time(10), UTC))
        memory.now = datetime.combine(day, time(10), UTC)
        for talk in talks:
            mentor = next(
                (e.mentor for e in scenario.roster_on(day) if e.mentee == talk.mentee), ""
            )
            issues = [world.pairing_issue(talk.mentee) for world in worlds]
            if mentor and all(issues):
                for world, issue in zip(worlds, issues, strict=True):
                    world.act(talk, issue, mentor)  # type: ignore[arg-type]
        night = datetime.combine(day, time(23), UTC)
        memory.now = night
        report = run_day(memory, roster, day, TEMPLATES, force=True)
        assert report.failed == [], (day, report.failed)
        assert plan_day(memory, roster, day, TEMPLATES) == [], day
        seen.nights += 1
        if day not in runs:
            continue
        sandbox.set_clock(night)
        seen.runs += 1
        with kept(bot, cache, settings, day, None) as runner:
            if before_run is not None:
                before_run(day)
                try:
                    report = run_day(runner, roster, day, TEMPLATES, force=True)
                except ForgeError:  # a read failed: the run stops before writing anything
                    faulty = True
                    continue
                finally:
                    sandbox.clear_faults()
            else:
                report = run_day(runner, roster, day, TEMPLATES, force=True)
            seen.reports.append(report)
            unhealed |= _goals_change_lost(scenario, report, last_run, day)
            last_run = day
            if report.failed or report.limited:
                faulty = True  # the next scheduled night must heal it
                continue
            assert plan_day(runner, roster, day, TEMPLATES) == [], day
        if not faulty and not unhealed:
            got = state(bot, roster, day)
            want = state(memory, roster, day)
            assert got == want, (day, _differences(got, want))
        faulty = False
    return seen


def _goals_change_lost(scenario: Scenario, report: Report, since: date | None, day: date) -> bool:
    """Whether the run on `day` lost its ledger write while a change to the goals made
    since the run before (`since`) was first seen."""
    lost = any(o.action.key.startswith("ledger/") for o in report.failed)
    changed = any(
        t.what in ("goals", "tick") and (since is None or since < t.day) and t.day <= day
        for t in scenario.talks
    )
    return lost and changed
