"""Cost of closing out terms after a long gap: one run, months after the last one.

A program of N pairings (starts spread over the first month, one-month terms) runs every
night of its first month, then not at all for six months. The run after the gap finds
every term ended: it opens each retrospective, posts each closing note, sets the final
labels and closes each pairing issue and its check-ins. The table gives that run's HTTP
requests, then those of the run after it (everything settled: nothing to tend).

    python bench/bench_gap.py                  # 10, 100 and 500 pairings, both forges
    python bench/bench_gap.py --sizes 10       # quicker
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

from automation.forge import RetryPolicy, connect
from automation.messages.templates import Templates
from automation.night.run import run_day
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox, start

FIRST = date(2026, 1, 5)
GAP_DAYS = 182


def roster(size: int, flavour: str, url: str) -> Program:
    mentors = max(1, size // 2)
    people = [f"  - {{handle: mentor{i}, roles: [mentor]}}" for i in range(mentors)]
    people += [f"  - {{handle: mentee{i}, roles: [mentee]}}" for i in range(size)]
    pairings = [
        f"  - {{mentor: mentor{i % mentors}, mentee: mentee{i}, term_months: 1, "
        f"start: {FIRST + timedelta(days=(i * 28) // size)}}}"
        for i in range(size)
    ]
    text = "\n".join(
        [
            "program: {name: Bench, safety_threshold: 100000, max_writes: 100000}",
            f"forge: {{kind: sandbox, flavour: {flavour}, url: '{url}', project: acme/gap,"
            " bot: mentorship-bot}",
            "people:",
            *people,
            "pairings:",
            *pairings,
        ]
    )
    return parse_program(text + "\n")


def night(sandbox: RunningSandbox, program: Program, day: date) -> dict[str, Any]:
    sandbox.set_clock(datetime.combine(day, clock(23), UTC))
    sandbox.reset_counts()
    started = time.perf_counter()
    report = run_day(
        connect(program.forge, {}, RetryPolicy(retries=0)), program, day, Templates(), force=True
    )
    if report.failed:
        raise SystemExit(f"{len(report.failed)} writes failed, e.g. {report.failed[0].detail}")
    counts = sandbox.request_counts()
    return {
        "reads": counts["reads"],
        "writes": counts["writes"],
        "seconds": round(time.perf_counter() - started, 2),
    }


def bench(size: int, flavour: str) -> dict[str, dict[str, Any]]:
    mentors = max(1, size // 2)
    people = [f"mentor{i}" for i in range(mentors)] + [f"mentee{i}" for i in range(size)]
    with start(users=["mentorship-bot", *people]) as sandbox:
        program = roster(size, flavour, sandbox.url)
        day = FIRST
        while day < FIRST + timedelta(days=28):
            night(sandbox, program, day)
            day += timedelta(days=1)
        after = day + timedelta(days=GAP_DAYS)
        return {
            "after the gap": night(sandbox, program, after),
            "the night after": night(sandbox, program, after + timedelta(days=1)),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--forges", nargs="+", default=["gitlab", "github"])
    args = parser.parse_args()
    print("| forge | pairings | run | reads | writes | seconds |")
    print("|---|---|---|---|---|---|")
    for flavour in args.forges:
        for size in args.sizes:
            for name, row in bench(size, flavour).items():
                print(
                    f"| {flavour} | {size} | {name} | {row['reads']} | {row['writes']} "
                    f"| {row['seconds']} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
