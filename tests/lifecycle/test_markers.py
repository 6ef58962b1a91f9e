"""The hidden markers: what is written reads back; a value outside printable ASCII does not
make a marker."""

from __future__ import annotations

import pytest

from automation.lifecycle import markers


def test_a_marker_reads_back_with_its_attributes() -> None:
    body = markers.attach("Hi", "pair/a--b--2026-01-05/box/end/20260322T120000Z", by="dana")
    found = markers.find(body)
    assert found is not None
    assert (found.key, found.attrs) == (
        "pair/a--b--2026-01-05/box/end/20260322T120000Z",
        {"by": "dana"},
    )


@pytest.mark.parametrize("value", ["dana\u202e", "dana\x1b[2J", "d\x00", "dána", "a<b"])
def test_a_value_with_a_control_direction_or_other_character_makes_no_marker(value: str) -> None:
    assert markers.find(f"<!-- mentorship:v1 key=pair/x/box/end/1 by={value} -->\nHi") is None
    with pytest.raises(ValueError, match="invalid marker attribute"):
        markers.mark("pair/x/box/end/1", by=value)
