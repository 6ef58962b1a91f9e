"""Markdown pieces the bot writes into issues: table rows, safe cell text, plurals."""

from __future__ import annotations

from collections.abc import Iterable


def row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def cell(value: str) -> str:
    """People's words in a table cell: one line, no pipes that would split the row, no HTML."""
    return (
        " ".join(value.split())
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("|", "\\|")
    )


def plural(n: int) -> str:
    return "" if n == 1 else "s"
