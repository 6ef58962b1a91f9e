"""A whole simulated term on the sandbox, observed once per test session, for report tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from automation.commands.demo import run_demo
from automation.forge import connect
from automation.lifecycle.observed import Observed, tended_until
from automation.model import CloseReason
from automation.night import observe as reading
from automation.roster.config import Program, ReportRules, load_program
from automation.sandbox import start
from automation.views.report import ReportResult, build_report
from automation.views.status import PairingStatus, program_status

RETURNED = "alice--dana--2026-01-05"  # the one pairing whose retrospective comes back
ANSWER = "What went well: the incident review. What to change: meet earlier in the week."


@dataclass(frozen=True)
class Term:
    """The demo program after its last night, as a report sees it."""

    program: Program
    observed: Observed
    today: date

    def roster(self, *, private: str | None = None, include_goal_text: bool = False) -> Program:
        settings = self.program.program.model_copy(
            update={"report": ReportRules(include_goal_text=include_goal_text)}
        )
        pairings = [
            p.model_copy(update={"private": True}) if p.id == private else p
            for p in self.program.pairings
        ]
        return self.program.model_copy(update={"program": settings, "pairings": pairings})

    def statuses(self, roster: Program | None = None) -> list[PairingStatus]:
        return program_status(roster or self.program, self.observed, self.today)

    def report(self, out: Path, roster: Program | None = None) -> ReportResult:
        roster = roster or self.program
        return build_report(roster, self.statuses(roster), self.today, out)


@pytest.fixture(scope="session")
def term(tmp_path_factory: pytest.TempPathFactory) -> Term:
    demo = run_demo(tmp_path_factory.mktemp("demo"), "gitlab", lambda _: None)
    program = load_program(demo.program)
    today = max(tended_until(p, program) for p in program.pairings)
    with start(state=demo.state) as sandbox:
        settings = program.forge.model_copy(update={"url": sandbox.url})
        bot = connect(settings, {})
        [returned] = [p for p in program.pairings if p.id == RETURNED]
        retro = reading.read(bot, program, today, everything=True).issues[
            f"pair/{RETURNED}/retrospective/{returned.end(program.program)}"
        ]
        sandbox.set_clock(datetime.combine(today, time(10), UTC))  # the report's morning
        dana = connect(settings, {"SANDBOX_TOKEN": "dana"})
        dana.comment(retro.number, ANSWER)
        dana.close(retro.number, CloseReason.COMPLETED)
        observed = reading.read(bot, program, today, everything=True)
    return Term(program, observed, today)


@pytest.fixture
def report_of(term: Term, tmp_path: Path) -> Callable[..., ReportResult]:
    """Build the term's report into a fresh folder, with the roster changed as asked."""

    def build(
        name: str = "site", private: str | None = None, include_goal_text: bool = False
    ) -> ReportResult:
        roster = term.roster(private=private, include_goal_text=include_goal_text)
        return term.report(tmp_path / name, roster)

    return build
