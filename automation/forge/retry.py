"""Bounded retries for both clients: one urllib3 `Retry` that honours rate-limit headers."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

# Requests whose repetition cannot duplicate anything. POST (create issue, comment) is
# retried only when the server says it did not process it (429, rate-limit 403).
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
_SERVER_ERRORS = frozenset({500, 502, 503, 504})
# A rate limit that says nothing of when to come back (GitHub's secondary limits often do
# not): "wait for at least one minute before retrying", then back off exponentially.
# https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
SILENT_LIMIT_WAIT = 60.0
CONNECT_RETRIES = 2


class WaitBudget:
    """The seconds one run may spend waiting on rate limits, shared by all its requests.

    A nightly run has a time slot; when the forge keeps refusing past this budget the run
    stops writing and the next one carries on.
    """

    def __init__(self, seconds: float = 600.0) -> None:
        self.seconds = seconds
        self._spent = 0.0
        self._lock = threading.Lock()

    @property
    def left(self) -> float:
        with self._lock:
            return self.seconds - self._spent

    def spend(self, wait: float) -> bool:
        """Take `wait` seconds from the budget if that many are left."""
        with self._lock:
            if self._spent + wait > self.seconds:
                return False
            self._spent += wait
            return True


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: `retries` after the first attempt, never waiting over `max_wait`.

    A rate limit that asks for a longer wait than `max_wait`, or for more than is left of
    the run's `budget`, fails at once: a nightly run should report it and defer the rest,
    not sleep through the night. `sleep` and `clock` are injectable so tests never sleep
    for real.
    """

    retries: int = 5
    max_wait: float = 120.0
    backoff: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    clock: Callable[[], float] = field(default=time.time, compare=False)
    budget: WaitBudget = field(default_factory=WaitBudget, compare=False)

    def silent_limit_wait(self, attempt: int) -> float:
        """The wait before retry `attempt` (0 first) of a rate limit that asked for none."""
        return SILENT_LIMIT_WAIT * float(2**attempt)

    def may_wait(self, wait: float) -> bool:
        """Whether a rate-limit wait is within `max_wait` and what is left of the budget."""
        return wait <= self.max_wait and wait <= self.budget.left

    def urllib3(self) -> Retry:
        return ForgeRetry(
            total=self.retries,
            # A refused or unanswered connection is rarely back a second later: a few tries
            # cover a blip, then the run says what to check (forge/base.py, `unreachable`).
            connect=min(self.retries, CONNECT_RETRIES),
            read=self.retries,
            status=self.retries,
            other=0,
            redirect=0,
            allowed_methods=IDEMPOTENT,
            raise_on_status=False,  # hand the last error response to the client
            respect_retry_after_header=True,
            policy=self,
        )


def _is_rate_limited(response: BaseHTTPResponse) -> bool:
    # GitHub signals primary and secondary limits with 403 as well as 429:
    # https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
    # A 403 that says so only in its body is left to the adapter, which reads the body.
    if response.status == 429:
        return True
    headers = response.headers
    return bool(headers.get("Retry-After")) or headers.get("X-RateLimit-Remaining") == "0"


class ForgeRetry(Retry):
    """urllib3 `Retry` with our policy: which failures to retry and how long to wait."""

    def __init__(self, *args: Any, policy: RetryPolicy | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy or RetryPolicy()

    def new(self, **kw: Any) -> ForgeRetry:
        fresh = super().new(**kw)
        fresh.policy = self.policy
        return fresh

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code in (429, 403):
            return True  # 403s that are not rate limits are given up in increment()
        return status_code in _SERVER_ERRORS and method.upper() in IDEMPOTENT

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> ForgeRetry:
        if response is not None:
            if response.status == 403 and not _is_rate_limited(response):
                raise MaxRetryError(_pool, url or "", ResponseError("403 is not a rate limit"))
            if _is_rate_limited(response):
                wait = self._rate_limit_wait(response)
                if not self.policy.may_wait(wait):
                    raise MaxRetryError(_pool, url or "", ResponseError(f"wait {wait:.0f}s"))
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def _rate_limit_wait(self, response: BaseHTTPResponse) -> float:
        asked = self.wait_for(response)
        return asked if asked is not None else self.policy.silent_limit_wait(len(self.history))

    def wait_for(self, response: BaseHTTPResponse) -> float | None:
        """Seconds the server asks us to wait, from Retry-After or the rate-limit reset."""
        retry_after = response.headers.get("Retry-After")
        if retry_after:
            if retry_after.strip().isdigit():
                return float(retry_after.strip())
            try:
                parsed = email.utils.parsedate_to_datetime(retry_after)
            except (TypeError, ValueError):
                return None
            return max(0.0, parsed.timestamp() - self.policy.clock())
        reset = response.headers.get("X-RateLimit-Reset")
        if response.headers.get("X-RateLimit-Remaining") == "0" and reset and reset.isdigit():
            return max(0.0, float(reset) - self.policy.clock())
        return None

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        if response is not None and _is_rate_limited(response):
            # history already holds this response: the wait for retry len(history) - 1
            asked = self.wait_for(response)
            attempt = max(0, len(self.history) - 1)
            wait = asked if asked is not None else self.policy.silent_limit_wait(attempt)
            self.policy.budget.spend(wait)
        else:
            attempts = len(self.history)
            wait = min(self.policy.max_wait, self.policy.backoff * 2 ** max(0, attempts - 1))
        if wait > 0:
            self.policy.sleep(wait)
