"""Request counts per route, and GitHub's hourly rate-limit ledger on the sandbox clock."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

HOUR_MS = 3_600_000


class RequestCounts:
    """How many API requests arrived, read or write, per `METHOD /route/template`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reads = 0
        self._writes = 0
        self._by_route: Counter[str] = Counter()

    def record(self, route_key: str, *, read: bool) -> None:
        with self._lock:
            if read:
                self._reads += 1
            else:
                self._writes += 1
            self._by_route[route_key] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self._reads + self._writes,
                "reads": self._reads,
                "writes": self._writes,
                "by_route": dict(sorted(self._by_route.items())),
            }

    def reset(self) -> None:
        with self._lock:
            self._reads = 0
            self._writes = 0
            self._by_route.clear()


@dataclass(frozen=True)
class RateState:
    limit: int
    remaining: int
    reset: int  # epoch seconds when the window ends
    used: int

    def headers(self) -> tuple[tuple[str, str], ...]:
        return (
            ("X-RateLimit-Limit", str(self.limit)),
            ("X-RateLimit-Remaining", str(self.remaining)),
            ("X-RateLimit-Reset", str(self.reset)),
            ("X-RateLimit-Used", str(self.used)),
            ("X-RateLimit-Resource", "core"),
        )


class RateLimits:
    """Per-login request budget in clock-hour windows; reported, never enforced.

    Enforcing it would make a frozen-clock test fail after `limit` requests; rate-limit
    errors are provoked with injected faults instead.
    """

    def __init__(self, limit: int = 5000) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}

    def spend(self, login: str, now_ms: int) -> RateState:
        window = now_ms // HOUR_MS
        with self._lock:
            start, used = self._windows.get(login, (window, 0))
            used = used + 1 if start == window else 1
            self._windows[login] = (window, used)
        reset = (window + 1) * HOUR_MS // 1000
        return RateState(self.limit, max(0, self.limit - used), reset, used)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()


MINUTE_MS = 60_000


@dataclass(frozen=True)
class SecondaryLimit:
    """GitHub's documented secondary limit on content-creating requests, per login.

    https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
    ("no more than 80 content-generating requests per minute and no more than 500 [...] per
    hour"). GitHub answers 403 with a message and sometimes a `Retry-After`; `retry_after`
    None models the answers without one.
    """

    per_minute: int = 80
    per_hour: int = 500
    retry_after: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "per_minute": self.per_minute,
            "per_hour": self.per_hour,
            "retry_after": self.retry_after,
        }


def parse_secondary_limit(spec: Any) -> SecondaryLimit | None:
    """The limit from its JSON (`true` for GitHub's numbers, null for off); ValueError if bad."""
    if spec is None or spec is False:
        return None
    if spec is True:
        return SecondaryLimit()
    if not isinstance(spec, dict) or set(spec) - {"per_minute", "per_hour", "retry_after"}:
        raise ValueError('secondary is true, null or {"per_minute", "per_hour", "retry_after"}')
    limit = SecondaryLimit(**spec)
    counts = (limit.per_minute, limit.per_hour)
    if not all(isinstance(n, int) and n >= 1 for n in counts):
        raise ValueError("per_minute and per_hour must be positive integers")
    if limit.retry_after is not None and not (
        isinstance(limit.retry_after, int) and limit.retry_after >= 0
    ):
        raise ValueError("retry_after must be a number of seconds or null")
    return limit


class SecondaryLimits:
    """Content-creating requests accepted per login over the last hour, when switched on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.limit: SecondaryLimit | None = None
        self._accepted: dict[str, list[int]] = {}

    def configure(self, limit: SecondaryLimit | None) -> None:
        with self._lock:
            self.limit = limit
            self._accepted.clear()

    def admits(self, login: str, now_ms: int) -> bool:
        """Whether one more content-creating request of `login` is within both windows."""
        with self._lock:
            if self.limit is None:
                return True
            recent = [t for t in self._accepted.get(login, []) if t > now_ms - HOUR_MS]
            self._accepted[login] = recent
            last_minute = sum(1 for t in recent if t > now_ms - MINUTE_MS)
            return last_minute < self.limit.per_minute and len(recent) < self.limit.per_hour

    def record(self, login: str, now_ms: int) -> None:
        with self._lock:
            if self.limit is not None:
                self._accepted.setdefault(login, []).append(now_ms)

    def headers(self) -> dict[str, str]:
        limit = self.limit
        if limit is None or limit.retry_after is None:
            return {}
        return {"Retry-After": str(limit.retry_after)}

    def snapshot(self) -> dict[str, Any]:
        return {"secondary": None if self.limit is None else self.limit.to_json()}
