"""The embedded sandbox forge: GitLab v4 and GitHub REST subsets over SQLite, on one port."""

# GitLab answers under /api/v4, GitHub under /api/v3 (the GitHub Enterprise base URL form) and
# /_sandbox/ holds the clock, request counts, faults, users and limits. A token authenticates
# as the registered user whose login equals the token: a sandbox has no secrets to keep.

from __future__ import annotations

from automation.sandbox.app import SandboxApp
from automation.sandbox.client import SandboxAdmin, SandboxError
from automation.sandbox.server import RunningSandbox, serve, start
from automation.sandbox.store import StateFormatError, Store

__all__ = [
    "RunningSandbox",
    "SandboxAdmin",
    "SandboxApp",
    "SandboxError",
    "StateFormatError",
    "Store",
    "serve",
    "start",
]
