"""Skipping quiet pairings (automation/lifecycle/rules/quiet.py): a run that skips the
pairings an earlier run found quiet plans exactly what a run planning every pairing plans,
whatever the nights before, with the memo read from the observation cache as a new process
reads it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from automation.lifecycle import rules
from automation.lifecycle.actions import Action
from automation.lifecycle.observed import Observed
from automation.lifecycle.rules import quiet
from automation.messages.templates import Templates
from automation.night import run
from automation.roster.config import Program
from automation.sandbox import RunningSandbox
from tests.convergence.test_convergence import scenarios
from tests.convergence.world import BASE, EXAMPLES, Entry, Scenario, Talk, explored, play


class Compared:
    """`plan` as the runs call it, checked against a plan of every pairing."""

    def __init__(self) -> None:
        self.skipped: list[date] = []  # the days of the plans that skipped a pairing

    def __call__(
        self, program: Program, observed: Observed, today: date, templates: Templates
    ) -> list[Action]:
        before = quiet.COUNTS["skipped"]
        got = rules.plan(program, observed, today, templates)
        self.skipped += [today] * (quiet.COUNTS["skipped"] - before)
        with quiet.set_aside():
            want = rules.plan(program, observed, today, templates)
        assert got == want, today
        return got


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> Compared:
    """Every plan of the runs compared; quiet pairings really skipped (no shadow mode); each
    run with a cache starts from the memo as the cache keeps it, as a new process does."""
    checked = Compared()
    remember = quiet.remember_records

    def as_a_new_process(records: Mapping[str, list[Any]]) -> None:
        quiet.forget()
        remember(records)

    monkeypatch.setattr(quiet, "SHADOW", False)
    monkeypatch.setattr(quiet, "COUNTS", {"skipped": 0, "planned": 0})  # checked here
    monkeypatch.setattr(quiet, "remember_records", as_a_new_process)
    monkeypatch.setattr(run, "plan", checked)
    return checked


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
@explored(EXAMPLES // 3)
@given(scenario=scenarios())
def test_runs_that_skip_quiet_pairings_plan_what_planning_every_pairing_plans(
    sandbox: RunningSandbox, flavour: str, scenario: Scenario, compared: Compared, tmp_path: Path
) -> None:
    cache = tmp_path / f"cache-{flavour}.json.gz"
    cache.unlink(missing_ok=True)  # one tmp_path serves every example
    play(scenario, flavour, sandbox, cache=cache)


@pytest.mark.parametrize("flavour", ["gitlab", "github"])
def test_a_quiet_pairing_is_skipped_on_the_nights_until_its_next_boundary(
    sandbox: RunningSandbox, flavour: str, compared: Compared, tmp_path: Path
) -> None:
    """Three weeks of nightly runs of a pair that speaks on the first night only: planned in
    full on that night, on the Mondays of a new week and check-in period (the 12th, 19th and
    26th), on the nudge's day (eight quiet days, the 16th) and the stalled label's (14, the
    22nd); skipped on every other night."""
    first = BASE + timedelta(days=3)
    scenario = Scenario(
        rosters=((first, (Entry("alice", "bob", BASE, 2),)),),
        talks=(Talk(first, "bob", "comment"),),
        runs=tuple(first + timedelta(days=n) for n in range(21)),
    )
    play(scenario, flavour, sandbox, cache=tmp_path / "cache.json.gz")
    planned = {12, 16, 19, 22, 26}
    assert {d.day for d in compared.skipped} == set(range(9, 29)) - planned
