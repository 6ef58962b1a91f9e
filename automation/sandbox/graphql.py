"""GraphQL documents, read as far as the forges' queries need, and the answer of a field.

The language of the GraphQL specification (https://spec.graphql.org/October2021/, section 2):
one query operation, its variable definitions, fields with aliases, arguments (variables,
numbers, strings, enums, booleans, null, lists, objects) and selection sets. Commas are
insignificant, `#` starts a comment. No fragments, directives, mutations or subscriptions:
each answers a GraphQL error. The schema is each forge's: `select()` answers a selection with
the resolvers of one type (section 6.3: each field under its alias, or its name).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_TOKENS = re.compile(
    r"""
    (?P<skip>[\s,\ufeff]+|\#[^\n\r]*)
    | (?P<punctuator>\.\.\.|[!$&()\[\]{}:=@|])
    | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
    | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
    | (?P<string>"(?:[^"\\\n\r]|\\.)*")
    """,
    re.VERBOSE,
)


class GraphQLError(Exception):
    """A document the sandbox cannot answer: the message of its `errors` entry."""


@dataclass(frozen=True)
class Field:
    """A field of a selection set, its arguments' values already read (variables included)."""

    name: str
    alias: str | None
    arguments: tuple[tuple[str, Any], ...] = ()
    selections: tuple[Field, ...] = ()

    @property
    def key(self) -> str:
        """The field's key in the answer: its alias, or its name."""
        return self.alias or self.name

    def argument(self, name: str, default: Any = None) -> Any:
        return dict(self.arguments).get(name, default)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokens(document: str) -> Iterator[_Token]:
    position = 0
    while position < len(document):
        match = _TOKENS.match(document, position)
        if match is None:
            raise GraphQLError(f"Parse error on {document[position : position + 10]!r}")
        position = match.end()
        kind = match.lastgroup or "skip"
        if kind != "skip":
            yield _Token(kind, match.group())


@dataclass
class _Reader:
    tokens: list[_Token]
    variables: Mapping[str, Any]
    at: int = 0
    declared: dict[str, bool] = field(default_factory=dict)  # variable: non-null

    def peek(self, text: str | None = None) -> bool:
        if self.at >= len(self.tokens):
            return False
        return text is None or self.tokens[self.at].text == text

    def take(self, text: str | None = None, kind: str | None = None) -> str:
        if self.at >= len(self.tokens):
            raise GraphQLError("Parse error on end of document")
        token = self.tokens[self.at]
        if (text is not None and token.text != text) or (kind is not None and token.kind != kind):
            raise GraphQLError(f"Parse error on {token.text!r}")
        self.at += 1
        return token.text

    def operation(self) -> tuple[Field, ...]:
        if self.peek("{"):
            return self.selection_set()
        kind = self.take(kind="name")
        if kind != "query":
            raise GraphQLError(f"the sandbox answers queries only, not {kind}")
        if not self.peek("(") and not self.peek("{"):
            self.take(kind="name")  # the operation's name
        if self.peek("("):
            self.variable_definitions()
        return self.selection_set()

    def variable_definitions(self) -> None:
        self.take("(")
        while not self.peek(")"):
            self.take("$")
            name = self.take(kind="name")
            self.take(":")
            required = self.type_reference()
            if self.peek("="):
                self.take("=")
                self.value(constant=True)
                required = False
            self.declared[name] = required
        self.take(")")
        for name, required in self.declared.items():
            if required and self.variables.get(name) is None:
                raise GraphQLError(f"Variable ${name} of a non-null type was given no value")

    def type_reference(self) -> bool:
        """Reads a type; whether it is non-null."""
        if self.peek("["):
            self.take("[")
            self.type_reference()
            self.take("]")
        else:
            self.take(kind="name")
        if self.peek("!"):
            self.take("!")
            return True
        return False

    def selection_set(self) -> tuple[Field, ...]:
        self.take("{")
        fields = []
        while not self.peek("}"):
            if self.peek("...") or self.peek("@"):
                raise GraphQLError("the sandbox reads no fragments or directives")
            fields.append(self.field())
        self.take("}")
        if not fields:
            raise GraphQLError("Parse error on '}': a selection set selects something")
        return tuple(fields)

    def field(self) -> Field:
        name = self.take(kind="name")
        alias = None
        if self.peek(":"):
            self.take(":")
            alias, name = name, self.take(kind="name")
        arguments: list[tuple[str, Any]] = []
        if self.peek("("):
            self.take("(")
            while not self.peek(")"):
                argument = self.take(kind="name")
                self.take(":")
                arguments.append((argument, self.value()))
            self.take(")")
        selections = self.selection_set() if self.peek("{") else ()
        return Field(name, alias, tuple(arguments), selections)

    def value(self, *, constant: bool = False) -> Any:
        if self.peek("$") and not constant:
            self.take("$")
            name = self.take(kind="name")
            if name not in self.declared:
                raise GraphQLError(f"Variable ${name} is used but not declared")
            return self.variables.get(name)
        if self.peek("["):
            self.take("[")
            items = []
            while not self.peek("]"):
                items.append(self.value(constant=constant))
            self.take("]")
            return items
        if self.peek("{"):
            self.take("{")
            found = {}
            while not self.peek("}"):
                key = self.take(kind="name")
                self.take(":")
                found[key] = self.value(constant=constant)
            self.take("}")
            return found
        token = self.tokens[self.at] if self.at < len(self.tokens) else None
        if token is None or token.kind not in ("number", "string", "name"):
            return self.take(kind="number")  # the parse error, worded
        self.at += 1
        if token.kind == "number":
            return json.loads(token.text)
        if token.kind == "string":
            return json.loads(token.text)
        return {"true": True, "false": False, "null": None}.get(token.text, token.text)


def parse(document: str, variables: Mapping[str, Any] | None = None) -> tuple[Field, ...]:
    """The root fields of the one query in `document`, with `variables` read into them."""
    reader = _Reader(list(_tokens(document)), variables or {})
    fields = reader.operation()
    if reader.peek():
        raise GraphQLError("the sandbox answers a document of one operation only")
    return fields


Resolver = Callable[[Field], Any]


def select(fields: Sequence[Field], type_name: str, resolvers: Mapping[str, Resolver]) -> Any:
    """The answer of a selection set on an object of type `type_name`: each field's value
    from its resolver, under the field's key. An unknown field is an error, and the whole
    answer is that error (GitHub and GitLab validate a document before running it; the
    sandbox finds the field when it answers it, so one under a null or an empty list goes
    unnoticed)."""
    answer: dict[str, Any] = {}
    for found in fields:
        if found.name == "__typename":
            answer[found.key] = type_name
            continue
        resolver = resolvers.get(found.name)
        if resolver is None:
            raise GraphQLError(f"Field '{found.name}' doesn't exist on type '{type_name}'")
        answer[found.key] = resolver(found)
    return answer


def leaf(value: Any) -> Resolver:
    """A scalar field's resolver."""
    return lambda found: value


def answer(
    body: Any, root: Callable[[tuple[Field, ...], list[dict[str, Any]]], Any]
) -> dict[str, Any]:
    """A request's answer (section 7.1): `data` from `root` on the document's root fields,
    with the `errors` its resolvers recorded (a field that failed answers null); a document
    that cannot be read or run answers its error alone."""
    query = body.get("query") if isinstance(body, dict) else None
    variables = body.get("variables") if isinstance(body, dict) else None
    if not isinstance(query, str) or not isinstance(variables, dict | None):
        return {"errors": [{"message": "A query attribute must be specified and be a string"}]}
    errors: list[dict[str, Any]] = []
    try:
        data = root(parse(query, variables), errors)
    except GraphQLError as error:
        return {"errors": [{"message": str(error)}]}
    return {"data": data, "errors": errors} if errors else {"data": data}


def root_names(body: Any) -> frozenset[str]:
    """The names of a request's root fields; none when it is no document the sandbox reads."""
    query = body.get("query") if isinstance(body, dict) else None
    variables = body.get("variables") if isinstance(body, dict) else None
    if not isinstance(query, str) or not isinstance(variables, dict | None):
        return frozenset()
    try:
        return frozenset(found.name for found in parse(query, variables))
    except GraphQLError:
        return frozenset()


def connection(
    found: Field,
    items: Sequence[Any],
    type_name: str,
    node: Callable[[tuple[Field, ...], Any], Any],
    maximum: int = 100,
) -> Any:
    """A cursor connection (https://relay.dev/graphql/connections.htm) paged forward with
    `first` (at most `maximum`, also when more is asked) and `after`: `nodes`, `pageInfo`,
    `count`. A cursor is the item's offset, opaque to clients."""
    after = found.argument("after")
    start = _offset(after) + 1 if after is not None else 0
    asked = found.argument("first")
    size = maximum if asked is None else max(0, min(int(asked), maximum))
    page = items[start : start + size]
    end = start + len(page) - 1
    info = {
        "hasNextPage": leaf(start + len(page) < len(items)),
        "hasPreviousPage": leaf(start > 0),
        "startCursor": leaf(_cursor(start) if page else None),
        "endCursor": leaf(_cursor(end) if page else None),
    }
    return select(
        found.selections,
        type_name,
        {
            "nodes": lambda f: [node(f.selections, item) for item in page],
            "pageInfo": lambda f: select(f.selections, "PageInfo", info),
            "count": leaf(len(items)),
        },
    )


def _cursor(offset: int) -> str:
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def _offset(cursor: Any) -> int:
    try:
        return int(json.loads(base64.b64decode(str(cursor)))["offset"])
    except (ValueError, KeyError, TypeError) as error:
        raise GraphQLError(f"Argument 'after' has an invalid cursor: {cursor}") from error
