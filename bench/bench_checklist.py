"""Throughput of `automation.goals.checklist.parse`, in MB/s, beside the Markdown engines.

First the realistic bodies (a pairing issue of a few goals, and one grown to about 1 MB), read
by `parse` in both dialects, by cmark-gfm alone (`cmarkgfm`, rendering GitHub's HTML: the
engine `parse` is built on) and by markdown-it-py (a pure-Python CommonMark parser, token
stream only), with the lines of the module that holds the parser. Then hostile bodies, to show
that the cost stays linear in the size of the body (a quadratic case would crawl at these
sizes), and bodies of N and 4 N task items in several shapes that it stays linear in the
number of items: the time ratio is about 4 when it does (16 if quadratic). Each figure is the
best CPU time of a few runs, so it is the parser's speed rather than the machine's noise.

    python bench/bench_checklist.py                         # about 1 MB per body, 25,000 items
    python bench/bench_checklist.py --mb 0.25 --items 5000  # quicker
    git show cb93ebd:automation/checklist.py > /tmp/port.py  # the former port of cmark-gfm
    python bench/bench_checklist.py --also /tmp/port.py --realistic-only
    PYTHONPATH=OTHER_TREE python bench/bench_checklist.py   # all of it, another version
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import automation.goals.checklist
from automation.goals import checklist
from automation.goals.checklist import Checklist, Dialect

GOAL = """\
### Lead a blameless incident review by 2027-03-01

- [x] Shadow an incident review and take notes on how it is run
- [ ] Pick a recent incident and gather the timeline with the people involved
  - [x] Ask the on-call engineer for the pager log
  - [ ] Read the [runbook](https://example.com/runbook) and the `deploy` script
- [ ] Facilitate the review, with your mentor as backup

Notes from our last check-in, with **emphasis**, a [link](https://example.com) and `code`.
A second line of the same paragraph that goes on for a while to look like real prose.

```sh
- [ ] not a task: this is code
```

> Quoted advice: - [ ] not a task either

| Step | Owner |
|---|---|
| - [ ] in a table | mentee |

<!-- - [ ] a hidden task -->

"""


def parse(body: str, dialect: Dialect = Dialect.GITHUB) -> Checklist:
    """The parser at work: a body read before is read again, not recalled."""
    checklist.forget()
    return checklist.parse(body, dialect)


def realistic(size: int) -> str:
    """A pairing issue grown to `size` characters: CRLF line ends, as web-edited bodies have."""
    head = "# Mentorship: alice & bob\r\n\r\n- [x] Kickoff call\r\n\r\n## Goals\r\n\r\n"
    goal = GOAL.replace("\n", "\r\n")
    return head + goal * max(1, (size - len(head)) // len(goal))


def engines() -> dict[str, Callable[[str], object]]:
    """What reads a body: `parse` in each dialect, and the engines to compare it with."""
    readers: dict[str, Callable[[str], object]] = {
        f"parse ({dialect.value})": lambda body, dialect=dialect: parse(body, dialect)
        for dialect in Dialect
    }
    import cmarkgfm

    readers["cmark-gfm to HTML"] = cmarkgfm.github_flavored_markdown_to_html
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # a dev dependency: pip install -e '.[dev]'
        return readers
    markdown_it = MarkdownIt("commonmark").enable("table")
    readers["markdown-it-py tokens"] = markdown_it.parse
    return readers


def load_parser(path: str) -> Any:
    """The checklist module in the file at `path` (it imports nothing of the package)."""
    spec = importlib.util.spec_from_file_location("other_checklist", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while they are made
    spec.loader.exec_module(module)
    return module


def lines_of_code(path: str) -> tuple[int, int]:
    """Lines of the file, and those that are neither blank nor comments only."""
    with open(path, encoding="utf-8") as source:
        lines = source.read().splitlines()
    code = [line for line in lines if line.strip() and not line.strip().startswith("#")]
    return len(lines), len(code)


def hostile(size: int) -> dict[str, str]:
    rng = random.Random(0)
    nested = "".join(" " * i + "- a\n" for i in range(0, 600, 2))
    return {
        "nested quotes": ">" * size,
        "quoted task lines": ("> " * 100 + "- [ ] a\n") * (size // 208),
        "list markers per line": ("- " * 150 + "[ ] a\n") * (size // 306),
        "blank lines under nesting": nested + "\n" * size,
        "lazy lines under nesting": nested + "b\n" * (size // 2),
        "deep nesting by indent": "".join("  " * i + "- [ ] x\n" for i in range(1000)),
        "one-line paragraph": "a" * size,
        "rule-like markers": "* " * (size // 2) + "x",
        "long table": "| a | b |\n|---|---|\n" + "| - [ ] x | y |\n" * (size // 15),
        "open HTML block": "<div>\n" + "- [ ] x\n" * (size // 8),
        "link definitions": "[a]: /u 't'\n" * (size // 12) + "===\n",
        "binary noise": "".join(chr(rng.randrange(256)) for _ in range(size)),
    }


def shapes(items: int) -> dict[str, str]:
    """Bodies of about `items` task items, laid out the ways people write them."""
    goals = "## Goals\n\n"
    return {
        "flat list": goals + "".join(f"- [{' x'[i % 2]}] step {i}\n" for i in range(items)),
        "nested lists": goals
        + "".join(f"- [ ] goal {i}\n  - [x] step\n    - [ ] detail\n" for i in range(items // 3)),
        "blockquoted": goals + "".join(f"> - [ ] step {i}\n> more\n" for i in range(items)),
        "long paragraphs": goals
        + "".join(
            f"- [ ] step {i} with a title\n  that goes on for a line\n  and another one\n\n"
            for i in range(items)
        ),
        "many headings": goals
        + "".join(f"### Goal {i} by 2027-01-01\n\n- [ ] a\n- [x] b\n\n" for i in range(items // 2)),
        "many Goals sections": "".join(
            f"## Goals\n\n### Goal {i}\n\n- [ ] a\n- [x] b\n\n" for i in range(items // 2)
        ),
        "realistic pairing issue": goals + GOAL * max(1, items // parse(GOAL).total),
    }


def best_seconds(parse_once: Callable[[], object], runs: int) -> float:
    """The best CPU time of `runs` calls: the parser's own cost, whatever else the machine runs
    (on a shared two-core machine, wall-clock ratios moved by +-1 from run to run)."""
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        parse_once()
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=1.0, help="size of each body, in MB")
    parser.add_argument("--runs", type=int, default=3, help="runs per body; the best counts")
    parser.add_argument(
        "--items", type=int, default=25_000, help="task items of the smaller body of each shape"
    )
    parser.add_argument(
        "--also",
        metavar="FILE",
        help="another version of automation/goals/checklist.py to read the realistic bodies with, "
        "e.g. from `git show COMMIT:automation/checklist.py > FILE`",
    )
    parser.add_argument(
        "--realistic-only", action="store_true", help="stop after the realistic bodies"
    )
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    module = automation.goals.checklist.__file__
    total, code = lines_of_code(module)
    print(f"{module}: {total} lines, {code} of code (not blank, not comments only)\n")
    readers = engines()
    if args.also:
        other = load_parser(args.also)
        for dialect in Dialect:
            readers[f"{args.also} ({dialect.value})"] = lambda body, dialect=dialect: other.parse(
                body, other.Dialect(dialect.value)
            )
    print(f"{'realistic body':28} {'MB':>6} " + " ".join(f"{name:>22}" for name in readers))
    for name, body in {"one pairing issue": realistic(4_000), "grown": realistic(size)}.items():
        megabytes = len(body.encode("utf-8")) / 1_000_000
        # a small body is read many times per measure, so the clock's resolution does not count
        repeat = max(1, int(0.2 / megabytes))
        # the readers take turns, run after run, so a busy spell of the machine hits them all
        best = dict.fromkeys(readers, float("inf"))
        for _ in range(args.runs):
            for reader, read in readers.items():
                seconds = best_seconds(lambda: [read(body) for _ in range(repeat)], 1)  # noqa: B023
                best[reader] = min(best[reader], seconds)
        rates = [f"{megabytes * repeat / seconds:22.2f}" for seconds in best.values()]
        print(f"{name:28} {megabytes:6.3f} " + " ".join(rates), flush=True)
    print("(MB/s, best CPU time of each)\n")
    if args.realistic_only:
        return
    bodies = hostile(size)
    print(f"{'body':28} {'MB':>6} " + " ".join(f"{d.value + ' MB/s':>12}" for d in Dialect))
    for name, body in bodies.items():
        megabytes = len(body.encode("utf-8", "surrogatepass")) / 1_000_000
        rates = []
        for dialect in Dialect:
            seconds = best_seconds(lambda: parse(body, dialect), args.runs)  # noqa: B023
            rates.append(f"{megabytes / seconds:12.2f}")
        print(f"{name:28} {megabytes:6.2f} " + " ".join(rates), flush=True)
    # Linear time: four times the body should take about four times as long (16 if quadratic).
    print(f"\n{'body (GitHub dialect)':28} {'time x4 body / time x1':>24}")
    small, large = hostile(size // 4), hostile(size)

    def seconds(body: str) -> float:
        return best_seconds(lambda: parse(body), args.runs)

    for name in large:
        ratio = seconds(large[name]) / max(seconds(small[name]), 1e-9)
        print(f"{name:28} {ratio:24.1f}", flush=True)
    # Linear in the task items: four times the items should take about four times as long.
    # The last column pauses CPython's cyclic collector: its full collections start only once
    # the parse's objects outgrow a quarter of the heap that existed before, so between these
    # sizes they add 10-20% to the larger body alone; without them the parser's own cost shows.
    columns = [f"{d.value} x4" for d in Dialect] + ["github x4, no gc"]
    print(f"\n{'shape':28} {'items':>8} " + " ".join(f"{c:>16}" for c in columns))
    few, many = shapes(args.items), shapes(4 * args.items)
    for name in few:
        ratios = [growth(few[name], many[name], dialect, args.runs) for dialect in Dialect]
        gc.disable()
        try:
            ratios.append(growth(few[name], many[name], Dialect.GITHUB, args.runs))
        finally:
            gc.enable()
        items = parse(few[name], Dialect.GITLAB).total  # GitHub reads no task in a quote
        print(f"{name:28} {items:8} " + " ".join(f"{r:16.1f}" for r in ratios), flush=True)


def growth(small: str, large: str, dialect: Dialect, runs: int) -> float:
    """How many times longer `large` takes to parse than `small`."""
    small_s = best_seconds(lambda: parse(small, dialect), runs)
    return best_seconds(lambda: parse(large, dialect), runs) / max(small_s, 1e-9)


if __name__ == "__main__":
    main()
