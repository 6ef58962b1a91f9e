"""GitLab's `task_completion_status`: a port of the pattern its Taskable concern scans with.

Ported from gitlabhq/gitlabhq at commit 02f78c1ee8be411f4455c6679cfd87f3a0b2721b,
app/models/concerns/taskable.rb (`ITEM_PATTERN`, `get_tasks`, `task_completion_status`):
https://github.com/gitlabhq/gitlabhq/blob/02f78c1ee8be411f4455c6679cfd87f3a0b2721b/app/models/concerns/taskable.rb

That generation scans the raw description, not the rendered Markdown: it counts boxes inside
fenced or indented code and HTML comments, knows ordered items as `1.` only (not `1)`), has
no `[~]` (an unknown box, so not an item) and lets the whitespace after a box be a newline.
Later generations skip fenced code and HTML comments (`Gitlab::Regex.
markdown_code_or_html_comments_untrusted`) and accept `1)`; tests/sandbox/test_taskable.py
records where this port and the product's own parser disagree.
"""

from __future__ import annotations

import re

# Ruby's `^` always matches at line starts and its `\s`/`\d` are ASCII: MULTILINE and ASCII.
_ITEM = re.compile(
    r"^"
    r"(?:(?:>\s{0,4})*)"  # optional blockquote characters
    r"((?:\s*(?:[-+*]|(?:\d+\.)))+)"  # list prefix (one or more)
    r"\s+"  # whitespace after the list marker
    r"(\[\s\]|\[[xX]\])"  # checkbox
    r"(\s.+)",  # followed by whitespace and some text
    re.MULTILINE | re.ASCII,
)


def task_counts(description: str | None) -> tuple[int, int]:
    """(items, completed items) of a description, as `task_completion_status` reports them."""
    if description is None or not description.strip():  # Ruby's `blank?`
        return 0, 0
    boxes = [box for _, box, _ in _ITEM.findall(description)]
    return len(boxes), sum(1 for box in boxes if box in ("[x]", "[X]"))


def updated_tasks(old: str | None, new: str | None) -> list[tuple[str, bool]]:
    """The items whose box an edit ticked or unticked, `(text, now ticked)`: the item at the
    same position with the same text and the other state (`Taskable.get_updated_tasks`, same
    file). GitLab writes a system note for each, authored by the editor, instead of
    "changed the description" (app/services/issuable/common_system_notes_service.rb,
    `handle_description_change_note` and `create_task_status_note`)."""
    before = _ITEM.findall(old or "")
    after = _ITEM.findall(new or "")
    return [
        (label.strip(), _done(box))
        for (_, box, label), (_, was, old_label) in zip(after, before, strict=False)
        if label.strip() == old_label.strip() and _done(box) != _done(was)
    ]


def _done(box: str) -> bool:
    return box in ("[x]", "[X]")


def task_note(text: str, done: bool) -> str:
    """The system note for one item (app/services/system_notes/issuables_service.rb,
    `change_task_status`): its text with Markdown's punctuation escaped."""
    escaped = re.sub(r"([\\`*_{}\[\]()#+\-.!|<>=\"~])", r"\\\1", text)
    return f"marked the checklist item **{escaped}** as {'completed' if done else 'incomplete'}"
