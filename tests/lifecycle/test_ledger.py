"""The ledger: what it keeps of a pairing, that a full issue of it fits GitHub's limit, and
that only the bot's signature makes it believed."""

from __future__ import annotations

from automation.lifecycle import ledger
from automation.lifecycle.ledger import PairState
from automation.lifecycle.rules import progress

LIMIT = 65_536  # GitHub's longest issue body


def whole_term() -> PairState:
    """The largest entry a pairing reaches: every field, a point and a meeting in each of
    the 26 weekly periods of a six-month term, as many goals celebrated as may be."""
    return PairState(
        comment=9_999_999_999,
        digest="0123456789abcdef",
        signature="0123456789abcdef",
        changed="2026-06-30",
        history=tuple((p, 40 + p, 99) for p in range(1, 27)),
        celebrated=tuple(f"g{g:08x}" for g in range(progress.CELEBRATED_GOALS)),
        met=tuple(range(1, 27)),
        settled="2026-07-05",
        issues=(("checkin/26", 99_999), ("pairing", 99_999), ("retrospective", 99_999)),
        agenda=ledger.described("checkin/26", "a check-in"),
        edited="2026-06-30",
    )


def test_a_full_ledger_issue_fits_in_one_github_issue() -> None:
    entries = {
        f"a-long-mentor-handle-{i:04d}--a-long-mentee-handle-{i:04d}--2026-01-05": whole_term()
        for i in range(ledger.PER_ISSUE)
    }
    body = ledger.render("ledger/2026-01/12", entries)
    assert len(body) < LIMIT
    assert ledger.parse(body) == entries


def test_a_signed_ledger_is_believed_and_a_changed_one_is_not() -> None:
    body = ledger.render("ledger/2026-01", {"a--b--2026-01-05": PairState(met=(1,))})
    assert ledger.signature(body, "ledger/2026-01", "s3cret") == "none"
    signed = ledger.sign(body, "ledger/2026-01", "s3cret")
    assert ledger.signature(signed, "ledger/2026-01", "s3cret") == "valid"
    # GitLab keeps descriptions without carriage returns and trailing white space.
    assert ledger.signature(signed.rstrip() + "  ", "ledger/2026-01", "s3cret") == "valid"
    assert ledger.signature(signed, "ledger/2026-02", "s3cret") == "invalid"  # another key
    assert ledger.signature(signed, "ledger/2026-01", "guess") == "invalid"
    inflated = signed.replace('"m":[1]', '"m":[1,2,3]')
    assert ledger.signature(inflated, "ledger/2026-01", "s3cret") == "invalid"


def test_a_ledger_read_again_after_a_change_reads_the_change() -> None:
    pid = "mentor--mentee--2026-01-05"
    before = ledger.render("ledger/2026-01", {pid: PairState(digest="aaaa")})
    after = ledger.render("ledger/2026-01", {pid: PairState(digest="bbbb")})
    assert ledger.parse(before)[pid].digest == "aaaa"
    assert ledger.parse(after)[pid].digest == "bbbb"
    # What a reader does with the states it got does not change the next read.
    ledger.parse(before).clear()
    assert ledger.parse(before)[pid].digest == "aaaa"
