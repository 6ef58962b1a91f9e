"""`mentorship sandbox serve`: the embedded forge on one local port until interrupted."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import click

from automation.errors import ExpectedError
from automation.sandbox import serve

# What binding an address answers when the address cannot be had.
_UNAVAILABLE = (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES)


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
    except OSError as exc:
        if exc.errno not in _UNAVAILABLE:
            raise
        raise ExpectedError(
            f"cannot listen on {host}:{port}: {exc.strerror}; pick another --port (or --host)"
        ) from None
    except sqlite3.DatabaseError as exc:
        raise ExpectedError(
            f"{state}: not a sandbox state file ({exc}); pass another --state, or remove it "
            "to start afresh"
        ) from None
    return 0
