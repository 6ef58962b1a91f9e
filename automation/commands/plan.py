"""`mentorship plan`: what `apply` would do today, written nowhere; the lines and the JSON
of a plan, which `apply` prints too."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import click

from automation.commands.connection import connection
from automation.commands.pairing import pairing_id
from automation.forge.cached import kept
from automation.lifecycle.actions import Action
from automation.messages.templates import templates_for
from automation.night.run import Disclosure, plan_day, summary
from automation.roster.config import load_program


def run(
    config_path: Path,
    today: date | None,
    as_json: bool,
    plan_out: Path | None,
    cache_path: Path | None,
    pairing_name: str | None,
) -> int:
    program = load_program(config_path)
    pairing = pairing_id(program, pairing_name)
    reached = connection(program, today)
    with kept(
        reached.forge, cache_path, program.forge, reached.day, reached.cache_key
    ) as observing:
        templates = templates_for(config_path)
        actions = plan_day(
            observing, program, reached.day, templates, secret=reached.secret, pairing=pairing
        )
    shown = Disclosure.of(program)
    write_plan(plan_out, actions, shown)
    if as_json:
        click.echo(plan_json(actions, shown))
        return 0
    for action in actions:
        click.echo(line(action, shown))
    click.echo(f"plan for {reached.day}: {summary(actions)}")
    return 0


def line(action: Action, shown: Disclosure) -> str:
    return f"{shown.pairing(action.pairing) or '(program)'}: {shown.describe(action)}"


def plan_json(actions: Sequence[Action], shown: Disclosure) -> str:
    return json.dumps([shown.to_json(a) for a in actions], indent=2, default=str)


def write_plan(path: Path | None, actions: Sequence[Action], shown: Disclosure) -> None:
    """The plan as JSON in `path` (--plan-out), when there is one."""
    if path is not None:
        path.write_text(plan_json(actions, shown) + "\n", encoding="utf-8")
