"""Write pacing: how many writes the limits allow, and a pacer that keeps a run's writes
within GitHub's secondary limits (checked against the sandbox's model of them)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from automation.forge import Forge, RetryPolicy, connect, pacer_for
from automation.forge.base import RateLimited
from automation.forge.pacing import EDGE, HOUR, MINUTE, Pacer, WriteLimits, delay, is_write
from automation.model import Draft
from automation.roster.config import ForgeSettings
from automation.sandbox import RunningSandbox, start

GITHUB = WriteLimits(per_minute=80, per_hour=500)
START = datetime(2026, 3, 2, 2, 17, tzinfo=UTC)


class FakeTime:
    """A clock that only sleeping moves."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def most_in_any_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


@pytest.mark.parametrize(
    ("request_line", "write"),
    [
        ("POST /repos/a/b/issues", True),
        ("PATCH /repos/a/b/issues/1", True),
        ("PUT /projects/a%2Fb/issues/1", True),
        ("DELETE /repos/a/b/issues/1/labels/x", True),
        ("GET /repos/a/b/issues", False),
        ("POST graphql (edits of issue 3)", False),  # a query: it reads
    ],
)
def test_writes_are_the_requests_that_change_something(request_line: str, write: bool) -> None:
    assert is_write(request_line) is write


def test_limits_are_described_as_the_summary_says_them() -> None:
    assert WriteLimits().describe() == "no limit"
    assert GITHUB.describe() == "80 a minute and 500 an hour"


def test_a_write_under_the_limits_waits_for_nothing() -> None:
    assert delay([0.0, 1.0, 2.0], 3.0, GITHUB) == 0.0


def test_the_81st_write_of_a_minute_waits_until_the_first_leaves_the_minute() -> None:
    sent = [n / 2 for n in range(80)]  # two a second, from 0 to 39.5
    assert delay(sent, 40.0, GITHUB) == pytest.approx(MINUTE + EDGE - 40.0)
    burst = [10.0] * 80
    assert delay(burst, 10.0, GITHUB) == pytest.approx(MINUTE + EDGE)


def test_the_501st_write_of_an_hour_waits_until_the_first_leaves_the_hour() -> None:
    sent = [float(n) * 2 for n in range(500)]  # one every two seconds: the minute is fine
    assert delay(sent, 1000.0, GITHUB) == pytest.approx(HOUR + EDGE - 1000.0)


def test_paced_writes_never_exceed_either_window() -> None:
    time = FakeTime()
    pacer = Pacer(GITHUB, clock=time.clock, sleep=time.sleep)
    sent: list[float] = []
    for n in range(1200):
        pacer.before(f"POST /repos/a/b/issues/{n}/comments")
        sent.append(time.now)

    assert most_in_any_window(sent, MINUTE) == 80
    assert most_in_any_window(sent, HOUR) == 500
    assert pacer.sent == 1200
    # 500 an hour: the 501st goes out an hour (and the edge) after the first, the 1001st
    # two hours after it
    assert sent[500] - sent[0] == pytest.approx(HOUR + EDGE)
    assert sent[1000] - sent[0] == pytest.approx(2 * (HOUR + EDGE))


def test_reads_are_never_paced() -> None:
    time = FakeTime()
    pacer = Pacer(WriteLimits(per_minute=1), clock=time.clock, sleep=time.sleep)
    for _ in range(50):
        pacer.before("GET /repos/a/b/issues")
    assert (time.sleeps, pacer.sent) == ([], 0)


def test_a_wait_past_the_runs_end_stops_the_writes_instead() -> None:
    time = FakeTime()
    pacer = Pacer(WriteLimits(per_minute=2), clock=time.clock, sleep=time.sleep, deadline=30.0)
    pacer.before("POST /a")
    pacer.before("POST /b")

    with pytest.raises(RateLimited) as caught:
        pacer.before("POST /c")

    assert "leave no room for it in the run's time" in str(caught.value)
    assert (time.sleeps, pacer.sent, pacer.seconds_left()) == ([], 2, 30.0)


def test_writes_keep_the_gap_github_asks_for_and_the_budget_counts_it() -> None:
    time = FakeTime()
    limits = WriteLimits(per_minute=80, per_hour=500, gap=1.0)
    pacer = Pacer(limits, clock=time.clock, sleep=time.sleep, deadline=30.0)
    assert pacer.room() == 30  # one a second, not the minute's 80
    sent: list[float] = []
    for n in range(5):
        pacer.before(f"POST /repos/a/b/issues/{n}/comments")
        sent.append(time.now)
    assert [b - a for a, b in itertools.pairwise(sent)] == [1.0] * 4
    pacer.before("GET /repos/a/b/issues")  # reads keep no gap
    assert time.now == sent[-1]


def test_the_pacer_follows_program_yml_or_the_forges_documented_limits() -> None:
    def limits(**forge: object) -> WriteLimits:
        settings = ForgeSettings.model_validate({"project": "acme/mentoring", **forge})
        return pacer_for(settings).limits

    assert limits(kind="github") == WriteLimits(per_minute=80, per_hour=500, gap=1.0)
    assert limits(kind="gitlab") == WriteLimits(per_minute=300)
    assert limits(kind="sandbox") == WriteLimits()
    assert limits(kind="github", writes_per_hour=0) == WriteLimits(per_minute=80, gap=1.0)
    assert limits(kind="sandbox", writes_per_minute=5, writes_per_hour=12) == WriteLimits(5, 12)


# -- against the sandbox's model of GitHub's secondary limit ------------------------------


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start(users=["mentorship-bot"]) as running:
        yield running


def _github(sandbox: RunningSandbox, project: str, pacer: Pacer | None) -> Forge:
    settings = ForgeSettings.model_validate(
        {
            "kind": "sandbox",
            "flavour": "github",
            "url": sandbox.url,
            "project": project,
            "bot": "mentorship-bot",
        }
    )
    return connect(settings, {}, RetryPolicy(retries=0), pacer=pacer)


def test_paced_writes_pass_the_sandboxs_secondary_limit(sandbox: RunningSandbox) -> None:
    sandbox.set_clock(START)

    def clock() -> float:
        return sandbox.now().timestamp()

    def sleep(seconds: float) -> None:  # the sandbox's clock stands in for time passing
        sandbox.advance(timedelta(seconds=seconds))

    pacer = Pacer(WriteLimits(per_minute=5, per_hour=12), clock=clock, sleep=sleep)
    forge = _github(sandbox, "acme/paced", pacer)
    sandbox.set_secondary_limit(per_minute=5, per_hour=12)
    sandbox.reset_counts()
    try:
        for n in range(30):
            forge.create_issue(Draft(f"issue {n}", ""))
    finally:
        sandbox.set_secondary_limit(on=False)

    counts = sandbox.request_counts()
    assert counts["writes"] == 30  # each accepted the first time: no refusal, no retry
    # 12 an hour: the 13th and the 25th waited for the hour to pass
    assert sandbox.now() - START >= timedelta(hours=2)


def test_unpaced_writes_are_refused_by_the_sandboxs_secondary_limit(
    sandbox: RunningSandbox,
) -> None:
    sandbox.set_clock(START + timedelta(days=1))
    forge = _github(sandbox, "acme/unpaced", None)
    sandbox.set_secondary_limit(per_minute=5, per_hour=12)
    try:
        for n in range(5):
            forge.create_issue(Draft(f"issue {n}", ""))
        with pytest.raises(RateLimited):
            forge.create_issue(Draft("the sixth in a minute", ""))
    finally:
        sandbox.set_secondary_limit(on=False)


def test_an_earlier_runs_writes_take_their_place_in_the_hour() -> None:
    time = FakeTime()
    time.now = 10_000.0
    pacer = Pacer(GITHUB, clock=time.clock, sleep=time.sleep, deadline=time.now + 45 * MINUTE)
    # 500 writes a quarter of an hour ago (the last run); 500 two hours ago and 500 dated
    # ahead of the clock (another clock's) do not count
    pacer.seen([time.now - 15 * MINUTE] * 500 + [time.now - 2 * HOUR] * 500)
    pacer.seen([time.now + 3 * HOUR] * 500)

    # the hour ending at the deadline holds the recent 500: no room in this run
    assert pacer.room() == 0
    with pytest.raises(RateLimited):  # they leave the hour a second after the run's end
        pacer.before("POST /a")
    later = Pacer(GITHUB, clock=time.clock, sleep=time.sleep, deadline=time.now + 45 * MINUTE)
    later.seen([time.now - 59 * MINUTE] * 500)
    # they leave the hour in a minute: the run has its 500
    assert later.room() == 500
    later.before("POST /a")
    assert time.sleeps == [pytest.approx(MINUTE + EDGE)]  # waited for them to leave


def test_room_without_a_deadline_or_limits_is_unbounded() -> None:
    assert Pacer(GITHUB).room() is None
    assert Pacer(WriteLimits(), deadline=10.0).room() is None
