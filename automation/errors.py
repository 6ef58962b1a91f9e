"""The base of the failures a user can fix: the command line shows them as `Error: ...`."""

from __future__ import annotations


class ExpectedError(Exception):
    """A failure with a message that says what went wrong and the fix; never a bug.

    Light on purpose: the command line catches it without importing the modules that raise it
    (README, "Start-up time")."""
