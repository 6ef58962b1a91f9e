"""`mentorship mentors`: the table of available mentors, from program.yml alone."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from automation.commands.today import program_day
from automation.roster.config import load_program
from automation.roster.mentors import mentor_table, to_csv, to_json, to_markdown


def run(config_path: Path, today: date | None, output: str) -> int:
    program = load_program(config_path)
    day = program_day(program, today)
    rows = mentor_table(program, day)
    if output == "json":
        click.echo(json.dumps(to_json(rows, day), indent=2))
    elif output == "csv":
        click.echo(to_csv(rows), nl=False)
    else:
        click.echo(to_markdown(rows, day), nl=False)
    return 0
