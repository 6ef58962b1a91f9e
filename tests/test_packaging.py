"""What the package is built from and what it carries: the default issue templates, kept
once at the top of the tree, in the wheel as in a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from automation.templates import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates" / "issues"


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
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--wheel-dir", str(out), str(ROOT)],
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
        [sys.executable, "-c", "from automation.templates import DEFAULTS; print(DEFAULTS)"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(done.stdout.strip()) == tmp_path / "automation" / "issue_templates"
