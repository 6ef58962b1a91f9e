"""Moves the flat `automation/` package into folders by role (issue #16), and every reference.

Run from the repository root on a clean checkout:

    python scripts/relayout.py            # moves, rewrites, then ruff fixes import order
    python scripts/relayout.py --check    # only says what is left to move (exit 1 if any)

The script is deterministic and idempotent: a second run finds nothing to move and no text
to change. It stops before touching anything when `automation/` holds a module or folder
that MODULES does not place (a module added since this table was written): add it to
MODULES (or KEPT) and run again.

What it does, in order:

1. `git mv` each module of MODULES to its folder, and each test that mirrors a moved module
   (`tests/test_<module>.py`, `tests/test_<module>_*.py`, `tests/<package>/`) beside it
   under `tests/`; writes the new folders' `__init__.py`.
2. Moves the import-boundary test (STAGED) into tests/.
3. Splits `from automation.actions import apply, Action` (and the other names of SYMBOLS,
   which moved to another module before this script) into one import per module.
4. Rewrites `from automation import x, y` by the folder each module went to, keeping the
   name the code uses (`from automation.lifecycle import observed as observe`).
5. Rewrites every dotted name `automation.x.y` (imports, lazy imports inside functions,
   `monkeypatch.setattr("automation.x.y", ...)`, `PackageLoader("automation.x")`) and every
   path `automation/x.py`, `automation/x/`, `tests/test_x.py` in the repository's text files
   (Python, Markdown, TOML, YAML), by the longest moved prefix.
6. Makes each `Path(__file__).parent...` of a module moved deeper climb as much further,
   and applies EDITS (package data named by folder in pyproject.toml).
7. Runs `ruff check --select I,F401 --fix` and `ruff format` on the changed Python files.

It exits 1, after doing all it can, listing what is left to do by hand: a prose line that
a longer name pushed past 100 characters, a moved name used through its old module
(`observe.read(...)`), an import to split with a comment inside, a line of EDITS no longer
there. It exits 2, having changed nothing, when a module is not placed or the work tree has
changes.
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Move:
    old: str  # a path relative to the root: a file or a folder
    new: str


# Old module (or package folder) under automation/ -> its place in the new layout.
MODULES: dict[str, str] = {
    # roster/: program.yml and the people in it
    "config.py": "roster/config.py",
    "programs.py": "roster/programs.py",
    "mentors.py": "roster/mentors.py",
    "request.py": "roster/request.py",
    "fit.py": "roster/fit.py",
    "matching.py": "roster/matching.py",
    "roster_edit.py": "roster/edit.py",
    # lifecycle/: a pairing's term and the plan of a day
    "timeline.py": "lifecycle/timeline.py",
    "markers.py": "lifecycle/markers.py",
    "labels.py": "lifecycle/labels.py",
    "ledger.py": "lifecycle/ledger.py",
    "turns.py": "lifecycle/turns.py",
    "observe.py": "lifecycle/observed.py",
    "actions.py": "lifecycle/actions.py",
    "rules": "lifecycle/rules",
    # goals/: what mentees write and how far they are
    "checklist.py": "goals/checklist.py",
    "feedback.py": "goals/feedback.py",
    # messages/: what the bot writes
    "templates.py": "messages/templates.py",
    "context.py": "messages/context.py",
    "markdown.py": "messages/markdown.py",
    # views/: what coordinators read
    "status.py": "views/status.py",
    "dashboard.py": "views/dashboard.py",
    "history.py": "views/history.py",
    "queue.py": "views/queue.py",
    "report": "views/report",
    # night/: the nightly run, the I/O shell around the plan
    "nightly.py": "night/run.py",
    "reading.py": "night/observe.py",
    "executor.py": "night/executor.py",
    # commands/: the work of a command that is more than a call into the library
    "doctor.py": "commands/doctor.py",
    "demo.py": "commands/demo.py",
    "scaffolding.py": "commands/init.py",
    # Written on other branches at the same time; placed here so that they move too.
    "explain.py": "commands/explain.py",
    "provenance.py": "commands/provenance.py",
    "ticker.py": "night/ticker.py",
    "boxes.py": "lifecycle/boxes.py",
}

# Stays where it is: the vocabulary every layer shares, the command line, the boundaries,
# and data that program repositories and CI files name by path.
KEPT = {
    "__init__.py",
    "__main__.py",
    "py.typed",
    "cli.py",
    "errors.py",
    "model.py",
    "forge",
    "sandbox",
    "templates",  # data: templates/issues/*.md (README, program repos' overrides)
    "scaffold",  # data: CI files program repos include by this path
    "__pycache__",
}

# The new folders, each with the line that says what it holds.
PACKAGES: dict[str, str] = {
    "roster": "program.yml and the people in it: models and loading, mentors, requests, matching.",
    "lifecycle": "A pairing's term as pure values: dates, markers, the ledger, actions, the rules.",
    "goals": "What mentees and mentors write back: goal checklists, progress, feedback answers.",
    "messages": "What the bot writes: issue templates, what they may use, Markdown pieces.",
    "views": "What coordinators read: statuses, the dashboard, histories, the queue, reports.",
    "night": "The nightly run, the I/O shell around the plan: observe, plan, budget, apply.",
    "commands": "The work of the commands that are more than one call into the library.",
}

# Names that moved to another module before this layout (old module -> name -> module).
SYMBOLS: dict[str, dict[str, str]] = {
    "automation.actions": {
        "Status": "automation.executor",
        "Outcome": "automation.executor",
        "apply": "automation.executor",
        "answer_lost": "automation.executor",
    },
    "automation.observe": {"read": "automation.reading"},
}

# Files kept out of the tree until the layout they check exists.
STAGED = [Move("scripts/test_architecture.py", "tests/test_architecture.py")]

# Lines that name a moved folder relative to the package (package data).
EDITS: list[tuple[str, str, str]] = [
    ("pyproject.toml", '"report/templates/*",', '"views/report/templates/*",'),
]

TEXT = (".py", ".md", ".toml", ".yml", ".yaml", ".cfg", ".ini", ".txt")
SELF = {"scripts/relayout.py", "scripts/RELAYOUT.md"}


class LayoutError(Exception):
    pass


def _dotted(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def module_moves() -> list[Move]:
    return [Move(f"automation/{old}", f"automation/{new}") for old, new in MODULES.items()]


def test_moves(root: Path) -> list[Move]:
    """Tests that mirror a moved module follow it: tests/test_<stem>[_*].py and tests/<pkg>/."""
    moves = []
    for old, new in MODULES.items():
        stem, target = old.removesuffix(".py"), new.removesuffix(".py")
        folder, _, name = target.rpartition("/")
        if not old.endswith(".py"):  # a package: its tests folder moves whole
            moves.append(Move(f"tests/{old}", f"tests/{target}"))
            continue
        pattern = re.compile(rf"test_{re.escape(stem)}(_[a-z0-9_]+)?\.py")
        for where in (root / "tests", root / "tests" / folder):
            for path in sorted(where.glob("test_*.py")):
                found = pattern.fullmatch(path.name)
                if found:
                    new_name = f"test_{name}{found.group(1) or ''}.py"
                    moves.append(Move(f"tests/{path.name}", f"tests/{folder}/{new_name}"))
    unique = {m.old: m for m in moves if m.old != m.new}
    return sorted(unique.values(), key=lambda m: m.old)


def unplaced(root: Path) -> list[str]:
    placed = set(MODULES) | set(MODULES.values()) | KEPT
    placed |= set(PACKAGES)
    found = []
    for path in sorted((root / "automation").iterdir()):
        if path.name not in placed and not path.name.endswith(".pyc"):
            found.append(f"automation/{path.name}")
    for package in PACKAGES:  # a module another branch added straight into a new folder
        for path in sorted((root / "automation" / package).glob("*")):
            rel = f"{package}/{path.name}"
            if path.name not in {"__init__.py", "__pycache__"} and rel not in MODULES.values():
                found.append(f"automation/{rel}")
    return found


def pending(root: Path, moves: list[Move]) -> list[Move]:
    todo = []
    for move in moves:
        old, new = root / move.old, root / move.new
        if old.exists() and new.exists():
            raise LayoutError(f"both {move.old} and {move.new} exist: merge them by hand first")
        if old.exists():
            todo.append(move)
    return todo


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)
    return done.stdout


# ------------------------------------------------------------------ names


def _table(moves: list[Move]) -> dict[str, str]:
    """Dotted old name -> dotted new name, for modules and packages of code and tests."""
    return {_dotted(m.old): _dotted(m.new) for m in moves}


def renamed(name: str, table: dict[str, str]) -> str:
    """`name` with its longest moved prefix replaced."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in table:
            return ".".join([table[prefix], *parts[end:]])
    return name


_DOTTED = re.compile(r"(?<![\w.])((?:automation|tests)(?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
_PATH = re.compile(r"(?<![\w/.:-])((?:automation|tests)(?:/[A-Za-z0-9_.-]+)+/?)")


def rewrite_dotted(text: str, table: dict[str, str]) -> str:
    return _DOTTED.sub(lambda m: renamed(m.group(1), table), text)


def rewrite_paths(text: str, moves: list[Move]) -> str:
    by_length = sorted(moves, key=lambda m: -len(m.old))

    def one(match: re.Match[str]) -> str:
        path = match.group(1)
        for move in by_length:
            if path == move.old or path.startswith(move.old + "/"):
                return move.new + path[len(move.old) :]
        return path

    return _PATH.sub(one, text)


def _statement(node: ast.ImportFrom, names: list[ast.alias], module: str, indent: str) -> str:
    parts = [a.name + (f" as {a.asname}" if a.asname else "") for a in names]
    line = f"{indent}from {module} import {', '.join(parts)}"
    if len(line) <= 100:
        return line
    inner = "".join(f"{indent}    {p},\n" for p in parts)
    return f"{indent}from {module} import (\n{inner}{indent})"


def split_imports(text: str, table: dict[str, str]) -> tuple[str, list[str]]:
    """`from automation import a, b` by the folders a and b went to; SYMBOLS' names by the
    module they went to. Only statements that change are rewritten; the lines of those that
    cannot be (a comment inside) are returned."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text, []
    symbols = {renamed(old, table): names for old, names in SYMBOLS.items()}
    problems: list[str] = []
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level or node.module is None:
            continue
        groups: dict[str, list[ast.alias]] = {}
        moved = symbols.get(renamed(node.module, table))
        if moved is not None:
            for alias in node.names:
                groups.setdefault(moved.get(alias.name, node.module), []).append(alias)
        elif node.module in {"automation", "tests"}:
            for alias in node.names:
                full = renamed(f"{node.module}.{alias.name}", table)
                parent, _, name = full.rpartition(".")
                keep = alias.asname or (alias.name if name != alias.name else None)
                groups.setdefault(parent, []).append(ast.alias(name=name, asname=keep))
        else:
            continue
        if list(groups) == [node.module] and all(
            a.asname == b.asname and a.name == b.name
            for a, b in zip(groups[node.module], node.names, strict=True)
        ):
            continue
        first = lines[node.lineno - 1]
        indent = first[: len(first) - len(first.lstrip())]
        if "#" in "".join(lines[node.lineno - 1 : node.end_lineno]):
            problems.append(f"line {node.lineno}: an import to split has a comment inside")
            continue
        new = "\n".join(_statement(node, names, m, indent) for m, names in groups.items())
        edits.append((node.lineno, node.end_lineno or node.lineno, new + "\n"))
    for start, end, new in sorted(edits, reverse=True):
        lines[start - 1 : end] = [new]
    return "".join(lines), problems


def attribute_uses(text: str) -> list[str]:
    """Uses like `observe.read(` of a moved name through its old module: fixed by hand."""
    found = []
    for module, names in SYMBOLS.items():
        short = module.rpartition(".")[2]
        for name in names:
            if re.search(rf"(?<![\w.]){short}\.{name}\(", text):
                found.append(f"{short}.{name}")
    return found


_UP = re.compile(r"(Path\(__file__\)(?:\.resolve\(\))?)((?:\.parent)+|\.parents\[(\d+)\])")


def deepen(root: Path, move: Move) -> list[str]:
    """A module moved `depth` folders deeper: its `Path(__file__)` climbs that many more to
    reach what did not move with it (the package's data, the repository's files). Returns
    each climb changed, to read over."""
    depth = move.new.count("/") - move.old.count("/")
    moved = root / move.new
    files = sorted(moved.rglob("*.py")) if moved.is_dir() else [moved]
    changed = []
    for path in files:
        if path.suffix != ".py":
            continue
        text = path.read_text(encoding="utf-8")
        inside = len(path.relative_to(moved).parts) - 1 if moved.is_dir() else -1

        def climb(match: re.Match[str], path: Path = path, inside: int = inside) -> str:
            ups = int(match.group(3)) + 1 if match.group(3) else match.group(2).count(".parent")
            if ups <= inside + 1:
                return match.group(0)  # stays inside the folder that moved
            new = f"{match.group(1)}.parents[{ups - 1 + depth}]"
            changed.append(f"{path.relative_to(root)}: {match.group(0)} -> {new}")
            return new

        after = _UP.sub(climb, text)
        if after != text:
            path.write_text(after, encoding="utf-8")
    return changed


# ------------------------------------------------------------------ run


def text_files(root: Path) -> list[Path]:
    listed = git(root, "ls-files", "-z").split("\0")
    return [
        root / rel
        for rel in sorted(listed)
        if rel.endswith(TEXT) and rel not in SELF and (root / rel).is_file()
    ]


def relayout(root: Path, check: bool) -> int:
    missing = unplaced(root)
    if missing:
        listed = "\n  ".join(missing)
        raise LayoutError(
            f"these are not placed by MODULES or KEPT in scripts/relayout.py:\n  {listed}\n"
            "add each to MODULES (its folder in the new layout) or KEPT, then run again"
        )
    moves = module_moves()
    tests = test_moves(root)
    todo = pending(root, moves) + pending(root, tests) + pending(root, STAGED)
    everything = moves + tests
    table = _table(everything)
    if check:
        for move in todo:
            print(f"to move: {move.old} -> {move.new}")
        return 1 if todo else 0
    if git(root, "status", "--porcelain", "--untracked-files=no").strip():
        raise LayoutError("the work tree has changes: commit or stash them first")

    by_hand: list[str] = []
    for move in todo:
        (root / move.new).parent.mkdir(parents=True, exist_ok=True)
        git(root, "mv", move.old, move.new)
        print(f"moved {move.old} -> {move.new}")
        for climb in deepen(root, move):
            print(f"climbs further: {climb}")
    for package, line in PACKAGES.items():
        init = root / "automation" / package / "__init__.py"
        if not init.exists():
            init.write_text(f'"""{line}"""\n', encoding="utf-8")
            git(root, "add", str(init.relative_to(root)))
            print(f"wrote {init.relative_to(root)}")

    changed: list[Path] = []
    for path in text_files(root):
        before = path.read_text(encoding="utf-8")
        after = before
        if path.suffix == ".py":
            after, problems = split_imports(after, table)
            by_hand += [f"{path.relative_to(root)}: {problem}" for problem in problems]
        after = rewrite_dotted(after, table)
        after = rewrite_paths(after, everything)
        if path.suffix == ".py":
            by_hand += [f"{path.relative_to(root)}: {u}" for u in attribute_uses(after)]
        if after != before:
            path.write_text(after, encoding="utf-8")
            changed.append(path)
    for rel, old, new in EDITS:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new), encoding="utf-8")
            changed.append(path)
        elif new not in text:
            by_hand.append(f"{rel}: neither this line nor its new form: {old}")
    for path in sorted(set(changed)):
        print(f"rewrote {path.relative_to(root)}")

    python = sorted({str(p.relative_to(root)) for p in changed if p.suffix == ".py"})
    ruff = shutil.which("ruff")
    if python and ruff:
        subprocess.run([ruff, "check", "-q", "--select", "I,F401", "--fix", *python], cwd=root)
        subprocess.run([ruff, "format", "-q", *python], cwd=root, check=True)
        # A longer dotted name can push a line of prose past the limit: rewrap those.
        long = subprocess.run(
            [ruff, "check", "-q", "--select", "E501", "--output-format", "concise", *python],
            cwd=root,
            capture_output=True,
            text=True,
        )
        by_hand += [f"{line}: rewrap" for line in long.stdout.splitlines() if "E501" in line]
    elif python:
        print("ruff is not on PATH: run `ruff check --fix . && ruff format .`", file=sys.stderr)
    if by_hand:
        listed = "\n  ".join(by_hand)
        print(f"uses of a moved name through its old module, to fix by hand:\n  {listed}")
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only list what is left to move")
    args = parser.parse_args()
    try:
        return relayout(Path.cwd(), args.check)
    except LayoutError as exc:
        print(f"relayout: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
