"""`mentorship report`: the static report site of one program, or of a company's programs
with the figures across them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click

from automation.commands.company import Read, company_of, read_company, read_program, single
from automation.goals.feedback import program_read_back
from automation.roster.config import load_program
from automation.views.report import build_report
from automation.views.report.company import Part, build_company_report


def run(
    config_paths: Sequence[Path], programs_path: Path | None, today: date | None, out: Path
) -> int:
    company = company_of(config_paths, programs_path)
    if company is None:
        done = read_program(load_program(single(config_paths)), today)
        result = build_report(
            done.program, done.statuses, done.day, out, done.observed.requests, _answers(done)
        )
        click.echo(f"wrote {len(result.files)} files to {out}; open {out / 'index.html'}")
        return 0
    parts = [
        Part(d.program, d.statuses, d.day, d.observed.requests, _answers(d))
        for d in read_company(company, today)
    ]
    whole = build_company_report(company.name, parts, out)
    click.echo(
        f"wrote {len(whole.files)} files to {out} for {len(parts)} programs; "
        f"open {out / 'index.html'}"
    )
    return 0


def _answers(done: Read) -> dict[str, Any]:
    return program_read_back(done.program, done.observed.issues)
