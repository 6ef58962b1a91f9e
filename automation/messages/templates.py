"""Issue and comment templates: YAML front matter plus a Jinja2 body, rendered strictly.

The product's defaults live in `templates/issues/` at the top of its source tree (the wheel
carries them as `automation/issue_templates/`); a program repo overrides any of them by
putting a file of the same name in its own `templates/issues/`.

A program's templates are anyone's text who may open a merge request, and `validate` renders
them in CI: they run in Jinja2's immutable sandbox within the limits of `guard.py`, and one
render writes at most `MAX_RENDERED` characters.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import yaml

from automation.errors import ExpectedError
from automation.messages import guard
from automation.messages.context import SPECS, example_context
from automation.messages.guard import MAX_RENDERED
from automation.model import Draft
from automation.roster.config import Program

if TYPE_CHECKING:
    import jinja2


def _defaults() -> Path:
    """The shipped templates: beside the package when installed from a wheel, at the top of
    the source tree when run from a checkout or an editable install (setup.py maps one to
    the other)."""
    installed = Path(__file__).parents[1] / "issue_templates"
    return installed if installed.is_dir() else Path(__file__).parents[2] / "templates" / "issues"


DEFAULTS = _defaults()
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FIELDS = ("title", "labels", "assignees", "confidential")


class TemplateError(ExpectedError):
    """A template cannot be used; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class Template:
    name: str
    path: Path
    front: Mapping[str, Any]  # raw front matter; string values are Jinja2 too
    body: jinja2.Template
    body_offset: int  # lines before the body, so errors point into the file


@functools.cache
def _environment() -> jinja2.Environment:
    return guard.environment()


@functools.cache
def _compiled(source: str) -> jinja2.Template:
    """`source` compiled once per process: compiling costs far more than rendering, and the
    same sources (the shipped defaults, the front matter's fields) come back for every
    `Templates` and every issue drafted. The environment is fixed, so the source alone
    names the result; a syntax error is raised again at each call (nothing is cached)."""
    return _environment().from_string(source)


def _split(text: str, path: Path) -> tuple[dict[str, Any], str, int]:
    match = _FRONT.match(text)
    if not match:
        return {}, text, 0
    try:
        front = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 2}" if mark else ""
        raise TemplateError(f"{path}{line}: invalid front matter: {exc}") from None
    if not isinstance(front, dict):
        raise TemplateError(f"{path}:2: front matter must be a mapping of {', '.join(_FIELDS)}")
    unknown = sorted(set(front) - set(_FIELDS))
    if unknown:
        raise TemplateError(
            f"{path}:2: unknown front matter field {unknown[0]!r}; use {', '.join(_FIELDS)}"
        )
    return front, text[match.end() :], match.group(0).count("\n")


def load_template(name: str, path: Path) -> Template:
    return _template(name, path, _read(path))


def _read(path: Path) -> str:
    """A template's text. A symbolic link is refused, whatever it points to: a program's
    templates are anyone's text who may open a merge request, and a link to
    `/proc/self/environ` would put the nightly job's token into a comment."""
    if path.is_symlink():
        raise TemplateError(
            f"{path}: is a symbolic link; a template is read only from a file of its own "
            "(copy the text into it)"
        )
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read: {exc}") from None


def _template(name: str, path: Path, text: str) -> Template:
    import jinja2

    front, body, offset = _split(text, path)
    try:
        body_template = _compiled(body)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{path}:{(exc.lineno or 1) + offset}: {exc.message}") from None
    except RecursionError:
        raise TemplateError(
            f"{path}: nested too deeply to compile (brackets or blocks inside one another "
            "thousands of times); simplify it"
        ) from None
    return Template(name, path, front, body_template, offset)


class Templates:
    """The templates of one program: its own files first, then the shipped defaults."""

    def __init__(self, override_dir: Path | None = None) -> None:
        """Read every template now, so that rendering (inside the pure planning) does no
        I/O; each is compiled when first used, and a broken one is kept as its error and
        raised whenever it is used."""
        self.override_dir = override_dir
        self._dirs = [d for d in (override_dir, DEFAULTS) if d is not None and d.is_dir()]
        self._texts: dict[str, tuple[Path, str | TemplateError]] = {}
        self._loaded: dict[str, Template | TemplateError] = {}
        for name in self.names():
            path = next(d / f"{name}.md" for d in self._dirs if (d / f"{name}.md").is_file())
            try:
                self._texts[name] = (path, _read(path))
            except TemplateError as exc:
                self._texts[name] = (path, exc)

    def names(self) -> list[str]:
        return sorted({p.stem for d in self._dirs for p in d.glob("*.md")})

    def fingerprint(self) -> str:
        """A digest of every template's text (or error): the same in every process."""
        texts = sorted((name, str(text)) for name, (_, text) in self._texts.items())
        return hashlib.blake2b(repr(texts).encode(), digest_size=16).hexdigest()

    def path(self, name: str) -> Path:
        """The file template `name` is read from: the program's own, else the shipped one."""
        return self._texts[name][0]

    def shipped(self, name: str) -> bool:
        """Whether `name` is the shipped default, read as it ships: the program keeps no
        template of that name beside program.yml."""
        found = self._texts.get(name)
        if found is None or self.override_dir == DEFAULTS:
            return False
        path, text = found
        return path.parent == DEFAULTS and isinstance(text, str)

    def get(self, name: str) -> Template:
        found = self._loaded.get(name)
        if found is None:
            found = self._loaded[name] = self._load(name)
        if isinstance(found, TemplateError):
            raise found
        return found

    def _load(self, name: str) -> Template | TemplateError:
        if name not in self._texts:
            return TemplateError(f"no template {name}.md in {', '.join(map(str, self._dirs))}")
        path, text = self._texts[name]
        if isinstance(text, TemplateError):
            return text
        try:
            return _template(name, path, text)
        except TemplateError as exc:
            return exc

    def comment(self, name: str, context: Mapping[str, Any]) -> str:
        template = self.get(name)
        return _render(template, template.body, context, template.body_offset)

    def issue(self, name: str, context: Mapping[str, Any]) -> Draft:
        template = self.get(name)
        front = template.front
        if "title" not in front:
            raise TemplateError(
                f"{template.path}:1: an issue template needs title: in its front matter"
            )
        title = self._field(template, "title", str(front["title"]), context)
        labels = tuple(
            self._field(template, "labels", str(v), context) for v in front.get("labels") or ()
        )
        assignees = tuple(
            self._field(template, "assignees", str(v), context)
            for v in front.get("assignees") or ()
        )
        confidential = front.get("confidential", False)
        if isinstance(confidential, str):
            confidential = self._field(template, "confidential", confidential, context)
            confidential = confidential.strip().lower() in {"true", "yes", "1"}
        body = _render(template, template.body, context, template.body_offset)
        return Draft(
            title=" ".join(title.split()),
            body=body,
            labels=tuple(label for label in labels if label.strip()),
            assignees=tuple(a for a in assignees if a.strip()),
            confidential=bool(confidential),
        )

    def _field(
        self, template: Template, field: str, source: str, context: Mapping[str, Any]
    ) -> str:
        import jinja2

        try:
            field_template = _compiled(source)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{template.path}:2: {field}: {exc.message}") from None
        return _render(template, field_template, context, 1, where=f"{field}: ")


def templates_for(config_path: Path) -> Templates:
    """The program's own templates (beside program.yml) over the shipped defaults."""
    return Templates(config_path.parent / "templates" / "issues")


def unknown_files(templates: Templates) -> list[str]:
    """The program's template files whose name is no template's: a typo in a file name
    would otherwise leave the default in use without a word."""
    override = templates.override_dir
    if override is None or not override.is_dir():
        return []
    known = ", ".join(SPECS)
    return [
        f"{path}: unknown template name {path.stem!r}; known: {known}"
        for path in sorted(override.glob("*.md"))
        if path.stem not in SPECS
    ]


def check_templates(
    templates: Templates,
    program: Program,
    today: date,
    shipped: bool = True,
    only: Collection[str] | None = None,
) -> list[str]:
    """Render every template the rules use with an example context; the problems found.
    Without `shipped`, only the program's own templates: the test suite renders the shipped
    ones for programs of every shape (tests/messages/test_templates.py), and compiling them
    is most of the check's time.

    Also reports override files whose name is no template's (`unknown_files`). With
    `only`, just those templates, and no file names.
    """
    problems = unknown_files(templates) if only is None else []
    for name, spec in SPECS.items():
        if (not shipped and templates.shipped(name)) or (only is not None and name not in only):
            continue
        context = example_context(program, name, today)
        try:
            if spec.kind == "issue":
                templates.issue(name, context)
            else:
                templates.comment(name, context)
        except TemplateError as exc:
            problems.append(str(exc))
    return problems


def _render(
    template: Template,
    body: jinja2.Template,
    context: Mapping[str, Any],
    offset: int,
    where: str = "",
) -> str:
    import jinja2

    try:
        with guard.budgeted():
            text = _bounded(body.generate(context))
    except jinja2.UndefinedError as exc:
        line = _template_line(exc.__traceback__) + offset
        raise TemplateError(
            f"{template.path}:{line}: {where}{exc.message}; "
            f"the names a template can use are: {', '.join(sorted(context))}"
        ) from None
    except jinja2.exceptions.SecurityError as exc:
        line = _template_line(exc.__traceback__) + offset
        raise TemplateError(
            f"{template.path}:{line}: {where}not allowed in a template: "
            f"{str(exc).rstrip('.')}; a template "
            "may use the names it is given and Jinja2's filters, tests and loops"
        ) from None
    except Exception as exc:  # a template can fail in any way its expressions can
        line = _template_line(exc.__traceback__) + offset
        raise TemplateError(f"{template.path}:{line}: {where}{type(exc).__name__}: {exc}") from None
    if text is None:
        raise TemplateError(
            f"{template.path}: {where}the {template.name} template writes more than "
            f"{MAX_RENDERED:,} characters, more than any forge keeps in an issue or a "
            "comment; shorten it"
        )
    return text


def _bounded(parts: Iterator[str]) -> str | None:
    """The text a render streams, or None once it is longer than `MAX_RENDERED` (the rest
    is not rendered)."""
    out: list[str] = []
    size = 0
    for part in parts:
        size += len(part)
        if size > MAX_RENDERED:
            return None
        out.append(part)
    return "".join(out)


def _template_line(tb: TracebackType | None) -> int:
    """The line in the template source where rendering failed (jinja maps its frames)."""
    line = 1
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
