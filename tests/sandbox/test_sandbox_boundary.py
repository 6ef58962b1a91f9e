"""The sandbox is a model of GitLab and GitHub, not of the product: it imports none of it."""

from __future__ import annotations

import ast
from pathlib import Path, PurePosixPath

import automation.sandbox

SANDBOX = Path(automation.sandbox.__file__).parent


def product_imports(source: str, where: PurePosixPath) -> list[str]:
    """The modules of `automation` outside `automation.sandbox` that `source` imports, the
    source being the file at `where` inside the sandbox package (for relative imports)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the file's own package
                package = ["automation", "sandbox", *where.parts[:-1]]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([node.module] if node.module else [])])
            # `from automation import errors` imports the module automation.errors
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [
            name
            for name in names
            if name.split(".")[0] == "automation"
            and name != "automation.sandbox"
            and not name.startswith("automation.sandbox.")
        ]
    return found


def test_no_sandbox_module_imports_the_product() -> None:
    modules = sorted(SANDBOX.rglob("*.py"))
    assert len(modules) > 10  # the walk found the package

    offenders = {
        str(path.relative_to(SANDBOX)): product_imports(
            path.read_text(encoding="utf-8"), PurePosixPath(*path.relative_to(SANDBOX).parts)
        )
        for path in modules
    }

    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_walk_sees_absolute_and_relative_imports_of_the_product() -> None:
    source = (
        "import automation.goals.checklist\n"
        "from automation import errors\n"
        "from automation.sandbox import records\n"
        "from automation.sandbox.store import Store\n"
        "from .. import model\n"
        "from . import clock\n"
        "import json\n"
    )

    found = product_imports(source, PurePosixPath("store.py"))

    assert found == ["automation.goals.checklist", "automation.errors", "automation.model"]
