"""The cyclic collector is paused for a block and always on again after it."""

from __future__ import annotations

import gc

import pytest

from automation import collector


def test_the_collector_is_off_inside_and_on_after() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_on_again_after_an_error_in_the_block() -> None:
    with pytest.raises(ZeroDivisionError), collector.paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_a_pause_inside_a_pause_leaves_it_off_until_the_outer_one_ends() -> None:
    with collector.paused():
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off() -> None:
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_objects_kept_from_the_block_are_not_left_frozen() -> None:
    with collector.paused():
        kept = [[n] for n in range(1_000)]
    assert gc.get_freeze_count() == 0
    assert len(kept) == 1_000
