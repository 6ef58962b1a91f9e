"""`mentorship apply`: today's work on the forge, each write said as it is done, how far
the run has got on standard error, and what waits for the next run."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import click

from automation.commands.connection import connection
from automation.commands.pairing import pairing_id
from automation.commands.plan import line, write_plan
from automation.forge import pacer_for
from automation.forge.cached import kept
from automation.lifecycle.actions import Action
from automation.messages.templates import templates_for
from automation.night.executor import Outcome, Status
from automation.night.run import Disclosure, Report, run_day, run_summary, summary
from automation.night.ticker import Ticker
from automation.roster.config import load_program

MARKS = {
    Status.DONE: "done",
    Status.FAILED: "FAILED",
    Status.SKIPPED: "skipped",
    Status.DEFERRED: "deferred",
}


def run(
    config_path: Path,
    today: date | None,
    max_writes: int | None,
    time_budget: float | None,
    force: bool,
    summary_path: Path | None,
    plan_out: Path | None,
    cache_path: Path | None,
    pairing_name: str | None,
) -> int:
    """Exit 1 if a write failed."""
    program = load_program(config_path)
    pairing = pairing_id(program, pairing_name)
    minutes = time_budget if time_budget is not None else program.forge.time_budget_minutes
    pacer = pacer_for(program.forge, seconds=minutes * 60)
    reached = connection(program, today, pacer)
    shown = Disclosure.of(program)
    ticker = Ticker(say, terminal=sys.stderr.isatty())

    def planned(actions: Sequence[Action]) -> None:
        ticker.planned(len(actions))
        write_plan(plan_out, actions, shown)

    def show(outcome: Outcome) -> None:
        said = shown.detail(outcome)
        detail = f" ({said})" if said else ""
        if ticker.terminal:
            click.echo("\r\x1b[K", err=True, nl=False)  # the progress line gives way
        click.echo(f"{MARKS[outcome.status]:>7}  {line(outcome.action, shown)}{detail}")
        ticker.heard(outcome)

    with kept(
        reached.forge, cache_path, program.forge, reached.day, reached.cache_key
    ) as observing:
        report = run_day(
            observing,
            program,
            reached.day,
            templates_for(config_path),
            max_writes=max_writes,
            force=force,
            on_outcome=show,
            secret=reached.secret,
            on_plan=planned,
            pacer=pacer,
            pairing=pairing,
        )
    ticker.finished(len(report.deferred) + len(report.paced) + len(report.limited))
    if summary_path is not None:
        with summary_path.open("a", encoding="utf-8") as out:
            out.write(run_summary(program, reached.day, report))
    for action in (*report.deferred, *report.paced):
        click.echo(f"deferred  {line(action, shown)}")
    _tell(reached.day, report)
    if report.failed:
        click.echo(
            f"{len(report.failed)} of {len(report.outcomes)} writes did not happen", err=True
        )
        return 1
    return 0


def _tell(day: date, report: Report) -> None:
    """What was written, and what waits for the next run and why."""
    done = [o.action for o in report.outcomes if o.status is Status.DONE]
    click.echo(f"applied for {day}: {summary(done)}")
    if report.deferred:
        click.echo(f"deferred to the next run (write budget): {summary(report.deferred)}")
    if report.paced:
        click.echo(f"deferred to the next run ({report.paced_why}): {summary(report.paced)}")
    if report.limited:
        limited = summary([o.action for o in report.limited])
        click.echo(f"deferred to the next run (the forge's rate limit): {limited}")


def say(progress: str, redraw: bool) -> None:
    """A progress line on standard error; on a terminal it replaces the previous one."""
    if redraw:
        click.echo(f"\r{progress}\x1b[K", err=True, nl=False)
    else:
        click.echo(progress, err=True)
