"""One nightly run: observe the forge, plan the day, keep to the write budget, apply."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from automation.actions import Action, Outcome, Status, apply, budget
from automation.config import Program
from automation.forge.base import Forge
from automation.markdown import cell
from automation.observe import read
from automation.rules import plan
from automation.templates import Templates


class TooManyWrites(Exception):
    """The plan is larger than the safety threshold: likely a roster mistake."""


def templates_for(config_path: Path) -> Templates:
    """The program's own templates (beside program.yml) over the shipped defaults."""
    return Templates(config_path.parent / "templates" / "issues")


def plan_day(forge: Forge, program: Program, today: date, templates: Templates) -> list[Action]:
    return plan(program, read(forge, program, today), today, templates)


@dataclass(frozen=True)
class Report:
    planned: tuple[Action, ...]
    deferred: tuple[Action, ...]
    outcomes: tuple[Outcome, ...]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is not Status.DONE]


def run_day(
    forge: Forge,
    program: Program,
    today: date,
    templates: Templates,
    *,
    max_writes: int | None = None,
    force: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Report:
    """Plan and apply the same list. Refuses a plan over the safety threshold unless forced."""
    settings = program.program
    actions = plan_day(forge, program, today, templates)
    if len(actions) > settings.safety_threshold and not force:
        raise TooManyWrites(
            f"the plan has {len(actions)} writes, over the safety threshold of "
            f"{settings.safety_threshold} (program.safety_threshold); check program.yml for a "
            "mistake with `mentorship plan`, then run again with --force if it is right"
        )
    kept = budget(actions, max_writes if max_writes is not None else settings.max_writes)
    outcomes = apply(kept.run, forge, on_outcome)
    return Report(tuple(actions), kept.deferred, tuple(outcomes))


def summary(actions: Sequence[Action]) -> str:
    """`3 open-issue, 2 comment` in a stable order."""
    counts = Counter(a.kind for a in actions)
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing"


def run_summary(program: Program, day: date, report: Report) -> str:
    """The run as Markdown for people: what was done, by pairing (a CI job summary)."""
    names = {p.id: f"{p.mentee} with {p.mentor}" for p in program.pairings}
    rows: dict[str, list[str]] = {}
    for outcome in report.outcomes:
        mark = {Status.DONE: "", Status.FAILED: "**failed:** ", Status.SKIPPED: "skipped: "}
        rows.setdefault(outcome.action.pairing, []).append(
            f"{mark[outcome.status]}{cell(outcome.action.describe())}"
        )
    for action in report.deferred:
        rows.setdefault(action.pairing, []).append(f"deferred: {cell(action.describe())}")
    done = [o.action for o in report.outcomes if o.status is Status.DONE]
    lines = [
        f"## {program.program.name}: nightly run for {day}",
        "",
        f"Done: {summary(done)}.",
    ]
    if report.failed:
        lines.append(f"Not done: {len(report.failed)} (see the job log for the errors).")
    if report.deferred:
        lines.append(f"Deferred to the next run (write budget): {summary(report.deferred)}.")
    if rows:
        lines += ["", "| pairing | what the run did |", "|---|---|"]
        for pairing, items in rows.items():
            lines.append(f"| {names.get(pairing, '(program)')} | {'<br>'.join(items)} |")
    return "\n".join(lines) + "\n"
