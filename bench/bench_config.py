"""Time to start, and to load program.yml: a generated roster by size, hostile files.

First the start-up: `mentorship --version`, `--help` and `validate --help`, each in a fresh
interpreter (`python -m automation`, as a user runs it), best of a few runs.

For each size, a roster of N pairings and 1.5 N people (every mentor with two mentees, in
the block style people write) is loaded with `load_program`, checked with the whole
`mentorship validate` command in process (the interpreter's start-up not counted), and
checked again as a user runs it: `python -m automation validate` in a fresh interpreter,
start-up and imports included (the figure issue #14 holds under a second at 10,000
pairings and 15,000 people). The best of a few runs is reported, in wall-clock seconds and
in CPU seconds (steadier on a shared machine). Linear loading: ten times the pairings should
take about ten times as long, less the fixed start-up. Each size is loaded again with a tenth
more pairings that change mentor (`follows:`), which must cost about as much per pairing.

A roster of 15,000 people whose 500 or 2,500 managers are not in it: each manager is
looked up once for a "did you mean" among the handles.

Each hostile file (recursive aliases, an alias bomb, unhashable keys, unsafe tags) must end
in a `ConfigError` well within a second: the loader's time, then the whole `mentorship
validate` process (interpreter start-up included), which must exit 1 with one `Error:` line.

    python bench/bench_config.py                      # 1,000, 2,000, 4,000, 10,000 pairings
    python bench/bench_config.py --sizes 1000 --runs 1
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner

from automation.cli import main as cli
from automation.roster.config import load_program, parse_program
from automation.roster.source import ConfigError

START = date(2026, 1, 5)

HEAD = """\
program:
  name: Bench
  timezone: Europe/Berlin
forge:
  kind: gitlab
  project: acme/mentoring
"""

HOSTILE = {
    "recursive alias": "a: &a [*a]\n",
    "recursive mapping": "a: &a {b: *a}\n",
    "alias bomb": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"{c}: &{c} [{', '.join([f'*{chr(ord(c) - 1)}'] * 9)}]\n" for c in "bcdefghi"),
    "unhashable key (list)": "[[a]]: 1\n",
    "unhashable key (map)": "{a: 1}: 2\n",
    "binary tag": "forge: !!binary aGVsbG8=\n",
    "python tag": "x: !!python/object/apply:os.system ['true']\n",
}


def roster(pairings: int, changes: int = 0) -> str:
    """N pairings, N mentees and N/2 mentors, written the way people write program.yml; then
    `changes` more pairings, each a change of mentor two months into a term (`follows:`)."""
    mentors = max(1, pairings // 2)
    lines = [HEAD, "people:\n"]
    for i in range(mentors):
        lines.append(
            f"  - handle: mentor{i}\n    name: Mentor Number {i}\n    roles: [mentor]\n"
            "    topics: [kubernetes, incident response]\n"
        )
    for i in range(pairings):
        lines.append(f"  - handle: mentee{i}\n    name: Mentee Number {i}\n    roles: [mentee]\n")
    lines.append("pairings:\n")
    for i in range(pairings):
        start = START + timedelta(days=i % 300)
        mentor = f"mentor{i % mentors}"
        lines.append(f"  - mentor: {mentor}\n    mentee: mentee{i}\n    start: {start}\n")
    for i in range(0, min(changes * 10, pairings), 10):
        start = START + timedelta(days=i % 300 + 60)
        lines.append(
            f"  - mentor: mentor{(i + 1) % mentors}\n    mentee: mentee{i}\n    start: {start}\n"
            f"    follows: mentor{i % mentors}\n    follows_reason: a better fit\n"
        )
    return "".join(lines)


def managed(people: int, managers: int) -> str:
    """`people` people, each with one of `managers` managers who are not in the program
    (a company's department heads): each manager is looked up for a "did you mean"."""
    lines = [HEAD, "people:\n"]
    for i in range(people):
        lines.append(f"  - {{handle: person{i}, roles: [mentee], manager: head{i % managers}}}\n")
    return "".join(lines)


def best_seconds(work: Callable[[], object], runs: int) -> float:
    return min(timeit.repeat(work, repeat=runs, number=1))


def best_cpu_seconds(work: Callable[[], object], runs: int) -> float:
    """CPU time (user and system, this process and the ones it waited for), best of `runs`:
    on a shared machine it moves much less than the wall clock with the others' load."""

    def cpu() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    took = []
    for _ in range(runs):
        before = cpu()
        work()
        took.append(cpu() - before)
    return min(took)


TODAY = ("--today", "2026-03-01")


def validate(path: Path) -> None:
    done = CliRunner().invoke(cli, ["validate", "--config", str(path), *TODAY])
    assert done.exit_code == 0, done.output


def validate_command(path: Path) -> None:
    """`mentorship validate` of a valid roster as a user runs it: a fresh interpreter."""
    subprocess.run(
        [sys.executable, "-m", "automation", "validate", "--config", str(path), *TODAY],
        capture_output=True,
        timeout=60,
        check=True,
    )


def validate_process(path: Path) -> None:
    """`mentorship validate` as a user runs it: a fresh interpreter, start-up included."""
    done = subprocess.run(
        [sys.executable, "-m", "automation", "validate", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    one_error_line = done.stderr.startswith("Error: ") and done.stderr.count("\n") == 1
    if done.returncode != 1 or not one_error_line:
        raise AssertionError(f"exit {done.returncode}: {done.stderr}")


def command_process(*args: str) -> None:
    """`mentorship ARGS` in a fresh interpreter, which must exit 0."""
    subprocess.run(
        [sys.executable, "-m", "automation", *args],
        capture_output=True,
        timeout=60,
        check=True,
    )


STARTUP = (("--version",), ("--help",), ("validate", "--help"))


def refused(text: str) -> None:
    try:
        parse_program(text)
    except ConfigError:
        return
    raise AssertionError("loaded a hostile file")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs per size; the best counts")
    args = parser.parse_args()
    print(f"{'start-up':26} {'s':>6} {'cpu s':>6}")
    for command in STARTUP:
        took = best_seconds(lambda: command_process(*command), args.runs)  # noqa: B023
        cpu = best_cpu_seconds(lambda: command_process(*command), args.runs)  # noqa: B023
        print(f"{'mentorship ' + ' '.join(command):26} {took:6.2f} {cpu:6.2f}", flush=True)
    header = f"{'pairings':>9} {'changes':>8} {'people':>7} {'lines':>7}"
    timings = f"{'load s':>8} {'cpu s':>6} {'validate s':>11} {'cpu s':>6}"
    print(f"\n{header} {timings} {'command s':>10} {'cpu s':>6}")
    with tempfile.TemporaryDirectory() as directory:
        for size, changes in [(n, c) for n in args.sizes for c in (0, n // 10)]:
            path = Path(directory) / f"program-{size}-{changes}.yml"
            path.write_text(roster(size, changes), encoding="utf-8")
            program = load_program(path)
            load = best_seconds(lambda: load_program(path), args.runs)  # noqa: B023
            check = best_seconds(lambda: validate(path), args.runs)  # noqa: B023
            load_cpu = best_cpu_seconds(lambda: load_program(path), args.runs)  # noqa: B023
            check_cpu = best_cpu_seconds(lambda: validate(path), args.runs)  # noqa: B023
            command = best_seconds(lambda: validate_command(path), args.runs)  # noqa: B023
            command_cpu = best_cpu_seconds(lambda: validate_command(path), args.runs)  # noqa: B023
            lines = path.read_text(encoding="utf-8").count("\n")
            people = len(program.people)
            total = len(program.pairings)
            row = f"{total:9} {changes:8} {people:7} {lines:7}"
            row += f" {load:8.2f} {load_cpu:6.2f} {check:11.2f} {check_cpu:6.2f}"
            print(f"{row} {command:10.2f} {command_cpu:6.2f}", flush=True)
    print(f"\n{'people':>7} {'managers outside':>17} {'load s':>8}")
    with tempfile.TemporaryDirectory() as directory:
        for people, managers in ((15_000, 500), (15_000, 2_500)):
            path = Path(directory) / "program.yml"
            path.write_text(managed(people, managers), encoding="utf-8")
            load = best_seconds(lambda: load_program(path), args.runs)  # noqa: B023
            print(f"{people:7} {managers:17} {load:8.2f}", flush=True)
    print(f"\n{'hostile file':24} {'ConfigError ms':>15} {'mentorship validate s':>22}")
    with tempfile.TemporaryDirectory() as directory:
        for name, text in HOSTILE.items():
            path = Path(directory) / "program.yml"
            path.write_text(text, encoding="utf-8")
            loader = best_seconds(lambda: refused(text), args.runs) * 1000  # noqa: B023
            command = best_seconds(lambda: validate_process(path), 1)  # noqa: B023
            print(f"{name:24} {loader:15.2f} {command:22.2f}", flush=True)


if __name__ == "__main__":
    main()
