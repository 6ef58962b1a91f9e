"""The company-wide report: every program's own report in a folder of its own, and an index,
report.json and pairings.csv with the figures across programs and a `program` column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from automation.goals.feedback import figures as feedback_figures
from automation.model import Issue
from automation.roster.config import Program
from automation.roster.programs import folders
from automation.views.queue import QueueFigures, queue_figures
from automation.views.report.figures import (
    ACHIEVED_SHARE,
    CONSISTENT_SHARE,
    Figures,
    active_by_week,
    goal_share_bins,
    program_figures,
)
from automation.views.report.records import (
    CSV_COLUMNS,
    report_record,
    share_record,
    to_csv,
    to_json,
)
from automation.views.report.site import (
    ReportResult,
    build_report,
    environment,
    overview_charts,
    write_file,
)
from automation.views.status import PairingStatus

COMPANY_CSV_COLUMNS = ("program", *CSV_COLUMNS)


@dataclass(frozen=True)
class Part:
    """One program of the company, as its report reads it."""

    program: Program
    statuses: Sequence[PairingStatus]
    today: date
    requests: Mapping[int, Issue] = field(default_factory=dict)
    feedback: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ProgramRow:
    """A program's line in the company index."""

    name: str
    folder: str
    figures: Figures
    asking: QueueFigures

    @property
    def running(self) -> int:
        return self.figures.phase_count("active") + self.figures.phase_count("ending-soon")


@dataclass(frozen=True)
class CompanyResult:
    out: Path
    files: tuple[Path, ...]  # every file written, the programs' reports included
    figures: Figures  # across every program
    programs: tuple[ReportResult, ...]


def program_record(row: ProgramRow) -> dict[str, Any]:
    """A program's figures in the company's report.json."""
    figures = row.figures
    return {
        "program": row.name,
        "folder": row.folder,
        "report": f"{row.folder}/report.json",
        "pairings": figures.pairings,
        "private": figures.private,
        "mentorships": figures.mentorships,
        "running": row.running,
        "by_phase": dict(figures.by_phase),
        "figures": {
            "meeting_consistently": share_record(figures.meeting_consistently),
            "goals_half_achieved": share_record(figures.goals_half_achieved),
            "completed_term": share_record(figures.completed_term),
            "retrospectives_returned": share_record(figures.retrospectives_returned),
        },
        "requests": row.asking.record(),
    }


def build_company_report(name: str, parts: Sequence[Part], out: Path) -> CompanyResult:
    """Write each program's report into `out/<folder>/` (the folder named after the
    program) and the company's index.html, report.json and pairings.csv into `out`."""
    names = [part.program.program.name for part in parts]
    dirs = folders(names)
    today = max(part.today for part in parts)
    reports = tuple(
        build_report(
            part.program,
            list(part.statuses),
            part.today,
            out / folder,
            part.requests,
            part.feedback if part.feedback is not None else feedback_figures([], []),
        )
        for part, folder in zip(parts, dirs, strict=True)
    )
    rows = [
        ProgramRow(
            program_name, folder, result.figures, queue_figures(p.program, p.requests, p.today)
        )
        for program_name, folder, result, p in zip(names, dirs, reports, parts, strict=True)
    ]
    statuses = [status for part in parts for status in part.statuses]
    figures = program_figures(statuses)
    records = [
        {"program": program_name, **record, "page": f"{folder}/{record['page']}"}
        for program_name, folder, result in zip(names, dirs, reports, strict=True)
        for record in result.records
    ]
    templates = environment()
    written: list[Path] = [path for result in reports for path in result.files]
    write_file(
        out / "index.html",
        templates.get_template("company.html").render(
            program=name,
            today=today,
            root="",
            consistent_percent=round(100 * CONSISTENT_SHARE),
            achieved_percent=round(100 * ACHIEVED_SHARE),
            include_goal_text=any(p.program.program.report.include_goal_text for p in parts),
            figures=figures,
            charts=overview_charts(statuses, (), figures, today),
            programs=rows,
            waiting=sum(row.asking.waiting for row in rows),
        ),
        written,
    )
    report = report_record(
        name, today, figures, active_by_week(statuses), goal_share_bins(statuses), records
    )
    report["programs"] = [program_record(row) for row in rows]
    write_file(out / "report.json", to_json(report), written)
    write_file(out / "pairings.csv", to_csv(records, COMPANY_CSV_COLUMNS), written)
    return CompanyResult(out, tuple(sorted(written)), figures, reports)
