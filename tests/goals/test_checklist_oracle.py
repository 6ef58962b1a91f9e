"""The GitHub dialect against cmark-gfm, GitHub's own renderer, as the oracle.

Both must render a checkbox for exactly the same items, in the same order. The checked state is
compared too, except where cmark-gfm's line-wide search applies: it marks an item done when
`[x]` or `[X]` appears anywhere on the item's line (`- [ ] see [x] later`), where `parse` reads
the box itself. https://github.com/github/cmark-gfm/blob/master/extensions/tasklist.c
"""

from __future__ import annotations

import json
import re

import cmarkgfm
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automation.goals import checklist
from automation.goals.checklist import Dialect, parse

# At least this many generated bodies per property; a profile that asks for more gets more
# (HYPOTHESIS_PROFILE=deep python -m pytest tests/goals/test_checklist_oracle.py).
_EXAMPLES = max(400, settings().max_examples)

_CHECKBOX = re.compile(r'<input type="checkbox"( checked="")? disabled="" />')
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def rendered_boxes(body: str) -> list[bool]:
    """The checkboxes cmark-gfm renders for `body`, in order: checked or not.

    Raw HTML in the body is omitted from the output (no CMARK_OPT_UNSAFE), so every checkbox
    in it comes from the tasklist extension.
    """
    html = cmarkgfm.github_flavored_markdown_to_html(body)
    return [bool(match.group(1)) for match in _CHECKBOX.finditer(html)]


def assert_matches_cmark_gfm(body: str) -> None:
    expected = rendered_boxes(body)
    steps = parse(body, Dialect.GITHUB).steps
    assert len(steps) == len(expected), body
    lines = _LINE_BREAK.split(body.replace("\x00", "\ufffd"))
    for step, checked in zip(steps, expected, strict=True):
        line = lines[step.line - 1]
        if not step.checked and ("[x]" in line or "[X]" in line):
            continue  # cmark-gfm's line-wide search; see the module docstring
        assert step.checked == checked, (body, step)


CORPUS = [
    # plain task lists
    "- [ ] a\n- [x] b\n- [X] c",
    "* [ ] a\n+ [x] b\n- [ ] c",
    "1. [ ] a\n2. [x] b\n3) [ ] c",
    "0. [ ] zero\n999999999) [x] nine digits",
    "1234567890. [ ] ten digits",
    "- [ ]",
    "- [ ] ",
    "- [ ]\t",
    "- [ ]\ta",
    "- [ ]\va",
    "- [ ]a",
    "- [  ] a",
    "- [-] a",
    "- [~] a",
    "- [\t] a",
    "- [x]: not a definition",
    "-[ ] a",
    "- [ ] a [x] b",
    "- [X] a [ ] b",
    "- [ ] - [ ] b",
    "- [ ] # heading text",
    "- [ ] > quote text",
    "- [ ] ```",
    # markers and spacing
    "-\t[ ] a",
    "-\v[ ] a",
    "-\f[ ] a",
    "*\t[x] a",
    "1.\t[ ] a",
    "-  [ ] a",
    "-    [ ] a",
    "-     [ ] a",
    "   - [ ] a",
    "    - [ ] a",
    "\t- [ ] a",
    " \t- [ ] a",
    "- [ ] a\n    - [ ] b",
    "- [ ] a\n     - [ ] b",
    "- a\n\t- [ ] b",
    "- a\n \t- [ ] b",
    "- a\n\t\t- [ ] b",
    " -\t\t[ ] a",
    "-\t  [ ] a",
    "> -\ta\n>\t  - [ ] b",
    # nesting, looseness, empty items
    "- a\n  - [ ] b\n    - [x] c\n      - [ ] d",
    "- [ ] a\n\n- [x] b\n\n\n- [ ] c",
    "- a\n\n  - [ ] b\n\n  text\n\n  - [x] c",
    "1. a\n   - [ ] b\n2. [x] c",
    "- - [ ] a",
    "- 1. [ ] a",
    "1. - [ ] a",
    "-\n  - [ ] a",
    "-\n\n  - [ ] a",
    "-   \n    - [ ] b",
    "- a\n-\n  - [ ] b",
    "1.\n   - [ ] a",
    "1.\n\n   - [ ] a",
    "* a\n\n2.\n   - [ ] b",
    "- " * 120 + "[ ] too deep",
    "".join("  " * i + "- [ ] x\n" for i in range(30)),
    # the line-wide marker scan
    "> - [ ] a",
    "> 1. [x] a",
    "  > - [ ] a",
    "- > - [ ] a",
    "> > - [ ] a\n> > - [x] b",
    "\ufeff- [ ] a",
    "\ufeff\ufeff- [ ] a",
    "a\n\ufeff- [ ] b",
    "- a\n\n  1x [x] b",
    "- a\n\n  12 [ ] b",
    "- a\n\n  +1 [ ] b",
    "- a\n\n  \v- [ ] b",
    "- a\n\n  9876543210) [x] b",
    "- [ ] a\n\n  1x [x] b",
    "- [ ] a\n\n      1x [x] b",
    "- a\n 1x [ ] b",
    "1x [ ] a",
    # paragraphs, interruption, lazy lines, headings
    "a\n- [ ] b",
    "a\n* [x] b",
    "a\n1. [ ] b",
    "a\n2. [ ] b",
    "a\n1) [ ] b",
    "a\n-\n- [ ] b",
    "a\n- \n- [ ] b",
    "- a\n[ ] b",
    "- a\n  [ ] b",
    "> - a\n- [ ] b",
    "> a\n- [ ] b",
    "- a\n> - [ ] b",
    "Title\n=====\n- [ ] a",
    "Title\n---\n2. [ ] a",
    "- [ ] a\n  ---",
    "- [ ] a\n  ===",
    "# Goals\n- [ ] a",
    "#Goals\n- [ ] a",
    "####### x\n2. [ ] a",
    "#\n2. [ ] a",
    "a\n# b\n2. [ ] c",
    "***\n2. [ ] a",
    "a\n***\n2. [ ] b",
    "- - -\n2. [ ] a",
    "* * *\n- [ ] a",
    "_ _ _ x\n2. [ ] a",
    "* " * 200 + "x\n- [ ] a",
    # code
    "```\n- [ ] a\n```\n- [ ] b",
    "~~~\n- [ ] a\n~~~\n- [ ] b",
    "```\n- [ ] a\n  ```\n- [ ] b",
    "```\n- [ ] a\n    ```\n- [ ] b",
    "````\n- [ ] a\n```\n- [ ] b",
    "``` a`b\n- [ ] a",
    "~~~ a`b\n- [ ] a\n~~~\n- [ ] c",
    "- ```\n  - [ ] a\n  ```\n- [ ] b",
    "> ```\n- [ ] a",
    " ```\n - [ ] a\n ```",
    "    code\n- [ ] a",
    "    code\n\n    - [ ] still code",
    "para\n    - [ ] lazy",
    "`- [ ] a`",
    "``\n- [ ] a\n``",
    # HTML blocks
    "<!-- x -->- [ ] a",
    "<!-- a -->\n- [ ] b",
    "<!-- x\n\n- [ ] a\n-->\n- [ ] b",
    "<div>\n- [ ] a\n\n- [ ] b",
    "<div\n- [ ] a",
    "<div/>x\n- [ ] a",
    "</div>\n- [ ] a",
    "<h1x>\n- [ ] a",
    "<details>\n\n- [ ] a\n\n</details>",
    "<a>\n- [ ] a\n\n- [ ] b",
    "x\n<a>\n- [ ] a",
    '<a href="x">\n2. [ ] a',
    '<a href="x" >\n- [ ] a\n\n- [ ] b',
    "<a href=x/>\n- [ ] a",
    "<a b =>\n- [ ] a",
    "<a b='c' d>\n- [ ] a\n\n- [ ] c",
    "</a >\n- [ ] a",
    "</a x>\n- [ ] a",
    "<a/>\v\n- [ ] a",
    "<a/>\f\n- [ ] a",
    "<a\fb>\n- [ ] a",
    "<a b=`c`>\n- [ ] a",
    "<A-1 _b:c.d-e>\n- [ ] a",
    "<del>\n- [ ] a",
    "p\n<del>\n2. [ ] a",
    "<search> x\n- [ ] a",
    "<source> x\n- [ ] a",
    "<textarea>\n- [ ] a\n\n- [ ] b",
    "<textarea x\n\n- [ ] a",
    "<TEXTAREA>\n\n- [ ] a</textarea>\n- [ ] b",
    "<script>\n- [ ] a</SCRIPT>\n- [ ] b",
    "<pre x\n\n- [ ] a",
    "<!doctype html>\n- [ ] a",
    "<!DOCTYPE html>\n- [ ] a",
    "<?php\n- [ ] a\n?>\n- [ ] b",
    "<![CDATA[\n- [ ] a\n]]>\n- [ ] b",
    "<![cdata[\n- [ ] a\n]]>\n- [ ] b",
    # escapes
    "\\- [ ] a",
    "- \\[ ] a",
    "- [\\ ] a",
    # tables
    "| a | b |\n|---|---|\n| - [ ] x | y |\n- [ ] z",
    "| a |\n|---|\n- [ ] b\n|c|",
    "| a |\n|---|\n    - [ ] b",
    "| a | b |\n|-|-|\n|x|\n- [ ] c",
    "| a |\n|---|\n2. [ ] x",
    "> | a |\n> |---|\n- [ ] b",
    "a\n:-\n2. [ ] x",
    "| a \\| b |\n|---|\n2. [ ] x",
    "| a \\| b |\n|---|---|\n2. [ ] x",
    "a|b\n-|-\nc\n2. [ ] x",
    "a|b\n-|-\n\v\n2. [ ] x",
    "a|b\n-|-\n|\n2. [ ] x",
    "a|b\n-|-\n|  |\n2. [ ] x",
    "x\na|b\n-|-\n2. [ ] x",
    "> a\nb|c\n-|-\n2. [ ] x",
    "- a\n  b|c\n  -|-\n  2. [ ] x",
    "a|b\n-|-|-\n2. [ ] x\n-|-",
    "|a|\n|:-:|\n2. [ ] x",
    "- [ ] | a |\n  |---|",
    "- [ ] a | b\n  --|--",
    # link reference definitions under a setext underline
    "[a]: /u\n===\n2. [ ] x",
    '[a]: /u\n"t"\n---\n2. [ ] x',
    "[a]: <b c>\n===\n2. [ ] x",
    "[a]:\n/u\n===\n2. [ ] x",
    '[a]: /u "t\n===\n2. [ ] x',
    '[a]: /u "t"x\n===\n2. [ ] x',
    "[a]: /u (t(x))\n===\n2. [ ] x",
    "[a]: /u 't\\'s'\n===\n2. [ ] x",
    "[ ]: /u\n===\n2. [ ] x",
    "[a]: (b\n===\n2. [ ] x",
    "[a]: \x01b\n===\n2. [ ] x",
    "[a]:/u\n[b]: /v\n===\n2. [ ] x",
    "[a]: /u\nfoo\n===\n2. [ ] x",
    "[a\\]]: /u\n===\n2. [ ] x",
    "[" + "a" * 1000 + "]: /u\n===\n2. [ ] x",
    "[" + "a" * 1001 + "]: /u\n===\n2. [ ] x",
    # line endings and odd characters
    "- [ ] a\r- [x] b\r\n- [ ] c",
    "- [ ] a\r\n\r\n- [x] b\r\n",
    "- [ ] a\n\r- [ ] b\r\r- [ ] c",
    "- [ ] a\u2028- [ ] b",
    "- [ ] a\x85- [ ] b",
    "- [ ] a\x1c- [ ] b",
    "- [ ] a\x00b",
    "\x00- [ ] a",
    "- [ ] é\n1é [ ] b",
    # a box read again on a later line of the item
    "- [ ] a\n  ---\n  1x [x] d",
    "- [ ] # h\n  ---\n  1x [x] d",
    "- [ ] a\n  - [x] b\n\n  1x [x] d",
    "- plain\n\n  ---\n  1x [x] d",
    "- [ ] a\n  ```\n  ```\n  1x [x] b",
    "-\n  1x [x] b",
]


def test_the_corpus_is_large() -> None:
    assert len(CORPUS) >= 100
    assert len(set(CORPUS)) == len(CORPUS)


@pytest.mark.parametrize("body", CORPUS)
def test_github_dialect_renders_the_checkboxes_cmark_gfm_renders(body: str) -> None:
    assert_matches_cmark_gfm(body)


_PREFIX = st.sampled_from(["", "", " ", "  ", "   ", "    ", "\t", " \t", "> ", ">", ">\t", "> > "])
_MARKER = st.sampled_from(
    ["", "- ", "* ", "+ ", "1. ", "1) ", "2. ", "10) ", "-", "1.", "- - ", "-\t", "-    ", "-     "]
)
_BOX = st.sampled_from(
    ["", "[ ] ", "[x] ", "[X] ", "[ ]", "[x]", "[~] ", "[\t] ", "[  ] ", "\\[ ] ", "[-] ", "[ ]\t"]
)
_TEXT = st.sampled_from(
    [
        "",
        "a",
        "step one",
        "see [x] later",
        "`code`",
        "# h",
        "> q",
        "- [ ] nested",
        "| a | b |",
        "<!-- c -->",
        "**b**",
        "x  ",
        "\\",
        "1x [ ] y",
    ]
)
_LEAF = st.sampled_from(
    [
        "```",
        "~~~",
        "````",
        "``` info",
        "<!--",
        "-->",
        "<div>",
        "</div>",
        "<pre>",
        "</pre>",
        '<a href="x">',
        "<span>",
        "---",
        "===",
        "***",
        "* * *",
        "# Goals",
        "## Goals",
        "### Goal by 2027-03-01",
        "|---|---|",
        "| a | b |",
        ":-",
        "[a]: /url",
        "",
        "   ",
        "\t",
    ]
)
_LINE = st.one_of(
    st.tuples(_PREFIX, _PREFIX, _MARKER, _BOX, _TEXT).map("".join),
    st.tuples(_PREFIX, _LEAF).map("".join),
)
_BODY = st.lists(
    st.tuples(_LINE, st.sampled_from(["\n", "\n", "\r\n", "\r", "\n\n"])), max_size=25
).map(lambda lines: "".join(text + end for text, end in lines))


@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_BODY)
def test_github_dialect_matches_cmark_gfm_on_generated_bodies(body: str) -> None:
    assert_matches_cmark_gfm(body)


@settings(max_examples=_EXAMPLES, deadline=None)
@given(st.text(st.sampled_from(list("- *+1.)[]xX~ \t>`<!/|:#=\\\n\r")), max_size=80))
def test_github_dialect_matches_cmark_gfm_on_markup_soup(body: str) -> None:
    assert_matches_cmark_gfm(body)


def test_quoted_task_items_render_no_checkbox_on_github() -> None:
    """cmark-gfm matches `marker box` from the start of the source line, so a `>` before the
    marker defeats it. github.com may render these differently; cmark-gfm is our GitHub oracle."""
    body = "> - [ ] quoted\n> 1. [x] quoted too\n\n- [ ] plain"
    assert rendered_boxes(body) == [False]
    assert parse(body, Dialect.GITHUB).total == 1
    assert parse(body, Dialect.GITLAB).total == 3


def test_checked_state_comes_from_the_box_not_from_the_rest_of_the_line() -> None:
    """The one documented divergence from cmark-gfm (and github.com) on an item's state."""
    body = "- [ ] see [x] later\n- [x] done"
    assert rendered_boxes(body) == [True, True]
    assert [step.checked for step in parse(body).steps] == [False, True]


GITLAB_DIVERGENCES = [
    # (body, checkboxes cmark-gfm renders, GitLab's (total, done))
    # GitLab renders `[~]` as an inapplicable task (struck through), left out of both counts
    ("- [~] a\n- [x] b", [True], (1, 1)),
    # GitLab counts a whitespace box as unchecked
    ("- [\t] a", [], (1, 0)),
    # GitLab reads the box from the item's first paragraph, so a marker need not start the line
    ("> - [ ] a", [], (1, 0)),
    ("> > 1. [x] a", [], (1, 1)),
    ("- - [ ] a", [], (1, 0)),
    ("-\n  [ ] a", [], (1, 0)),
    # ... and a later line of an item never sets its box
    ("- a\n\n  1x [x] b", [True], (0, 0)),
    # an item that starts with a heading or a table has no box on GitLab
    ("- [ ] a\n  ---", [False], (0, 0)),
    ("- [ ] a | b\n  --|--", [False], (0, 0)),
    # leading front matter is no markdown on GitLab
    ("---\n- [ ] a\n---\n- [x] b", [False, True], (1, 1)),
]


@pytest.mark.parametrize(("body", "github", "gitlab"), GITLAB_DIVERGENCES)
def test_gitlab_dialect_differs_from_cmark_gfm_where_gitlab_renders_differently(
    body: str, github: list[bool], gitlab: tuple[int, int]
) -> None:
    assert rendered_boxes(body) == github
    assert_matches_cmark_gfm(body)
    checklist = parse(body, Dialect.GITLAB)
    assert (checklist.total, checklist.done) == gitlab


@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.sampled_from(CORPUS), _BODY), st.sampled_from(list(Dialect)))
def test_a_checklist_kept_between_runs_reads_back_equal(body: str, dialect: Dialect) -> None:
    """What the observation cache keeps of a body (`to_record`, as JSON) is the parse."""
    parsed = checklist._parse(body, dialect)
    kept = json.loads(json.dumps(checklist.to_record(parsed)))
    assert checklist.from_record(kept) == parsed
