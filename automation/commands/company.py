"""One program or a company of them, read from their forges for a report or a history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from automation.commands.connection import connection
from automation.lifecycle.observed import Observed
from automation.night.observe import read
from automation.roster.config import Program
from automation.roster.programs import Company, from_configs, load_company, member_program
from automation.views.status import PairingStatus, program_status


@dataclass(frozen=True)
class Read:
    """One program as read from its forge for a report or a history."""

    program: Program
    day: date
    observed: Observed
    statuses: list[PairingStatus]


def company_of(config_paths: Sequence[Path], programs_path: Path | None) -> Company | None:
    """The programs to read together, or None for the one program of --config."""
    if programs_path is not None:
        return load_company(programs_path)
    if len(config_paths) > 1:
        return from_configs(config_paths)
    return None


def single(config_paths: Sequence[Path]) -> Path:
    """The one program.yml of --config."""
    return config_paths[0] if config_paths else Path("program.yml")


def read_program(program: Program, today: date | None) -> Read:
    reached = connection(program, today)
    observed = read(reached.forge, program, reached.day, everything=True, secret=reached.secret)
    return Read(program, reached.day, observed, program_status(program, observed, reached.day))


def load_programs(company: Company) -> list[Program]:
    """Every program file of the company, loaded (and any error said) before the first
    request, each reading the token variables the programs file names."""
    return [member_program(member) for member in company.members]


def read_company(company: Company, today: date | None) -> list[Read]:
    """Every program of the company, one after the other, each with its own token; a line
    on standard error before each (its warnings follow it)."""
    programs = load_programs(company)
    done = []
    for number, program in enumerate(programs, start=1):
        click.echo(
            f"reading {number} of {len(programs)}: {program.program.name} "
            f"({len(program.pairings)} pairings, {program.forge.project})",
            err=True,
        )
        done.append(read_program(program, today))
    return done
