"""Matching a queue of requests: the solver's time and quality against a greedy baseline.

A seeded program of M mentors (topics from a pool of 40, time zones from 12, teams from
15, limits of 1 to 3 with some places taken by running terms, a few away or not taking
mentees) and a queue of N requests (1 to 3 topics, a time zone, sync, async or either, a
manager among the mentors for some) is matched twice: by `match` (the most requests
answered, then the greatest total fit, SciPy's linear_sum_assignment over the places) and by
`greedy_match` (each request in queue order takes the best-fitting mentor with a place
left). The best of a few runs is reported for time; fit and counts are the same every run.

    python bench/bench_matching.py                          # 1,000 requests, 500 mentors
    python bench/bench_matching.py --requests 200 --mentors 100 --runs 1 --seed 7
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date, timedelta

from automation.roster.config import Program
from automation.roster.matching import Matching, greedy_match, match
from automation.roster.mentors import mentor_table
from automation.roster.request import Mode, Request

DAY = date(2026, 3, 4)
TOPICS = [f"topic-{i:02d}" for i in range(40)]
ZONES = [
    "America/Los_Angeles",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
]
TEAMS = [f"team-{i:02d}" for i in range(15)]


def program(rng: random.Random, mentors: int, requests: int, prefer: str) -> Program:
    """Mentors m000..., the requesters p0000... as listed mentees, running terms."""
    people: list[dict[str, object]] = []
    for i in range(mentors):
        people.append(
            {
                "handle": f"m{i:03d}",
                "roles": ["mentor"],
                "topics": rng.sample(TOPICS, rng.randint(1, 5)),
                "timezone": rng.choice(ZONES),
                "team": rng.choice(TEAMS),
                "capacity": rng.choice([1, 2, 2, 2, 3]),
                "available": rng.random() > 0.05,
                **({"away_until": "2026-04-30"} if rng.random() < 0.03 else {}),
            }
        )
    for i in range(requests):
        people.append(
            {
                "handle": f"p{i:04d}",
                "roles": ["mentee"],
                "team": rng.choice(TEAMS),
                **({"manager": f"m{rng.randrange(mentors):03d}"} if rng.random() < 0.3 else {}),
            }
        )
    # A fifth of the mentors hold a running term already (with mentees outside the queue).
    pairings = []
    for i in rng.sample(range(mentors), mentors // 5):
        people.append({"handle": f"r{i:03d}", "roles": ["mentee"]})
        pairings.append({"mentor": f"m{i:03d}", "mentee": f"r{i:03d}", "start": "2026-01-05"})
    return Program.model_validate(
        {
            "program": {"matching": {"prefer": prefer}},
            "forge": {"kind": "gitlab", "project": "acme/mentoring"},
            "people": people,
            "pairings": pairings,
        }
    )


def queue(rng: random.Random, requests: int) -> list[Request]:
    return [
        Request(
            number=i + 1,
            handle=f"p{i:04d}",
            opened=DAY - timedelta(days=rng.randint(0, 90)),
            topics=tuple(rng.sample(TOPICS, rng.randint(1, 3))),
            timezone=rng.choice(ZONES),
            mode=rng.choice(list(Mode)),
        )
        for i in range(requests)
    ]


def timed(
    run: Callable[..., Matching], roster: Program, requests: list[Request], runs: int
) -> tuple[float, Matching]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = run(roster, requests, DAY)
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--mentors", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--prefer", choices=["same-team", "cross-team", "none"], default="none")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    roster = program(rng, args.mentors, args.requests, args.prefer)
    requests = queue(rng, args.requests)
    places = sum(m.free for m in mentor_table(roster, DAY) if m.accepting)
    print(
        f"{args.requests:,} requests, {args.mentors:,} mentors ({places:,} free places with "
        f"mentors who can take a mentee), seed {args.seed}, prefer {args.prefer}, "
        f"best of {args.runs}"
    )
    print()
    print(f"{'':<8} {'seconds':>8} {'matched':>8} {'unmatched':>10} {'total fit':>10} {'mean':>6}")
    results = {}
    for name, run in (("match", match), ("greedy", greedy_match)):
        seconds, result = timed(run, roster, requests, args.runs)
        results[name] = result
        matched = len(result.proposals)
        mean = result.total / matched if matched else 0.0
        print(
            f"{name:<8} {seconds:>8.2f} {matched:>8,} {len(result.unmatched):>10,} "
            f"{result.total:>10.1f} {mean:>6.2f}"
        )
    gain = results["match"].total - results["greedy"].total
    extra = len(results["match"].proposals) - len(results["greedy"].proposals)
    print()
    print(
        f"match answers {extra:+,} requests and {gain:+.1f} total fit "
        f"({gain / results['greedy'].total:+.1%}) against greedy"
    )


if __name__ == "__main__":
    main()
