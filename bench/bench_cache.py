"""CPU of keeping the observation cache: writing it after a run, reading it before the next.

A program of 1,000 pairings (as in bench_nightly.py) is brought up to date on the sandbox
through a cache file, so the file holds what a real run keeps: the issues with their
descriptions, the comments of the window, how each description read. For 10,000 pairings
that cache is copied ten times under other issue numbers and comment ids (each copy's
descriptions differ, so each is kept as its own). Each size is then saved and loaded with
`automation.forge.cached`, without and with a secret (`MENTORSHIP_SECRET`: the file is
signed, and checked when read), best of a few runs, in CPU seconds of this process.

    python bench/bench_cache.py
    python bench/bench_cache.py --runs 5
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import tempfile
from dataclasses import replace
from pathlib import Path

from bench_checklist import best_seconds
from bench_nightly import TODAY, night, roster

from automation.commands.demo import sandbox_cast
from automation.forge.cached import Cache, load, save
from automation.sandbox import start

SEED = 1000
SECRET = "bench-secret"


def filled(folder: Path) -> Cache:
    """The cache a run of 1,000 pairings keeps, on its second night."""
    path = folder / "cache.json.gz"
    with start() as sandbox:
        program = roster(SEED, "gitlab", sandbox.url)
        sandbox.register_users(*sandbox_cast(program))
        night(sandbox, program, TODAY, path)
        night(sandbox, program, TODAY, path)
    # Loaded as made for whatever project and bot it was written for.
    body = gzip.decompress(path.read_bytes()).partition(b"\n")[2]
    return load(path, str(json.loads(body)["identity"]), TODAY, None)


def widened(cache: Cache, copies: int) -> Cache:
    """`cache` with `copies` - 1 more copies of every issue, comment and description read."""
    shelves = {}
    for key, shelf in cache.shelves.items():
        issues = dict(shelf.issues)
        for k in range(1, copies):
            for issue in shelf.issues.values():
                number = issue.number + 100_000 * k
                issues[number] = replace(issue, number=number, body=f"{issue.body} copy {k}")
        shelves[key] = replace(shelf, issues=issues)
    comments = dict(cache.comments)
    for k in range(1, copies):
        for comment in cache.comments.values():
            moved = comment.id + 10_000_000 * k
            comments[moved] = replace(comment, id=moved)
    parsed = {f"{key}/{k}": record for k in range(copies) for key, record in cache.parsed.items()}
    return replace(cache, shelves=shelves, comments=comments, parsed=parsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        seed = filled(folder)
        print("| pairings | issues | comments | descriptions | secret | save s | load s | MB |")
        print("|---|---|---|---|---|---|---|---|")
        for copies in (1, 10):
            for secret in (None, SECRET):
                cache = widened(seed, copies)
                path = folder / f"cache-{copies}.gz"
                print(row(SEED * copies, cache, path, secret, args.runs))


def row(pairings: int, cache: Cache, path: Path, secret: str | None, runs: int) -> str:
    saving = best_seconds(functools.partial(save, path, cache, secret), runs)
    reading = functools.partial(load, path, cache.identity, cache.made, secret)
    assert len(reading().comments) == len(cache.comments), "the cache did not load back"
    loading = best_seconds(reading, runs)
    issues = sum(len(shelf.issues) for shelf in cache.shelves.values())
    return (
        f"| {pairings:,} | {issues:,} | {len(cache.comments):,} "
        f"| {len(cache.parsed):,} | {'yes' if secret else 'no'} | {saving:.2f} "
        f"| {loading:.2f} | {path.stat().st_size / 1e6:.1f} |"
    )


if __name__ == "__main__":
    main()
