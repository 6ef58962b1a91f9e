"""`mentorship validate`: program.yml and its templates checked; warnings said, not fatal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from automation.commands.today import program_day
from automation.messages.markdown import plural
from automation.messages.templates import TemplateError, check_templates, templates_for
from automation.roster.checks import active_on, cross_check
from automation.roster.config import load_program


def run(config_path: Path, today: date | None) -> int:
    program = load_program(config_path)
    day = program_day(program, today)
    broken = check_templates(templates_for(config_path), program, day, shipped=False)
    if broken:
        raise TemplateError("\n".join(broken))
    warnings = [p for p in cross_check(program, day) if p.warning]
    for line in program.report(warnings):
        click.echo(line, err=True)
    active = len(active_on(program, day))
    people, pairings = len(program.people), len(program.pairings)
    summary = (
        f"{config_path}: ok: {people} {'person' if people == 1 else 'people'}, "
        f"{pairings} pairing{plural(pairings)} "
        f"({active} active on {day})"
    )
    if warnings:
        summary += f", {len(warnings)} warning{plural(len(warnings))}"
    click.echo(summary)
    return 0
