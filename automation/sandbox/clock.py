"""Instants in the sandbox: epoch milliseconds, and the timestamp formats both APIs use."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY_MS = 86_400_000


def real_now_ms() -> int:
    return time.time_ns() // 1_000_000


def to_ms(instant: datetime) -> int:
    """Milliseconds since the epoch; a naive datetime is taken to be UTC."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return (instant - _EPOCH) // timedelta(milliseconds=1)


def from_ms(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


def gitlab_time(ms: int) -> str:
    """GitLab's API timestamps carry milliseconds: `2024-01-04T15:31:46.176Z`."""
    return f"{_seconds(ms)}.{ms % 1000:03d}Z"


def github_time(ms: int) -> str:
    """GitHub's API timestamps stop at seconds: `2024-01-04T15:31:46Z`."""
    return f"{_seconds(ms)}Z"


def gitlab_graphql_time(ms: int) -> str:
    """GitLab's GraphQL `Time` (ISO 8601, `Time#iso8601`) stops at seconds:
    `2024-01-04T15:31:46Z`."""
    return f"{_seconds(ms)}Z"


def _seconds(ms: int) -> str:
    # gmtime and an f-string cost a fraction of datetime.strftime; every listed issue
    # carries several timestamps, so this is on the hot path of every list request
    t = time.gmtime(ms // 1000)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"
        f"T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
    )


def parse_instant(text: str) -> int:
    """An ISO 8601 date or date-time as milliseconds; dates mean midnight UTC.

    Raises ValueError for anything else, so callers can answer with the API's own error.
    """
    text = text.strip()
    if len(text) == 10:
        return parse_day(text)
    # fromisoformat accepts "Z", offsets and the space separator that str(datetime) produces
    return to_ms(datetime.fromisoformat(text))


def parse_day(text: str) -> int:
    """A `YYYY-MM-DD` date as the millisecond its day starts (UTC)."""
    day = date.fromisoformat(text.strip())
    return to_ms(datetime(day.year, day.month, day.day, tzinfo=UTC))
