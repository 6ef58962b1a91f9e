"""A night larger than one run may write, paced within GitHub's secondary limits.

GitHub allows 80 content-generating requests a minute and 500 an hour. Each run writes
what those limits allow in its time (forge.time_budget_minutes, 45), most urgent first;
the scheduled catch-ups (hourly, from 02:17) do the rest. Two measurements:

- on the sandbox: the first night of a GitHub program of --size pairings (default 1,000,
  starts over five months), applied by real runs over HTTP with the sandbox enforcing
  GitHub's secondary limit on its clock, which the pacer's waits move forward (no real
  waiting). It counts runs, hours, refusals (403s), and checks that planning again after
  the last run finds nothing.
- simulated: the planned action list of that program's quiet night, replicated --scale
  times (default 10: a 10,000-pairing program), run through the same budget and pacer on a
  clock of its own, each write checked against the sandbox's model of the limit. It counts
  runs, hours and refusals, and that every planned write was done once.

    python bench/bench_pacing.py                 # 1,000 on the sandbox, 10,000 simulated
    python bench/bench_pacing.py --size 200 --scale 50
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bench_nightly import TODAY, roster

from automation.commands.demo import sandbox_cast
from automation.forge import RetryPolicy, connect, pacer_for
from automation.forge.base import RateLimited
from automation.forge.pacing import HOUR, Pacer, WriteLimits
from automation.lifecycle.actions import Action, budget, requests_of
from automation.messages.templates import Templates
from automation.night.run import plan_day, run_day
from automation.sandbox import RunningSandbox, start
from automation.sandbox.metering import SecondaryLimit, SecondaryLimits

GITHUB = WriteLimits(per_minute=80, per_hour=500, gap=1.0)  # as pacer_for() sets for GitHub
# forge.retries, max_retry_wait_seconds and rate_limit_budget_seconds, by default
RETRIES, MAX_RETRY_WAIT, WAIT_BUDGET = 5, 120.0, 600.0
RUN_MINUTES = 45.0
FIRST_RUN = timedelta(hours=2, minutes=17)


class SandboxTime:
    """The pacer's clock and sleep: the sandbox's clock, moved forward by every wait."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self.sandbox = sandbox

    def clock(self) -> float:
        return self.sandbox.now().timestamp()

    def sleep(self, seconds: float) -> None:
        self.sandbox.advance(timedelta(seconds=seconds))


def on_the_sandbox(size: int) -> tuple[dict[str, Any], list[Action], list[Action]]:
    """Apply the first night of a `size`-pairing GitHub program in paced hourly runs; also
    return that night's plan and the quiet night's (the next day) for the simulation."""
    with start() as sandbox:
        program = roster(size, "github", sandbox.url)
        program = program.model_copy(
            update={
                "program": program.program.model_copy(
                    update={"safety_threshold": "300%", "max_writes": None}
                ),
                "forge": program.forge.model_copy(
                    update={"writes_per_minute": 80, "writes_per_hour": 500}
                ),
            }
        )
        sandbox.register_users(*sandbox_cast(program))
        night = datetime.combine(TODAY, datetime.min.time(), UTC) + FIRST_RUN
        sandbox.set_clock(night)
        sandbox.set_secondary_limit(per_minute=80, per_hour=500)
        sandbox.reset_counts()
        runs: list[dict[str, Any]] = []
        first: tuple[Action, ...] = ()
        started = time.perf_counter()
        try:
            while not runs or runs[-1]["deferred"]:
                if len(runs) >= 24:
                    raise SystemExit("the night did not finish in 24 runs")
                run_start = night + timedelta(hours=len(runs))
                sandbox.set_clock(run_start)
                moved = SandboxTime(sandbox)
                pacer = pacer_for(
                    program.forge, seconds=RUN_MINUTES * 60, clock=moved.clock, sleep=moved.sleep
                )
                forge = connect(program.forge, {}, RetryPolicy(retries=0), pacer=pacer)
                report = run_day(forge, program, TODAY, Templates(), pacer=pacer)
                first = report.planned if not runs else first
                if report.failed:
                    raise SystemExit(f"{len(report.failed)} writes failed in run {len(runs) + 1}")
                runs.append(
                    {
                        "planned": len(report.planned),
                        "done": len(report.outcomes),
                        "requests": pacer.sent,
                        "deferred": len(report.paced) + len(report.limited),
                        "refused": len(report.limited),
                        "minutes": round((sandbox.now() - run_start).total_seconds() / 60, 1),
                    }
                )
        finally:
            sandbox.set_secondary_limit(on=False)
        counts = sandbox.request_counts()
        # the next catch-up, with nothing left: what it costs
        sandbox.set_clock(night + timedelta(hours=len(runs)))
        sandbox.reset_counts()
        bot = connect(program.forge, {}, RetryPolicy(retries=0))
        catch_up = run_day(bot, program, TODAY, Templates())
        idle = sandbox.request_counts()
        left = catch_up.planned
        quiet_day = TODAY + timedelta(days=1)
        sandbox.set_clock(datetime.combine(quiet_day, datetime.min.time(), UTC) + FIRST_RUN)
        quiet = plan_day(bot, program, quiet_day, Templates())
    measured = {
        "runs": runs,
        "writes": counts["writes"],
        "reads": counts["reads"],
        "left": len(left),
        "idle": (idle["reads"], idle["writes"]),
        "seconds": round(time.perf_counter() - started, 1),
    }
    return measured, list(first), quiet


def replicated(actions: list[Action], scale: int) -> list[Action]:
    """`actions` for `scale` programs side by side: keys and `after` made distinct."""
    out: list[Action] = []
    for n in range(scale):

        def own(key: str, n: int = n) -> str:
            return f"{key}#{n}"

        out += [replace(a, key=own(a.key), after=tuple(own(k) for k in a.after)) for a in actions]
    return out


def simulated(actions: list[Action], flavour: str = "github") -> dict[str, Any]:
    """Hourly runs over `actions` with the run's budget and pacer on a clock of their own;
    every write checked against the sandbox's model of GitHub's secondary limit. Each run
    sees the earlier runs' issues and comments (as it reads them from the forge), not their
    label changes or closes; a refused write is left for the next run with the rest."""
    now = [0.0]

    def clock() -> float:
        return now[0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    forge_limit = SecondaryLimits()
    forge_limit.configure(SecondaryLimit(per_minute=80, per_hour=500))
    left = list(actions)
    done: list[str] = []
    seen: list[float] = []  # the writes a later run reads back: issues and comments
    runs: list[dict[str, Any]] = []
    refused = 0

    def admitted() -> bool:
        """The forge's answer, with the retry policy's waits on a refusal (a minute, then
        twice as long, each at most max_retry_wait_seconds, within the run's budget)."""
        nonlocal refused, waited
        for attempt in range(RETRIES + 1):
            moment = int(now[0] * 1000)
            if forge_limit.admits("bot", moment):
                forge_limit.record("bot", moment)
                return True
            refused += 1
            wait = 60.0 * 2**attempt
            if attempt == RETRIES or wait > MAX_RETRY_WAIT or waited + wait > WAIT_BUDGET:
                return False
            waited += wait
            now[0] += wait
        return False

    waited = waited_all = 0.0
    while left:
        waited_all += waited
        waited = 0.0
        if len(runs) >= 500:
            raise SystemExit("the night did not finish in 500 runs")
        start_at = len(runs) * HOUR
        now[0] = start_at
        pacer = Pacer(GITHUB, clock=clock, sleep=sleep, deadline=start_at + RUN_MINUTES * 60)
        pacer.seen(seen)
        room = pacer.room()
        assert room is not None
        kept = budget(left, room, lambda a: requests_of(a, flavour))
        stopped: list[Action] = []
        for action in kept.run:
            if stopped:
                stopped.append(action)
                continue
            for _ in range(requests_of(action, flavour)):
                try:
                    pacer.before("POST /repos/acme/bench/issues")
                except RateLimited:
                    stopped.append(action)
                    break
                if not admitted():
                    stopped.append(action)
                    break
                if action.kind in ("open-issue", "comment", "edit-comment"):
                    seen.append(now[0])
                now[0] += 0.3  # a write's round trip
            else:
                done.append(action.key)
        left = list(kept.deferred) + stopped
        runs.append(
            {"done": len(kept.run) - len(stopped), "requests": pacer.sent, "deferred": len(left)}
        )
    waited_all += waited
    return {
        "runs": runs,
        "hours": round(now[0] / HOUR, 2),
        "refused": refused,
        "waited": waited_all,
        "lost": len(actions) - len(set(done)),
        "twice": len(done) - len(set(done)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", type=int, default=1000, help="pairings on the sandbox")
    parser.add_argument("--scale", type=int, default=10, help="copies of the quiet night")
    args = parser.parse_args()

    measured, first, quiet = on_the_sandbox(args.size)
    print(f"## First night of a {args.size}-pairing GitHub program on the sandbox")
    print("(the sandbox enforcing 80 content-creating requests a minute and 500 an hour)\n")
    print("| run | starts | planned | done | write requests | deferred | refused | minutes |")
    print("|---|---|---|---|---|---|---|---|")
    for n, run in enumerate(measured["runs"]):
        starts = (datetime.min + FIRST_RUN + timedelta(hours=n)).strftime("%H:%M")
        print(
            f"| {n + 1} | {starts} | {run['planned']} | {run['done']} | {run['requests']} "
            f"| {run['deferred']} | {run['refused']} | {run['minutes']} |"
        )
    print(
        f"\n{len(measured['runs'])} runs; {measured['writes']} writes and {measured['reads']} "
        f"reads in all; {measured['seconds']} s of wall time. The next catch-up plans "
        f"{measured['left']} writes and costs {measured['idle'][0]} reads and "
        f"{measured['idle'][1]} writes.\n"
    )

    for name, plan in (("Quiet night", quiet), ("First night", first)):
        night = replicated(plan, args.scale)
        result = simulated(night)
        print(
            f"## {name} of a {args.size * args.scale}-pairing GitHub program, simulated "
            f"({len(plan)} writes of the {args.size}-pairing program's {name.lower()}, "
            f"{args.scale} times)\n"
        )
        print("| run | done | write requests | deferred |")
        print("|---|---|---|---|")
        for n, run in enumerate(result["runs"]):
            print(f"| {n + 1} | {run['done']} | {run['requests']} | {run['deferred']} |")
        print(
            f"\n{len(night)} writes in {len(result['runs'])} hourly runs, the last ending "
            f"{result['hours']} hours after the first began; refused by the limit: "
            f"{result['refused']} (waited out: {result['waited']:.0f} s); lost: "
            f"{result['lost']}; done twice: {result['twice']}.\n"
        )


if __name__ == "__main__":
    main()
