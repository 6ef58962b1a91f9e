"""`mentorship history`: everything one person did in the program, or in any program of a
company, as mentor and as mentee."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import click

from automation.commands.company import company_of, load_programs, read_program, single
from automation.roster.config import load_program
from automation.views.history import company_history, person_history, to_json, to_markdown


def run(
    handle: str,
    config_paths: Sequence[Path],
    programs_path: Path | None,
    today: date | None,
    output: str,
) -> int:
    company = company_of(config_paths, programs_path)
    if company is None:
        done = read_program(load_program(single(config_paths)), today)
        record = person_history(done.program, done.statuses, handle)
    else:
        # Only the programs that know the person are read from their forges.
        programs = load_programs(company)
        knowing = [program for program in programs if program.person(handle) is not None]
        read_back = [read_program(program, today) for program in knowing]
        record = company_history(
            company.name,
            [(d.program, d.statuses) for d in read_back] or [(p, []) for p in programs],
            handle,
        )
    if output == "json":
        click.echo(json.dumps(to_json(record), indent=2))
    else:
        click.echo(to_markdown(record), nl=False)
    return 0
