"""The tree is the architecture: which folder may import which, checked over every import.

The pure core (the roster, a pairing's lifecycle, goals, messages, views and the shared
vocabulary) computes from values: it imports neither the forge, the sandbox nor the shell
(the command line, the commands, the nightly run), opens no file and loads no network,
database or process module. The sandbox is a model of GitLab and GitHub, not of the
product: it imports none of it. The forge adapters may use the core's values, never the
shell or the sandbox. CONTRIBUTING.md draws the same map.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import automation

PACKAGE = Path(automation.__file__).parent

# Every module belongs to one layer, named by its first folder (or its own name at the top).
PURE = {
    "roster",
    "lifecycle",
    "goals",
    "messages",
    "views",
    "model",
    "errors",
    "collector",
    "lazy",
}
SHELL = {"cli", "__main__", "commands", "night"}
BOUNDARIES = {"forge", "sandbox"}
TOP = {"__init__"}  # the package itself: its version, imported by everything
# What the pure core must not load: the network, databases, other processes.
IO_MODULES = {
    "requests",
    "urllib",
    "urllib3",
    "http",
    "socket",
    "ssl",
    "subprocess",
    "sqlite3",
    "gitlab",
    "github",
    "wsgiref",
    "asyncio",
}


@dataclass(frozen=True)
class Import:
    module: str  # dotted, absolute
    line: int


@dataclass(frozen=True)
class Module:
    name: str  # automation.lifecycle.rules.kickoff
    path: Path
    tree: ast.Module

    @property
    def layer(self) -> str:
        return self.name.split(".")[1]

    def imports(self) -> list[Import]:
        """Every import, at the top, inside functions and under TYPE_CHECKING alike."""
        package = self.name.split(".")
        if self.path.name != "__init__.py":
            package = package[:-1]
        found = []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                found += [Import(alias.name, node.lineno) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package[: len(package) - (node.level - 1)]
                    base = ".".join([*parent, *([node.module] if node.module else [])])
                found.append(Import(base, node.lineno))
                # `from automation import errors` imports the module automation.errors
                found += [
                    Import(f"{base}.{alias.name}", node.lineno)
                    for alias in node.names
                    if _is_module(f"{base}.{alias.name}")
                ]
        return found

    def opens(self) -> list[int]:
        """Lines that call the builtin open()."""
        return [
            node.lineno
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "open"
        ]


def _is_module(name: str) -> bool:
    parts = name.split(".")
    if parts[0] != "automation":
        return False
    where = PACKAGE.joinpath(*parts[1:])
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def _modules() -> list[Module]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        name = ".".join(["automation", *parts])
        found.append(Module(name, path, ast.parse(path.read_text(encoding="utf-8"))))
    return found


MODULES = _modules()


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "automation":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _where(module: Module, line: int) -> str:
    return f"{module.path.relative_to(PACKAGE.parent)}:{line}"


def test_every_module_is_in_a_layer() -> None:
    known = PURE | SHELL | BOUNDARIES | TOP
    stray = sorted({m.name for m in MODULES if m.layer not in known and m.name != "automation"})
    assert stray == [], "place each in a folder of the map in CONTRIBUTING.md"


def test_the_pure_core_imports_neither_the_forge_the_sandbox_nor_the_shell() -> None:
    found = [
        f"{_where(m, i.line)} imports {i.module}"
        for m in MODULES
        if m.layer in PURE
        for i in m.imports()
        if _layer_of(i.module) in SHELL | BOUNDARIES
    ]
    assert found == []


def test_the_pure_core_does_no_io() -> None:
    found = [
        f"{_where(m, i.line)} imports {i.module}"
        for m in MODULES
        if m.layer in PURE
        for i in m.imports()
        if i.module.split(".")[0] in IO_MODULES
    ]
    found += [
        f"{_where(m, line)} calls open()" for m in MODULES if m.layer in PURE for line in m.opens()
    ]
    assert found == []


def test_the_sandbox_imports_nothing_of_the_product() -> None:
    found = [
        f"{_where(m, i.line)} imports {i.module}"
        for m in MODULES
        if m.layer == "sandbox"
        for i in m.imports()
        if _layer_of(i.module) not in {None, "sandbox"}
    ]
    assert found == []


def test_the_forge_adapters_import_neither_the_shell_nor_the_sandbox() -> None:
    found = [
        f"{_where(m, i.line)} imports {i.module}"
        for m in MODULES
        if m.layer == "forge"
        for i in m.imports()
        if _layer_of(i.module) in SHELL | {"sandbox"}
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "layer", "imported"),
    [
        ("from automation.forge.base import Forge\n", "lifecycle", "automation.forge.base"),
        ("def f():\n    from automation.night import run\n", "views", "automation.night.run"),
        ("from ..forge import connect\n", "roster", "automation.forge"),
        ("from automation import cli\n", "goals", "automation.cli"),
    ],
)
def test_the_walk_sees_top_level_lazy_and_relative_imports(
    source: str, layer: str, imported: str
) -> None:
    path = PACKAGE / layer / "example.py"
    module = Module(f"automation.{layer}.example", path, ast.parse(source))
    assert imported in {i.module for i in module.imports()}
