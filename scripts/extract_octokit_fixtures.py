"""Copy a few recorded GitHub responses out of the npm package `@octokit/fixtures`.

Each recording (one request and the response api.github.com gave it) is written to
`tests/sandbox/data/octokit-fixtures/<scenario>-<index>.json` with the file and position it
came from, the request, the status, the headers clients read and the body as recorded.

Regenerate with (from the repository root):

    npm pack @octokit/fixtures@23.1.2 --pack-destination /tmp
    mkdir -p /tmp/fixtures && tar xzf /tmp/octokit-fixtures-23.1.2.tgz -C /tmp/fixtures
    python scripts/extract_octokit_fixtures.py /tmp/fixtures/package
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent.parent / "tests/sandbox/data/octokit-fixtures"

# (scenario, index of the request within it): the recordings of operations the sandbox serves
RECORDINGS: tuple[tuple[str, int], ...] = (
    ("add-labels-to-issue", 0),  # POST /repos/{owner}/{repo}/issues
    ("add-labels-to-issue", 1),  # POST /repos/{owner}/{repo}/issues/{number}/labels
    ("paginate-issues", 0),  # GET /repos/{owner}/{repo}/issues?per_page=3
    ("labels", 0),  # GET /repos/{owner}/{repo}/labels
    ("labels", 1),  # POST /repos/{owner}/{repo}/labels
    ("errors", 0),  # POST /repos/{owner}/{repo}/labels with an invalid color: 422
    ("get-repository", 0),  # GET /repos/{owner}/{repo}
)
HEADERS = ("content-type", "link", "location", "x-github-media-type")


def extract(package: Path, scenario: str, index: int) -> dict[str, Any]:
    relative = f"scenarios/api.github.com/{scenario}/normalized-fixture.json"
    recordings = json.loads((package / relative).read_text(encoding="utf-8"))
    recorded = recordings[index]
    headers = recorded["headers"]
    manifest = json.loads((package / "package.json").read_text(encoding="utf-8"))
    return {
        "source": {
            "package": manifest["name"],
            "version": manifest["version"],
            "path": relative,
            "index": index,
        },
        "request": {
            "method": recorded["method"].upper(),
            "path": recorded["path"],
            "body": recorded.get("body") or None,
        },
        "status": recorded["status"],
        "headers": {name: headers[name] for name in HEADERS if name in headers},
        "response": recorded["response"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("package", type=Path, help="unpacked @octokit/fixtures package")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    for scenario, index in RECORDINGS:
        target = args.output / f"{scenario}-{index}.json"
        recording = extract(args.package, scenario, index)
        target.write_text(json.dumps(recording, indent=1) + "\n", encoding="utf-8")
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
