"""A program's forge as a command reaches it: the day on its clock, the client with the
token from the environment, and the secret that signs the bot's ledger."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

import click

from automation.commands.today import forge_day
from automation.forge import Forge, Pacer, connect
from automation.roster.config import Program


@dataclass(frozen=True)
class Connection:
    """What a command works with on the forge."""

    day: date
    forge: Forge
    secret: str | None


def connection(program: Program, given: date | None, pacer: Pacer | None = None) -> Connection:
    """The day, then the forge, then the secret (whose warning follows any of the forge's)."""
    day = forge_day(program, given)
    forge = connect(program.forge, os.environ, pacer=pacer)
    return Connection(day, forge, ledger_secret(program))


def ledger_secret(program: Program) -> str | None:
    """The secret that signs the bot's ledger, from the environment (README, "Security").

    Without one, on GitHub, anyone who can write to the repository can edit the ledger:
    say so on every run."""
    secret = os.environ.get(program.forge.secret_env, "").strip() or None
    if secret is None and program.forge.api_flavour == "github":
        click.echo(
            f"warning: ${program.forge.secret_env} is not set: anyone with write access to the "
            "repository can edit the bot's ledger; set it (a repository secret) so the bot "
            "signs its ledger and believes no other",
            err=True,
        )
    return secret
