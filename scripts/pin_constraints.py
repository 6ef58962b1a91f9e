"""Write constraints.txt: every package the tool needs at run time, pinned to the version
installed here (run it in the environment the tests passed in).

The GitHub Action installs the tool with `--constraint constraints.txt`, and the GitLab
component and the image with the same file, so a night's job runs the dependencies the
release was tested with, not whatever a registry offers that night (a package's install
runs code in the job that holds the bot's token).

    python scripts/pin_constraints.py          # rewrites constraints.txt at the top
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
HEADER = (
    "# The run-time dependencies of mentorship-automation, pinned to the versions its tests\n"
    "# passed with: pip install --constraint constraints.txt . (scripts/pin_constraints.py)\n"
)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(root: str) -> dict[str, str]:
    """Every distribution `root` needs at run time (its own extras left out, those its
    requirements ask for taken in), by canonical name: its installed version."""
    base = {key: str(value) for key, value in default_environment().items()}
    found: dict[str, str] = {}
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    seen = set(todo)
    while todo:
        name, extras = todo.pop()
        for line in metadata.distribution(name).requires or ():
            requirement = Requirement(line)
            marker = requirement.marker
            wanted = marker is None or any(
                marker.evaluate({**base, "extra": extra}) for extra in ("", *extras)
            )
            if not wanted:
                continue
            key = canonical(requirement.name)
            found.setdefault(key, metadata.version(requirement.name))
            step = (requirement.name, frozenset(requirement.extras))
            if step not in seen:
                seen.add(step)
                todo.append(step)
    return found


def main() -> None:
    pins = closure("mentorship-automation")
    lines = [f"{name}=={version}\n" for name, version in sorted(pins.items())]
    (ROOT / "constraints.txt").write_text(HEADER + "".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
