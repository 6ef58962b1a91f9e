"""`mentorship validate`: program.yml and its templates checked; warnings said, not fatal."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from datetime import date
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path

import click

from automation.commands.today import program_day
from automation.messages.context import SPECS
from automation.messages.markdown import plural
from automation.messages.templates import (
    TemplateError,
    Templates,
    check_templates,
    templates_for,
    unknown_files,
)
from automation.roster.checks import active_on, cross_check
from automation.roster.config import Program, load_program

# What rendering one of the program's templates may take, in a process of its own: CPU
# seconds, and memory beyond what the process had (`MENTORSHIP_TEMPLATE_CPU_SECONDS`
# lowers the first, for the tests). A template is anyone's text who may open a merge
# request, and `validate` runs on merge requests: the checks inside the render stop what
# they can name, these stop the rest.
CPU_SECONDS = 30
MEMORY = 2 << 30


def run(config_path: Path, today: date | None) -> int:
    program = load_program(config_path)
    day = program_day(program, today)
    broken = _templates_checked(templates_for(config_path), program, day)
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


def _templates_checked(templates: Templates, program: Program, day: date) -> list[str]:
    """The program's own templates checked, each in a child process held to `CPU_SECONDS`
    and `MEMORY` where the system forks and nothing else runs in this one (forking beside
    other threads could inherit a lock they hold); else here."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return check_templates(templates, program, day, shipped=False)
    problems = unknown_files(templates)
    for name in SPECS:
        if templates.shipped(name):
            continue
        check = partial(check_templates, templates, program, day, shipped=False, only={name})
        problems += _apart(check, templates.path(name))
    return problems


def _apart(work: Callable[[], list[str]], path: Path) -> list[str]:
    """`work()` in a forked child with limits on its CPU time and memory; its problems, or
    one naming `path` when it ran past them."""
    import resource

    seconds = int(os.environ.get("MENTORSHIP_TEMPLATE_CPU_SECONDS", CPU_SECONDS))
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)

    def child() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
        used = _address_space()
        if used is not None:
            resource.setrlimit(resource.RLIMIT_AS, (used + MEMORY, used + MEMORY))
        try:
            writer.send(work())
        except BaseException as error:  # the render's own failures are problems already
            writer.send([f"{path}: {type(error).__name__}: {error}"])

    process = context.Process(target=child, daemon=True)
    process.start()
    writer.close()
    found = _received(reader) if reader.poll(seconds * 2 + 10) else None
    process.join(5)
    if process.is_alive():
        process.kill()
        process.join()
    if found is not None:
        return found
    return [
        f"{path}: rendering it took more than {seconds} s of CPU or {MEMORY >> 30} GiB of "
        "memory (a loop that runs on, or a text that grows at each turn); shorten it"
    ]


def _received(reader: Connection) -> list[str] | None:
    try:
        found: list[str] = reader.recv()
    except EOFError:  # the child was stopped before it answered
        return None
    return found


def _address_space() -> int | None:
    """This process's virtual memory in bytes (Linux), or None where it cannot be read."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")
