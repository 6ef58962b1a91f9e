"""Cost of one nightly run on the sandbox: HTTP requests (reads, writes) and wall time.

For each forge flavour and program size, a program of N pairings with starts spread over
the last five months is brought up to date (the setup night is not measured). Then:

- quiet night: the next night, nobody wrote anything since the last run;
- quiet again: the same night run again, 20 minutes later (with --cache: it reads back the
               quiet night's writes, and writes nothing);
- quiet still: the same night a third time, 20 minutes later again (with --cache: what a run
               costs when nothing at all changed since the last one, not even by the bot);
               20 minutes is past the cache's MARGIN, and the next quiet night starts from
               the cache the quiet night left, as it would without these two runs;
- next quiet:  the day after, nobody wrote anything again (with --cache: the steady state, it
               reads back only the quiet night's own writes);
- busy night:  the night after, 10% of the pairings have a new comment by their mentee;
- rerun:       the busy night's job run a second time (nothing left to do).

With --requests N, N people have asked for a mentor before the setup night (acknowledged
and proposed there), so the quiet night shows what a queue costs; --propose also keeps the
roster change as a merge/pull request (`requests.propose_changes`).

    python bench/bench_nightly.py              # 100 and 1000 pairings, both forges
    python bench/bench_nightly.py --sizes 100  # quicker
    python bench/bench_nightly.py --sizes 100 --requests 20 --propose
    python bench/bench_nightly.py --sizes 100 --feedback   # with private feedback forms
    python bench/bench_nightly.py --cache      # observing incrementally (README)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from automation.commands.demo import sandbox_cast
from automation.forge import RetryPolicy, connect
from automation.forge.cached import MARGIN, kept
from automation.lifecycle.labels import Labels
from automation.messages.templates import Templates
from automation.model import Draft, IssueState
from automation.night.observe import read
from automation.night.run import run_day
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox, start

TODAY = date(2026, 6, 1)


def roster(
    size: int, flavour: str, url: str, propose: bool = False, feedback: bool = False
) -> Program:
    return parse_program(roster_text(size, flavour, url, propose, feedback))


def roster_text(
    size: int, flavour: str, url: str, propose: bool = False, feedback: bool = False
) -> str:
    mentors = max(1, size // 2)
    people = [
        f"  - {{handle: mentor{i}, roles: [mentor], capacity: 3, topics: [go]}}"
        for i in range(mentors)
    ]
    people += [f"  - {{handle: mentee{i}, roles: [mentee]}}" for i in range(size)]
    pairings = [
        f"  - {{mentor: mentor{i % mentors}, mentee: mentee{i}, "
        f"start: {TODAY - timedelta(days=1 + (i * 150) // size)}}}"
        for i in range(size)
    ]
    text = "\n".join(
        [
            "program: {name: Bench, safety_threshold: 100000, max_writes: 100000,"
            f" requests: {{propose_changes: {str(propose).lower()}}}"
            + (", feedback: {}, coordinators: [mentor0]" if feedback else "")
            + "}",
            # No `bot:`: the run asks who its token is, as on GitLab, and so learns the
            # forge's clock (the observation cache's watermark, README).
            f"forge: {{kind: sandbox, flavour: {flavour}, url: '{url}', project: acme/bench}}",
            "people:",
            *people,
            "pairings:",
            *pairings,
        ]
    )
    return text + "\n"


def ask(sandbox: RunningSandbox, program: Program, count: int) -> None:
    """`count` people ask for a mentor, as the request form would."""
    askers = [f"asker{i}" for i in range(count)]
    sandbox.register_users(*askers)
    body = "### Topics\n\ngo\n\n### Time zone\n\nUTC\n"
    for login in askers:
        person = connect(program.forge, {"SANDBOX_TOKEN": login}, RetryPolicy(retries=0))
        person.create_issue(Draft("Mentor wanted", body, ("mentorship", "mentorship-request")))


def measure(sandbox: RunningSandbox, work: Any) -> dict[str, Any]:
    sandbox.reset_counts()
    started = time.perf_counter()
    writes = work()
    elapsed = time.perf_counter() - started
    counts = sandbox.request_counts()
    return {
        "reads": counts["reads"],
        "writes": counts["writes"],
        "actions": writes,
        "seconds": round(elapsed, 2),
    }


def night(
    sandbox: RunningSandbox,
    program: Program,
    day: date,
    cache: Path | None = None,
    later: timedelta = timedelta(),
) -> int:
    """The nightly job on `day` at 23:00 (and `later`); the number of writes it made."""
    sandbox.set_clock(datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=23) + later)
    forge = connect(program.forge, {}, RetryPolicy(retries=0))
    with kept(forge, cache, program.forge, day, None) as observing:
        report = run_day(observing, program, day, Templates(), force=True)
    failed = report.failed
    if failed:
        raise SystemExit(f"{len(failed)} writes failed, e.g. {failed[0].detail}")
    return len(report.outcomes)


def bench(
    size: int,
    flavour: str,
    requests: int = 0,
    propose: bool = False,
    feedback: bool = False,
    cache: Path | None = None,
) -> dict[str, Any]:
    if cache is not None:
        cache.unlink(missing_ok=True)

    def run(day: date, later: timedelta = timedelta()) -> int:
        return night(sandbox, program, day, cache, later)

    with start() as sandbox:
        program = roster(size, flavour, sandbox.url, propose, feedback)
        sandbox.register_users(*sandbox_cast(program))
        if propose:
            text = roster_text(size, flavour, sandbox.url, propose, feedback)
            sandbox.put_file(flavour, "acme/bench", "program.yml", text)
        sandbox.set_clock(datetime.combine(TODAY, datetime.min.time(), UTC))
        ask(sandbox, program, requests)
        # The setup night runs twice: issues opened in a run are followed up in the next.
        setup = measure(sandbox, lambda: run(TODAY) + run(TODAY))
        quiet = measure(sandbox, lambda: run(TODAY + timedelta(days=1)))
        # The same night again, later than the cache's MARGIN: with a cache, it reads back
        # the quiet night's own writes and writes nothing; then a third time, later again:
        # what a run costs when nothing at all changed since the last one, not even by the
        # bot. Both beside the nights, not among them: the next quiet night starts from the
        # cache the quiet night left, as it would without them.
        left = cache.read_bytes() if cache is not None else b""
        again = measure(sandbox, lambda: run(TODAY + timedelta(days=1), 2 * MARGIN))
        still = measure(sandbox, lambda: run(TODAY + timedelta(days=1), 4 * MARGIN))
        if cache is not None:
            cache.write_bytes(left)
        # The day after, nothing from people: a night that follows an ordinary one.
        following = measure(sandbox, lambda: run(TODAY + timedelta(days=2)))
        busy_day = TODAY + timedelta(days=3)
        sandbox.set_clock(datetime.combine(busy_day, datetime.min.time(), UTC))
        bot = connect(program.forge, {}, RetryPolicy(retries=0))
        observed = read(bot, program, busy_day)
        # What a scan of every open issue would page through, for bench_scale.py.
        stalled = Labels(program.program.label_prefix).stalled
        pairing_issues = [i for k, i in observed.issues.items() if k.endswith("/pairing")]
        shape = {
            "open": len(bot.list_issues(state=IssueState.OPEN)),
            "pairings open": sum(i.state is IssueState.OPEN for i in pairing_issues),
            "stalled": sum(stalled in i.labels for i in pairing_issues),
        }
        for pairing in program.pairings[::10]:
            issue = observed.issues[f"pair/{pairing.id}/pairing"]
            mentee = connect(program.forge, {"SANDBOX_TOKEN": pairing.mentee}, RetryPolicy())
            mentee.comment(issue.number, "We met and made progress on the first goal.")
        busy = measure(sandbox, lambda: run(busy_day))
        rerun = measure(sandbox, lambda: run(busy_day))
    nights = {
        "setup": setup,
        "quiet": quiet,
        "quiet again": again,
        "quiet still": still,
        "next quiet": following,
        "busy": busy,
        "rerun": rerun,
    }
    return {**nights, "shape": shape}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--forges", nargs="+", default=["gitlab", "github"])
    parser.add_argument("--requests", type=int, default=0, help="requests waiting")
    parser.add_argument("--propose", action="store_true", help="requests.propose_changes")
    parser.add_argument("--feedback", action="store_true", help="program.feedback: {}")
    parser.add_argument(
        "--cache", action="store_true", help="observe incrementally (mentorship apply --cache)"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    print("| forge | pairings | night | reads | writes | bot actions | seconds |")
    print("|---|---|---|---|---|---|---|")
    for flavour in args.forges:
        for size in args.sizes:
            cache = folder / f"{flavour}-{size}.json.gz" if args.cache else None
            rows = bench(size, flavour, args.requests, args.propose, args.feedback, cache)
            rows.pop("shape")
            for name, row in rows.items():
                print(
                    f"| {flavour} | {size} | {name} | {row['reads']} | {row['writes']} "
                    f"| {row['actions']} | {row['seconds']} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
