"""The report site: index.html, a page per listed pairing, report.json and pairings.csv."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from automation.goals.feedback import figures as feedback_figures
from automation.model import Issue
from automation.roster import mentors
from automation.roster.config import Program
from automation.views.queue import queue_figures
from automation.views.report import charts
from automation.views.report.burnup import BurnUp, burnup_chart
from automation.views.report.charts import Chart
from automation.views.report.figures import (
    ACHIEVED_SHARE,
    CONSISTENT_SHARE,
    Figures,
    active_by_week,
    goal_share_bins,
    kept_share_bins,
    program_figures,
)
from automation.views.report.records import (
    Listed,
    pairing_record,
    report_record,
    to_csv,
    to_json,
)
from automation.views.status import PairingStatus

CADENCE_BARS = 40  # more listed pairings than this: the cadence chart shows a distribution


@dataclass(frozen=True)
class ReportResult:
    """What `build_report` wrote (sorted paths inside `out`), the headline figures and the
    records of the listed pairings (as report.json has them)."""

    out: Path
    files: tuple[Path, ...]
    figures: Figures
    records: tuple[dict[str, Any], ...]  # a pairing with a row and a page (never a private one)

    @property
    def listed(self) -> int:
        return len(self.records)


@functools.cache
def environment() -> Environment:
    """The report's templates, compiled once per process: they ship with the package, so
    nothing checks them for changes (a page per pairing would check every file it extends
    and includes). Sandboxed like the issue templates (automation/messages/templates.py),
    though nobody but the package writes these: one rule for every template."""
    return ImmutableSandboxedEnvironment(
        loader=PackageLoader("automation.views.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def period_starts(status: PairingStatus) -> tuple[date, ...]:
    """The first day of each check-in period of the term, at the pair's own cadence."""
    every_days = status.checkin_every_days
    count = max(1, -(-(status.end - status.start).days // every_days))
    return tuple(status.start + timedelta(days=n * every_days) for n in range(count))


def listed(statuses: Sequence[PairingStatus]) -> tuple[Listed, ...]:
    """The pairings the report may name, in roster order: every one but the private ones."""
    return tuple(Listed(s, period_starts(s)) for s in statuses if not s.private)


def burnup(pairing: Listed, today: date) -> BurnUp:
    status = pairing.status
    return BurnUp(
        start=status.start,
        end=status.end,
        today=today,
        points=tuple((status.week_start(w), done, total) for w, done, total in status.history),
        done=status.done,
        total=status.total,
        milestones=status.milestones,
        checkins=pairing.period_starts,
    )


def overview_charts(
    statuses: Sequence[PairingStatus],
    pairings: Sequence[Listed],
    figures: Figures,
    today: date,
) -> tuple[Chart, ...]:
    if 0 < len(pairings) <= CADENCE_BARS:
        cadence = charts.cadence_chart(
            [
                (f"{p.status.mentee} / {p.status.mentor}", p.status.checkins_held, e)
                for p in pairings
                if (e := p.status.checkins_expected)
            ]
        )
    else:
        cadence = charts.kept_share_chart(kept_share_bins(statuses))
    return (
        charts.active_chart(active_by_week(statuses), today),
        charts.goal_share_chart(goal_share_bins(statuses)),
        cadence,
        charts.phase_chart(figures.by_phase),
    )


def write_file(path: Path, text: str, written: list[Path]) -> None:
    """Write `text` to `path`, unless the file holds it already (a page that did not change
    keeps its date, for whatever publishes or syncs the folder); listed as written either way."""
    content = text.encode("utf-8")
    if not (path.is_file() and path.read_bytes() == content):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    written.append(path)


def build_report(
    program: Program,
    statuses: list[PairingStatus],
    today: date,
    out: Path,
    requests: Mapping[int, Issue] | None = None,
    feedback: Mapping[str, Any] | None = None,
) -> ReportResult:
    """Write the report for `today` into `out`; pages of pairings no longer listed (made
    private, or gone from the roster) are removed. `requests`: every request for a mentor,
    open or closed, by number; `feedback`: the figures of `automation.goals.feedback.read_back`."""
    feedback = feedback if feedback is not None else feedback_figures([], [])
    shown = bool(feedback["forms"]) or any(r["answered"] for r in feedback["recommend"])
    settings = program.program
    include_goal_text = settings.report.include_goal_text
    figures = program_figures(statuses)
    asking = queue_figures(program, requests or {}, today, weeks=True)
    table = mentors.mentor_table(program, today)
    pairings = listed(statuses)
    records = [pairing_record(p, include_goal_text) for p in pairings]
    weeks = active_by_week(statuses)
    goal_bins = goal_share_bins(statuses)
    templates = environment()
    common: dict[str, Any] = {
        "program": settings.name,
        "today": today,
        "consistent_percent": round(100 * CONSISTENT_SHARE),
        "achieved_percent": round(100 * ACHIEVED_SHARE),
        "include_goal_text": include_goal_text,
    }
    written: list[Path] = []
    write_file(
        out / "index.html",
        templates.get_template("index.html").render(
            **common,
            root="",
            figures=figures,
            charts=overview_charts(statuses, pairings, figures, today),
            pairings=records,
            hidden=figures.private,
            asking=asking,
            queue_chart=charts.queue_chart(asking.by_week, today) if asking.by_week else None,
            mentors=table,
            feedback=feedback,
            feedback_shown=shown,
        ),
        written,
    )
    page = templates.get_template("pairing.html")
    for pairing, record in zip(pairings, records, strict=True):
        write_file(
            out / pairing.page,
            page.render(
                **common,
                root="../",
                pairing=record,
                chart=burnup_chart(burnup(pairing, today)),
            ),
            written,
        )
    report = report_record(settings.name, today, figures, weeks, goal_bins, records)
    report["requests"] = asking.record()
    report["requests_by_week"] = [
        {"week_of": d.isoformat(), "waiting": n} for d, n in asking.by_week
    ]
    report["mentors"] = mentors.to_json(table, today)["mentors"]
    report["feedback"] = dict(feedback)
    write_file(out / "report.json", to_json(report), written)
    write_file(out / "pairings.csv", to_csv(records), written)
    pages = {out / p.page for p in pairings}
    for stale in sorted((out / "pairings").glob("*.html")):
        if stale not in pages:
            stale.unlink()
    return ReportResult(out, tuple(sorted(written)), figures, tuple(records))
