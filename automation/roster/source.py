"""YAML files of ours read safely, with the line of every value: plain data only (no tags
beyond YAML's own, no alias bombs, no duplicate keys), and each problem, of the YAML or of
the pydantic model that validates it, reported as `file:line: path: what to do`."""

from __future__ import annotations

import difflib
import re
import reprlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ValidationError,
)

from automation.errors import ExpectedError

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


def shown(value: object) -> str:
    """A value from program.yml as a message quotes it: short, however long or deep it is,
    and spelled as YAML spells true, false and null."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return reprlib.repr(value)


# ---------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One finding about program.yml, located by its path in the document."""

    loc: Loc
    message: str
    warning: bool = False


# The lines of a mapping's or a list's entries by key or index, and the tables of those
# entries that are mappings or lists walked there (an alias's entries are not: they are
# located at the alias). A table for each node, not one dictionary of every path: making a
# path tuple for each of a roster's 200,000 values took a fifth of the time to read it.
_Table = tuple[dict[str | int, int], dict[str | int, "_Table"]]


@dataclass(frozen=True)
class Lines:
    """Where a YAML document writes each path in it: the line of the document itself, and
    the table of its entries."""

    root: int
    table: _Table

    def line(self, loc: Loc) -> int:
        """Line of the closest enclosing node that has one (0 when none does)."""
        line, (lines, inner) = self.root, self.table
        for part in loc:
            found = lines.get(part)
            if found is None:
                break
            line = found
            table = inner.get(part)
            if table is None:
                break
            lines, inner = table
        return line


@dataclass(frozen=True)
class Source:
    path: Path
    # The line of a path (`Lines.line`), found from the document's nodes (kept for it) when
    # a problem is located, not at every load: reading every line took a third of the walk
    # over 10,000 pairings.
    find_line: Callable[[Loc], int]

    def line(self, loc: Loc) -> int:
        """Line of the closest enclosing node that has one (0 when none does)."""
        return self.find_line(loc)

    def where(self, loc: Loc) -> str:
        line = self.line(loc)
        return f"{self.path}:{line}" if line else str(self.path)

    def locate(self, loc: Loc) -> str:
        """`program.yml:12: people[3].handle`: the line, then the path in the document."""
        return f"{self.where(loc)}: {_dotted(loc)}"

    def report(self, problems: Sequence[Problem]) -> list[str]:
        """Formatted lines in file order."""
        ordered = sorted(problems, key=lambda p: self.line(p.loc))
        return [self.format(p) for p in ordered]

    def format(self, problem: Problem) -> str:
        path = _dotted(problem.loc)
        label = "warning: " if problem.warning else ""
        prefix = f"{self.where(problem.loc)}: {label}"
        return f"{prefix}{path}: {problem.message}" if path else f"{prefix}{problem.message}"


class ConfigError(ExpectedError):
    """program.yml cannot be used; each line of the message is one located problem."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = tuple(lines)


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.isprintable() or not part:
            out += f"[{part!r}]"  # a key with a line break would break the one-line message
        else:
            out += f".{part}" if out else part
    return out


# ---------------------------------------------------------------- loading


def _plain_resolvers(
    resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]],
) -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    """YAML's implicit types minus timestamps and `=`.

    Dates stay strings so that `2026-13-01` gets our message, not a constructor traceback; a
    plain `=` would resolve to `!!value`, a tag no safe constructor builds
    (https://github.com/yaml/pyyaml/issues/89).
    """
    dropped = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value"}
    return {
        first: [(tag, rx) for tag, rx in entries if tag not in dropped]
        for first, entries in resolvers.items()
    }


class _Constructor(yaml.constructor.SafeConstructor):
    """SafeConstructor that names the node of a value it cannot build."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as exc:
            # `!!int abc`, `!!int` alone, `!!bool maybe`, a 5,000-digit number: PyYAML's
            # constructors raise these bare, without the node's position.
            value = shown(node.value) if isinstance(node, yaml.ScalarNode) else "this value"
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"cannot read {value} as {_short_tag(node.tag)} ({type(exc).__name__}); "
                "quote it to keep it as text, or remove the tag",
                node.start_mark,
            ) from None


class _Resolver(yaml.resolver.Resolver):
    """PyYAML's resolver for a document with no path resolvers (no loader of ours has any),
    its table read once: the composer asks it the tag of every node, 200,000 times for
    10,000 pairings. A plain scalar that may be a number, a boolean or null is matched once
    per document: keys and dates come back thousands of times, and the regular expressions
    for numbers took 2 µs a date."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)  # type: ignore[call-arg]  # the loader's __init__
        self._implicit_tags: dict[str, str] = {}

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is not _SCALAR_NODE:
            return _SEQ if kind is _SEQUENCE_NODE else _MAP
        if not implicit[0]:
            return _STR
        candidates = _IMPLICIT.get(value[:1])
        if candidates is None:
            return _STR
        tag = self._implicit_tags.get(value)
        if tag is None:
            tag = next((tag for tag, regexp in candidates if regexp.match(value)), _STR)
            self._implicit_tags[value] = tag
        return tag

    # The path of the node being composed matters only to path resolvers.
    def descend_resolver(self, current_node: yaml.Node | None, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


class _Loader(_Resolver, _Constructor, yaml.SafeLoader):
    """PyYAML's pure-Python safe loader: slow, but its error messages are the ones we quote."""


if yaml.__with_libyaml__:

    class _FastLoader(_Resolver, _Constructor, yaml.CSafeLoader):
        """The same loader on libyaml (bundled with PyYAML's wheels), about ten times faster."""

else:  # a PyYAML built without libyaml has no CSafeLoader: its own loader, twice on errors
    _FastLoader = _Loader  # type: ignore[misc,assignment]


_Loader.yaml_implicit_resolvers = _plain_resolvers(yaml.SafeLoader.yaml_implicit_resolvers)
_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
# By a plain scalar's first character, or "" for an empty one: the implicit types it may have.
_IMPLICIT = {first: tuple(entries) for first, entries in _Loader.yaml_implicit_resolvers.items()}
_STR, _SEQ, _MAP, _MERGE = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map", "merge"))
_SCALAR_NODE, _SEQUENCE_NODE = yaml.ScalarNode, yaml.SequenceNode
# The tags plain YAML resolves to; any other (`!!binary`, `!!set`, `!!python/...`) is refused.
_PLAIN_TAGS = frozenset(
    {_STR, _SEQ, _MAP}
    | {tag for entries in _Loader.yaml_implicit_resolvers.values() for tag, _ in entries}
)
# Aliases may repeat what is written this many times over (plus a small allowance): far more
# than `<<: *defaults` in every entry or a shared `topics:` list needs, far less than an alias
# bomb, which grows exponentially with its levels. go-yaml bounds alias expansion against the
# document's size the same way (https://github.com/go-yaml/yaml/pull/515); here it is counted
# on the node graph, before anything walks the expanded document.
_ALIAS_GROWTH = 10
_ALIAS_ALLOWANCE = 1_000


def parse_yaml_model(model: type[M], text: str, path: Path, expected: str) -> tuple[M, Source]:
    """Another YAML file of ours (not program.yml), validated by `model` with the same
    located errors; `expected` says what the top-level mapping holds."""
    data, find_line = read_yaml(text, path)
    source = Source(path, find_line)
    if not isinstance(data, dict):
        raise ConfigError([f"{path}:1: expected a mapping with {expected} at the top"])
    try:
        return model.model_validate(data), source
    except ValidationError as exc:
        raise ConfigError(source.report(pydantic_problems(exc, model))) from None


def read_yaml(text: str, path: Path) -> tuple[object, Callable[[Loc], int]]:
    """The document's data and what finds the line of a path in it; ConfigError for any
    YAML problem."""
    try:
        return _load(_FastLoader, text, path)
    except yaml.MarkedYAMLError as exc:
        # libyaml stops at 1,000 levels; PyYAML's own scanner would take quadratic time to get
        # there (3,000 levels of `[`: 1.3 s), so its finding is the answer.
        if exc.problem == "exceeded maximum nesting depth" and exc.problem_mark:
            raise ConfigError([_too_deep(f"{path}:{exc.problem_mark.line + 1}")]) from None
    except yaml.YAMLError:
        pass
    # libyaml words its errors differently: read again with PyYAML to quote the messages the
    # README and the tests show.
    try:
        return _load(_Loader, text, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        if not isinstance(exc, yaml.constructor.ConstructorError):
            problem += "; check indentation and quoting"
        raise ConfigError([f"{path}{line}: invalid YAML: {problem}"]) from None
    except yaml.reader.ReaderError as exc:
        number = text.count("\n", 0, exc.position) + 1
        problem = f"U+{exc.character:04X} is not allowed; remove it"
        raise ConfigError([f"{path}:{number}: invalid YAML: {problem}"]) from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise ConfigError([f"{path}: invalid YAML: {problem}"]) from None
    except RecursionError:
        raise ConfigError([_too_deep(str(path))]) from None


def _too_deep(where: str) -> str:
    return f"{where}: invalid YAML: nested too deeply; program.yml needs a few levels at most"


def _load(
    loader_class: type[_Loader] | type[_FastLoader], text: str, path: Path
) -> tuple[object, Callable[[Loc], int]]:
    """Compose once, then one walk over the node graph: its problems and the data; PyYAML's
    constructor builds the data only for shapes the walk leaves to it."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, _lines(None).line
        walk = _walk(node, loader)
        problems = [*walk.problems, *_alias_growth(walk)]
        if problems:
            lines = [f"{path}:{line}: {message}" for line, message in sorted(problems)]
            raise ConfigError(lines)
        if walk.unusual:
            # Found first: the constructor rewrites a mapping with merge keys in place.
            located = _lines(node)
            # Afresh: a value the walk could not read left the constructor mid-way.
            loader.constructed_objects, loader.recursive_objects = {}, {}
            return loader.construct_document(node), located.line
        if walk.expanded == walk.written:  # no alias: each value is met once, where written
            return walk.data, partial(_line_at, node)
        tables = cache(partial(_lines, node))
        return walk.data, lambda loc: tables().line(loc)
    finally:
        loader.dispose()


@dataclass
class _Walk:
    """What one pass over the distinct nodes of a document found, aliases not followed twice."""

    problems: list[tuple[int, str]]
    data: object = None
    # A merge key (`<<:`), or a shape PyYAML's constructor answers with its own error
    # (`!!str [a]`, a value it cannot convert): the data is left to the constructor.
    unusual: bool = False
    written: int = 0  # distinct nodes, as written
    expanded: int = 0  # nodes once every alias is replaced by what it names
    largest: tuple[int, int, Loc] = (0, 0, ())  # the biggest alias: its size, line and path


@dataclass(slots=True)
class _Frame:
    """A mapping or list being walked: its data fills as its entries are visited."""

    node: yaml.MappingNode | yaml.SequenceNode
    loc: Loc
    at: yaml.Node  # the node whose line is its line: its key in a mapping, else itself
    data: Any  # the dict or list built for it
    # The entries not visited yet: (key node, value node) of a mapping, (index, node) of a list.
    entries: Iterator[tuple[Any, yaml.Node]]
    size: int = 1  # nodes once its aliases are expanded, so far
    # A key that is not plain text (a list, a mapping, a merge key, a tag, a number): the
    # keys are checked one by one when the walk leaves the mapping, as they are when one
    # repeats; plain keys that do not repeat need no check.
    odd_keys: bool = False


def _walk(root: yaml.Node, constructor: _Constructor) -> _Walk:
    """The problems of the graph itself and the data, in time linear in the distinct nodes.
    A line is read only for a problem (`_lines` locates the rest when asked).

    Problems: refused tags, duplicate and unhashable keys, and an alias inside the node it
    names (a recursive alias). An alias is counted, never walked again (its data is the one
    already built, as PyYAML shares it), so an alias bomb costs no more than its text;
    `_alias_growth` judges it from the counts. Text, the bulk of a roster, is taken as it is;
    other scalars go through the constructor, which names the node of a value it cannot read.
    """
    walk = _Walk([])
    if isinstance(root, yaml.ScalarNode):
        walk.problems.extend(_tag_problems(root, ()))
        walk.data = _scalar(root, constructor, walk)
        walk.written = walk.expanded = 1
        return walk
    scalar_node, text = yaml.ScalarNode, _STR  # read in the loop 200,000 times
    built: dict[int, object] = {}  # id(node) -> its data, from the start of its visit
    # id(node) -> its size with aliases expanded, once the visit of a list or mapping is over
    sizes: dict[int, int] = {}
    problems, missing = walk.problems, object()
    stack = [_open(root, (), root, walk)]
    built[id(root)] = stack[0].data
    visiting = {id(root)}
    while stack:
        frame = stack[-1]
        data, parent = frame.data, frame.loc
        mapping = data.__class__ is dict
        size = 0  # what this visit of the frame adds to its size
        inner: _Frame | None = None
        for key, child in frame.entries:
            if not mapping:
                part, at = key, None
            elif key.__class__ is scalar_node:
                part, at = key.value, key
            else:
                frame.odd_keys = True  # a list or mapping as a key: a problem
                continue
            ident = id(child)
            value = built.get(ident, missing)
            if value is missing:
                if child.__class__ is not scalar_node:
                    inner = _open(child, (*parent, part), at or child, walk)
                    value = built[ident] = inner.data
                elif child.tag == text:
                    value = built[ident] = child.value
                    size += 1
                else:
                    if child.tag not in _PLAIN_TAGS:
                        problems.append(
                            (
                                _line(at or child),
                                f"{_dotted((*parent, part))}: {_refused_tag(child.tag)}",
                            )
                        )
                    value = built[ident] = _scalar(child, constructor, walk)
                    size += 1
            elif ident in visiting:
                problems.append(
                    (
                        _line(at or frame.at),
                        f"{_dotted((*parent, part))}: recursive alias: it names a node that "
                        "contains it; write the values out instead",
                    )
                )
                value = None
            else:  # an alias of a node already walked
                named = sizes.get(ident, 1)
                size += named
                if named > walk.largest[0]:
                    walk.largest = (named, _line(at or frame.at), (*parent, part))
            if not mapping:
                data.append(value)
            elif key.tag == text:
                data[part] = value
            else:
                frame.odd_keys = True
                if key.tag == _MERGE:
                    # `<<: *defaults`: which of two merged keys wins is PyYAML's to say (its
                    # rules have changed between releases); its constructor builds the data.
                    walk.unusual = True
                else:
                    data[_scalar(key, constructor, walk)] = value
            if inner is not None:
                break
        frame.size += size
        if inner is not None:
            visiting.add(id(inner.node))
            stack.append(inner)
            continue
        stack.pop()
        node = frame.node
        if mapping and (frame.odd_keys or len(data) != len(node.value)):
            problems.extend(_key_problems(node, parent))
        visiting.discard(id(node))
        sizes[id(node)] = frame.size
        if stack:
            stack[-1].size += frame.size
    walk.written = len(built)
    walk.expanded = sizes[id(root)]
    walk.data = built[id(root)]
    return walk


def _open(node: yaml.Node, loc: Loc, at: yaml.Node, walk: _Walk) -> _Frame:
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            # `!!seq {a: 1}`: PyYAML's constructor says what is wrong
            walk.problems.extend(_tag_problems(node, loc))
            walk.unusual = True
        return _Frame(node, loc, at, {}, iter(node.value))
    assert isinstance(node, yaml.SequenceNode)
    if node.tag != _SEQ:
        walk.problems.extend(_tag_problems(node, loc))
        walk.unusual = True
    return _Frame(node, loc, at, [], enumerate(node.value))


def _scalar(node: yaml.ScalarNode, constructor: _Constructor, walk: _Walk) -> object:
    """Text as written; any other plain scalar (numbers, true/false, null) from the
    constructor. A value it cannot read leaves the data to it (`_Walk.unusual`)."""
    if node.tag == _STR:
        return node.value
    if node.tag not in _PLAIN_TAGS or node.tag in (_SEQ, _MAP, _MERGE):
        walk.unusual = True
        return None
    try:
        return constructor.construct_object(node)
    except yaml.YAMLError:
        walk.unusual = True
        return None


def _lines(root: yaml.Node | None) -> Lines:
    """The line of each path in a document `_walk` found no problem in, as `_walk` meets its
    values: a mapping's entry at the line of its key, a list's at the line of its value; a
    value met again through an alias at the alias (the line of its key, or of the list it
    is in), its own entries not."""
    if root is None:
        return Lines(0, ({}, {}))
    lines = Lines(_line(root), ({}, {}))
    seen = {id(root)}
    stack = [(lines.root, lines.table, _entries(root))]
    while stack:
        line, (table, inner), entries = stack[-1]
        for key, child in entries:
            if isinstance(key, int):
                part, at = key, 0
            elif isinstance(key, yaml.ScalarNode):
                part, at = key.value, _line(key)
            else:
                continue
            if id(child) in seen:
                table[part] = at or line
                continue
            seen.add(id(child))
            table[part] = at = at or _line(child)
            if not isinstance(child, yaml.ScalarNode):
                inner[part] = ({}, {})
                stack.append((at, inner[part], _entries(child)))
                break
        else:
            stack.pop()
    return lines


def _line_at(root: yaml.Node, loc: Loc) -> int:
    """`_lines(root).line(loc)` for a document with no alias, read off the nodes on the
    path alone."""
    node, line = root, _line(root)
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            named = [
                (key, value)
                for key, value in node.value
                if isinstance(key, yaml.ScalarNode) and key.value == part
            ]
            if not named:
                break
            key, node = named[-1]
            line = _line(key)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            line = _line(node)
        else:
            break
    return line


def _entries(node: yaml.Node) -> Iterator[tuple[Any, yaml.Node]]:
    """A mapping's (key node, value node), a list's (index, value node), a scalar's none."""
    if isinstance(node, yaml.MappingNode):
        return iter(node.value)
    if isinstance(node, yaml.SequenceNode):
        return enumerate(node.value)
    return iter(())


def _alias_growth(walk: _Walk) -> Iterator[tuple[int, str]]:
    if walk.expanded > _ALIAS_GROWTH * walk.written + _ALIAS_ALLOWANCE:
        size, line, loc = walk.largest
        yield (
            line,
            f"{_at(loc)}aliases expand {walk.written:,} written values to {walk.expanded:,} "
            f"(this one alone to {size:,}): an alias bomb; write the repeated parts out",
        )


def _tag_problems(node: yaml.Node, loc: Loc) -> Iterator[tuple[int, str]]:
    """A refused tag on the node."""
    if node.tag not in _PLAIN_TAGS:
        yield _line(node), f"{_at(loc)}{_refused_tag(node.tag)}"


def _key_problems(node: yaml.Node, loc: Loc) -> Iterator[tuple[int, str]]:
    """In a mapping: duplicate keys, refused tags on keys, keys that are lists or mappings."""
    names: set[str] = set()
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            kind = "list" if isinstance(key, yaml.SequenceNode) else "mapping"
            yield (
                _line(key),
                f"{_at(loc)}a {kind} is used as a key; "
                "a key is a name such as `handle`: write it as plain text before the colon",
            )
        elif key.tag not in _PLAIN_TAGS:
            yield _line(key), f"{_at(loc)}{_refused_tag(key.tag)}"
        elif str(key.value) in names:
            name = _dotted((*loc, str(key.value)))
            yield _line(key), f"{name}: duplicate key; keep one of them"
        else:
            names.add(str(key.value))


def _refused_tag(tag: str) -> str:
    return (
        f"the tag {_short_tag(tag)} is not allowed: program.yml holds text, numbers, "
        "true/false, lists and mappings; remove the tag"
    )


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!", 1)


def _at(loc: Loc) -> str:
    return f"{_dotted(loc)}: " if loc else ""


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def pydantic_problems(exc: ValidationError, root: type[BaseModel]) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        if kind == "extra_forbidden":
            problems.append(Problem(loc, _unknown_field(loc, root)))
        elif kind == "missing":
            problems.append(Problem(loc, "required; add it"))
        elif kind in {"value_error", "assertion_error"}:
            message = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
            problems.append(Problem(loc, message))
        elif kind == "literal_error":
            given, expected = shown(error["input"]), error["ctx"]["expected"]
            problems.append(Problem(loc, f"{given} is not allowed; use {expected}"))
        elif kind == "string_type":
            problems.append(
                Problem(loc, f"expected text, got {shown(error['input'])}; put it in quotes")
            )
        else:
            problems.append(Problem(loc, f"{error['msg']} (got {shown(error['input'])})"))
    return problems


def _unknown_field(loc: Loc, root: type[BaseModel]) -> str:
    known = _fields_at(loc[:-1], root)
    name = str(loc[-1])
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(known)}"
    return f"unknown field; {hint}"


def _fields_at(loc: Loc, root: type[BaseModel]) -> list[str]:
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        args = getattr(annotation, "__args__", ())
        model = next((a for a in (annotation, *args) if isinstance(a, type)), None)
        if model is None or not issubclass(model, BaseModel):
            return []
    return list(model.model_fields)
