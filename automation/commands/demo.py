"""`mentorship demo`: a whole program played out on the embedded sandbox, night by night.

The people are scripted: mentees write goals, tick steps and comment; mentors reply; one
pair goes quiet. The nightly job is the real one (`nightly.run_day`) on the real adapters
over loopback HTTP, so the demo shows exactly what a program would see.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import Literal

import click

from automation.forge import SANDBOX_BOT, Forge, RetryPolicy, connect
from automation.goals.checklist import Dialect
from automation.goals.feedback import form_key, read_back
from automation.lifecycle import markers
from automation.lifecycle.observed import Observed, tended_until
from automation.messages.markdown import plural
from automation.messages.templates import templates_for
from automation.model import CloseReason, Draft, Issue, IssueState
from automation.night.executor import Status
from automation.night.observe import read
from automation.night.run import Disclosure, run_day
from automation.roster.checks import active_on
from automation.roster.config import ForgeSettings, Program, load_program
from automation.sandbox import RunningSandbox, start
from automation.views.report import build_report
from automation.views.status import PairingStatus, program_status

Flavour = Literal["gitlab", "github"]
FIRST_DAY = date(2026, 1, 5)
SERVE_PORT = 8929

PROGRAM = """\
# A demo program written by `mentorship demo`. Browse it with
#   mentorship sandbox serve --state {state}
# then, in another terminal:  mentorship plan --config {config}
program:
  name: Platform Engineering Mentorship (demo)
  timezone: Europe/Berlin
  coordinators: [alice]
  # The bot proposes mentors for requests as a merge request editing this file.
  requests: {{propose_changes: true}}
forge:
  kind: sandbox
  flavour: {flavour}
  url: http://127.0.0.1:{port}
  project: acme/mentoring
  bot: mentorship-bot
people:
  - {{handle: alice, name: Alice Liddell, roles: [mentor], topics: [kubernetes, on-call]}}
  - {{handle: bruno, name: Bruno Diaz, roles: [mentor], topics: [databases]}}
  - {{handle: chen, name: Chen Wei, roles: [mentor, mentee], topics: [frontend]}}
  - {{handle: dana, name: Dana Scully, roles: [mentee]}}
  - {{handle: emeka, name: Emeka Obi, roles: [mentee]}}
  - {{handle: farah, name: Farah Haddad, roles: [mentee]}}
  - {{handle: gus, name: Gus Grissom, roles: [mentee]}}
  - {{handle: hana, name: Hana Sato, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: dana, start: 2026-01-05}}
  - mentor: bruno
    mentee: emeka
    start: 2026-01-19
    extended_until: 2026-08-14
    extension_reason: Emeka's database migration goal slipped with the Q2 freeze
  - {{mentor: alice, mentee: farah, start: 2026-02-02}}
  - mentor: chen
    mentee: gus
    start: 2026-02-16
    ended: 2026-04-20
    ended_reason: Gus moved to another team and found a mentor there
  # alice's third mentee: over the soft limit of two, a warning, not an error
  - {{mentor: alice, mentee: hana, start: 2026-03-02}}
  - {{mentor: bruno, mentee: chen, start: 2026-03-16}}
"""

# What each mentee works towards: (goal title, steps). Goal due dates are filled in.
GOALS: dict[str, list[tuple[str, list[str]]]] = {
    "dana": [
        ("Lead an incident review", ["Shadow a review", "Gather a timeline", "Facilitate"]),
        ("Join the on-call rotation", ["Read the runbooks", "Shadow two shifts", "First shift"]),
    ],
    "emeka": [
        ("Run a zero-downtime migration", ["Write the plan", "Rehearse on staging", "Ship it"]),
    ],
    "farah": [
        ("Give a talk at the guild", ["Pick a topic", "Draft slides", "Dry run", "Give it"]),
        ("Review ten merge requests", ["Three reviews", "Seven reviews", "Ten reviews"]),
    ],
    "gus": [("Learn the deploy pipeline", ["Read the docs", "Pair on a deploy"])],
    "hana": [
        ("Own the build cache", ["Measure hit rate", "Fix the top miss", "Write it up"]),
    ],
    "chen": [("Mentor someone", ["Join as a mentor", "Hold five check-ins"])],
}
DEFAULT_GOALS = [
    ("Learn the codebase", ["Read the architecture notes", "Fix a small bug", "Review a change"]),
    ("Ship a feature", ["Write the design", "Build it", "Demo it to the team"]),
]
QUIET = {"hana"}  # this pair goes quiet after its first weeks
# Ivan asks for a mentor through the request form; the bot proposes chen (a shared topic,
# a free place) on the request and in a merge request; alice, a coordinator, merges it two
# days later, and the pairing starts the Monday after.
REQUESTER = "ivan"
ASKS_ON = date(2026, 2, 4)
MERGED_ON = date(2026, 2, 6)
REQUEST = """\
### Topics

frontend, accessibility

### What do you want to achieve?

Lead the migration to the new design system.

### Time zone

Asia/Tokyo

### Sync or async

async

### Availability

Tuesday mornings

### People to avoid

_No response_
"""
# GitLab only: a private feedback form for each participant at the midpoint and the end
# (GitHub has no confidential issues). Everyone answers two days after a form opens, the
# quiet pair excepted; emeka is unsure of the fit at the midpoint, and alice is told.
FEEDBACK = """\
  # A private form for each participant at the midpoint and the end (README, "Private feedback").
  feedback: {low_score: 6}
"""
FEEDBACK_AFTER_DAYS = 2
SCORES = {"mentee": "8", "mentor": "9"}
UNSURE = "emeka"  # ticks 5 and "No, not a good fit" at the midpoint

# A change of mentor: farah asks the coordinators privately for a new mentor, and on
# CHANGE_ON they add a pairing that follows her pairing with alice. Alice's term ends there
# with a hand-over; bruno's pairing issue links it and carries farah's open goals.
CHANGE_ON = date(2026, 3, 16)
CHANGE = """\
  # Farah asked the coordinators privately for a new mentor: bruno takes over.
  - mentor: bruno
    mentee: farah
    start: 2026-03-16
    term_months: 5
    follows: alice
    follows_reason: Farah's talk moved to databases, Bruno's field
"""
# Days after the end of a term that the pair answer the retrospective and close it; the
# quiet pair never does (the reminder is for them).
ANSWERS_AFTER_DAYS = 3
ANSWERS = {
    "mentee": (
        "Weekly goals kept me honest.",
        "We skipped two check-ins in the spring.",
        "How to break a big goal into steps.",
        "Write the goals in week one.",
        "9",
    ),
    "mentor": (
        "Async updates between meetings.",
        "I should have asked for the agenda earlier.",
        "To ask before advising.",
        "Let the mentee lead.",
        "8",
    ),
}


@dataclass
class Journal:
    """What happened, per pairing, for the summary."""

    events: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    writes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    nights: int = 0


@dataclass(frozen=True)
class DemoResult:
    out: Path
    program: Path
    state: Path
    summary: Path
    report: Path
    nights: int
    writes: int
    requests: int
    failures: tuple[str, ...]


def run(out: Path, flavour: Flavour) -> int:
    """Play the program, then say where its summary, report and state are; 1 if a write
    failed."""
    started = monotonic()
    result = run_demo(out, flavour, click.echo)
    elapsed = monotonic() - started
    click.echo(
        f"\n{result.nights} nights, {result.writes} writes by the bot, "
        f"{result.requests} HTTP requests, {elapsed:.1f}s"
    )
    if result.failures:
        click.echo(f"{len(result.failures)} writes failed; the first:", err=True)
        click.echo(f"  {result.failures[0]}", err=True)
    click.echo(f"summary:  {result.summary}")
    click.echo(f"report:   {result.report}  (open it in a browser)")
    click.echo(f"program:  {result.program}")
    click.echo("browse the result:")
    click.echo(f"  mentorship sandbox serve --state {result.state}")
    click.echo(f"  mentorship plan --config {result.program}   (in another terminal)")
    return 1 if result.failures else 0


def run_demo(
    out: Path, flavour: Flavour = "gitlab", echo: Callable[[str], None] = print
) -> DemoResult:
    """Simulate every night of the program into `out` and write a summary there."""
    out.mkdir(parents=True, exist_ok=True)
    state = out / "sandbox.sqlite3"
    for stale in (state, out / "sandbox.sqlite3-wal", out / "sandbox.sqlite3-shm"):
        stale.unlink(missing_ok=True)
    config = out / "program.yml"
    text = PROGRAM.format(flavour=flavour, port=SERVE_PORT, state=state, config=config)
    if flavour == "gitlab":
        text = text.replace("  coordinators: [alice]\n", f"  coordinators: [alice]\n{FEEDBACK}", 1)
    config.write_text(text, encoding="utf-8")
    program = load_program(config)
    journal = Journal()
    with start(state=state, users=[*sandbox_cast(program), REQUESTER]) as sandbox:
        # The coordinators may merge into the default branch, which holds program.yml.
        sandbox.register_users(*program.program.coordinators, access="maintain")
        sandbox.put_file(flavour, program.forge.project, "program.yml", config.read_text())
        settings = program.forge.model_copy(update={"url": sandbox.url})
        fast = RetryPolicy(retries=2, backoff=0.01)
        bot = connect(settings, {}, fast)
        cast = Cast.connect(program, settings, fast)
        last = max(tended_until(p, program) for p in program.pairings)
        day = FIRST_DAY
        while day <= last:
            if day in (ASKS_ON, MERGED_ON):
                program = _asking(sandbox, program, config, bot, settings, day)
                cast = Cast.connect(program, settings, fast)
            if day == CHANGE_ON:
                program = _changing_mentor(config)
                cast = Cast.connect(program, settings, fast)
            _night(sandbox, program, config, bot, cast, day, journal)
            if day.weekday() == 6:
                echo(_weekly_line(program, day, journal))
            day += timedelta(days=1)
        requests = int(sandbox.request_counts()["total"])
        # The report as the coordinators would see it the morning after the last night.
        observed = read(bot, program, last, everything=True)
        statuses = program_status(program, observed, last)
        summary = out / "SUMMARY.md"
        summary.write_text(_summary(program, observed, statuses, journal), encoding="utf-8")
        ends = {p.id: p.end(program.program) for p in program.pairings}
        dialect = Dialect(program.forge.api_flavour)
        answers = read_back(observed.issues, dialect, ends, program.program.timezone)
        built = build_report(program, statuses, last, out / "report", observed.requests, answers)
        report = built.out / "index.html"
    return DemoResult(
        out,
        config,
        state,
        summary,
        report,
        journal.nights,
        sum(journal.writes.values()),
        requests,
        tuple(journal.failures),
    )


def _asking(
    sandbox: RunningSandbox,
    program: Program,
    config: Path,
    bot: Forge,
    settings: ForgeSettings,
    day: date,
) -> Program:
    """The request's way through the program: asked on ASKS_ON; on MERGED_ON a coordinator
    merges the bot's roster change, and program.yml is read back from the repository."""
    sandbox.set_clock(datetime.combine(day, time(9), UTC))
    if day == ASKS_ON:
        requester = connect(settings, {"SANDBOX_TOKEN": REQUESTER})
        draft = Draft("I would like a mentor", REQUEST, ("mentorship", "mentorship-request"))
        requester.create_issue(draft)
        return program
    asking = program.program.requests
    change = bot.find_change_request(asking.branch)
    if change is not None:
        coordinator = program.program.coordinators[0]
        sandbox.merge(settings.api_flavour, settings.project, change.number, by=coordinator)
    merged = bot.read_file(asking.roster_path)
    if merged is None:
        return program
    config.write_text(merged.text, encoding="utf-8")
    return load_program(config)


def _changing_mentor(config: Path) -> Program:
    """The coordinators add the pairing that follows farah's pairing with alice (the last
    list of program.yml is `pairings:`)."""
    text = config.read_text(encoding="utf-8")
    config.write_text(text.rstrip("\n") + "\n" + CHANGE, encoding="utf-8")
    return load_program(config)


def sandbox_cast(program: Program) -> list[str]:
    """The logins a program needs on a sandbox, which knows only registered users: its bot
    and everyone in program.yml. Whoever starts a sandbox for a program registers them."""
    return [program.forge.bot or SANDBOX_BOT, *(person.handle for person in program.people)]


def _night(
    sandbox: RunningSandbox,
    program: Program,
    config: Path,
    bot: Forge,
    cast: Cast,
    day: date,
    journal: Journal,
) -> None:
    # Daytime: people work on their pairings; late in the evening the nightly job runs.
    sandbox.set_clock(datetime.combine(day, time(10), UTC))
    cast.daytime(day)
    sandbox.set_clock(datetime.combine(day, time(23, 30), UTC))
    report = run_day(bot, program, day, templates_for(config), force=True)
    shown = Disclosure.of(program)  # what a form said stays on the form
    journal.nights += 1
    for outcome in report.outcomes:
        if outcome.status is Status.DONE:
            journal.writes[outcome.action.kind] += 1
            action = outcome.action
            about = "request" if action.key.startswith(("request/", "roster/")) else action.pairing
            journal.events[about].append(f"{day}: {shown.describe(action)}")
        else:
            journal.failures.append(f"{day}: {outcome.action.describe()}: {outcome.detail}")


@dataclass(frozen=True)
class Cast:
    """The program's people, scripted: each acts through its own account on the forge.

    Mentees write their goals on day 2, tick a step every nine days and comment on each
    new check-in; mentors answer. Mentees in `quiet` stop after three weeks. A few days
    after the end, the others fill in their retrospective and close it.
    """

    program: Program
    bot: Forge
    people: dict[str, Forge]
    quiet: frozenset[str] = frozenset(QUIET)

    @classmethod
    def connect(
        cls,
        program: Program,
        settings: ForgeSettings,
        policy: RetryPolicy,
        quiet: frozenset[str] = frozenset(QUIET),
    ) -> Cast:
        """Everyone logged in to the sandbox as themselves (a sandbox token is a login)."""
        people = {
            p.handle: connect(settings, {"SANDBOX_TOKEN": p.handle}, policy) for p in program.people
        }
        return cls(program, connect(settings, {}, policy), people, quiet)

    def daytime(self, day: date) -> None:
        prefix = self.program.program.label_prefix
        issues = self.bot.list_issues(labels=[prefix], state=IssueState.OPEN)
        issues += self.bot.list_issues(labels=[f"{prefix}-check-in"], state=IssueState.OPEN)
        by_key = {key: i for i in issues if (key := _key(i)) is not None}
        if self.program.program.feedback is not None:
            self._feedback(day)
        for pairing in self.program.pairings:
            end = pairing.end(self.program.program)
            # The retrospective of the term's end: its key carries the end it was opened for.
            retrospective = by_key.get(f"pair/{pairing.id}/retrospective/{end.isoformat()}")
            after_end = (day - end).days
            answers = pairing.mentee not in self.quiet and after_end == ANSWERS_AFTER_DAYS
            if retrospective is not None and answers:
                self._answer(pairing.mentee, retrospective)
            pairing_issue = by_key.get(f"pair/{pairing.id}/pairing")
            age = (day - pairing.start).days
            if pairing_issue is None or (pairing.mentee in self.quiet and age > 20):
                continue
            checkin = next(
                (i for k, i in by_key.items() if k.startswith(f"pair/{pairing.id}/checkin/")),
                None,
            )
            # A pairing that follows another starts with the goals carried over.
            carried = self.program.followed(pairing) is not None
            self._act(
                pairing.mentee,
                pairing.mentor,
                pairing.start,
                age,
                pairing_issue,
                checkin,
                day,
                carried,
            )

    def _act(
        self,
        mentee_handle: str,
        mentor_handle: str,
        start: date,
        age: int,
        pairing_issue: Issue,
        checkin: Issue | None,
        day: date,
        carried: bool = False,
    ) -> None:
        mentee, mentor = self.people[mentee_handle], self.people[mentor_handle]
        number = pairing_issue.number
        if age == 2:
            mentee.comment(number, "Coffee chat done, first meeting booked!")
            body = pairing_issue.body
            if not carried:
                body = _with_goals(body, mentee_handle, start)
            mentee.edit_issue_body(number, _tick_before_goals(body))
        if age == 3:
            mentor.comment(number, "Great goals. Let's start with the first one.")
        if age > 3 and age % 9 == 0:
            ticked = _tick(pairing_issue.body)
            if ticked != pairing_issue.body:
                mentee.edit_issue_body(number, ticked)
                mentee.comment(number, "Ticked off another step this week.")
        if checkin is not None and (day - checkin.created_at.date()).days == 1:
            mentee.comment(checkin.number, "Wins: shipped my first change. Blocker: none.")
            mentor.comment(checkin.number, "Nice work! Bring the draft next time.")

    def _feedback(self, day: date) -> None:
        """Each participant ticks their form a couple of days after it opens."""
        label = f"{self.program.program.label_prefix}-feedback"
        by_id = {p.id: p for p in self.program.pairings}
        for form in self.bot.list_issues(labels=[label], state=IssueState.OPEN):
            found = form_key(_key(form) or "")
            pairing = by_id.get(found.pairing) if found is not None else None
            if found is None or pairing is None:
                continue
            if (day - form.created_at.date()).days != FEEDBACK_AFTER_DAYS:
                continue
            milestone, role = found.milestone, found.role
            handle = getattr(pairing, role)
            if pairing.mentee in self.quiet:
                continue  # the quiet pair never answers: their forms expire
            unsure = handle == UNSURE and milestone == "midpoint"
            score, fit = (
                ("5", "No, not a good fit") if unsure else (SCORES[role], "Yes, a good fit")
            )
            body = form.body.replace(f"- [ ] {score}\n", f"- [x] {score}\n", 1)
            body = body.replace(f"- [ ] {fit}", f"- [x] {fit}", 1)
            self.people[handle].edit_issue_body(form.number, body)

    def _answer(self, mentee: str, retrospective: Issue) -> None:
        """Both answer in the description, the mentee closes it: the retrospective is
        returned."""
        person = self.people[mentee]
        person.edit_issue_body(retrospective.number, _answered(retrospective.body))
        person.close(retrospective.number, CloseReason.COMPLETED)


def _answered(body: str) -> str:
    """The retrospective with each role's numbered questions answered."""
    lines = body.split("\n")
    role = None
    for i, line in enumerate(lines):
        if line.startswith("## "):
            role = next((r for r in ANSWERS if line[3:].lower().startswith(r)), None)
        elif role and (match := re.match(r"^(\d)\. \*\*.*\*\*", line)):
            answer = ANSWERS[role][int(match.group(1)) - 1]
            lines[i] = f"{line.rstrip()} {answer}"
    return "\n".join(lines)


def _key(issue: Issue) -> str | None:
    marker = markers.find(issue.body)
    return marker.key if marker else None


def _with_goals(body: str, mentee: str, start: date) -> str:
    """Replace the example goal under `## Goals` with the mentee's own goals."""
    lines = body.split("\n")
    head = next((i for i, line in enumerate(lines) if line.strip() == "## Goals"), None)
    if head is None:
        return body
    end = next((i for i in range(head + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    goals: list[str] = []
    for n, (title, steps) in enumerate(GOALS.get(mentee, DEFAULT_GOALS)):
        due = start + timedelta(days=60 * (n + 1))
        goals += ["", f"### {title} by {due.isoformat()}", ""]
        goals += [f"- [ ] {step}" for step in steps]
    return "\n".join([*lines[: head + 1], *goals, "", *lines[end:]])


def _tick_before_goals(body: str) -> str:
    """Tick every box of the "before we start" list (from it to `## Goals`), not the boxes
    that ask the bot for something above it."""
    start = body.find("## Before we start")
    if start < 0:
        return body
    head, found, rest = body[start:].partition("## Goals")
    return body[:start] + head.replace("- [ ]", "- [x]") + found + rest


def _tick(body: str) -> str:
    """Tick the first open step under `## Goals` (nothing when all are done)."""
    goals = body.find("## Goals")
    if goals < 0:
        return body
    match = re.compile(r"^(\s*[-*] )\[ \]", re.MULTILINE).search(body, goals)
    if match is None:
        return body
    return body[: match.start()] + match.group(1) + "[x]" + body[match.end() :]


def _weekly_line(program: Program, day: date, journal: Journal) -> str:
    active = len(active_on(program, day))
    writes = ", ".join(f"{n} {k}" for k, n in sorted(journal.writes.items())) or "none yet"
    pairings = f"{active} active pairing{plural(active)}"
    return f"week of {day - timedelta(days=6)}: {pairings}; writes so far: {writes}"


def _summary(
    program: Program, observed: Observed, statuses: Sequence[PairingStatus], journal: Journal
) -> str:
    """What happened to every pairing, from the statuses the report shows too."""
    lines = [
        f"# {program.program.name}: what happened",
        "",
        f"{journal.nights} nights simulated on the {program.forge.api_flavour} flavour; "
        f"{sum(journal.writes.values())} writes by the bot, {len(journal.failures)} failed.",
        "",
        "| pairing | term | outcome | goals | labels |",
        "|---|---|---|---|---|",
    ]
    for pairing, status in zip(program.pairings, statuses, strict=True):
        issue = observed.issues.get(f"pair/{pairing.id}/pairing")
        goals = f"{status.done}/{status.total} steps" if issue else "-"
        after = program.follower(pairing)
        outcome = (
            f"changed mentor to {after.mentor} ({after.follows_reason})"
            if after
            else f"ended early ({pairing.ended_reason})"
            if pairing.ended
            else f"extended to {pairing.extended_until}"
            if pairing.extended_until
            else "completed"
        )
        labels = ", ".join(sorted(issue.labels)) if issue else "-"
        lines.append(
            f"| {pairing.mentee} with {pairing.mentor} | {pairing.start} to "
            f"{pairing.end(program.program)} | {outcome} | {goals} | {labels} |"
        )
    for pairing in program.pairings:
        lines += ["", f"## {pairing.mentee} with {pairing.mentor}", ""]
        lines += [f"- {event}" for event in journal.events.get(pairing.id, [])]
    lines += ["", f"## {REQUESTER}'s request for a mentor", ""]
    lines += [f"- {event}" for event in journal.events.get("request", [])]
    return "\n".join(lines) + "\n"
