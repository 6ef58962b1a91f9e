"""Write pacing: how many writes the forge's limits allow in a span, and a pacer that spaces
a run's writes so no minute or hour holds more than the limits.

GitHub's secondary limits: "no more than 80 content-generating requests per minute and no
more than 500 content-generating requests per hour"; GitHub does not list which requests
generate content and asks for a pause between POST, PATCH, PUT and DELETE requests, so every
write counts here:
https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api
GitLab limits note creation per user (default 300 a minute) and, when an administrator
turns it on, issue creation per user and project (300 a minute in the docs' example):
https://docs.gitlab.com/administration/settings/rate_limit_on_notes_creation/
https://docs.gitlab.com/administration/settings/rate_limit_on_issues_creation/
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from automation.forge.base import RateLimited

MINUTE = 60.0
HOUR = 3600.0
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The run's clock and the forge's differ a little: wait this much past a window's edge.
EDGE = 1.0


@dataclass(frozen=True)
class WriteLimits:
    """Writes allowed in any minute and in any hour (None: no such limit), and the seconds
    to leave between two writes."""

    per_minute: int | None = None
    per_hour: int | None = None
    gap: float = 0.0

    @property
    def windows(self) -> tuple[tuple[float, int], ...]:
        """(seconds, writes) of each limit that applies."""
        pairs = ((MINUTE, self.per_minute), (HOUR, self.per_hour))
        return tuple((seconds, n) for seconds, n in pairs if n is not None)

    def describe(self) -> str:
        """`80 a minute and 500 an hour`."""
        parts = []
        if self.per_minute is not None:
            parts.append(f"{self.per_minute} a minute")
        if self.per_hour is not None:
            parts.append(f"{self.per_hour} an hour")
        return " and ".join(parts) or "no limit"


def is_write(request: str) -> bool:
    """Whether `METHOD /path` changes something on the forge. A GraphQL query is sent as a
    POST but reads (the run sends no mutations): GitHub counts only mutations as content
    creation."""
    method, _, path = request.partition(" ")
    return method.upper() in WRITE_METHODS and not path.startswith("graphql")


def delay(sent: Sequence[float], now: float, limits: WriteLimits, edge: float = EDGE) -> float:
    """Seconds to wait from `now` before one more write, given the times of the writes
    already sent (oldest first), so that no window holds more than its limit and the last
    one is `limits.gap` behind."""
    wait = sent[-1] + limits.gap - now if sent and limits.gap else 0.0
    for window, allowed in limits.windows:
        recent = [t for t in sent if t > now - window - edge]
        if len(recent) >= allowed:
            # when the oldest write that must leave the window has left it
            leaves = recent[len(recent) - allowed] + window + edge
            wait = max(wait, leaves - now)
    return wait


class Pacer:
    """Spaces the writes of one run within `limits`. `clock` (epoch seconds, so the times
    of writes seen on the forge compare with it) and `sleep` are injectable so tests never
    wait. Past `deadline` (a `clock` value: the end of the run's time) it does not wait:
    the write raises `RateLimited`, and apply defers it and the rest."""

    def __init__(
        self,
        limits: WriteLimits,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        deadline: float | None = None,
    ) -> None:
        self.limits = limits
        self.clock = clock
        self.deadline = deadline
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._count = 0
        self._lock = threading.Lock()

    @property
    def sent(self) -> int:
        """Writes sent through this pacer."""
        return self._count

    def seconds_left(self) -> float | None:
        """Time left before the deadline (None: no deadline)."""
        return None if self.deadline is None else self.deadline - self.clock()

    def seen(self, times: Iterable[float]) -> None:
        """Writes made before this run (an earlier run's, seen on the forge): they count in
        the windows they fall in, so a run an hour after a busy one keeps within the hour."""
        with self._lock:
            now = self.clock()
            # a time ahead of the clock is another clock's (a sandbox played forward)
            recent = [t for t in times if now - HOUR - EDGE < t <= now + EDGE]
            self._sent = deque(sorted([*self._sent, *recent]))

    def room(self) -> int | None:
        """How many writes the limits allow before the deadline, after the writes already in
        their windows (None: nothing limits them)."""
        left = self.seconds_left()
        if left is None or not (self.limits.windows or self.limits.gap):
            return None
        if left <= 0:
            return 0
        end = self.clock() + left
        allowed = [math.floor(left / self.limits.gap)] if self.limits.gap else []
        for window, n in self.limits.windows:
            # the windows laid back to back from the deadline cover the run's time; earlier
            # writes in the first of them take their places
            windows = math.ceil(left / window)
            taken = sum(1 for t in self._sent if t > end - windows * window - EDGE)
            allowed.append(max(0, n * windows - taken))
        return min(allowed)

    def before(self, request: str) -> None:
        """Wait as long as the limits ask before `request`, if it is a write."""
        if not is_write(request):
            return
        with self._lock:
            now = self.clock()
            wait = delay(tuple(self._sent), now, self.limits)
            if self.deadline is not None and now + wait > self.deadline:
                fix = (
                    f"the forge's write limits ({self.limits.describe()}) leave no room for "
                    "it in the run's time (forge.time_budget_minutes); the next run does the rest"
                )
                raise RateLimited(f"{request} not sent: {fix}", request=request, fix=fix)
            if wait > 0:
                self._sleep(wait)
            sent = self.clock()
            self._sent.append(sent)
            self._count += 1
            while self._sent and self._sent[0] <= sent - HOUR - EDGE:
                self._sent.popleft()
