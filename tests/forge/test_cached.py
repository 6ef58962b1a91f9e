"""Incremental observation on both forges: the real clients on the sandbox, a run that
reads only what changed since the last one plans what a full read would, at a constant
number of reads; and the cache file is believed only when it may be."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from automation.forge import Forge, RetryPolicy, connect
from automation.forge import cached as cached_module
from automation.forge.cached import FULL_READ_DAYS, VERSION, Cache, code, load, save
from automation.forge.cached import kept as observing
from automation.lifecycle import markers
from automation.messages.templates import Templates
from automation.model import CloseReason, IssueState
from automation.night.observe import read
from automation.night.run import plan_day, run_day
from automation.roster.config import Program, parse_program
from automation.sandbox import RunningSandbox, start

START = date(2026, 1, 5)
ROSTER = """\
program:
  name: Cache test
forge: {{kind: sandbox, flavour: {flavour}, url: "{url}", project: acme/cache,
        bot: mentorship-bot, retries: 0}}
people:
  - {{handle: alice, roles: [mentor]}}
  - {{handle: bob, roles: [mentee]}}
  - {{handle: carol, roles: [mentee]}}
pairings:
  - {{mentor: alice, mentee: bob, start: 2026-01-05}}
  - {{mentor: alice, mentee: carol, start: 2026-01-12}}
"""


def day(n: int) -> date:
    return START + timedelta(days=n)


@dataclass
class World:
    sandbox: RunningSandbox
    program: Program
    bot: Forge
    bob: Forge
    cache: Path

    def night(self, n: int) -> tuple[int, list[str]]:
        """Run night `n` through the cache: the reads its planning made, and what it wrote.
        Planning it again with a full read agrees that nothing is left to do."""
        self.sandbox.set_clock(datetime.combine(day(n), time(23), UTC))
        self.sandbox.reset_counts()
        with observing(self.bot, self.cache, self.program.forge, day(n), None) as forge:
            planned = plan_day(forge, self.program, day(n), Templates())
            reads = self.sandbox.request_counts()["reads"]
            full = plan_day(self.bot, self.program, day(n), Templates())
            assert planned == full, n
            report = run_day(forge, self.program, day(n), Templates())
            assert report.failed == []
            assert plan_day(forge, self.program, day(n), Templates()) == []
        assert plan_day(self.bot, self.program, day(n), Templates()) == []
        return reads, sorted(o.action.key for o in report.outcomes)

    def pairing_issue(self, pairing: str) -> int:
        for issue in self.bot.list_issues(labels=["mentorship"]):
            found = markers.find(issue.body)
            if found is not None and found.key == f"pair/{pairing}/pairing":
                return issue.number
        raise AssertionError(f"no pairing issue for {pairing}")

    def daytime(self, n: int) -> None:
        self.sandbox.set_clock(datetime.combine(day(n), time(10), UTC))


@pytest.fixture(params=["gitlab", "github"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    with start(users=["mentorship-bot", "alice", "bob", "carol"]) as sandbox:
        text = ROSTER.format(flavour=request.param, url=sandbox.url)
        program = parse_program(text, Path("program.yml"))
        policy = RetryPolicy(retries=0)

        def login(name: str) -> Forge:
            return connect(program.forge, {"SANDBOX_TOKEN": name}, policy)

        yield World(sandbox, program, login("mentorship-bot"), login("bob"), tmp_path / "c.gz")


def test_a_quiet_night_reads_only_what_changed_and_plans_what_a_full_read_would(
    world: World,
) -> None:
    first, _ = world.night(0)
    world.night(1)  # the first night's own writes are read back once
    quiet, wrote = world.night(2)
    # The issues changed since the watermark, the comments created since it (the bot's
    # login was asked on the first night: this forge object lives on); on GitHub who last
    # edited the ledger issues, which the night reads as the bot wrote them.
    ledgers = 1 if world.program.forge.api_flavour == "github" else 0
    assert (first > 2, quiet, wrote) == (True, 2 + ledgers, [])


def test_a_comment_a_tick_and_a_closed_issue_are_seen_through_the_cache(world: World) -> None:
    world.night(0)
    pairing = world.pairing_issue("alice--bob--2026-01-05")
    world.night(1)
    world.daytime(3)
    world.bob.comment(pairing, "Could we meet on Friday?")
    first = "- [ ] Have a coffee chat"  # the first step of "Before we start"
    body = world.bot.get_issue(pairing).body.replace(first, first.replace("[ ]", "[x]"), 1)
    world.bob.edit_issue_body(pairing, body)
    world.night(3)  # plans what a full read would (World.night checks it)
    world.daytime(4)
    world.bob.close(pairing, CloseReason.COMPLETED)
    world.night(4)
    with observing(world.bot, world.cache, world.program.forge, day(4), None) as forge:
        seen = read(forge, world.program, day(4)).issues["pair/alice--bob--2026-01-05/pairing"]
    assert (seen.state, seen.body) == (IssueState.CLOSED, body)
    # Quiet nights: the cache made on night 0 is dropped once it is a week old, on
    # night 7, which reads everything again and makes the next one.
    reads = {n: world.night(n)[0] for n in range(5, 5 + FULL_READ_DAYS)}
    assert reads.pop(FULL_READ_DAYS) > 2
    assert set(reads.values()) == {2 + (world.program.forge.api_flavour == "github")}


def test_the_cache_is_believed_only_for_its_project_bot_age_and_signature(tmp_path: Path) -> None:
    path = tmp_path / "cache.gz"
    cache = Cache("gitlab https://x acme/a bot", date(2026, 1, 5))
    cache.comments_since = datetime(2026, 1, 1, tzinfo=UTC)
    save(path, cache, "s3cret")
    same = load(path, cache.identity, date(2026, 1, 6), "s3cret")
    assert same.comments_since == cache.comments_since
    assert load(path, cache.identity, date(2026, 1, 6), "guess").comments_since is None
    assert load(path, "gitlab https://x acme/b bot", date(2026, 1, 6), "s3cret").shelves == {}
    old = load(path, cache.identity, date(2026, 1, 5) + timedelta(FULL_READ_DAYS), "s3cret")
    assert old.comments_since is None
    path.write_bytes(b"not a cache")
    assert load(path, cache.identity, date(2026, 1, 6), None).comments_since is None


def test_a_cache_whose_bytes_were_changed_is_not_believed_with_a_secret(tmp_path: Path) -> None:
    path = tmp_path / "cache.gz"
    cache = Cache("github https://x acme/a bot", date(2026, 1, 5))
    cache.users = {"bob": 7}
    save(path, cache, "s3cret")
    head, body = gzip.decompress(path.read_bytes()).split(b"\n")
    assert load(path, cache.identity, date(2026, 1, 6), "s3cret").users == {"bob": 7}
    path.write_bytes(gzip.compress(head + b"\n" + body.replace(b'"bob":7', b'"bob":8')))
    assert load(path, cache.identity, date(2026, 1, 6), "s3cret").users == {}


def test_a_run_with_a_key_believes_no_unsigned_cache_and_one_without_no_signed_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cache.gz"
    planted = Cache("gitlab https://x acme/a bot", date(2026, 1, 5))
    planted.users = {"alice": 666}  # mallory's id, for alice's handle
    save(path, planted, None)
    assert load(path, planted.identity, date(2026, 1, 6), "key").users == {}
    assert load(path, planted.identity, date(2026, 1, 6), None).users == {"alice": 666}
    save(path, planted, "key")
    assert load(path, planted.identity, date(2026, 1, 6), None).users == {}


def test_text_that_is_not_utf8_survives_the_cache(tmp_path: Path) -> None:
    # A lone surrogate (JSON may escape one: `\\ud800`) has no UTF-8 form; the file keeps it.
    path = tmp_path / "cache.gz"
    cache = Cache("gitlab https://x acme/a bot", date(2026, 1, 5))
    cache.parsed = {"gitlab:abc": ["\ud800 step", "é"]}
    save(path, cache, "s3cret")
    assert load(path, cache.identity, date(2026, 1, 6), "s3cret").parsed == cache.parsed


def test_a_cache_of_the_earlier_format_is_read_in_full_again(tmp_path: Path) -> None:
    path = tmp_path / "cache.gz"
    cache = Cache("gitlab https://x acme/a bot", date(2026, 1, 5))
    cache.users = {"bob": 7}
    save(path, cache, None)
    assert load(path, cache.identity, date(2026, 1, 6), None).users == {"bob": 7}
    # Version 3 was one document: {"version": 3, "cache": ..., "sig": ...}.
    body = json.loads(gzip.decompress(path.read_bytes()).split(b"\n")[1])
    earlier = {"version": 3, "cache": body, "sig": None}
    path.write_bytes(gzip.compress(json.dumps(earlier).encode()))
    assert load(path, cache.identity, date(2026, 1, 6), None).users == {}


def test_observe_reads_the_same_through_a_cache_filled_by_earlier_runs(world: World) -> None:
    world.night(0)
    world.daytime(2)
    pairing = world.pairing_issue("alice--bob--2026-01-05")
    world.bob.comment(pairing, "Notes from our call.")
    world.night(2)
    with observing(world.bot, world.cache, world.program.forge, day(3), None) as forge:
        cached = read(forge, world.program, day(3))
    full = read(world.bot, world.program, day(3))
    assert cached.issues == full.issues
    assert cached.activity == full.activity
    assert cached.ledger == full.ledger
    assert {k: c.body for k, c in cached.comments.items()} == {
        k: c.body for k, c in full.comments.items()
    }


def test_gitlabs_user_ids_are_kept_for_the_next_run(tmp_path: Path) -> None:
    with start(users=["mentorship-bot", "alice", "bob", "carol"]) as sandbox:
        program = parse_program(
            ROSTER.format(flavour="gitlab", url=sandbox.url), Path("program.yml")
        )
        cache = tmp_path / "c.gz"
        sandbox.set_clock(datetime.combine(day(0), time(23), UTC))
        first = connect(program.forge, {}, RetryPolicy(retries=0))
        with observing(first, cache, program.forge, day(0), None) as forge:
            assert run_day(forge, program, day(0), Templates()).failed == []
        # The next run's adapter assigns by the ids the first one learned, asking for none.
        fresh = connect(program.forge, {}, RetryPolicy(retries=0))
        with observing(fresh, cache, program.forge, day(1), None):
            assert {"alice", "bob"} <= set(fresh.user_ids())  # carol starts on day 7


def test_a_cache_whose_signature_is_not_ascii_is_dropped_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "cache.gz"
    save(path, Cache("gitlab https://x acme/a bot", date(2026, 1, 5)), None)
    _, body = gzip.decompress(path.read_bytes()).split(b"\n")
    path.write_bytes(
        gzip.compress(json.dumps({"version": VERSION, "sig": "\u00e9"}).encode() + b"\n" + body)
    )
    assert load(path, "gitlab https://x acme/a bot", date(2026, 1, 6), "key").users == {}


def test_a_cache_is_believed_only_by_the_code_that_wrote_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its parses and quiet pairings came from that code's rules: after an upgrade the run
    reads everything again."""
    world.night(1)
    cached = 2 + (world.program.forge.api_flavour == "github")
    assert world.night(2)[0] == cached
    monkeypatch.setattr(cached_module, "code", lambda root: "another build")
    assert world.night(3)[0] > cached
    assert world.night(4)[0] == cached


def test_the_code_digest_moves_with_any_source_file(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    rule = tmp_path / "rules" / "nudges.py"
    rule.write_text("NUDGE_DAYS = 8\n")
    before = code(tmp_path)
    code.cache_clear()
    rule.write_text("NUDGE_DAYS = 9\n")
    assert code(tmp_path) != before
