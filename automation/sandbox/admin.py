"""The /_sandbox/ control endpoints: clock, request counts, faults, reset (no auth, uncounted)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from automation.sandbox.clock import gitlab_time, parse_instant
from automation.sandbox.faults import FaultBook
from automation.sandbox.metering import RateLimits, RequestCounts
from automation.sandbox.store import Store
from automation.sandbox.web import (
    BadBody,
    HttpError,
    Request,
    Response,
    Route,
    json_response,
    match_route,
    route,
)

PREFIX = "/_sandbox"


@dataclass(frozen=True)
class Controls:
    """Everything the control endpoints act on."""

    store: Store
    counts: RequestCounts
    faults: FaultBook
    rates: RateLimits


AdminHandler = Callable[[Controls, Request], Response]


def _fail(status: int, message: str) -> HttpError:
    return HttpError(json_response({"error": message}, status))


def _object(request: Request) -> dict[str, Any]:
    try:
        data = request.data()
    except BadBody as error:
        raise _fail(400, f"body is not JSON: {error}") from error
    if not isinstance(data, dict):
        raise _fail(400, "body must be a JSON object")
    return data


def _clock(controls: Controls) -> dict[str, Any]:
    return {"now": gitlab_time(controls.store.now()), "frozen": controls.store.clock_frozen}


def get_clock(controls: Controls, request: Request) -> Response:
    return json_response(_clock(controls))


def set_clock(controls: Controls, request: Request) -> Response:
    data = _object(request)
    if "advance_seconds" in data:
        try:
            seconds = float(data["advance_seconds"])
        except (TypeError, ValueError) as error:
            raise _fail(400, "advance_seconds must be a number") from error
        if seconds < 0:
            raise _fail(400, "the clock only moves forward")
        controls.store.advance_clock(round(seconds * 1000))
    elif "now" in data:
        now = data["now"]
        if now is None:
            controls.store.set_clock(None)
        else:
            try:
                controls.store.set_clock(parse_instant(str(now)))
            except ValueError as error:
                raise _fail(400, f"now is not an ISO 8601 instant: {now!r}") from error
    else:
        raise _fail(400, 'send {"now": "<ISO 8601>"} or {"advance_seconds": N}')
    return json_response(_clock(controls))


def get_counts(controls: Controls, request: Request) -> Response:
    return json_response(controls.counts.snapshot())


def reset_counts(controls: Controls, request: Request) -> Response:
    controls.counts.reset()
    return json_response(controls.counts.snapshot())


def list_faults(controls: Controls, request: Request) -> Response:
    return json_response(controls.faults.listing())


def add_fault(controls: Controls, request: Request) -> Response:
    try:
        fault = controls.faults.add(_object(request))
    except ValueError as error:
        raise _fail(400, str(error)) from error
    return json_response(fault, 201)


def clear_faults(controls: Controls, request: Request) -> Response:
    controls.faults.clear()
    return json_response([])


def reset_all(controls: Controls, request: Request) -> Response:
    controls.store.reset()
    controls.counts.reset()
    controls.faults.clear()
    controls.rates.reset()
    return json_response({"reset": True})


def index(controls: Controls, request: Request) -> Response:
    return json_response({"endpoints": [r.key for r in ROUTES]})


ROUTES: tuple[Route[AdminHandler], ...] = tuple(
    route(method, PREFIX + path, handler)
    for method, path, handler in (
        ("GET", "", index),
        ("GET", "/clock", get_clock),
        ("POST", "/clock", set_clock),
        ("GET", "/requests", get_counts),
        ("POST", "/requests/reset", reset_counts),
        ("GET", "/faults", list_faults),
        ("POST", "/faults", add_fault),
        ("DELETE", "/faults", clear_faults),
        ("POST", "/reset", reset_all),
    )
)


def handle(controls: Controls, request: Request) -> Response:
    found = match_route(ROUTES, request)
    if found is None:
        return json_response({"error": "no such sandbox endpoint"}, 404)
    if found.route is None:
        return json_response({"error": "method not allowed"}, 405)
    try:
        return found.route.handler(controls, request)
    except HttpError as error:
        return error.response
