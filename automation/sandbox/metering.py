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
