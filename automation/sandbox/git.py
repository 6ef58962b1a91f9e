"""Git's object ids and its three-way merge of text, for the sandbox's repositories."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher

Tree = Mapping[str, str]  # path -> blob id: the sandbox's trees are flat


def blob_id(text: str) -> str:
    """The id git gives a file's content, `git hash-object`: SHA-1 of "blob <size>\\0" and
    the bytes (https://git-scm.com/book/en/v2/Git-Internals-Git-Objects). GitHub's contents
    `sha` and GitLab's `blob_id` are this id."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def tree_id(tree: Tree) -> str:
    """A stable id for a tree (not git's own encoding: the sandbox stores no tree objects)."""
    canonical = json.dumps(dict(sorted(tree.items())), separators=(",", ":"))
    return hashlib.sha1(b"tree " + canonical.encode(), usedforsecurity=False).hexdigest()


def commit_id(tree: Tree, parents: Sequence[str], author: str, at_ms: int, message: str) -> str:
    """A commit's id from what git hashes into one: tree, parents, author, time, message."""
    header = f"tree {tree_id(tree)}\n" + "".join(f"parent {p}\n" for p in parents)
    text = f"{header}author {author} {at_ms}\n\n{message}"
    return hashlib.sha1(b"commit " + text.encode(), usedforsecurity=False).hexdigest()


def line_counts(old: str, new: str) -> tuple[int, int]:
    """Lines added and deleted from `old` to `new`, as a commit's stats count them."""
    matcher = SequenceMatcher(
        None, old.splitlines(keepends=True), new.splitlines(keepends=True), autojunk=False
    )
    added = deleted = 0
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag != "equal":
            deleted += old_end - old_start
            added += new_end - new_start
    return added, deleted


def merge_text(base: str, ours: str, theirs: str) -> str | None:
    """`theirs` merged into `ours` line by line from their common `base`; None on a conflict.

    The diff3 algorithm git uses for text files (Khanna, Kunal and Pierce, "A Formal
    Investigation of Diff3", 2007): regions both sides left as in the base are kept; between
    them, a region only one side changed takes that side; both changing it alike is no
    conflict; changing it differently is. Lines are matched with difflib rather than git's
    Myers diff, which can pair equal lines differently in rare cases.
    """
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    old = base.splitlines(keepends=True)
    a = ours.splitlines(keepends=True)
    b = theirs.splitlines(keepends=True)
    merged: list[str] = []
    at_old = at_a = at_b = 0
    for old_start, old_end, a_start, a_end, b_start, b_end in _stable_regions(old, a, b):
        chunk = _resolve(old[at_old:old_start], a[at_a:a_start], b[at_b:b_start])
        if chunk is None:
            return None
        merged += chunk
        merged += old[old_start:old_end]
        at_old, at_a, at_b = old_end, a_end, b_end
    return "".join(merged)


def _resolve(old: list[str], a: list[str], b: list[str]) -> list[str] | None:
    if a == b or b == old:
        return a
    if a == old:
        return b
    return None


def _stable_regions(
    old: list[str], a: list[str], b: list[str]
) -> list[tuple[int, int, int, int, int, int]]:
    """Base ranges that both sides kept, as (base, a, b) start/end triples, ending with an
    empty region at the three ends (bzr's merge3 `find_sync_regions`)."""
    a_blocks = SequenceMatcher(None, old, a, autojunk=False).get_matching_blocks()
    b_blocks = SequenceMatcher(None, old, b, autojunk=False).get_matching_blocks()
    regions = []
    i = j = 0
    while i < len(a_blocks) and j < len(b_blocks):
        a_old, a_at, a_len = a_blocks[i]
        b_old, b_at, b_len = b_blocks[j]
        start, end = max(a_old, b_old), min(a_old + a_len, b_old + b_len)
        if start < end:
            a_start = a_at + start - a_old
            b_start = b_at + start - b_old
            length = end - start
            regions.append((start, end, a_start, a_start + length, b_start, b_start + length))
        if a_old + a_len < b_old + b_len:
            i += 1
        else:
            j += 1
    regions.append((len(old), len(old), len(a), len(a), len(b), len(b)))
    return regions


def merge_files(
    base: Mapping[str, str], ours: Mapping[str, str], theirs: Mapping[str, str]
) -> dict[str, str] | list[str]:
    """`theirs` merged into `ours`, files as path -> text: the merged files, or the paths
    in conflict (changed differently on both sides, or changed on one, deleted on the other)."""
    merged: dict[str, str] = {}
    conflicts: list[str] = []
    for path in sorted(set(ours) | set(theirs)):
        mine, yours, old = ours.get(path), theirs.get(path), base.get(path)
        if mine is None or yours is None:
            survivor = mine if yours is None else yours
            if survivor is not None and old is not None and survivor != old:
                conflicts.append(path)
            elif survivor is not None and old is None:
                merged[path] = survivor  # added on one side only
            continue
        content = merge_text(old or "", mine, yours)
        if content is None:
            conflicts.append(path)
        else:
            merged[path] = content
    return conflicts or merged
