"""People's words quoted by the bot are inert: they mention nobody, reference nothing, run
no quick action and break none of the bot's Markdown, whatever they say."""

from __future__ import annotations

import re
from datetime import timedelta

import cmarkgfm
from hypothesis import example, given, settings
from hypothesis import strategies as st

from automation.lifecycle.actions import EditComment, OpenIssue, PostComment
from automation.messages.markdown import _RULES, ZWSP, inert, spreadsheet_cell, visible
from tests.lifecycle.rules.world import PAIR, START, issue, pairing_issue, plan_on, program

# A mention or a reference that GitHub's or GitLab's filters would act on.
LIVE = re.compile(r"(?<![\w\u200b])[@#!~%$&](?=[\w\"&#\[.-])")
# Bidi controls (embeddings, overrides, isolates, marks) and zero-width characters.
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
INVISIBLE = re.compile(f"[{BIDI}{ZERO_WIDTH}]")
HOSTILE = st.lists(
    st.sampled_from(
        [*"@#!~%$&/<>|`\\:[]()*_-abcAB01 \n\t\r", *BIDI, *ZERO_WIDTH, "://", "<!--", "all"]
    ),
    max_size=30,
).map("".join)


def test_mentions_references_and_markup_are_quoted_as_text() -> None:
    assert (
        inert("Learn X @all @carol by 2026-03-01")
        == f"Learn X @{ZWSP}all @{ZWSP}carol by 2026-03-01"
    )
    assert inert("closes #12, !3, ~bug, %v1, $7, &4") == (
        f"closes #{ZWSP}12, !{ZWSP}3, ~{ZWSP}bug, %{ZWSP}v1, ${ZWSP}7, &{ZWSP}4"
    )
    assert inert("/close\n/label ~x") == f"{ZWSP}/close /label ~{ZWSP}x"
    assert inert("a <!-- hidden | `code`") == f"a <{ZWSP}!{ZWSP}-- hidden \\| \\`code\\`"
    assert inert("&#64;all") == f"&{ZWSP}#{ZWSP}64;all"
    # An "@" after a letter mentions nobody: an e-mail address stays one.
    assert inert("mail a.b@acme.example") == "mail a.b@acme.example"
    assert inert("(@bob)") == f"(@{ZWSP}bob)"
    # A sigil at the end: what the bot writes next ("." after a goal's title) stays apart.
    assert inert("Goal @") == f"Goal @{ZWSP}"
    assert (
        inert("https://gitlab.com/acme/x/-/issues/3")
        == f"https:{ZWSP}//gitlab.com/acme/x/-/issues/3"
    )


@settings(max_examples=400, deadline=None)
@given(HOSTILE)
def test_quoted_text_has_nothing_live_and_quoting_it_again_changes_nothing(text: str) -> None:
    quoted = inert(text)
    assert LIVE.search(quoted) is None
    assert "\n" not in quoted
    assert "\r" not in quoted
    assert not quoted.startswith("/")
    assert re.search(r"<[A-Za-z!/?]", quoted) is None
    assert re.search(r"(?<!\\)[|`]", quoted) is None
    # No zero-width character but the spaces after a sigil the quoting puts there.
    assert INVISIBLE.search(quoted.replace(ZWSP, "")) is None
    assert inert(quoted) == quoted


def test_direction_controls_and_zero_width_characters_are_dropped() -> None:
    # An unbalanced right-to-left override would turn the bot's own words after it around.
    assert inert("Learn \u202eog\u202c Go") == "Learn og Go"
    assert inert("Ship \u2067it\u2069 \u200ftoday\u200e\u061c") == "Ship it today"
    assert inert("A\u200bB\u200cC\u200dD\u2060E\ufeff") == "ABCDE"
    # A zero-width character hid a sigil from the rules: the sigil is quoted all the same.
    assert inert("@\u200d\u200ball") == f"@{ZWSP}all"
    assert inert("\u200b/close") == f"{ZWSP}/close"
    assert inert("\u202e \n/close") == f"{ZWSP}/close"
    assert visible("Ship \u202eit\u202c\u200b") == "Ship it"


@given(HOSTILE)
def test_visible_text_has_no_direction_control_or_zero_width_character(text: str) -> None:
    assert INVISIBLE.search(visible(text)) is None


@settings(max_examples=200, deadline=None)
@given(HOSTILE)
def test_text_that_skips_the_rules_is_what_every_rule_would_leave(text: str) -> None:
    # Plain text is returned as it is: the same words as running it through each rule.
    out = text.strip()
    for pattern, replacement in _RULES:
        out = pattern.sub(replacement, out)
    assert inert(text) == out


@given(HOSTILE)
@example("\\\\``")  # a backslash written out (two) before backticks: they are still live
@example("\\\\|x")
def test_quoted_text_renders_as_one_paragraph_without_html(text: str) -> None:
    html = cmarkgfm.github_flavored_markdown_to_html(f"Goal: {inert(text)} (done)")
    assert html.count("<p>") == 1
    assert re.search(r"<(?!/?(p|em|strong|del|a)\b)[a-z]", html) is None
    assert "(done)</p>" in html


GOALS = """## Goals

### {title} by 2026-03-01

- [x] {step}
- [x] Second step
"""


@settings(max_examples=60, deadline=None)
@given(title=HOSTILE.filter(str.strip), step=HOSTILE.filter(str.strip))
def test_no_text_the_bot_writes_mentions_anyone_from_a_goal(title: str, step: str) -> None:
    roster = program(progress="comment: true, pace_label: true, celebrate: true, goal_nudge: true")
    body = GOALS.format(title=title.replace("\n", " "), step=step.replace("\n", " "))
    items = f"## Action items\n\n- [ ] {step.replace(chr(10), ' ')}\n"
    carried = issue(50, f"pair/{PAIR}/checkin/2", labels=("mentorship-check-in",), body=items)
    issues = [pairing_issue(body=body), carried]
    # The first week (progress, celebrations, the goal nudge), then check-in 3 carrying
    # check-in 2's open item.
    actions = plan_on(START + timedelta(days=8), issues, roster=roster)
    actions += plan_on(START + timedelta(days=28), issues, roster=roster)
    texts = [
        a.draft.body if isinstance(a, OpenIssue) else a.body
        for a in actions
        if isinstance(a, OpenIssue | PostComment | EditComment)
    ]
    assert texts
    for text in texts:
        mentioned = set(re.findall(r"(?<![\w\u200b])@([\w.-]+)", text))
        assert mentioned <= {"bob", "alice"}, text
        assert re.search(f"[{BIDI}]", text) is None, text


def test_a_csv_cell_that_a_spreadsheet_would_run_is_kept_as_text() -> None:
    formulas = ['=HYPERLINK("https://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    assert [spreadsheet_cell(f) for f in formulas] == [f"'{f}" for f in formulas]
    # Anything else is shown as written: a formula sign later in the cell runs nothing.
    assert [spreadsheet_cell(t) for t in ("go; k8s", "a=b", "", "C++")] == [
        "go; k8s",
        "a=b",
        "",
        "C++",
    ]


def test_control_characters_are_dropped_so_no_terminal_runs_them() -> None:
    text = "Go\x1b[2J\x1b]0;t\x07\x9b1m\x00\rx"
    assert visible(text) == "Go[2J]0;t1mx"
    assert inert(text) == "Go\\[2J]0;t1mx"
    assert visible("two\nlines\tand a tab") == "two\nlines\tand a tab"


def test_a_link_in_quoted_text_is_not_live() -> None:
    for link in ("[Re-authenticate](//evil.example/sso)", "[x](http:evil)", "[x][1]"):
        quoted = inert(link)
        assert quoted.startswith("\\[")
        html = cmarkgfm.github_flavored_markdown_to_html(f"Done: {quoted} (see above)")
        assert "<a" not in html
