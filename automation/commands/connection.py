"""A program's forge as a command reaches it: the day on its clock, the client with the
token from the environment, the secret that signs the bot's ledger, and the key that signs
the observation cache."""

from __future__ import annotations

import hashlib
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
    cache_key: str | None


def connection(program: Program, given: date | None, pacer: Pacer | None = None) -> Connection:
    """The day, then the forge, then the secret (whose warning follows any of the forge's)."""
    day = forge_day(program, given)
    forge = connect(program.forge, os.environ, pacer=pacer)
    secret = ledger_secret(program)
    return Connection(day, forge, secret, cache_key(program, secret))


def cache_key(program: Program, secret: str | None) -> str | None:
    """What signs the observation cache: the secret, or else a key drawn from the bot's
    token. Whoever could plant a cache (a CI cache written by another pipeline, a file
    committed where the cache is kept) does not hold either, so a run believes no cache it
    did not write: a planted one could name another user's id for a handle (GitLab assigns
    by id) or list an issue as the bot's. A new token reads everything once.

    Only a GitLab token keys it: GitHub's tokens change at every job (`GITHUB_TOKEN`, an
    App's), so without the secret a GitHub cache is unsigned, as its ledger is (and the run
    says so); the sandbox's token is no secret."""
    if secret is not None:
        return secret
    token = os.environ.get(program.forge.token_variable, "").strip()
    if not token or program.forge.kind != "gitlab":
        return None
    return hashlib.sha256(b"mentorship observation cache\0" + token.encode()).hexdigest()


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
