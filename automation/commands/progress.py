"""`mentorship progress`: how the bot reads the goals of an issue description."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

import click

from automation.goals.checklist import Dialect, Goal, parse, to_json
from automation.messages.markdown import visible


def run(body_file: TextIO, dialect: str, as_json: bool) -> int:
    checklist = parse(body_file.read(), Dialect(dialect))
    if as_json:
        click.echo(json.dumps(to_json(checklist), indent=2))
        return 0
    _echo_goals(checklist.goals)
    if not checklist.goals:
        click.echo("no goals found under a '## Goals' heading")
    done = sum(g.done for g in checklist.goals)
    total = sum(g.total for g in checklist.goals)
    if checklist.mentor_goals:
        click.echo("mentor's goals:")
        _echo_goals(checklist.mentor_goals)
    click.echo(f"goals: {done}/{total} steps; every task item: {checklist.done}/{checklist.total}")
    return 0


def _echo_goals(goals: Iterable[Goal]) -> None:
    """Each goal and its steps: people's words, without what a terminal would run."""
    for goal in goals:
        due = f" (due {goal.due})" if goal.due else ""
        click.echo(f"{goal.done}/{goal.total}  {visible(goal.title)}{due}")
        for step in goal.steps:
            click.echo(f"      [{'x' if step.checked else ' '}] {visible(step.text)}")
