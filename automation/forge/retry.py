"""Bounded retries for both clients: one urllib3 `Retry` that honours rate-limit headers."""

from __future__ import annotations

import email.utils
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


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: `retries` after the first attempt, never waiting over `max_wait`.

    A rate limit that asks for a longer wait than `max_wait` fails at once: a nightly run
    should report it, not sleep through the night. `sleep` and `clock` are injectable so
    tests never sleep for real.
    """

    retries: int = 5
    max_wait: float = 120.0
    backoff: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    clock: Callable[[], float] = field(default=time.time, compare=False)

    def urllib3(self) -> Retry:
        return ForgeRetry(
            total=self.retries,
            connect=self.retries,
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
            wait = self.wait_for(response)
            if wait is not None and wait > self.policy.max_wait:
                raise MaxRetryError(_pool, url or "", ResponseError(f"wait {wait:.0f}s"))
        return super().increment(method, url, response, error, _pool, _stacktrace)

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
        wait = self.wait_for(response) if response is not None else None
        if wait is None:
            attempts = len(self.history)
            wait = min(self.policy.max_wait, self.policy.backoff * 2 ** max(0, attempts - 1))
        if wait > 0:
            self.policy.sleep(wait)
