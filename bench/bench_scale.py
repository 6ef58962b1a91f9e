"""The scale figures side by side, in one run: requests per night, start-up, validate,
planning CPU, parser throughput and peak memory.

For each forge and size, bench_nightly.py's program (N pairings, starts over five months)
runs its nights twice on the sandbox: reading everything each night, and observing
incrementally through a cache file (`mentorship apply --cache`). Each row shows the reads of
the quiet night (the night after the setup nights: it reads back what they wrote), the
same night run again (it reads back the quiet night's writes, and writes nothing), the same
night a third time ("still": nothing at all changed since the run before, not even by the
bot), a busy night (10% of the pairings have a new comment) and its rerun, and the quiet
night's writes; then the next
quiet night (the day after the quiet night, nothing from people: the steady state, which
reads back only the quiet night's own writes) through the cache, its reads and writes.
Beside them, the reads the same workload costs in the style of two well-known tools,
counted from what the sandbox holds that night (a model of their requests, not a run of
them):

- actions/stale (src/classes/issues-processor.ts): `getIssues` pages every open issue, 100
  a page, every run; each issue carrying the stale label costs `getLabelCreationDate`
  (listEvents, one page here) and `_hasCommentsSince` (listComments): 2 reads each. Here
  the stale label is the stalled one.
- gitlab-triage: each policy rule is one paged query of the resources it matches, and a
  rule with a condition on discussions reads each matching resource's notes. The nightly's
  concerns as rules: four queries over the open pairing issues (check-ins due, ending soon,
  close-out, progress) and two with a last-comment condition (the quiet nudge and the
  stalled label): 4 x ceil(open pairings / 100) + 2 x open pairings.

Then, once: `mentorship --version` and `--help` in a fresh interpreter; `validate` of a
roster of 10,000 pairings and 15,000 people (in process, CPU seconds); planning a quiet night
of 1,000 pairings and of 10,000 copied from them (CPU of the job's thread, as
bench_planning.py, the best of three); the checklist parser on a realistic pairing issue
grown to 1 MB, next to cmark-gfm rendering HTML; and the peak resident memory of this
process.

    python bench/bench_scale.py                         # 100 and 1,000 pairings
    python bench/bench_scale.py --sizes 100 1000 10000  # 10,000 adds ~10 min a forge
    python bench/bench_scale.py --sizes 100 --skip-once
"""

from __future__ import annotations

import argparse
import math
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import bench_checklist
import bench_config
import bench_nightly
import bench_planning

from automation.goals.checklist import Dialect


def nights(size: int, flavour: str, folder: Path) -> dict[str, Any]:
    full = bench_nightly.bench(size, flavour)
    cached = bench_nightly.bench(size, flavour, cache=folder / f"{flavour}-{size}.json.gz")
    shape = full["shape"]
    pairings = shape["pairings open"]
    return {
        "full": full,
        "cached": cached,
        "stale": math.ceil(shape["open"] / 100) + 2 * shape["stalled"],
        "triage": 4 * math.ceil(pairings / 100) + 2 * pairings,
    }


def once() -> list[tuple[str, str]]:
    out = []
    for args in (("--version",), ("--help",)):
        seconds = bench_config.best_seconds(lambda a=args: bench_config.command_process(*a), 3)
        out.append((f"`mentorship {args[0]}`, fresh interpreter", f"{seconds:.2f} s"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "program.yml"
        path.write_text(bench_config.roster(10_000), encoding="utf-8")
        seconds = bench_config.best_cpu_seconds(lambda: bench_config.validate(path), 2)
    out.append(("`validate`, 10,000 pairings and 15,000 people", f"{seconds:.2f} s CPU"))
    for line in bench_planning.bench("gitlab", [1000, 10_000], 0, 3):  # the best of three
        _, _, pairings, what, seconds, _ = line.split("|")
        name = f"a quiet night of {pairings.strip()} pairings: {what.strip()}"
        out.append((name, f"{seconds.strip()} s CPU"))
    body = bench_checklist.realistic(1_000_000)
    html = bench_checklist.engines()["cmark-gfm to HTML"]
    size = len(body.encode()) / 1e6
    for name, work in (
        (
            "checklist parser, GitHub dialect, 1 MB",
            lambda: bench_checklist.parse(body, Dialect.GITHUB),
        ),
        (
            "checklist parser, GitLab dialect, 1 MB",
            lambda: bench_checklist.parse(body, Dialect.GITLAB),
        ),
        ("cmark-gfm rendering HTML, 1 MB", lambda: html(body)),
    ):
        seconds = bench_checklist.best_seconds(work, 3)
        out.append((name, f"{size / seconds:.1f} MB/s"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.append(("peak resident memory of this process", f"{peak:.0f} MB"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--forges", nargs="+", default=["gitlab", "github"])
    parser.add_argument("--skip-once", action="store_true", help="only the nights")
    args = parser.parse_args()
    started = time.perf_counter()
    print(
        "| forge | pairings | quiet, full read | quiet, cache | again, cache | still, cache "
        "| busy, cache "
        "| rerun, cache | quiet writes | next quiet, cache | next quiet writes "
        "| actions/stale style | gitlab-triage style |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for flavour in args.forges:
            for size in args.sizes:
                row = nights(size, flavour, Path(folder))
                full, cached = row["full"], row["cached"]
                print(
                    f"| {flavour} | {size} | {full['quiet']['reads']} "
                    f"| {cached['quiet']['reads']} | {cached['quiet again']['reads']} "
                    f"| {cached['quiet still']['reads']} "
                    f"| {cached['busy']['reads']} | {cached['rerun']['reads']} "
                    f"| {full['quiet']['writes']} | {cached['next quiet']['reads']} "
                    f"| {cached['next quiet']['writes']} | {row['stale']} | {row['triage']} |",
                    flush=True,
                )
    if not args.skip_once:
        print("\n| what | measured |\n|---|---|")
        for name, value in once():
            print(f"| {name} | {value} |", flush=True)
    print(f"\n({time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
