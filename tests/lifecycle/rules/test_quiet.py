"""The memo of quiet pairings (automation/lifecycle/rules/quiet.py): when a remembered pairing
is skipped, and what is kept between runs. tests/convergence/test_quiet.py checks, over whole
schedules of runs on the sandbox, that skipping plans what planning every pairing plans."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from automation.lifecycle.rules import progress, quiet
from automation.lifecycle.rules.pair import Pair
from tests.lifecycle.rules.test_progress import body
from tests.lifecycle.rules.world import PAIR, START, pair_on, pairing_issue, program

TODAY = START + timedelta(days=40)


@pytest.fixture(autouse=True)
def memo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An empty memo that skips for real (the suite's shadow mode plans skipped pairings)."""
    monkeypatch.setattr(quiet, "SHADOW", False)
    monkeypatch.setattr(quiet, "COUNTS", {"skipped": 0, "planned": 0})  # not checked
    with quiet.set_aside():
        quiet.forget()
        yield


def tonight_of(pair: Pair) -> tuple[quiet.Tonight, str]:
    tonight = quiet.Tonight(pair.program, pair.observed, pair.today, pair.templates)
    return tonight, tonight.digest(pair)


def test_a_pairing_is_skipped_from_the_day_it_was_found_quiet_until_its_next_boundary() -> None:
    pair = pair_on(TODAY, [pairing_issue()])
    _, digest = tonight_of(pair)
    until = TODAY + timedelta(days=3)
    quiet.remember_records({PAIR: [digest, TODAY.isoformat(), until.isoformat(), None]})
    skips = {}
    for day in (TODAY - timedelta(days=1), TODAY, until - timedelta(days=1), until):
        later = pair_on(day, [pairing_issue()])
        tonight, digest = tonight_of(later)
        skips[day] = tonight.skips(later, digest)
    assert skips == {
        TODAY - timedelta(days=1): False,  # before it was found quiet (a run for an earlier day)
        TODAY: True,
        until - timedelta(days=1): True,
        until: False,
    }


def test_a_pairing_whose_issue_changed_is_planned() -> None:
    pair = pair_on(TODAY, [pairing_issue()])
    _, digest = tonight_of(pair)
    quiet.remember_records({PAIR: [digest, TODAY.isoformat(), "2026-12-31", None]})
    relabelled = pair_on(TODAY, [pairing_issue(labels=("mentorship",))])
    tonight, changed = tonight_of(relabelled)
    assert changed != digest
    assert tonight.skips(relabelled, changed) is False


def test_a_record_not_as_remembered_writes_it_is_planned_in_full() -> None:
    pair = pair_on(TODAY, [pairing_issue()])
    _, digest = tonight_of(pair)
    for record in ([digest, "yesterday", "2026-12-31", None], [digest, TODAY.isoformat()], "x"):
        quiet.remember_records({PAIR: record})  # type: ignore[dict-item]
        tonight, _ = tonight_of(pair)
        assert tonight.skips(pair, digest) is False, record


def test_the_memo_kept_holds_the_pairings_planned_since_it_was_read() -> None:
    pair = pair_on(TODAY, [pairing_issue()])
    _, digest = tonight_of(pair)
    gone = "carol--dan--2025-01-05"  # no longer tended: drops out
    record = [digest, TODAY.isoformat(), "2026-12-31", None]
    quiet.remember_records({PAIR: record, gone: record})
    tonight, _ = tonight_of(pair)
    assert tonight.skips(pair, digest)
    kept = json.loads(json.dumps(quiet.remembered()))
    assert kept == {PAIR: record}


def test_the_first_run_plans_again_the_next_day() -> None:
    """The first run's day is the adoption day, which some rules count from."""
    assert quiet.until(pair_on(TODAY, [pairing_issue()], adopted=None)) == TODAY + timedelta(1)


DIGEST = """
from datetime import timedelta
from automation.lifecycle.rules import progress, quiet
from tests.lifecycle.rules.world import START, pair_on, pairing_issue
pair = pair_on(START + timedelta(days=40), [pairing_issue()])
print(quiet.Tonight(pair.program, pair.observed, pair.today, pair.templates).digest(pair))
"""


def test_the_inputs_read_the_same_in_every_process() -> None:
    """A digest kept between runs is compared in another process, whose `hash()` differs."""
    root = Path(__file__).parents[3]
    digests = {
        subprocess.run(
            [sys.executable, "-c", DIGEST],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    }
    pair = pair_on(TODAY, [pairing_issue()])
    assert digests == {tonight_of(pair)[1]}


def goals(done: int, total: int) -> str:
    steps = "".join(f"- [{'x' if n < done else ' '}] Step {n}\n" for n in range(total))
    return body(f"## Goals\n\n### Ship the runbook\n\n{steps}")


@pytest.mark.parametrize("months", [1, 2, 3, 6])
@pytest.mark.parametrize("tolerance", [0.0, 0.1, 0.2, 0.25, 0.3])
def test_a_pair_found_quiet_is_planned_again_on_the_day_its_pace_turns_behind(
    months: int, tolerance: float
) -> None:
    """The day is found with progress's own comparison: the sum alone is a float, which for
    some terms falls a hair below a whole number and would name the day before."""
    roster = program(
        progress=f"comment: true, pace_label: true, tolerance: {tolerance}, celebrate: false, "
        "goal_nudge: false",
        extra=f"term_months: {months}",
    )
    checked = 0
    for total in (2, 3, 4, 5, 7):
        for done in range(total):
            issue = pairing_issue(body=goals(done, total))
            pair = pair_on(START, [issue], roster=roster)
            days = [START + timedelta(days=n) for n in range((pair.timeline.end - START).days)]
            flip = next((d for d in days if progress.behind_on(d, done, total, pair)), None)
            if flip is None or flip - timedelta(days=7) < START:
                continue
            for found in (flip - timedelta(days=7), flip - timedelta(days=1)):
                assert quiet.until(pair_on(found, [issue], roster=roster)) <= flip, (found, flip)
                checked += 1
    assert checked >= 10
