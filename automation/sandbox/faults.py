"""Injected faults: error statuses, delays and lost responses for the next matching requests."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from automation.sandbox.web import Request


@dataclass(frozen=True)
class Fault:
    id: int
    method: str  # an HTTP method, several as "POST|PUT", or "*"
    path: re.Pattern[str]
    status: int | None
    headers: Mapping[str, str]
    body: Any
    delay_seconds: float
    drop_response: bool
    times: int | None  # None: every matching request until cleared
    skip: int = 0  # matching requests let through before the fault starts

    def matches(self, request: Request) -> bool:
        if self.method != "*" and request.method not in self.method.split("|"):
            return False
        return bool(self.path.search(request.path) or self.path.search(request.route_path))

    @property
    def lost_status(self) -> int:
        """What a client sees when the write went through but its response was lost."""
        return self.status or 502

    def to_json(self, remaining: int | None) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "path": self.path.pattern,
            "status": self.status,
            "headers": dict(self.headers),
            "body": self.body,
            "delay_seconds": self.delay_seconds,
            "drop_response": self.drop_response,
            "times": self.times,
            "skip": self.skip,
            "remaining": remaining,
        }


def parse_fault(fault_id: int, spec: Mapping[str, Any]) -> Fault:
    """A fault from its JSON description; ValueError says what is wrong with it."""
    unknown = set(spec) - {
        "method",
        "path",
        "status",
        "headers",
        "body",
        "delay_seconds",
        "drop_response",
        "times",
        "skip",
    }
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
    try:
        path = re.compile(str(spec.get("path", "")))
    except re.error as error:
        raise ValueError(f"path is not a regular expression: {error}") from error
    status = spec.get("status")
    if status is not None and not (isinstance(status, int) and 100 <= status <= 599):
        raise ValueError("status must be an HTTP status code")
    headers = spec.get("headers") or {}
    if not isinstance(headers, dict):
        raise ValueError("headers must be an object")
    delay = float(spec.get("delay_seconds") or 0.0)
    drop = bool(spec.get("drop_response", False))
    times = spec.get("times", 1)
    if times is not None and not (isinstance(times, int) and times >= 1):
        raise ValueError("times must be a positive integer or null")
    skip = spec.get("skip", 0)
    if not (isinstance(skip, int) and skip >= 0):
        raise ValueError("skip must be a whole number")
    if status is None and delay <= 0 and not drop:
        raise ValueError("a fault needs a status, a delay_seconds or drop_response")
    return Fault(
        id=fault_id,
        method=str(spec.get("method", "*")).upper(),
        path=path,
        status=status,
        headers={str(k): str(v) for k, v in headers.items()},
        body=spec.get("body"),
        delay_seconds=max(0.0, delay),
        drop_response=drop,
        times=times,
        skip=skip,
    )


class FaultBook:
    """The armed faults, in the order they were added; the first match wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._remaining: dict[int, int | None] = {}
        self._skipped: dict[int, int] = {}
        self._next_id = 1

    def add(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            fault = parse_fault(self._next_id, spec)
            self._next_id += 1
            self._faults.append(fault)
            self._remaining[fault.id] = fault.times
            return fault.to_json(fault.times)

    def take(self, request: Request) -> Fault | None:
        """The fault this request triggers, if any, spending one of its `times`."""
        with self._lock:
            if not self._faults:
                return None
            for fault in self._faults:
                if not fault.matches(request):
                    continue
                seen = self._skipped.get(fault.id, 0)
                if seen < fault.skip:
                    self._skipped[fault.id] = seen + 1
                    continue
                remaining = self._remaining[fault.id]
                if remaining is not None:
                    self._remaining[fault.id] = remaining - 1
                    if remaining <= 1:
                        self._faults.remove(fault)
                        del self._remaining[fault.id]
                return fault
            return None

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.to_json(self._remaining[fault.id]) for fault in self._faults]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._remaining.clear()
            self._skipped.clear()
