"""Key sets of JSON payloads: which keys one response has that another lacks, recursively."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def shape(value: Any) -> Any:
    """The keys of a JSON value: objects by key, a list by the union of its items' shapes."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        merged: dict[str, Any] = {}
        for item in value:
            if isinstance(item, dict):
                for key, sub in shape(item).items():
                    if merged.get(key) is None:
                        merged[key] = sub
        return [merged] if merged else []
    return None


@dataclass
class KeyDiff:
    missing: set[str] = field(default_factory=set)  # in the reference, not in ours
    extra: set[str] = field(default_factory=set)  # in ours, not in the reference


def compare_keys(reference: Any, ours: Any, path: str = "", diff: KeyDiff | None = None) -> KeyDiff:
    """Where `ours` lacks keys of `reference` (or has more), wherever both have structure.

    A reference object or non-empty list met by null, a scalar or an empty list on our side
    counts as missing: its keys could not be compared.
    """
    diff = diff or KeyDiff()
    reference, ours = shape(reference), shape(ours)
    if isinstance(reference, list) and reference:
        if not (isinstance(ours, list) and ours):
            diff.missing.add(path + "[]")
            return diff
        return compare_keys(reference[0], ours[0], path + "[]", diff)
    if not isinstance(reference, dict):
        return diff
    if not isinstance(ours, dict):
        diff.missing.add(path or "<body>")
        return diff
    prefix = f"{path}." if path else ""
    for key in reference.keys() - ours.keys():
        diff.missing.add(prefix + key)
    for key in ours.keys() - reference.keys():
        diff.extra.add(prefix + key)
    for key in reference.keys() & ours.keys():
        compare_keys(reference[key], ours[key], prefix + key, diff)
    return diff


def item_paths(paths: set[str]) -> set[str]:
    """Paths inside list items read as paths inside one item: "[].user.x" is "user.x"."""
    return {path.removeprefix("[]").removeprefix(".") for path in paths}
