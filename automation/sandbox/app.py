"""The WSGI application: control or API dispatch, auth, request counting and injected faults."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from email.utils import formatdate
from http import HTTPStatus
from wsgiref.types import StartResponse, WSGIEnvironment

from automation.sandbox import admin, github_api, gitlab_api
from automation.sandbox.call import Api, Call, Handler
from automation.sandbox.faults import FaultBook
from automation.sandbox.metering import RateLimits, RequestCounts, SecondaryLimits
from automation.sandbox.records import Flavour
from automation.sandbox.store import Store
from automation.sandbox.web import HttpError, Match, Request, Response, json_response, match_route

_log = logging.getLogger(__name__)


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Error"


class SandboxApp:
    """Both forges' APIs on one WSGI callable, over one `Store`.

    Counts, faults and rate-limit windows live on the app, not in the store: they describe
    this run of the server, not the forge's data, so a restart starts them afresh.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.counts = RequestCounts()
        self.faults = FaultBook()
        self.rates = RateLimits()
        self.secondary = SecondaryLimits()
        self._controls = admin.Controls(store, self.counts, self.faults, self.rates, self.secondary)
        # GraphQL last: its prefix (`/api`) holds both REST roots. GitLab's claims the
        # documents that ask for its root fields; GitHub's answers the rest.
        self._apis: tuple[Api, ...] = (
            gitlab_api.API,
            github_api.API,
            gitlab_api.GRAPHQL_API,
            github_api.GRAPHQL_API,
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self.handle(request)
        headers = [
            *response.headers,
            # the Date header follows the sandbox clock like every other timestamp
            ("Date", formatdate(self.store.now() / 1000, usegmt=True)),
            ("Content-Length", str(len(response.body))),
        ]
        start_response(_status_line(response.status), headers)
        return [b"" if request.method == "HEAD" else response.body]

    def handle(self, request: Request) -> Response:
        if request.path == admin.PREFIX or request.path.startswith(admin.PREFIX + "/"):
            return admin.handle(self._controls, request)
        api = next(
            (
                a
                for a in self._apis
                if request.path.startswith(a.prefix + "/") and a.claims(request)
            ),
            None,
        )
        if api is None:
            return json_response({"message": "Not Found"}, 404)
        found = match_route(api.routes, request)
        template = found.route.template if found and found.route else f"{api.prefix}/*"
        # A GraphQL query is sent as a POST and reads.
        read = request.is_read or api.queries_only
        self.counts.record(f"{request.method} {template}", read=read)
        fault = self.faults.take(request)
        if fault is not None and fault.delay_seconds:
            time.sleep(fault.delay_seconds)
        if fault is not None and fault.status is not None and not fault.drop_response:
            return api.fault(fault.status, fault.headers, fault.body)
        response = self._answer(api, found, request)
        if fault is not None and fault.drop_response:
            return api.fault(fault.lost_status, fault.headers, fault.body)
        return response

    def _handle(self, handler: Handler, call: Call) -> Response:
        try:
            with self.store.transaction():
                return handler(call)
        except HttpError as error:
            return error.response
        except Exception:
            _log.exception("sandbox failed on %s %s", call.request.method, call.request.path)
            return json_response({"message": "500 Internal Server Error"}, 500)

    def _answer(self, api: Api, found: Match[Handler] | None, request: Request) -> Response:
        if found is None:
            return api.unknown_route()
        if found.route is None:
            return api.method_not_allowed()
        token = api.token(request)
        if token is None:
            return api.unauthorized()
        # A token authenticates as the registered user whose login it is; anyone else's
        # token is as good as a revoked one.
        user = self.store.find_user(token)
        if user is None or user.username != token:  # a token is exact, unlike a username
            return api.bad_token()
        now = self.store.now()
        # A GraphQL query is a POST that creates nothing.
        creates = (
            api.flavour is Flavour.GITHUB and request.method == "POST" and not api.queries_only
        )
        if creates and not self.secondary.admits(token, now):
            response = api.fault(403, self.secondary.headers(), None)
        else:
            call = Call(request, self.store, user, found.params)
            response = self._handle(found.route.handler, call)
            if creates and response.status < 300:
                self.secondary.record(token, now)
        if api.flavour is Flavour.GITHUB:
            spent = self.rates.spend(token, self.store.now())
            response = response.with_headers(spent.headers())
        return response
