"""The limits a program's templates render within.

A program's templates are anyone's text who may open a merge request, and `validate`
renders them in CI: they run in Jinja2's immutable sandbox (no Python internals, no
changing what they are given), and one render may not run on or grow without bound. Each
loop turn and macro call takes a step of the render's budget and the text it writes, every
`{{ }}` counts what it writes, and the operations that make a text or a number of a size
their arguments say (`*`, `**`, `+`, `~`, `%`, widths, `join`, `replace`...) are checked
before they run. What these cannot name, `mentorship validate` stops with a process's
limits (commands/validate.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from automation.messages.size import BODY_LIMITS

if TYPE_CHECKING:
    import jinja2

# The most one render may write, in characters: twice the longest body any forge keeps. A
# text of the bot's longer than its forge keeps is cut to fit when it is written (Pair.text,
# Pair.draft); a render past this bound is a runaway template, stopped and refused.
MAX_RENDERED = 2 * max(BODY_LIMITS.values())
# The largest exponent `**` takes: beyond it a number alone could take the run's memory.
_MAX_EXPONENT = 1_000
# The largest number `*` and `**` make, in binary digits (10**3000 is about 10,000).
_MAX_BITS = 100_000
# The loop turns and macro calls one render may take: a shipped template takes a few hundred.
# Past it, a loop that writes nothing (nested ranges) would run for hours.
MAX_STEPS = 200_000
# The characters one render may write in all, text it captures (`{% set %}` blocks, macros)
# and writes again included: five times what it may leave.
MAX_WRITTEN = 5 * MAX_RENDERED
# The environment's attributes the budget's calls go by in a compiled template: not names a
# template could set (`{% set mentorship_step = ... %}` would shadow a global).
_STEP, _JOINED = "mentorship_step", "mentorship_joined"
# A width or precision of seven digits or more in a `%` or `{}` format, or one taken from the
# arguments (`%*d`, `{:>{}}`): the text could be longer than a render may write.
_WIDE = re.compile(
    r"%(?:\([^)]*\))?[-+ #0]*(?:\*|\d*\.?\d{7,}|\d*\.\*)|\{[^{}]*:[^{}]*(?:\d{7,}|\{)"
)


def environment() -> jinja2.Environment:
    """Jinja2's immutable sandbox with the limits above. Markdown, not HTML: no autoescape.
    StrictUndefined turns a typo into an error at `mentorship validate` time instead of an
    empty hole in an issue. Jinja2 is imported here, when a template is first compiled:
    `validate` of a program that keeps the shipped templates compiles none of them."""
    import jinja2
    from jinja2 import nodes
    from jinja2.compiler import CodeGenerator
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from jinja2.visitor import NodeTransformer

    class Budgeted(NodeTransformer):
        """Every loop's turn and every macro's call takes a step of the render's budget
        and the length of the text it writes as it stands in the template; every `~` has
        its length checked: a loop that writes nothing, or a text that doubles at each
        turn, is stopped like one that writes too much."""

        def visit_For(self, node: nodes.For) -> nodes.Node:
            self.generic_visit(node)
            node.body.insert(0, _call(_STEP, node.lineno, _literal(node.body)))
            return node

        def visit_Macro(self, node: nodes.Macro) -> nodes.Node:
            self.generic_visit(node)
            node.body.insert(0, _call(_STEP, node.lineno, _literal(node.body)))
            return node

        def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
            self.generic_visit(node)
            joined = nodes.Call(nodes.EnvironmentAttribute(_JOINED), [node], [], None, None)
            return joined.set_lineno(node.lineno, override=True)

    def _call(name: str, lineno: int, written: int) -> nodes.Node:
        call = nodes.Call(nodes.EnvironmentAttribute(name), [nodes.Const(written)], [], None, None)
        return nodes.ExprStmt(call).set_lineno(lineno, override=True)

    def _literal(body: list[nodes.Node]) -> int:
        return sum(len(d.data) for n in body for d in n.find_all(nodes.TemplateData))

    class Generator(CodeGenerator):
        def visit_Template(self, node: nodes.Template, frame: Any = None) -> None:
            Budgeted().visit(node)
            super().visit_Template(node, frame)

    def joined(text: str) -> str:
        if len(text) > MAX_RENDERED:
            raise SecurityError(f"`~` makes a text of more than {MAX_RENDERED:,} characters")
        return text

    def step(written: int) -> str:
        budget = _BUDGET.get()
        budget.steps -= 1
        if budget.steps < 0:
            raise SecurityError(
                f"the render takes more than {MAX_STEPS:,} loop turns and macro calls"
            )
        budget.write(written, SecurityError)
        return ""

    def finalize(value: Any) -> Any:
        """Every `{{ }}`'s text counts, that of a `{% set %}` block or a macro's too."""
        text = str(value)
        _BUDGET.get().write(len(text), SecurityError)
        return text

    class Sandbox(ImmutableSandboxedEnvironment):
        """The sandbox, which also refuses a `*`, `**`, `+` or `~` that would make a text
        longer than a render may write, a number too large to compute (it caps `range`
        already), a width or count past that length given to a call or a filter, and a
        render past its budget of loop turns and macro calls (`MAX_STEPS`)."""

        code_generator_class = Generator
        intercepted_binops = frozenset({"*", "**", "+", "%"})

        def call_binop(
            self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
        ) -> Any:
            problem = _binop_problem(operator, left, right)
            if problem is not None:
                raise SecurityError(problem)
            return super().call_binop(context, operator, left, right)

        def call(
            __self,  # jinja's own signature: a template may pass `self` as a keyword
            __context: jinja2.runtime.Context,
            __obj: Any,
            *args: Any,
            **kwargs: Any,
        ) -> Any:
            # A string's method: one given a width or count (`ljust`, `center`, `zfill`)
            # makes a text at least that long; `replace`, `join` and `expandtabs` are
            # checked as the filters are.
            text = getattr(__obj, "__self__", None)
            if isinstance(text, str):
                name = getattr(__obj, "__name__", "")
                if name == "join" and args:
                    args = (list(args[0]), *args[1:])
                problem = _method_problem(text, name, args, kwargs)
                if problem is not None:
                    raise SecurityError(problem)
            return super().call(__context, __obj, *args, **kwargs)

        def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
            wrapped = super().wrap_str_format(value)
            problem = _format_problem(value.__self__) if wrapped is not None else None
            if problem is not None:
                raise SecurityError(problem)
            return wrapped

    environment = Sandbox(
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        finalize=finalize,
    )
    for name, check in _SIZED_FILTERS.items():
        environment.filters[name] = _checked_filter(environment.filters[name], check, SecurityError)
    setattr(environment, _STEP, step)
    setattr(environment, _JOINED, joined)
    return environment


def _arguments_problem(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str | None:
    """Why these arguments of a call that makes a text of at least their size may not run."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and value > MAX_RENDERED:
            return f"a width or count of {value} is more than {MAX_RENDERED:,}"
    return None


def _method_problem(
    text: str, name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> str | None:
    """Why a string's method may not run in a template."""
    if name == "replace":
        return _replaced(text, args, kwargs)
    if name == "join" and args:
        return _joined(args[0], (text,), {})
    if name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int):
            return _length_problem("`expandtabs`", len(text) + text.count("\t") * size)
    return _arguments_problem(args, kwargs)


def _widths(value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str | None:
    return _arguments_problem(args, kwargs)


def _indented(value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str | None:
    """`indent` puts its width before every line."""
    width = args[0] if args else kwargs.get("width", 4)
    size = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    text = str(value)
    return _length_problem("`indent`", len(text) + (text.count("\n") + 1) * size)


def _wrapped(value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str | None:
    """`wordwrap` slows down more than linearly on a long word."""
    if len(str(value)) > _MAX_WRAPPED:
        return f"`wordwrap` of more than {_MAX_WRAPPED:,} characters"
    return _arguments_problem(args, kwargs)


def _summed(value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str | None:
    """`sum` of lists or texts copies the whole at each item: quadratic."""
    start = args[1] if len(args) > 1 else kwargs.get("start", 0)
    if not isinstance(start, int | float):
        return "`sum` adds numbers only (join texts with `join`)"
    return None


def _formatted(value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str | None:
    # `format`'s arguments are values, not widths: its format string says how wide.
    return _format_problem(value) if isinstance(value, str) else None


def _replaced(value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str | None:
    if len(args) < 2:
        return None
    text, old, new = str(value), str(args[0]), str(args[1])
    found = text.count(old) if old else len(text) + 1
    return _length_problem("`replace`", len(text) + found * len(new))


def _joined(value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str | None:
    if not isinstance(value, list | tuple | str | range):
        return None  # not read here: `_checked_filter` gives a list
    glue = str(args[0]) if args else str(kwargs.get("d", ""))
    made = max(len(value) - 1, 0) * len(glue) + sum(len(str(v)) for v in value)
    return _length_problem("`join`", made)


Check = Callable[[Any, tuple[Any, ...], Mapping[str, Any]], str | None]
# The filters whose arguments say how long a text or how many items they make, and how each
# is checked before it runs.
_SIZED_FILTERS: dict[str, Check] = {
    **dict.fromkeys(("center", "truncate", "batch", "slice"), _widths),
    "indent": _indented,
    "wordwrap": _wrapped,
    "sum": _summed,
    "format": _formatted,
    "replace": _replaced,
    "join": _joined,
}
# The longest text `wordwrap` takes.
_MAX_WRAPPED = 200_000


class _Budget:
    """What one render may still do: loop turns and macro calls, and characters written,
    those of blocks captured and written again included (`MAX_WRITTEN`)."""

    def __init__(self) -> None:
        self.steps = MAX_STEPS
        self.chars = MAX_WRITTEN

    def write(self, chars: int, error: type[Exception]) -> None:
        self.chars -= chars
        if self.chars < 0:
            raise error(f"the render writes more than {MAX_WRITTEN:,} characters in all")


_BUDGET: ContextVar[_Budget] = ContextVar("budget")


def _checked_filter(
    f: Callable[..., Any], check: Check, error: type[Exception]
) -> Callable[..., Any]:
    """A sized filter that refuses to make more than a render may write."""

    passed = 1 if getattr(f, "jinja_pass_arg", None) else 0

    @functools.wraps(f)  # with Jinja2's mark of the context or environment it is passed
    def checked(*args: Any, **kwargs: Any) -> Any:
        value = args[passed]
        if check is _joined and not isinstance(value, list | tuple | str | range):
            value = list(value)  # a generator (`map`), read once: checked, then joined
            args = (*args[:passed], value, *args[passed + 1 :])
        problem = check(value, args[passed + 1 :], kwargs)
        if problem is not None:
            raise error(problem)
        return f(*args, **kwargs)

    return checked


def _digits_problem(bits: int) -> str | None:
    """A number of about `bits` binary digits: past `_MAX_BITS`, computing it, and more so
    the next operation on it, could take minutes."""
    if bits > _MAX_BITS:
        return f"a number of more than {_MAX_BITS:,} binary digits"
    return None


def _length_problem(what: str, length: int) -> str | None:
    if length > MAX_RENDERED:
        return f"{what} makes a text of more than {MAX_RENDERED:,} characters"
    return None


def _format_problem(text: str) -> str | None:
    if _WIDE.search(text):
        return f"a width in {text[:40]!r} could make a text longer than {MAX_RENDERED:,} characters"
    return None


def _binop_problem(operator: str, left: object, right: object) -> str | None:
    """Why `left operator right` may not run in a template, or None."""
    if operator == "**":
        if isinstance(right, int) and abs(right) > _MAX_EXPONENT:
            return f"an exponent of {right} is more than {_MAX_EXPONENT}"
        if isinstance(left, int) and isinstance(right, int):
            return _digits_problem(abs(left).bit_length() * max(right, 0))
        return None
    if operator == "*" and isinstance(left, int) and isinstance(right, int):
        return _digits_problem(abs(left).bit_length() + abs(right).bit_length())
    if operator == "%":
        return _format_problem(left) if isinstance(left, str) else None
    if operator == "+":
        if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
            return _length_problem("`+`", len(left) + len(right))
        return None
    for times, seq in ((left, right), (right, left)):
        if not (isinstance(times, int) and isinstance(seq, str | list | tuple)):
            continue
        if times * len(seq) > MAX_RENDERED:
            return (
                f"repeating {len(seq)} item(s) {times} times makes more than the "
                f"{MAX_RENDERED:,} characters one render may write"
            )
    return None


@contextmanager
def budgeted() -> Iterator[None]:
    """A render's budget, fresh for the renders inside."""
    token = _BUDGET.set(_Budget())
    try:
        yield
    finally:
        _BUDGET.reset(token)
