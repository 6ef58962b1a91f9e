"""What an API handler receives (`Call`) and what each API flavour provides the app (`Api`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from automation.sandbox.records import Flavour, User
from automation.sandbox.store import Store
from automation.sandbox.web import Request, Response, Route


@dataclass(frozen=True)
class Call:
    request: Request
    store: Store
    user: User
    params: Mapping[str, str]

    def param(self, name: str) -> str:
        return self.params[name]


Handler = Callable[[Call], Response]


@dataclass(frozen=True)
class Api:
    """One API flavour mounted under `prefix`, with its own errors and token headers."""

    flavour: Flavour
    prefix: str
    routes: tuple[Route[Handler], ...]
    token: Callable[[Request], str | None]
    unauthorized: Callable[[], Response]  # no token at all
    bad_token: Callable[[], Response]  # a token of nobody registered
    unknown_route: Callable[[], Response]
    method_not_allowed: Callable[[], Response]
    bad_body: Callable[[str], Response]
    # (status, extra headers, body or None for the flavour's usual error body)
    fault: Callable[[int, Mapping[str, str], Any], Response]
    # whether a request under `prefix` is this API's (both forges' GraphQL share a path)
    claims: Callable[[Request], bool] = lambda request: True
    # a GraphQL endpoint: every request it answers is a query, a read
    queries_only: bool = False
