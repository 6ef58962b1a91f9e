"""Cost of a company-wide report on the sandbox: HTTP requests and wall time.

A company of P department programs of N pairings each (starts spread over the last five
months; every other program speaks GitLab's API, the rest GitHub's; each its own project)
is brought up to date with two setup nights per program (not measured). Then, as the CLI
runs them:

- read:     every program read as `mentorship report` reads it (every pairing and request);
- history:  `mentorship history mentor0 --programs programs.yml` (mentor0 mentors in every
            program, so every program is read);
- report:   `mentorship report --programs programs.yml`, reading and writing the site;
- build:    with --build, writing the site alone from what was read (no request): every
            program's report with a page and a burn-up chart per pairing, and the
            company's index, report.json and pairings.csv;
- rebuild:  with --build, the same again into the same folder (nothing changed: no file is
            rewritten).

Each step is measured in requests, wall-clock seconds, CPU seconds of the thread that runs
it (the sandbox answers from other threads) and, on Linux, the process's peak resident
memory during the step (the sandbox's share included).

    python bench/bench_company.py                            # 10 programs of 1,000 pairings
    python bench/bench_company.py --programs 10 --size 200    # quicker
    python bench/bench_company.py --reads-only                # requests, without the site
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench_nightly import TODAY, night
from click.testing import CliRunner

from automation.cli import main as cli
from automation.commands.demo import sandbox_cast
from automation.forge import connect
from automation.goals.feedback import figures as no_feedback
from automation.night.observe import read
from automation.roster.config import load_program
from automation.sandbox import RunningSandbox, start
from automation.views.report.company import Part, build_company_report
from automation.views.status import program_status


def roster_text(index: int, size: int, url: str) -> str:
    flavour = "gitlab" if index % 2 == 0 else "github"
    mentors = max(1, size // 2)
    people = [
        f"  - {{handle: mentor{i}, roles: [mentor], capacity: 3, topics: [go]}}"
        for i in range(mentors)
    ]
    people += [f"  - {{handle: mentee{index}x{i}, roles: [mentee]}}" for i in range(size)]
    pairings = [
        f"  - {{mentor: mentor{i % mentors}, mentee: mentee{index}x{i}, "
        f"start: {TODAY - timedelta(days=1 + (i * 150) // size)}}}"
        for i in range(size)
    ]
    lines = [
        f"program: {{name: Department {index}, safety_threshold: 100000, max_writes: 100000}}",
        f"forge: {{kind: sandbox, flavour: {flavour}, url: '{url}', project: acme/dept{index},"
        " bot: mentorship-bot}",
        "people:",
        *people,
        "pairings:",
        *pairings,
    ]
    return "\n".join(lines) + "\n"


STATUS = Path("/proc/self/status")


def reset_peak_memory() -> None:
    """Start the process's peak resident memory afresh (Linux; elsewhere nothing is done)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_memory_mb() -> float | None:
    """The process's peak resident memory since the last reset, where Linux tells it."""
    try:
        lines = STATUS.read_text().splitlines()
    except OSError:
        return None
    found = [line.split()[1] for line in lines if line.startswith("VmHWM:")]
    return round(int(found[0]) / 1024) if found else None


def measure(sandbox: RunningSandbox, work: Callable[[], Any]) -> dict[str, Any]:
    sandbox.reset_counts()
    reset_peak_memory()
    started, cpu = time.perf_counter(), time.thread_time()
    work()
    elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
    counts = sandbox.request_counts()
    return {
        "reads": counts["reads"],
        "writes": counts["writes"],
        "seconds": round(elapsed, 1),
        "cpu": round(cpu, 1),
        "memory": peak_memory_mb(),
    }


def site_size(site: Path) -> dict[str, Any]:
    files = [p for p in site.rglob("*") if p.is_file()]
    return {
        "files": len(files),
        "pages": sum(1 for p in files if p.suffix == ".html"),
        "megabytes": round(sum(p.stat().st_size for p in files) / 1e6, 1),
    }


def invoke(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    if result.exit_code != 0:
        raise SystemExit(f"mentorship {' '.join(args)} failed: {result.output}")


def read_all(paths: list[Path]) -> list[Part]:
    """Every program read as `mentorship report` reads it (every pairing, every request)."""
    parts = []
    for path in paths:
        program = load_program(path)
        observed = read(connect(program.forge, {}), program, TODAY, everything=True)
        statuses = program_status(program, observed, TODAY)
        parts.append(Part(program, statuses, TODAY, observed.requests, no_feedback([], [])))
    return parts


def bench(
    programs: int,
    size: int,
    root: Path,
    report: Callable[[str, dict[str, Any]], None],
    *,
    reads_only: bool = False,
    build: bool = False,
) -> None:
    with start() as sandbox:
        paths = []
        started = time.perf_counter()
        for index in range(programs):
            path = root / f"dept{index}" / "program.yml"
            path.parent.mkdir(parents=True)
            path.write_text(roster_text(index, size, sandbox.url))
            program = load_program(path)
            sandbox.register_users(*sandbox_cast(program))
            # Issues opened in a run are followed up in the next: two setup nights.
            night(sandbox, program, TODAY)
            night(sandbox, program, TODAY)
            paths.append(path)
            print(f"seeded {index + 1} of {programs} ({time.perf_counter() - started:.0f}s)")
        print(
            "| programs | pairings each | step | reads | writes | seconds | CPU s "
            "| peak MB | files | pages | MB |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
        listing = "".join(f"  - dept{i}/program.yml\n" for i in range(programs))
        company = root / "programs.yml"
        company.write_text(f"name: Acme\nprograms:\n{listing}")
        sandbox.set_clock(datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(hours=9))
        today = TODAY.isoformat()
        parts: list[Part] = []
        report("read", measure(sandbox, lambda: parts.extend(read_all(paths))))
        history = measure(
            sandbox,
            lambda: invoke(
                "history",
                "mentor0",
                "--programs",
                str(company),
                "--today",
                today,
                "--format",
                "json",
            ),
        )
        report("history", history)
        if not reads_only:
            site = root / "site"
            whole = measure(
                sandbox,
                lambda: invoke(
                    "report", "--programs", str(company), "--today", today, "--out", str(site)
                ),
            )
            report("report", whole | site_size(site))
        if build:
            # After the report, so that both start with matplotlib loaded.
            again = root / "site-again"
            for step in ("build", "rebuild"):
                row = measure(sandbox, lambda: build_company_report("Acme", parts, again))
                report(step, row | site_size(again))


def show(programs: int, size: int, name: str, row: dict[str, Any]) -> None:
    cells = [row.get(key, "") for key in ("files", "pages", "megabytes")]
    print(
        f"| {programs} | {size} | {name} | {row['reads']} | {row['writes']} "
        f"| {row['seconds']} | {row['cpu']} | {row['memory'] or ''} | "
        + " | ".join(str(cell) for cell in cells)
        + " |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--programs", type=int, default=10)
    parser.add_argument("--size", type=int, default=1000, help="pairings per program")
    parser.add_argument(
        "--reads-only",
        action="store_true",
        help="measure the reads (and history) only, not the site: its pages take the time",
    )
    parser.add_argument(
        "--build", action="store_true", help="also time writing the site alone, after the report"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench(
            args.programs,
            args.size,
            Path(folder),
            lambda name, row: show(args.programs, args.size, name, row),
            reads_only=args.reads_only,
            build=args.build,
        )


if __name__ == "__main__":
    main()
