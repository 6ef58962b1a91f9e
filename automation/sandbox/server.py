"""Serving the sandbox over HTTP: a threaded keep-alive WSGI server, blocking or in background."""

from __future__ import annotations

import os
import socketserver
import threading
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import IO, Any, cast
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from automation.sandbox.app import SandboxApp
from automation.sandbox.client import SandboxAdmin
from automation.sandbox.store import Store

StatePath = str | os.PathLike[str]


class _ServerHandler(ServerHandler):
    # The app always sets Content-Length, so HTTP/1.1 keep-alive framing is safe.
    http_version = "1.1"


class _RequestHandler(WSGIRequestHandler):
    """wsgiref's handler, kept alive across requests and quiet unless asked.

    python-gitlab and PyGithub reuse connections; serving one request per connection
    would cost a TCP handshake and a thread for each of a term's thousands of requests.
    """

    protocol_version = "HTTP/1.1"
    # wsgiref writes headers and body separately; with Nagle on, the body then waits for
    # the client's delayed ACK (~40 ms) on every response of a kept-alive connection.
    disable_nagle_algorithm = True
    timeout = 30  # idle keep-alive connections give their thread back after this
    server: _Server

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection:
            self.handle_one_request()

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except OSError:
            self.close_connection = True
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _ServerHandler(
            self.rfile,
            cast(IO[bytes], self.wfile),
            self.get_stderr(),
            self.get_environ(),
            multithread=True,
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(self.server.get_app())  # type: ignore[arg-type]

    def get_environ(self) -> dict[str, str]:
        environ = super().get_environ()
        # The raw target lets the app route on "acme%2Fmentoring" before it is decoded.
        environ["REQUEST_URI"] = self.path
        return environ

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log_requests:
            super().log_message(format, *args)


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    log_requests = False

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall on a
        # machine without DNS; loopback needs no name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host if isinstance(host, str) else bytes(host).decode()
        self.server_port = port
        self.setup_environ()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.log_requests:
            super().handle_error(request, client_address)


def _make_server(host: str, port: int, app: SandboxApp, log_requests: bool) -> _Server:
    server = _Server((host, port), _RequestHandler)
    server.log_requests = log_requests
    server.set_app(app)
    return server


def _url(server: _Server) -> str:
    return f"http://{server.server_name}:{server.server_port}"


def serve(
    host: str = "127.0.0.1",
    port: int = 8929,
    state: StatePath | None = None,
    *,
    log_requests: bool = False,
    on_ready: Callable[[str], None] | None = None,
    users: Sequence[str] = (),
) -> None:
    """Serve both APIs until interrupted; `state` is the SQLite file (None: in memory).

    `users` are registered (role: write) before the first request, beside those the state
    already holds. `on_ready` receives the base URL once the port is bound (useful with
    port 0).
    """
    store = Store(state)
    store.register_users(users)
    server = _make_server(host, port, SandboxApp(store), log_requests)
    try:
        if on_ready is not None:
            on_ready(_url(server))
        server.serve_forever()
    finally:
        server.server_close()
        store.close()


class RunningSandbox(SandboxAdmin):
    """A sandbox serving from a background thread; also its control client."""

    def __init__(
        self,
        server: _Server,
        app: SandboxApp,
        thread: threading.Thread,
        *,
        owns_store: bool,
    ) -> None:
        super().__init__(_url(server))
        self.app = app
        self.store = app.store
        self._server = server
        self._thread = thread
        self._owns_store = owns_store
        self._stopped = False

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start(
    state: StatePath | Store | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    log_requests: bool = False,
    users: Sequence[str] = (),
) -> RunningSandbox:
    """Serve in a background thread (port 0: any free port); stop() or use as a context.

    `users` are registered (role: write); register more with `register_users()`.
    """
    owns_store = not isinstance(state, Store)
    store = state if isinstance(state, Store) else Store(state)
    store.register_users(users)
    app = SandboxApp(store)
    server = _make_server(host, port, app, log_requests)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"sandbox-forge-{server.server_address[1]}",
        daemon=True,
    )
    thread.start()
    return RunningSandbox(server, app, thread, owns_store=owns_store)
