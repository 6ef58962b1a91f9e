"""HTTP plumbing shared by both API flavours: requests, responses, routes and page links."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, parse_qsl, unquote, urlencode, urlsplit

from automation.sandbox.records import Window

H = TypeVar("H")

JSON_TYPE = "application/json"

# How each route parameter is spelled in a path. A GitLab project id may be a namespaced path
# ("acme/team/mentoring" once decoded), so it matches lazily and the route's suffix decides.
_PARAM_PATTERNS = {
    "id": r".+?",
    "iid": r"\d+",
    "note_id": r"\d+",
    "number": r"\d+",
    "comment_id": r"\d+",
    "user_id": r"\d+",
    # GitLab sends a file path or branch name encoded as one segment; a GitHub contents path
    # and a git ref keep their slashes
    "file_path": r".+?",
    "branch": r".+?",
    "path": r".+",
    "ref": r".+",
    "basehead": r".+",
}
# In a raw (still percent-encoded) path every parameter is exactly one segment.
_RAW_OVERRIDES = {"id": r"[^/]+", "file_path": r"[^/]+", "branch": r"[^/]+"}
_PARAM = re.compile(r":([a-z_]+)")


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def with_headers(self, extra: Iterable[tuple[str, str]]) -> Response:
        return Response(self.status, (*self.headers, *extra), self.body)


def json_response(
    payload: object,
    status: int = 200,
    headers: Iterable[tuple[str, str]] = (),
    content_type: str = JSON_TYPE,
) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(status, (("Content-Type", content_type), *headers), body)


def text_response(text: str, status: int, headers: Iterable[tuple[str, str]] = ()) -> Response:
    return Response(status, (("Content-Type", "text/plain"), *headers), text.encode())


class HttpError(Exception):
    """Raised by handlers to answer with `response` instead."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


class BadBody(ValueError):
    """The request body is not the JSON (or form) the route needs."""


class Request:
    """The parts of a WSGI environ the sandbox reads; the body is read eagerly.

    Reading the whole body up front keeps keep-alive connections in step even when a
    handler answers without looking at it (a 401, an injected fault).
    """

    def __init__(self, environ: Mapping[str, Any]) -> None:
        self.method: str = str(environ.get("REQUEST_METHOD", "GET")).upper()
        self.path: str = str(environ.get("PATH_INFO", "") or "/")
        raw_uri = environ.get("REQUEST_URI") or environ.get("RAW_URI")
        # Route on the raw path when the server passes it: GitLab project paths arrive as
        # "acme%2Fmentoring" and label names may contain "/".
        self.encoded = bool(raw_uri)
        self.route_path: str = urlsplit(str(raw_uri)).path if raw_uri else self.path
        self.query_string: str = str(environ.get("QUERY_STRING", ""))
        self.query: dict[str, list[str]] = parse_qs(self.query_string, keep_blank_values=True)
        self._environ = environ
        scheme = str(environ.get("wsgi.url_scheme", "http"))
        host = environ.get("HTTP_HOST") or (
            f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
        )
        self.base_url = f"{scheme}://{host}"
        self.body = self._read_body(environ)
        self._parsed: Any = None

    @staticmethod
    def _read_body(environ: Mapping[str, Any]) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= 0 or "wsgi.input" not in environ:
            return b""
        data = environ["wsgi.input"].read(length)
        return bytes(data)

    def header(self, name: str) -> str | None:
        key = "HTTP_" + name.upper().replace("-", "_")
        if name.lower() == "content-type":
            key = "CONTENT_TYPE"
        value = self._environ.get(key)
        return None if value is None else str(value)

    @property
    def is_read(self) -> bool:
        return self.method in ("GET", "HEAD")

    def arg(self, name: str) -> str | None:
        """The last value of a query parameter."""
        values = self.query.get(name)
        return values[-1] if values else None

    def data(self) -> Any:
        """The body as JSON (or a form, flattened to its last values); {} when empty."""
        if self._parsed is not None:
            return self._parsed
        if not self.body.strip():
            self._parsed = {}
        elif (self.header("content-type") or "").startswith("application/x-www-form-urlencoded"):
            self._parsed = dict(parse_qsl(self.body.decode(), keep_blank_values=True))
        else:
            try:
                self._parsed = json.loads(self.body)
            except ValueError as error:
                raise BadBody(str(error)) from error
        return self._parsed


@dataclass(frozen=True)
class Route(Generic[H]):
    method: str
    template: str
    handler: H
    pattern: re.Pattern[str]  # for decoded paths
    raw_pattern: re.Pattern[str]  # for percent-encoded paths

    @property
    def key(self) -> str:
        """How request counts name this route: method and template."""
        return f"{self.method} {self.template}"


def route(method: str, template: str, handler: H) -> Route[H]:
    return Route(
        method,
        template,
        handler,
        _compile(template, _PARAM_PATTERNS),
        _compile(template, {**_PARAM_PATTERNS, **_RAW_OVERRIDES}),
    )


def _compile(template: str, patterns: Mapping[str, str]) -> re.Pattern[str]:
    def group(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"(?P<{name}>{patterns.get(name, r'[^/]+')})"

    return re.compile("^" + _PARAM.sub(group, template) + "/?$")


@dataclass(frozen=True)
class Match(Generic[H]):
    route: Route[H] | None  # None: the path exists but not for this method
    params: dict[str, str]


def match_route(routes: Sequence[Route[H]], request: Request) -> Match[H] | None:
    """The route for this request, or None when no route has this path at all."""
    method = "GET" if request.method == "HEAD" else request.method
    path_matched = False
    for candidate in routes:
        pattern = candidate.raw_pattern if request.encoded else candidate.pattern
        found = pattern.match(request.route_path)
        if found is None:
            continue
        if candidate.method != method:
            path_matched = True
            continue
        params = found.groupdict()
        if request.encoded:
            params = {name: unquote(value) for name, value in params.items()}
        return Match(candidate, params)
    return Match(None, {}) if path_matched else None


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    @property
    def window(self) -> Window:
        return Window(offset=(self.page - 1) * self.per_page, limit=self.per_page)

    def total_pages(self, total: int) -> int:
        return max(1, -(-total // self.per_page))


def paging(request: Request, default: int, maximum: int) -> Paging:
    """`page` and `per_page` as both forges read them: junk means the default, big is capped."""
    return Paging(
        page=max(1, _int_or(request.arg("page"), 1)),
        per_page=min(maximum, max(1, _int_or(request.arg("per_page"), default))),
    )


def _int_or(text: str | None, default: int) -> int:
    try:
        return default if text is None else int(text)
    except ValueError:
        return default


def page_url(request: Request, page: int) -> str:
    """This request's absolute URL with `page` replaced, as both forges build their links."""
    query = [
        (k, v) for k, v in parse_qsl(request.query_string, keep_blank_values=True) if k != "page"
    ]
    query.append(("page", str(page)))
    return f"{request.base_url}{request.route_path}?{urlencode(query)}"


def link_header(request: Request, links: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f'<{page_url(request, page)}>; rel="{rel}"' for rel, page in links)
