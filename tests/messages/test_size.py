from __future__ import annotations

import pytest

from automation.messages.size import BODY_LIMITS, ROOM, fitted


@pytest.mark.parametrize("flavour", ["github", "gitlab"])
def test_a_text_within_the_forges_limit_is_left_as_it_is(flavour: str) -> None:
    body = "x" * (BODY_LIMITS[flavour] - ROOM)
    assert fitted(body, flavour) is body


def test_a_longer_text_keeps_its_first_whole_lines_and_says_it_was_cut() -> None:
    lines = [f"| Goal {n} | `████░░░░░░` 40% |" for n in range(3_000)]
    body = "\n".join(lines)
    cut = fitted(body, "github")
    kept, _, note = cut.rpartition("\n\n")
    assert len(cut) <= BODY_LIMITS["github"] - ROOM // 2
    assert kept.split("\n") == lines[: len(kept.split("\n"))]
    assert note == (
        f"_(The rest of this text is cut: it was {len(body):,} characters, more than 65,536, "
        "the most the forge takes. The pairing issue holds the goals in full.)_"
    )


def test_one_line_longer_than_the_limit_is_cut_within_it() -> None:
    cut = fitted("y" * 200_000, "github")
    assert cut.startswith("y" * 60_000)
    assert len(cut) <= BODY_LIMITS["github"] - ROOM // 2
