"""Private feedback forms on the sandbox, through the real python-gitlab and PyGithub
clients: confidential and assigned to one participant on GitLab, answered by ticking boxes,
told to the coordinators once, read back in the report without a word anyone wrote; none
on GitHub, with a warning."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from automation.forge import Forge, RetryPolicy, connect
from automation.goals.checklist import Dialect
from automation.goals.feedback import read_back
from automation.messages.templates import Templates
from automation.model import IssueState
from automation.night.observe import read
from automation.night.run import Report, plan_day, run_day, run_summary
from automation.roster.checks import cross_check
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox, start
from automation.views.report import build_report
from automation.views.status import program_status

START = date(2026, 1, 5)
MIDPOINT = date(2026, 4, 5)
SECRET = "only the CI knows"
WORDS = "Alice never shows up and I feel stuck"
ROSTER = """\
program:
  name: Feedback test
  coordinators: [carol]
  feedback: {{low_score: 5}}
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/mentoring,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, roles: [mentor]}}
  - {{handle: bob, roles: [mentee]}}
  - {{handle: carol, roles: [mentor]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05}}
"""
FORMS = {"mentee": "bob", "mentor": "alice"}


class World:
    def __init__(self, sandbox: RunningSandbox, program: Program) -> None:
        self.sandbox, self.program = sandbox, program
        policy = RetryPolicy(retries=0)
        self.bot = connect(program.forge, {"SANDBOX_TOKEN": "mentorship-bot"}, policy)
        self.people: dict[str, Forge] = {
            h: connect(program.forge, {"SANDBOX_TOKEN": h}, policy) for h in ("alice", "bob")
        }

    def night(self, day: date) -> Report:
        self.sandbox.set_clock(datetime.combine(day, time(23), UTC))
        report = run_day(self.bot, self.program, day, Templates(), secret=SECRET)
        assert report.failed == []
        assert plan_day(self.bot, self.program, day, Templates(), secret=SECRET) == []
        return report

    def forms(self) -> dict[str, int]:
        """Form role -> issue number, as the bot opened them."""
        out = {}
        for issue in self.bot.list_issues(labels=["mentorship-feedback"]):
            for role in FORMS:
                if f"/feedback/midpoint/{role} " in issue.body:
                    out[role] = issue.number
        return out


def sandboxed(flavour: str) -> Iterator[World]:
    with start(users=["mentorship-bot", "alice", "bob", "carol"]) as sandbox:
        text = ROSTER.format(flavour=flavour, url=sandbox.url)
        yield World(sandbox, parse_program(text, Path("program.yml")))


@pytest.fixture
def gitlab() -> Iterator[World]:
    yield from sandboxed("gitlab")


@pytest.fixture
def github() -> Iterator[World]:
    yield from sandboxed("github")


def test_forms_are_confidential_for_one_participant_and_read_back_once(
    gitlab: World, tmp_path: Path
) -> None:
    world = gitlab
    world.night(START)
    world.night(MIDPOINT)
    forms = world.forms()
    assert sorted(forms) == ["mentee", "mentor"]
    for role, number in forms.items():
        issue = world.bot.get_issue(number)
        assert issue.confidential
        assert issue.assignees == (FORMS[role],)
        assert issue.state is IssueState.OPEN
    # Bob ticks a low score and "not a good fit", and writes what he thinks; Alice a 9.
    world.sandbox.set_clock(datetime.combine(MIDPOINT + timedelta(days=2), time(10), UTC))
    mentee = world.bot.get_issue(forms["mentee"]).body
    ticked = mentee.replace("- [ ] 3\n", "- [x] 3\n").replace(
        "- [ ] No, not a good fit", "- [x] No, not a good fit"
    )
    world.people["bob"].edit_issue_body(forms["mentee"], f"{ticked}\n{WORDS}\n")
    mentor = world.bot.get_issue(forms["mentor"]).body
    world.people["alice"].edit_issue_body(forms["mentor"], mentor.replace("- [ ] 9\n", "- [x] 9\n"))
    report = world.night(MIDPOINT + timedelta(days=2))
    summary = run_summary(world.program, MIDPOINT + timedelta(days=2), report)
    assert "feedback" in summary
    assert WORDS not in summary
    assert "answered" not in summary
    assert summary.count("private feedback forms") == 1  # said once for the pairing
    notes = [
        c
        for c in world.bot.list_comments(since=datetime.combine(MIDPOINT, time(), UTC))
        if c.author == "mentorship-bot" and "@carol" in c.body
    ]
    assert [c.issue_number for c in notes] == [forms["mentee"]]
    assert WORDS not in notes[0].body
    assert all(world.bot.get_issue(n).state is IssueState.CLOSED for n in forms.values())
    # Later nights tell nobody again; once the forms' window is over, reading costs no
    # more than without forms.
    world.night(MIDPOINT + timedelta(days=3))
    later = world.bot.list_comments(since=datetime.combine(MIDPOINT, time(), UTC))
    assert len([c for c in later if "@carol" in c.body]) == 1
    without = world.program.model_copy(
        update={"program": world.program.program.model_copy(update={"feedback": None})}
    )
    for day, extra in ((MIDPOINT + timedelta(days=34), 1), (MIDPOINT + timedelta(days=35), 0)):
        world.sandbox.reset_counts()
        read(world.bot, world.program, day)
        reads = world.sandbox.request_counts()["reads"]
        world.sandbox.reset_counts()
        read(world.bot, without, day)
        assert reads == world.sandbox.request_counts()["reads"] + extra

    day = MIDPOINT + timedelta(days=3)
    observed = read(world.bot, world.program, day, everything=True)
    answers = read_back(observed.issues, Dialect.GITLAB)
    assert [(g["role"], g["answered"]) for g in answers["forms"]] == [
        ("mentee", 1),
        ("mentor", 1),
    ]
    statuses = program_status(world.program, observed, day)
    out = tmp_path / "site"
    build_report(world.program, statuses, day, out, observed.requests, answers)
    data = json.loads((out / "report.json").read_text())
    assert data["feedback"]["forms"][0]["median"] is None  # one answer: never shown
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert WORDS not in text, path
            assert "not a good fit</td>" not in text


def test_github_skips_the_forms_with_a_warning(github: World) -> None:
    world = github
    world.night(START)
    report = world.night(MIDPOINT)
    assert world.bot.list_issues(labels=["mentorship-feedback"]) == []
    summary = run_summary(world.program, MIDPOINT, report)
    assert "Warning: private feedback forms are skipped on GitHub" in summary
    [warning] = [p for p in cross_check(world.program) if "feedback" in p.message]
    assert warning.warning
