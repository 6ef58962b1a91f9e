"""Requests `mentorship doctor` sends for programs of N people, on both forges (sandbox).

Every handle is checked against one paged listing (GitLab members/all, GitHub assignees),
so the count grows by one request per 100 people, plus one per handle that fails.

    python bench/bench_doctor.py              # 100 and 1000 people
    python bench/bench_doctor.py --sizes 100
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from automation.commands.demo import sandbox_cast
from automation.commands.doctor import check
from automation.roster.config import load_program
from automation.sandbox import start


def requests_for(size: int, flavour: str) -> dict[str, int]:
    with start() as sandbox, tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "program.yml"
        people = "".join(f"  - {{handle: person{n}, roles: [mentee]}}\n" for n in range(size))
        config.write_text(
            f"forge: {{kind: sandbox, flavour: {flavour}, url: '{sandbox.url}', "
            f"project: acme/bench, bot: mentorship-bot}}\npeople:\n{people}",
            encoding="utf-8",
        )
        sandbox.register_users(*sandbox_cast(load_program(config)))
        sandbox.reset_counts()
        code = check(config, {}, lambda line: None)
        assert code == 0, "doctor failed on the bench program"
        counts: dict[str, int] = sandbox.request_counts()["by_route"]
        return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    sizes = parser.parse_args().sizes
    print("| forge | people | requests | by route |")
    print("|---|---|---|---|")
    for flavour in ("gitlab", "github"):
        for size in sizes:
            routes = requests_for(size, flavour)
            detail = ", ".join(f"{route} x{n}" for route, n in sorted(routes.items()))
            print(f"| {flavour} | {size} | {sum(routes.values())} | {detail} |")


if __name__ == "__main__":
    main()
