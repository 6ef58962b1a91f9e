"""The convergence properties share one sandbox a module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from automation.sandbox import RunningSandbox, start


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start() as running:
        yield running
