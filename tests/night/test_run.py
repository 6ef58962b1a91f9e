"""Whole terms on the sandbox through the real clients: every night idempotent, and a run
killed after any write finishes, on rerun, exactly where an uninterrupted night would."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from automation.commands.demo import Cast, sandbox_cast
from automation.forge import Forge, ForgeError, RetryPolicy, connect, pacer_for
from automation.forge.cached import kept as observing
from automation.lifecycle import ledger, markers
from automation.lifecycle.actions import CloseIssue, OpenIssue, PostComment, Target, Urgency
from automation.lifecycle.observed import tended_until
from automation.lifecycle.rules.progress import goal_key
from automation.messages.templates import Templates
from automation.model import CloseReason, IssueState
from automation.night.executor import Outcome, Status
from automation.night.run import Disclosure, Report, TooManyWrites, plan_day, run_day
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox, start

ROSTER = """\
program:
  name: Term test
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/term, bot: mentorship-bot}}
people:
  - {{handle: alice, name: Alice, roles: [mentor]}}
  - {{handle: dave, name: Dave, roles: [mentor]}}
  - {{handle: bob, name: Bob, roles: [mentee]}}
  - {{handle: carol, name: Carol, roles: [mentee]}}
  - {{handle: erin, name: Erin, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05}}
  - mentor: alice
    mentee: carol
    start: 2026-01-19
    extended_until: 2026-08-03
    extension_reason: a goal slipped
  - {{mentor: dave, mentee: erin, start: 2026-02-02, ended: 2026-04-06, ended_reason: new team}}
"""
WRITES = {
    "create_issue",
    "edit_issue_body",
    "comment",
    "edit_comment",
    "add_labels",
    "remove_labels",
    "relabel",
    "close",
}


class Killed(BaseException):
    """The process died: not an error any handler of ours may catch."""


class DiesAfter:
    """The real adapter, until the run is killed right after its n-th write."""

    def __init__(self, forge: Forge, writes: int = 10**9) -> None:
        self._forge = forge
        self._left = writes
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._forge, name)
        if name not in WRITES:
            return attribute

        def write(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            self.calls += 1
            self._left -= 1
            if self._left <= 0:
                raise Killed
            return result

        return write


@dataclass
class Term:
    sandbox: RunningSandbox
    program: Program
    bot: Forge
    cast: Cast

    def days(self) -> Iterator[date]:
        day = min(p.start for p in self.program.pairings)
        last = max(tended_until(p, self.program) for p in self.program.pairings)
        while day <= last:
            yield day
            day += timedelta(days=1)

    def daytime(self, day: date) -> None:
        self.sandbox.set_clock(datetime.combine(day, time(10), UTC))
        self.cast.daytime(day)
        self.sandbox.set_clock(datetime.combine(day, time(23), UTC))

    def night(self, day: date, forge: Forge | None = None) -> int:
        report = run_day(forge or self.bot, self.program, day, Templates())
        assert report.failed == [], report.failed
        return len(report.outcomes)

    def state(self) -> tuple[Any, ...]:
        issues = sorted(self.bot.list_issues(), key=lambda i: i.number)
        comments = sorted(self.bot.list_comments(), key=lambda c: c.id)
        return (
            tuple(
                (i.number, i.title, i.body, i.state, frozenset(i.labels), i.close_reason)
                for i in issues
            ),
            tuple((c.issue_number, c.author, c.body) for c in comments),
        )


@pytest.fixture(params=["gitlab", "github"])
def term(request: pytest.FixtureRequest) -> Iterator[Term]:
    with start() as sandbox:
        text = ROSTER.format(flavour=request.param, url=sandbox.url)
        program = parse_program(text, Path("program.yml"))
        sandbox.register_users(*sandbox_cast(program))
        policy = RetryPolicy(retries=0)
        bot = connect(program.forge, {}, policy)
        yield Term(
            sandbox,
            program,
            bot,
            Cast.connect(program, program.forge, policy, quiet=frozenset({"erin"})),
        )


def keyed(forge: Forge) -> dict[str, Any]:
    return {m.key: i for i in forge.list_issues() if (m := markers.find(i.body))}


def test_every_night_of_a_term_is_idempotent_and_ends_each_pairing(term: Term) -> None:
    for day in term.days():
        term.daytime(day)
        term.night(day)
        assert plan_day(term.bot, term.program, day, Templates()) == [], day
    issues = keyed(term.bot)
    bob, carol, erin = (f"pair/{p.id}" for p in term.program.pairings)
    assert issues[f"{bob}/pairing"].state is IssueState.CLOSED
    # Pace and stalled labels go with the close: only the outcome stays.
    assert set(issues[f"{bob}/pairing"].labels) == {"mentorship", "mentorship::completed"}
    assert set(issues[f"{carol}/pairing"].labels) == {
        "mentorship",
        "mentorship::completed",
        "mentorship-extended",
    }
    assert set(issues[f"{erin}/pairing"].labels) == {"mentorship", "mentorship::ended-early"}
    if term.program.forge.api_flavour == "github":
        assert issues[f"{bob}/pairing"].close_reason is CloseReason.COMPLETED
        assert issues[f"{erin}/pairing"].close_reason is CloseReason.NOT_PLANNED
    # Bob and carol answered their retrospectives; erin's pair went quiet and did not.
    # A retrospective per end: its key carries the end it was opened for.
    for pair, end in ((bob, "2026-07-05"), (carol, "2026-08-03")):
        assert issues[f"{pair}/retrospective/{end}"].state is IssueState.CLOSED
    assert issues[f"{erin}/retrospective/2026-04-06"].state is IssueState.OPEN
    checkins = sorted(int(k.rsplit("/", 1)[1]) for k in issues if k.startswith(f"{bob}/checkin/"))
    assert checkins == list(range(2, 14))
    assert not [k for k, i in issues.items() if "/checkin/" in k and i.state is IssueState.OPEN]
    written = {m.key for c in term.bot.list_comments() if (m := markers.find(c.body))}
    assert {
        f"{bob}/midpoint",
        f"{bob}/ending-soon",
        f"{bob}/completed",
        f"{erin}/retrospective/2026-04-06/reminder",
        f"{erin}/ended-early",
        f"{carol}/extended/2026-08-03",
    } <= written
    assert any(k.startswith(f"{erin}/quiet/") or k == f"{erin}/first-meeting" for k in written)
    # Progress: bob's goals were both completed and celebrated once each; the ledger
    # remembers every pairing's progress comment and history.
    assert sorted(k for k in written if k.startswith(f"{bob}/celebrate/")) == [
        f"{bob}/celebrate/{goal_key(title)}"
        for title in sorted(["Learn the codebase", "Ship a feature"], key=goal_key)
    ]
    states = {}
    for key, issue in issues.items():
        if key.startswith("ledger/"):
            states.update(ledger.parse(issue.body))
    assert set(states) == {p.id for p in term.program.pairings}
    assert all(isinstance(state.comment, int) for state in states.values())
    # Every close-out was seen done: no pairing is tended any more.
    ends = {p.id: p.end(term.program.program).isoformat() for p in term.program.pairings}
    assert {pid: state.settled for pid, state in states.items()} == ends
    assert states[bob.removeprefix("pair/")].history[-1][1:] == (6, 6)
    # Three pairing issues, three retrospectives, three ledgers (the program's and two
    # months of starts, closed: out of people's way) and one dashboard, showing the end:
    # two terms completed, one ended early.
    assert len(term.bot.list_issues(labels=["mentorship"])) == 10
    ledgers = term.bot.list_issues(labels=["mentorship::ledger"])
    assert len(ledgers) == 3
    assert all(i.state is IssueState.CLOSED for i in ledgers)
    board = issues["dashboard"]
    assert set(board.labels) == {"mentorship", "mentorship::dashboard"}
    assert "| 0 | 0 | 0 | 2 | 1 | 0 | 0 |" in board.body


def test_a_run_killed_after_any_write_is_finished_by_the_rerun(term: Term) -> None:
    positions = 0
    for day in term.days():
        term.daytime(day)
        before = term.sandbox.store.snapshot()
        counting = DiesAfter(term.bot)
        term.night(day, counting)  # type: ignore[arg-type]
        expected = term.state()
        after = term.sandbox.store.snapshot()
        # A relabel is two adapter calls; a kill between them is a position too.
        for k in range(1, counting.calls):
            term.sandbox.store.restore(before)
            with pytest.raises(Killed):
                term.night(day, DiesAfter(term.bot, k))  # type: ignore[arg-type]
            _never_closed_before_its_retrospective(term)
            term.night(day)
            got = term.state()
            assert got == expected, (
                day,
                k,
                set(got[0]) ^ set(expected[0]),
                set(got[1]) ^ set(expected[1]),
            )
            positions += 1
        term.sandbox.store.restore(after)
    assert positions > 50  # 159 on either forge for this roster: every write of the term


def _never_closed_before_its_retrospective(term: Term) -> None:
    issues = keyed(term.bot)
    for key, issue in issues.items():
        if key.endswith("/pairing") and issue.state is IssueState.CLOSED:
            retro = key.removesuffix("/pairing") + "/retrospective/"
            assert any(k.startswith(retro) for k in issues), key


def test_a_pairing_closed_by_hand_with_a_quick_action_stays_closed_and_untouched() -> None:
    """GitLab runs `/close` in a person's note; the nights after neither reopen the pairing
    issue nor write to it during the term."""
    with start() as sandbox:
        text = ROSTER.format(flavour="gitlab", url=sandbox.url)
        program = parse_program(text, Path("program.yml"))
        sandbox.register_users(*sandbox_cast(program))
        bot = connect(program.forge, {}, RetryPolicy(retries=0))
        bob = connect(program.forge, {"SANDBOX_TOKEN": "bob"}, RetryPolicy(retries=0))
        start_day = date(2026, 1, 5)
        sandbox.set_clock(datetime.combine(start_day, time(23), UTC))
        run_day(bot, program, start_day, Templates())
        pairing = keyed(bot)[f"pair/{program.pairings[0].id}/pairing"]

        with pytest.raises(ForgeError, match="quick actions only"):
            bob.comment(pairing.number, "/close")  # GitLab stores no note for it
        for days in (1, 20, 60):
            day = start_day + timedelta(days=days)
            sandbox.set_clock(datetime.combine(day, time(23), UTC))
            planned = plan_day(bot, program, day, Templates())
            assert not [
                a
                for a in planned
                if getattr(getattr(a, "target", None), "number", None) == pairing.number
            ], day
            run_day(bot, program, day, Templates())

        closed = keyed(bot)[f"pair/{program.pairings[0].id}/pairing"]
        assert closed.state is IssueState.CLOSED


class Overlapped:
    """The real adapter, except that a whole other run happens just before its first write:
    two runs at once, both planning from the same forge."""

    def __init__(self, forge: Forge, other: Any) -> None:
        self._forge = forge
        self._other = other

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._forge, name)
        if name not in WRITES or self._other is None:
            return attribute

        def write(*args: Any, **kwargs: Any) -> Any:
            other, self._other = self._other, None
            other()
            return attribute(*args, **kwargs)

        return write


@pytest.mark.parametrize("cached", [False, True], ids=["full read", "through the cache"])
def test_two_runs_at_once_leave_no_duplicate_open(term: Term, cached: bool, tmp_path: Path) -> None:
    day = date(2026, 1, 5)
    term.daytime(day)
    cache = tmp_path / "cache.json.gz" if cached else None
    with observing(term.bot, cache, term.program.forge, day, None) as forge:
        overlapped = Overlapped(forge, lambda: term.night(day))
        report = run_day(overlapped, term.program, day, Templates())  # type: ignore[arg-type]
    assert report.failed == []
    # The later run opened copies of what the earlier one had opened; it found them right
    # after its writes and closed its own copies, so one of each stays open.
    closed = [o for o in report.outcomes if o.action.key.startswith("duplicate/")]
    assert closed
    open_by_key: dict[str, int] = {}
    for issue in term.bot.list_issues(state=IssueState.OPEN):
        marker = markers.find(issue.body)
        if marker is not None and issue.author == "mentorship-bot":
            open_by_key[marker.key] = open_by_key.get(marker.key, 0) + 1
    assert open_by_key
    assert set(open_by_key.values()) == {1}


class Listings:
    """The real adapter, noting in order each write and each listing of issues, with the
    reads each took on the sandbox."""

    def __init__(self, forge: Forge, sandbox: RunningSandbox) -> None:
        self._forge = forge
        self._sandbox = sandbox
        self.calls: list[tuple[str, int]] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._forge, name)
        if name not in {"list_issues", "list_created", *WRITES}:
            return attribute

        def noted(*args: Any, **kwargs: Any) -> Any:
            before = self._sandbox.request_counts()["reads"]
            result = attribute(*args, **kwargs)
            self.calls.append((name, self._sandbox.request_counts()["reads"] - before))
            return result

        return noted

    def after_the_first_write(self) -> list[tuple[str, int]]:
        """The listings after the run's first write."""
        first = next(n for n, (name, _) in enumerate(self.calls) if name in WRITES)
        return [call for call in self.calls[first:] if call[0] not in WRITES]


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_after_its_writes_a_run_through_the_cache_reads_only_the_issues_it_opened(
    flavour: str, tmp_path: Path
) -> None:
    # The duplicate check asks the forge for the issues the bot opened since the run began:
    # the cache reads none of the run's writes back (the next run reads them, once), and
    # the night after a first night that opened hundreds of issues reads one page.
    with start() as sandbox:
        program = parse_program(_big_roster(flavour, sandbox.url, 150), Path("program.yml"))
        sandbox.register_users(*sandbox_cast(program))
        # No bot named: the run asks who its token is, and so learns the forge's clock.
        settings = program.forge.model_copy(update={"bot": None})
        cache = tmp_path / "cache.json.gz"

        def night(day: date) -> tuple[Listings, Report]:
            sandbox.set_clock(datetime.combine(day, time(2, 17), UTC))
            listings = Listings(connect(settings, {}, RetryPolicy(retries=0)), sandbox)
            with observing(listings, cache, settings, day, None) as forge:  # type: ignore[arg-type]
                report = run_day(forge, program, day, Templates(), force=True)
            assert report.failed == []
            return listings, report

        first, report = night(date(2026, 2, 16))
        opened = sum(isinstance(o.action, OpenIssue) for o in report.outcomes)
        assert opened > 100  # more than a page
        assert first.after_the_first_write() == [("list_created", math.ceil(opened / 100))]
        second, report = night(date(2026, 2, 17))
        assert any(isinstance(o.action, OpenIssue) for o in report.outcomes)
        assert second.after_the_first_write() == [("list_created", 1)]


# -- within the forges' limits ------------------------------------------------------------


def _big_roster(flavour: str, url: str, size: int, *, forge: str = "", pairing: str = "") -> str:
    people = [f"  - {{handle: mentor{i}, roles: [mentor], capacity: 9}}" for i in range(size)]
    people += [f"  - {{handle: mentee{i}, roles: [mentee]}}" for i in range(size)]
    pairings = [
        f"  - {{mentor: mentor{i}, mentee: mentee{i}, "
        f"start: {date(2026, 1, 5) + timedelta(days=i % 28)}{pairing}}}"
        for i in range(size)
    ]
    return "\n".join(
        [
            "program: {name: Paced}",
            f"forge: {{kind: sandbox, flavour: {flavour}, url: '{url}', project: acme/paced,"
            f" bot: mentorship-bot{forge}}}",
            "people:",
            *people,
            "pairings:",
            *pairings,
            "",
        ]
    )


class SandboxTime:
    """The pacer's clock and sleep: the sandbox's clock, so waiting costs no real time."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self.sandbox = sandbox
        self.waited = 0.0

    def clock(self) -> float:
        return self.sandbox.now().timestamp()

    def sleep(self, seconds: float) -> None:
        self.waited += seconds
        self.sandbox.advance(timedelta(seconds=seconds))


def test_a_night_over_the_forges_limits_spreads_over_runs_most_urgent_first() -> None:
    """GitHub's secondary limit, scaled down to 4 writes a minute and 12 an hour, enforced
    by the sandbox: hourly runs of 45 minutes each write what the limits allow, most urgent
    first, never refused, never failing, until the night's work is done."""
    with start() as sandbox:
        text = _big_roster(
            "github", sandbox.url, 6, forge=", writes_per_minute: 4, writes_per_hour: 12"
        )
        program = parse_program(text, Path("program.yml"))
        sandbox.register_users(*sandbox_cast(program))
        day = date(2026, 2, 16)
        sandbox.set_clock(datetime.combine(day, time(2, 17), UTC))
        sandbox.set_secondary_limit(per_minute=4, per_hour=12)
        runs: list[Report] = []
        try:
            while not runs or runs[-1].paced:
                assert len(runs) < 10, "the night never ends"
                run_start = sandbox.now()
                clock = SandboxTime(sandbox)
                settings = program.forge
                pacer = pacer_for(settings, seconds=45 * 60, clock=clock.clock, sleep=clock.sleep)
                bot = connect(settings, {}, RetryPolicy(retries=0), pacer=pacer)
                report = run_day(bot, program, day, Templates(), pacer=pacer)
                runs.append(report)
                assert report.failed == [], report.failed
                assert report.limited == []  # never refused: the pacer kept within the limits
                assert pacer.sent <= 12
                sandbox.set_clock(run_start + timedelta(hours=1))  # the next hourly run
        finally:
            sandbox.set_secondary_limit(on=False)
        bot = connect(program.forge, {}, RetryPolicy(retries=0))
        assert plan_day(bot, program, day, Templates()) == []

    # two hourly runs: 20 writes at 12 an hour (the three labels the forms apply are
    # created on the first night)
    first, second = runs
    assert (len(first.planned), len(first.outcomes), len(first.paced)) == (20, 12, 8)
    # the first run kept the most urgent writes: the labels, the kickoffs and their welcome
    # comments; the ledger and dashboard housekeeping waited for the next run
    done = [o.action for o in first.outcomes]
    assert all(o.status is Status.DONE for o in first.outcomes)
    # (the labels took three places: the milestone writes fell on both sides of the line)
    assert max(a.urgency for a in done) <= min(a.urgency for a in first.paced)
    kickoffs = [a.kind for a in done if a.urgency is Urgency.KICKOFF]
    assert kickoffs == ["create-label"] * 3 + ["open-issue"] * 6
    assert {a.urgency for a in first.paced} == {Urgency.MILESTONE, Urgency.HOUSEKEEPING}
    assert second.paced == ()
    assert all(o.status is Status.DONE for o in second.outcomes)
    assert "12 writes fit in the 45 minutes this run had left" in first.paced_why


def test_a_run_with_nothing_deferred_costs_only_its_reads() -> None:
    with start() as sandbox:
        program = parse_program(_big_roster("github", sandbox.url, 3), Path("program.yml"))
        sandbox.register_users(*sandbox_cast(program))
        day = date(2026, 2, 16)
        sandbox.set_clock(datetime.combine(day, time(2, 17), UTC))
        bot = connect(program.forge, {}, RetryPolicy(retries=0))
        assert run_day(bot, program, day, Templates()).failed == []
        sandbox.set_clock(datetime.combine(day, time(3, 17), UTC))  # the hourly catch-up
        sandbox.reset_counts()

        clock = SandboxTime(sandbox)
        pacer = pacer_for(
            program.forge.model_copy(update={"writes_per_minute": 80, "writes_per_hour": 500}),
            seconds=45 * 60,
            clock=clock.clock,
            sleep=clock.sleep,
        )
        report = run_day(connect(program.forge, {}, pacer=pacer), program, day, Templates())

        counts = sandbox.request_counts()
    assert (report.planned, report.outcomes, report.paced) == ((), (), ())
    assert counts["writes"] == 0
    assert 0 < counts["reads"] <= 8
    assert (pacer.sent, clock.waited) == (0, 0.0)


@pytest.mark.parametrize(
    "mistake",
    [
        "every pairing ended",  # `ended:` pasted on every line
        "starts shifted a year back",  # a wrong year in every start
    ],
)
def test_a_roster_mistake_still_needs_force_however_large_the_program(mistake: str) -> None:
    with start() as sandbox:
        size = 60
        text = _big_roster("gitlab", sandbox.url, size)
        program = parse_program(text, Path("program.yml"))
        sandbox.register_users(*sandbox_cast(program))
        day = date(2026, 2, 16)
        sandbox.set_clock(datetime.combine(day, time(2, 17), UTC))
        bot = connect(program.forge, {}, RetryPolicy(retries=0))
        # a normal first night of 60 pairings (127 writes: over the old fixed threshold of
        # 100) needs no --force, nor the next
        assert run_day(bot, program, day, Templates()).failed == []
        assert run_day(bot, program, day + timedelta(days=1), Templates()).failed == []
        if mistake == "every pairing ended":
            wrong = _big_roster(
                "gitlab", sandbox.url, size, pairing=", ended: 2026-02-17, ended_reason: moved"
            )
        else:
            wrong = text.replace("start: 2026-", "start: 2025-")
        mistaken = parse_program(wrong, Path("program.yml"))
        day = day + timedelta(days=2)
        sandbox.set_clock(datetime.combine(day, time(2, 17), UTC))

        with pytest.raises(TooManyWrites) as caught:
            run_day(bot, mistaken, day, Templates())

        assert "over the safety threshold of 100 (program.safety_threshold 300% of 0 running" in (
            str(caught.value)
        )
        assert run_day(bot, program, day, Templates()).failed == []  # the roster as it was


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_a_handle_written_in_another_case_carries_the_pairing_on(flavour: str) -> None:
    """`Alice` corrected to `alice` in program.yml names the same account: the pairing's
    issues and state carry on under the new id, and no second pairing issue opens."""
    with start() as sandbox:
        text = ROSTER.format(flavour=flavour, url=sandbox.url)
        before = parse_program(text.replace("alice", "Alice"), Path("program.yml"))
        after = parse_program(text, Path("program.yml"))
        sandbox.register_users(*sandbox_cast(after))
        bot = connect(after.forge, {}, RetryPolicy(retries=0))
        first = date(2026, 1, 5)
        sandbox.set_clock(datetime.combine(first, time(23), UTC))
        run_day(bot, before, first, Templates())
        opened = keyed(bot)[f"pair/{before.pairings[0].id}/pairing"]

        for day in (first + timedelta(days=1), first + timedelta(days=2)):
            sandbox.set_clock(datetime.combine(day, time(23), UTC))
            report = run_day(bot, after, day, Templates())
            assert report.failed == []
            assert not [o for o in report.outcomes if isinstance(o.action, OpenIssue)], day

        pairing_issues = [i for i in bot.list_issues() if i.title == opened.title]
        assert [i.number for i in pairing_issues] == [opened.number]
        assert opened.state is IssueState.OPEN
        kept = {
            pid
            for key, issue in keyed(bot).items()
            if key.startswith("ledger/") and key != ledger.PROGRAM
            for pid in ledger.parse(issue.body)
        }
        assert after.pairings[0].id in kept
        assert before.pairings[0].id not in kept


def test_the_log_says_of_a_failed_or_waiting_form_write_neither_whose_form_nor_its_number() -> None:
    program = parse_program(
        "program: {name: Log test}\n"
        "forge: {kind: gitlab, project: acme/mentoring}\n"
        "people:\n  - {handle: carol, roles: [mentor]}\n  - {handle: dan, roles: [mentee]}\n"
        "pairings:\n  - {mentor: carol, mentee: dan, start: 2026-01-05, private: true}\n",
        Path("program.yml"),
    )
    pairing = "carol--dan--2026-01-05"
    key = f"pair/{pairing}/feedback/midpoint/mentee"
    said = PostComment(f"{key}/answered", pairing, Target(key, 10), "Thanks", Urgency.MILESTONE)
    close = CloseIssue(
        f"{key}/close", pairing, Target(key, 10), CloseReason.COMPLETED, Urgency.MILESTONE
    )
    progress = PostComment(f"pair/{pairing}/progress", pairing, Target("x", 3), "", Urgency.LABELS)
    shown = Disclosure.of(program)

    failed = Outcome(said, Status.FAILED, "GitLab answered 422 to POST .../issues/10/notes")
    waited = Outcome(close, Status.SKIPPED, f"waits for {key}/answered")
    other = Outcome(progress, Status.SKIPPED, f"waits for pair/{pairing}/pairing")
    assert shown.detail(failed) == "the error is not shown: it names the form"
    assert shown.detail(waited) == "waits for another write"
    assert pairing not in shown.detail(other)
    assert shown.detail(other) == f"waits for pair/{shown.pairing(pairing)}/pairing"
    refused = Outcome(progress, Status.FAILED, "no user 'dan' who can be assigned; give dan a role")
    assert shown.detail(refused) == (
        "no user 'one of the pair' who can be assigned; give one of the pair a role"
    )


def test_on_gitlab_free_the_night_says_the_issue_kept_one_of_its_two_assignees() -> None:
    with start(users=["mentorship-bot", "alice", "bob"]) as sandbox:
        sandbox.set_gitlab_edition("free")
        program = parse_program(
            "program: {name: Free test}\n"
            f'forge: {{kind: sandbox, flavour: gitlab, url: "{sandbox.url}", project: acme/free,'
            " bot: mentorship-bot}\n"
            "people:\n  - {handle: alice, roles: [mentor]}\n  - {handle: bob, roles: [mentee]}\n"
            "pairings:\n  - {mentor: alice, mentee: bob, start: 2026-01-05}\n",
            Path("program.yml"),
        )
        day = date(2026, 1, 5)
        sandbox.set_clock(datetime.combine(day, time(23), UTC))
        bot = connect(program.forge, {}, RetryPolicy(retries=0))

        report = run_day(bot, program, day, Templates())

        [opened] = [o for o in report.outcomes if o.action.key.endswith("/pairing")]
        assert opened.status is Status.DONE
        assert opened.detail.startswith("the forge kept 1 of its 2 assignees")
        assert bot.get_issue(opened.opened or 0).assignees == ("bob",)
