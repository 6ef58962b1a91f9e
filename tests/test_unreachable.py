"""A forge that cannot be reached: one line naming the URL, the cause and what to check, and
exit 1 (README, "An unreachable forge"), through the real clients on both forges."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from automation.cli import main


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("kind", "request_line"),
    [("gitlab", "GET /projects/acme%2Fm/issues"), ("github", "GET /repos/acme/m/issues")],
)
@pytest.mark.parametrize("command", ["plan", "apply", "explain"])
def test_an_unreachable_forge_is_one_error_line_and_exit_1(
    tmp_path: Path, closed_port: int, kind: str, request_line: str, command: str
) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    path = tmp_path / "program.yml"
    path.write_text(
        f'forge: {{kind: {kind}, url: "{url}", project: acme/m, bot: mentorship-bot, '
        "retries: 1, token_env: MENTORSHIP_TEST_TOKEN}\n"
        "people:\n  - {handle: alice, roles: [mentor]}\n  - {handle: bob, roles: [mentee]}\n"
        "pairings:\n  - {mentor: alice, mentee: bob, start: 2026-01-05}\n"
    )
    args = [command, "--config", str(path), "--today", "2026-01-10"]
    if command == "explain":
        args.insert(1, "alice--bob--2026-01-05")

    result = CliRunner().invoke(
        main, args, env={"MENTORSHIP_TEST_TOKEN": "t", "MENTORSHIP_SECRET": "s"}
    )

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[-1] == (
        f"Error: {request_line} failed: could not reach {url} (connection refused); "
        "check forge.url in program.yml, "
        "the network, and the proxy (HTTPS_PROXY, NO_PROXY) if this network needs one, then "
        "run again"
    )
