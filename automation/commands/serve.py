"""`mentorship sandbox serve`: the embedded forge on one local port until interrupted."""

from __future__ import annotations

from pathlib import Path

import click

from automation.sandbox import serve


def run(host: str, port: int, state: Path, users: str) -> int:
    logins = [login.strip() for login in users.split(",") if login.strip()]
    click.echo(f"sandbox forge on http://{host}:{port} (state: {state}); Ctrl-C stops it")
    click.echo(
        f"  GitLab API: http://{host}:{port}/api/v4   GitHub API: http://{host}:{port}/api/v3"
    )
    try:
        serve(host=host, port=port, state=state, users=logins)
    except KeyboardInterrupt:
        click.echo("stopped")
    return 0
