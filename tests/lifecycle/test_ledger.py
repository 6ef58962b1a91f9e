"""The ledger: what it keeps of a pairing, that a full issue of it fits GitHub's limit, and
that only the bot's signature makes it believed."""

from __future__ import annotations

from automation.lifecycle import ledger, markers
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


def test_a_comment_whose_marker_asks_is_signed_for_its_key_and_nothing_else() -> None:
    key = "pair/alice--bob--2026-01-05/progress"
    text = markers.attach("2 of 3 steps", key, digest="abc", sig=ledger.UNSIGNED_MARKER)
    signed = ledger.sign(text, key, "s3cret")
    assert "sig=unsigned" not in signed
    assert ledger.signature(signed, key, "s3cret") == "valid"
    assert ledger.unsigned(signed) == text
    # Another key, another secret, other words: not the bot's.
    assert ledger.signature(signed, "pair/carol--dan--2026-01-05/progress", "s3cret") == "invalid"
    assert ledger.signature(signed, key, "another") == "invalid"
    assert ledger.signature(signed.replace("2 of 3", "3 of 3"), key, "s3cret") == "invalid"
    assert ledger.signature(text, key, "s3cret") == "none"


def test_the_signature_in_json_is_the_last_one_so_words_before_it_cannot_move_it() -> None:
    block = '<!-- mentorship-dashboard\n{"day":"2026-01-05","sig":"@sign"}\n-->'
    text = f'# Board\n\nA goal titled "sig":"@sign" by a mentee.\n\n{block}\n'
    signed = ledger.sign(text, "dashboard", "s3cret")
    assert 'titled "sig":"@sign"' in signed
    assert ledger.signature(signed, "dashboard", "s3cret") == "valid"
