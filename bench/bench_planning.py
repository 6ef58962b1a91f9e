"""CPU of a quiet night's planning, apart from HTTP: reading the forge's answers, and planning.

A program of 1,000 pairings (as in bench_nightly.py) is brought up to date on the sandbox;
on the quiet night after:

- observe:  `read()` (automation/night/observe.py) over HTTP, timed as CPU of the calling
  thread only (`thread_time`: the client's work of parsing the pages and turning them into
  issues and comments, and the snapshot; the sandbox answers from other threads, and
  waiting costs no CPU);
- plan CPU: CPU of the calling thread from the observed state in memory (the `Observed`
  that `read()` returns) to the list of actions (`rules.plan`, pure: no I/O), with the
  observation cache warm: the descriptions read as the last run's cache kept them, so an
  unchanged body is not parsed again (`checklist.remember`), and the pairings found quiet
  the night before skipped, their dashboard rows kept (`quiet.remember_records`; the night
  before is the same state planned on the day before, and the memo goes through the cache's
  JSON). The actions are checked equal to those of planning every pairing. Neither HTTP nor
  loading program.yml is in it. "plan, bodies kept" keeps no quiet pairings (the first
  night of a cache), "plan, no cache" parses every body afresh too, as a run without one;
- `mentorship plan`: the whole command in a fresh interpreter, as CI runs it, with
  `--cache` warm (run once before): start-up, loading program.yml, observing through the
  cache over HTTP, planning and printing; CPU of that process (user and system), the
  sandbox answering from this one.

For 10,000 pairings the sandbox is not seeded (that would take long): the observed state of
the 1,000 is copied ten times under other handles (mentee7 -> mentee1007, mentor7 ->
mentor507, issue numbers moved by 100,000 a copy; the same dates, and the bodies with the
copy's handles, so that each copy's descriptions are its own and read as such), the ledger
issues rebuilt for the 10,000, and `rules.plan` timed on it.

The bench plans with the shadow mode off (MENTORSHIP_QUIET_SHADOW unset): it times skipping.

    python bench/bench_planning.py                       # both forges, 1,000 and 10,000
    python bench/bench_planning.py --forges gitlab --profile 15   # with cProfile's top 15
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import json
import pstats
import re
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bench_config import command_process
from bench_nightly import TODAY, night, roster
from bench_nightly import roster_text as roster_text_of

from automation.commands.demo import sandbox_cast
from automation.forge import RetryPolicy, connect
from automation.goals import checklist
from automation.lifecycle import ledger
from automation.lifecycle.actions import Action
from automation.lifecycle.observed import Observed, started_on
from automation.lifecycle.rules import plan, quiet
from automation.messages.templates import Templates
from automation.model import Issue
from automation.night.observe import read
from automation.roster.config import Program, parse_program
from automation.sandbox import start

T = TypeVar("T")
SEED = 1000  # pairings seeded on the sandbox
NUMBERS = 100_000  # issue numbers (and comment ids) move by this much a copy
_HANDLE = re.compile(r"\b(mentee|mentor)(\d+)\b")


def cpu(work: Callable[[], T], repeat: int = 1) -> tuple[T, float]:
    """What `work` returns, and the least CPU seconds of this thread it took."""
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        started = time.thread_time()
        result = work()
        best = min(best, time.thread_time() - started)
    return result, best


def profiled(work: Callable[[], object], top: int) -> str:
    profile = cProfile.Profile()
    profile.runcall(work)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(top)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(lines[start : start + top + 1])


def widened(program: Program, observed: Observed, copies: int) -> tuple[Program, Observed]:
    """The program and observed state of `copies` times the seeded pairings."""
    mentors = SEED // 2

    def moved(k: int) -> Callable[[str], str]:
        def handle(text: str) -> str:
            def one(m: re.Match[str]) -> str:
                step = SEED if m.group(1) == "mentee" else mentors
                return f"{m.group(1)}{int(m.group(2)) + k * step}"

            return _HANDLE.sub(one, text)

        return handle

    flavour = program.forge.api_flavour
    text = roster_text_of(SEED, flavour, program.forge.url or "")
    head, pairings = text.split("pairings:\n")
    people = head.split("people:\n")[1]
    lines = [
        "program: {name: Bench, safety_threshold: 100000, max_writes: 100000,"
        " requests: {propose_changes: false}}",
        head.split("\n")[1],
        "people:",
        *(moved(k)(people).rstrip("\n") for k in range(copies)),
        "pairings:",
        *(moved(k)(pairings).rstrip("\n") for k in range(copies)),
    ]
    wide = parse_program("\n".join(lines) + "\n")

    issues: dict[str, Issue] = {}
    comments = {}
    activity = {}
    states = {}
    turns = {}
    for k in range(copies):
        rename = moved(k)
        shift = k * NUMBERS
        for key, issue in observed.issues.items():
            if key.startswith("pair/"):
                assignees = tuple(map(rename, issue.assignees))
                issues[rename(key)] = replace(
                    issue, number=issue.number + shift, assignees=assignees, body=rename(issue.body)
                )
        for key, comment in observed.comments.items():
            if key.startswith("pair/"):
                comments[rename(key)] = replace(
                    comment,
                    id=comment.id + shift,
                    issue_number=comment.issue_number + shift,
                    author=rename(comment.author),
                    body=rename(comment.body),
                )
        activity |= {rename(p): moment for p, moment in observed.activity.items()}
        turns |= {rename(p): turn for p, turn in observed.turns.items()}
        for pid, state in observed.ledger.items():
            numbers = tuple(
                (part, n + shift if isinstance(n, int) else n) for part, n in state.issues
            )
            comment = state.comment + shift if isinstance(state.comment, int) else state.comment
            states[rename(pid)] = replace(
                state, comment=comment, issues=numbers, was=tuple(map(rename, state.was))
            )
    # The ledger issues as the bot would keep the 10,000 (bookkeeping.ledgers' shards).
    months = Counter(p.start.strftime("%Y-%m") for p in wide.pairings)
    shards: dict[str, dict[str, ledger.PairState]] = {}
    for pid, state in states.items():
        month = (started_on(pid) or TODAY).strftime("%Y-%m")
        shards.setdefault(ledger.shard(pid, month, months[month]), {})[pid] = state
    book = next(i for k, i in observed.issues.items() if k.startswith("ledger/2"))
    for n, (key, entries) in enumerate(sorted(shards.items())):
        issues[key] = replace(book, number=copies * NUMBERS + n, body=ledger.render(key, entries))
    issues |= {k: i for k, i in observed.issues.items() if not k.startswith(("pair/", "ledger/2"))}
    return wide, replace(
        observed,
        issues=issues,
        comments=comments,
        activity=activity,
        ledger=states,
        turns=turns,
    )


def afresh(planned: Callable[[], list[Action]]) -> list[Action]:
    checklist.forget()  # every body parsed, as in a run without the cache
    quiet.forget()  # every pairing planned
    return planned()


def recalled(
    planned: Callable[[], list[Action]], kept: dict[str, Any], found: dict[str, Any] | None = None
) -> list[Action]:
    """`planned` with the bodies, and the quiet pairings `found`, as the cache kept them."""
    checklist.forget()
    checklist.remember(kept)
    quiet.forget()
    quiet.remember_records(found or {})
    return planned()


def command(roster_text: str, repeat: int) -> float:
    """CPU seconds of `mentorship plan --cache` in a fresh interpreter, its cache warm."""
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "program.yml"
        config.write_text(roster_text, encoding="utf-8")
        args = ("plan", "--config", str(config), "--cache", str(Path(folder) / "cache.json.gz"))
        command_process(*args)  # fills the cache
        best = float("inf")
        for _ in range(repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            command_process(*args)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            spent = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            best = min(best, spent)
        return best


def bench(flavour: str, sizes: list[int], top: int, repeat: int) -> list[str]:
    if quiet.SHADOW:
        raise SystemExit("MENTORSHIP_QUIET_SHADOW plans every pairing: unset it to time skipping")
    rows = []
    tonight = TODAY + timedelta(days=1)
    templates = Templates()
    with start() as sandbox:
        program = roster(SEED, flavour, sandbox.url)
        sandbox.register_users(*sandbox_cast(program))
        sandbox.set_clock(datetime.combine(TODAY, datetime.min.time(), UTC))
        night(sandbox, program, TODAY)
        night(sandbox, program, TODAY)
        sandbox.set_clock(datetime.combine(tonight, datetime.min.time(), UTC) + timedelta(hours=23))
        forge = connect(program.forge, {}, RetryPolicy(retries=0))
        read(forge, program, tonight)  # warm: connections, the bot's name
        sandbox.reset_counts()
        observed, seconds = cpu(lambda: read(forge, program, tonight), repeat)
        reads = sandbox.request_counts()["reads"] // repeat
        rows.append(f"| {flavour} | {SEED} | observe ({reads} reads) | {seconds:.3f} |")
        if top:
            print(f"\n{flavour}, {SEED} pairings, observe:\n")
            print(profiled(lambda: read(forge, program, tonight), top))
        seconds = command(roster_text_of(SEED, flavour, sandbox.url), repeat)
        rows.append(
            f"| {flavour} | {SEED} | `mentorship plan --cache`, whole command | {seconds:.3f} |"
        )
    for size in sizes:
        wide, state = (
            (program, observed) if size == SEED else widened(program, observed, size // SEED)
        )
        planned = functools.partial(plan, wide, state, tonight, templates)

        actions, seconds = cpu(functools.partial(afresh, planned), repeat)
        rows.append(
            f"| {flavour} | {size} | plan, no cache ({len(actions)} actions) | {seconds:.3f} |"
        )
        kept = checklist.remembered()
        every, seconds = cpu(functools.partial(recalled, planned, kept), repeat)
        rows.append(f"| {flavour} | {size} | plan, bodies kept | {seconds:.3f} |")
        recalled(functools.partial(plan, wide, state, TODAY, templates), kept)  # the night before
        found = json.loads(json.dumps(quiet.remembered()))
        before = quiet.COUNTS["skipped"]
        warm = functools.partial(recalled, planned, kept, found)
        actions, seconds = cpu(warm, repeat)
        skipped = (quiet.COUNTS["skipped"] - before) // repeat
        if actions != every:
            raise SystemExit(f"{flavour}, {size}: skipping quiet pairings changed the plan")
        rows.append(
            f"| {flavour} | {size} | plan CPU ({len(actions)} actions, the same; "
            f"{skipped} quiet pairings skipped) | {seconds:.3f} |"
        )
        if top:
            print(f"\n{flavour}, {size} pairings, plan CPU:\n")
            print(profiled(warm, top))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--forges", nargs="+", default=["gitlab", "github"])
    parser.add_argument("--profile", type=int, default=0, metavar="TOP", help="cProfile top N")
    parser.add_argument("--repeat", type=int, default=3, help="timings, the best is shown")
    args = parser.parse_args()
    if any(size % SEED for size in args.sizes):
        parser.error(f"sizes are multiples of {SEED}")
    rows = []
    for flavour in args.forges:
        rows += bench(flavour, args.sizes, args.profile, args.repeat)
    print(f"\n| forge | pairings | step | CPU seconds (best of {args.repeat}) |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
