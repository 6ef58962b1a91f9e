"""Hidden markers on everything the bot writes: `<!-- mentorship:v1 key=... -->`.

A marker names what a text is (`pair/alice--bob--2026-01-05/kickoff`), so a rerun finds it
instead of writing it again. Anyone can type a marker: callers trust one only when the
issue or comment author is the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

VERSION = 1
_KEY = r"[A-Za-z0-9][A-Za-z0-9_.:@/+-]*"
# An attribute's value: printable ASCII but angle brackets (handles, dates, digests), so
# that no control or direction character a value carried reaches a roster change.
_VALUE = r"[!-;=?-~]{0,200}"
_MARKER = re.compile(
    r"<!--[ \t]*mentorship:v(?P<version>\d{1,3})[ \t]+key=(?P<key>" + _KEY + r")"
    r"(?P<attrs>(?:[ \t]+[a-z_]{1,30}=" + _VALUE + r"){0,20})[ \t]*-->"
)
_ATTR = re.compile(r"([a-z_]{1,30})=(" + _VALUE + ")")


@dataclass(frozen=True)
class Marker:
    key: str
    version: int = VERSION
    attrs: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def render(self) -> str:
        extra = "".join(f" {name}={value}" for name, value in sorted(self.attrs.items()))
        return f"<!-- mentorship:v{self.version} key={self.key}{extra} -->"


def mark(key: str, **attrs: str) -> str:
    """The marker line for `key`; attribute values are printable ASCII without spaces or
    angle brackets."""
    if not re.fullmatch(_KEY, key):
        raise ValueError(f"invalid marker key {key!r}")
    for name, value in attrs.items():
        if not re.fullmatch(_VALUE, value):
            raise ValueError(f"invalid marker attribute {name}={value!r}")
    return Marker(key, VERSION, dict(attrs)).render()


def find(body: str) -> Marker | None:
    """The first marker of our version in `body`, or None."""
    for match in _MARKER.finditer(body):
        if int(match.group("version")) == VERSION:
            attrs = dict(_ATTR.findall(match.group("attrs")))
            return Marker(match.group("key"), VERSION, attrs)
    return None


def attach(body: str, key: str, **attrs: str) -> str:
    """`body` with the marker on its own first line.

    First, not last: people edit their goals at the end of the pairing issue, and an edit
    that replaces the last section must not take the marker with it.
    """
    return f"{mark(key, **attrs)}\n{body}"
