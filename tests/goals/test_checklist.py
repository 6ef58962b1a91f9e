"""Task items, goals and progress read from issue bodies, per forge dialect."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from automation.goals import checklist as checklist_module
from automation.goals.checklist import Checklist, Dialect, Goal, Step, parse, to_json

GITHUB, GITLAB = Dialect.GITHUB, Dialect.GITLAB
Task = tuple[str, bool, int]


def tasks(body: str, dialect: Dialect = GITHUB) -> list[Task]:
    return [(step.text, step.checked, step.line) for step in parse(body, dialect).steps]


def goals(body: str, dialect: Dialect = GITHUB) -> list[tuple[str, int, int, str | None]]:
    return [(g.title, g.done, g.total, g.due) for g in parse(body, dialect).goals]


def assert_consistent(checklist: Checklist) -> None:
    assert 0 <= checklist.done <= checklist.total == len(checklist.steps)
    assert checklist.done == sum(step.checked for step in checklist.steps)
    in_goals = [step for goal in checklist.goals + checklist.mentor_goals for step in goal.steps]
    assert checklist.total == len(in_goals) + len(checklist.outside)
    assert sorted(map(id, in_goals + list(checklist.outside))) == sorted(map(id, checklist.steps))


# --- which lines are task items (both dialects agree) -----------------------------------------

BOTH_DIALECTS = [
    ("- [ ] a\n- [x] b\n- [X] c", [("a", False, 1), ("b", True, 2), ("c", True, 3)]),
    ("* [ ] star\n\n+ [x] plus", [("star", False, 1), ("plus", True, 3)]),
    ("1. [ ] one\n2) [x] two", [("one", False, 1), ("two", True, 2)]),
    ("123456789. [ ] nine digits", [("nine digits", False, 1)]),
    ("1234567890. [ ] ten digits", []),
    ("- [ ]", []),
    ("- [ ] ", [("", False, 1)]),
    ("- [ ]\ttab after box", [("tab after box", False, 1)]),
    ("- [ ]a", []),
    ("- [  ] a", []),
    ("- [-] a", []),
    ("- [xx] a", []),
    ("-[ ] a", []),
    ("[ ] a", []),
    ("- [ ] see [x] later", [("see [x] later", False, 1)]),
    ("- [ ] # not a heading", [("# not a heading", False, 1)]),
    ("- [ ] - [ ] once", [("- [ ] once", False, 1)]),
    ("```\n- [ ] fenced\n```\n- [ ] after", [("after", False, 4)]),
    ("~~~\n- [ ] tilde\n~~~", []),
    ("````\n- [ ] a\n```\n- [ ] still code\n````", []),
    ("```\n- [ ] unclosed runs to the end", []),
    ("``` a`b\n- [ ] backtick info is no fence", [("backtick info is no fence", False, 2)]),
    ("    - [ ] indented code", []),
    ("\t- [ ] tab is indented code", []),
    ("para\n    - [ ] lazy, not code", []),
    ("- a\n\n      - [ ] code in an item", []),
    ("<!-- - [ ] hidden -->\n- [ ] shown", [("shown", False, 2)]),
    ("<!--\n- [ ] hidden\n\n- [ ] still hidden\n-->\n- [ ] shown", [("shown", False, 6)]),
    ("<div>\n- [ ] raw html\n\n- [ ] markdown again", [("markdown again", False, 4)]),
    ("<details>\n\n- [ ] inside details\n\n</details>", [("inside details", False, 3)]),
    ("<pre>\n- [ ] a\n\n- [ ] b\n</pre>\n- [ ] c", [("c", False, 6)]),
    ("text\n<span>\n- [ ] b", [("b", False, 3)]),
    ("<span>\n- [ ] type 7 runs to a blank line", []),
    ("`- [ ] inline code`", []),
    ("\\- [ ] escaped marker", []),
    ("- \\[ ] escaped bracket", []),
    ("| a | b |\n|---|---|\n| - [ ] cell | [x] |", []),
    ("| a |\n|---|\n- [ ] a list ends the table", [("a list ends the table", False, 3)]),
    ("| a |\n|---|\n    - [ ] code ends the table", []),
    ("- [ ] a\r\n- [x] b\r\n", [("a", False, 1), ("b", True, 2)]),
    ("- [ ] a\r- [x] b\r", [("a", False, 1), ("b", True, 2)]),
    ("- [ ] a\r\n\r- [x] b\n\r\n- [ ] c", [("a", False, 1), ("b", True, 3), ("c", False, 5)]),
    ("- [ ] a\u2028- [ ] b\x0c", [("a\u2028- [ ] b", False, 1)]),
    ("- [ ] a\x00b", [("a\ufffdb", False, 1)]),
    ("-\t[ ] tab after marker", [("tab after marker", False, 1)]),
    ("-    [ ] four spaces", [("four spaces", False, 1)]),
    ("-     [ ] five spaces make code", []),
    ("   - [ ] three spaces", [("three spaces", False, 1)]),
    ("- a\n  - [ ] nested\n    - [x] deeper", [("nested", False, 2), ("deeper", True, 3)]),
    ("- a\n\t- [ ] tab nested", [("tab nested", False, 2)]),
    ("- [ ] loose\n\n- [x] list", [("loose", False, 1), ("list", True, 3)]),
    ("- [ ] a\n\n  continued\n\n  - [ ] child", [("a", False, 1), ("child", False, 5)]),
    ("- a\n[ ] lazy line", []),
    ("- a\n  [ ] continuation", []),
    ("1. a\n   - [ ] under ordered", [("under ordered", False, 2)]),
    ("text\n- [ ] bullet interrupts", [("bullet interrupts", False, 2)]),
    ("text\n1. [ ] one interrupts", [("one interrupts", False, 2)]),
    ("text\n2. [ ] two does not", []),
    ("text\n-\n- [ ] setext", [("setext", False, 3)]),
    ("- a\n-\n  - [ ] empty item", [("empty item", False, 3)]),
    ("Title\n=====\n- [ ] after setext", [("after setext", False, 3)]),
    ("***\n- [ ] after rule", [("after rule", False, 2)]),
    ("- [ ]\n  - [ ] child of a non-task", [("child of a non-task", False, 2)]),
    ("\ufeff- [x] byte order mark", []),
]


@pytest.mark.parametrize(("body", "expected"), BOTH_DIALECTS)
@pytest.mark.parametrize("dialect", list(Dialect))
def test_task_items_are_what_the_forge_renders_as_checkboxes(
    body: str, expected: list[Task], dialect: Dialect
) -> None:
    if body.startswith("\ufeff"):
        expected = [] if dialect is GITHUB else [("byte order mark", True, 1)]
    assert tasks(body, dialect) == expected


# --- where the dialects differ ----------------------------------------------------------------

DIALECT_DIFFERENCES = [
    # GitLab: "[~]" is an inapplicable task, shown struck through and counted nowhere
    ("- [~] skipped\n- [x] done", [("done", True, 2)], [("done", True, 2)]),
    # GitLab counts whitespace in the box as unchecked
    ("- [\t] tab box", [], [("tab box", False, 1)]),
    # cmark-gfm (the GitHub oracle) scans the whole source line for "marker box": a box after a
    # quote marker or a second list marker is no task there; GitLab reads the item's paragraph
    ("> - [ ] quoted", [], [("quoted", False, 1)]),
    ("> 1. [x] quoted", [], [("quoted", True, 1)]),
    ("- - [ ] nested on one line", [], [("nested on one line", False, 1)]),
    ("-\n  [ ] box on the next line", [], [("box on the next line", False, 2)]),
    # cmark-gfm also takes a marker-and-box line continuing an earlier item as that item's box
    ("- a\n\n  1x [x] b", [("a", True, 3)], []),
    # GitLab: an item starting with a heading or a table is no task item
    ("- [ ] a\n  ---", [("a", False, 1)], []),
    ("- [ ] # h\n  ---", [("# h", False, 1)], []),  # on GitHub, `# h` follows the box: text
    ("- [ ] a\n  ---\n  1x [x] d", [("a", True, 3)], []),
    ("- [ ] a | b\n  --|--", [("a | b", False, 1)], []),
    # GitLab drops leading front matter before rendering
    (
        "---\ntitle: x\n- [ ] in front matter\n---\n- [ ] b",
        [("in front matter", False, 3), ("b", False, 5)],
        [("b", False, 5)],
    ),
    ("---\n- [ ] a\n---", [("a", False, 2)], []),
    ("+++\n- [ ] a\n+++\n- [ ] b", [("a", False, 2), ("b", False, 4)], [("b", False, 4)]),
]


@pytest.mark.parametrize(("body", "github", "gitlab"), DIALECT_DIFFERENCES)
def test_each_dialect_follows_its_forge(body: str, github: list[Task], gitlab: list[Task]) -> None:
    assert tasks(body, GITHUB) == github
    assert tasks(body, GITLAB) == gitlab


def test_inapplicable_items_can_still_title_a_goal_on_gitlab() -> None:
    body = "## Goals\n- [~] Dropped goal\n  - [x] step\n- [~] alone"
    assert goals(body, GITLAB) == [("Dropped goal", 1, 1, None)]
    assert parse(body, GITLAB).total == 1


# --- goals ------------------------------------------------------------------------------------

TEMPLATE = """\
# Mentorship

- [x] Kickoff call

## Goals

<!-- Each goal is a level-3 heading followed by its steps. -->

### Learn **Rust** by 2027-03-01

- [x] Read [the book](https://doc.rust-lang.org/book/)
- [ ] Write a `cli` tool ###

### Ship the feature ###
- [ ] Design
- [ ] Build
  - [x] nested steps count for the heading goal

## Notes

- [ ] not a goal step
"""


def test_each_level_three_heading_under_goals_is_a_goal_of_the_tasks_below_it() -> None:
    checklist = parse(TEMPLATE)
    assert goals(TEMPLATE) == [
        ("Learn Rust by 2027-03-01", 1, 2, "2027-03-01"),
        ("Ship the feature", 1, 3, None),
    ]
    assert [goal.line for goal in checklist.goals] == [9, 14]
    assert [step.text for step in checklist.outside] == ["Kickoff call", "not a goal step"]
    assert (checklist.done, checklist.total) == (3, 7)
    assert_consistent(checklist)


@pytest.mark.parametrize(
    "heading",
    ["## Goals", "## goals", "##   GOALS  ##", "Goals\n-----", "## **Goals**", "## `Goals`"],
)
def test_the_goals_section_starts_at_any_level_two_goals_heading(heading: str) -> None:
    assert goals(f"{heading}\n### A\n- [ ] s") == [("A", 0, 1, None)]


@pytest.mark.parametrize(
    "heading", ["# Goals", "### Goals", "## Goals and more", "> ## Goals", "- ## Goals"]
)
def test_other_headings_do_not_start_a_goals_section(heading: str) -> None:
    assert goals(f"{heading}\n\n- [ ] s\n  - [ ] t") == []


@pytest.mark.parametrize(
    "heading", ["## Mentor's goals", "## Mentor\u2019s Goals", "## mentor goals"]
)
def test_the_mentors_goals_are_read_apart_from_the_mentees(heading: str) -> None:
    body = (
        f"## Goals\n### A\n- [x] s\n\n{heading}\n### Coach\n- [ ] t\n- [x] u\n\n## Notes\n- [ ] v"
    )
    checklist = parse(body)
    assert [(g.title, g.done, g.total) for g in checklist.goals] == [("A", 1, 1)]
    assert [(g.title, g.done, g.total) for g in checklist.mentor_goals] == [("Coach", 1, 2)]
    assert [step.text for step in checklist.outside] == ["v"]
    assert_consistent(checklist)


@pytest.mark.parametrize("ending", ["## Notes", "# Next", "Notes\n-----", "Notes\n====="])
def test_the_goals_section_ends_at_the_next_heading_of_level_two_or_less(ending: str) -> None:
    body = f"## Goals\n### A\n- [ ] s\n\n{ending}\n### B\n- [ ] t"
    assert goals(body) == [("A", 0, 1, None)]
    assert [step.text for step in parse(body).outside] == ["t"]


def test_an_underlined_title_right_after_a_list_item_is_item_text_not_a_heading() -> None:
    body = "## Goals\n### A\n- [ ] s\nNotes\n-----\n### B\n- [ ] t"
    # "Notes" continues the item's paragraph (a lazy line), then `-----` is a rule: B is a goal
    assert goals(body) == [("A", 0, 1, None), ("B", 0, 1, None)]


def test_tasks_before_the_first_goal_heading_belong_to_no_goal() -> None:
    body = "## Goals\n- [ ] stray\n### A\n- [x] s"
    checklist = parse(body)
    assert goals(body) == [("A", 1, 1, None)]
    assert [step.text for step in checklist.outside] == ["stray"]


def test_a_goal_heading_without_tasks_is_a_goal_with_no_steps() -> None:
    assert goals("## Goals\n### Someday\n### Now\n- [ ] s") == [
        ("Someday", 0, 0, None),
        ("Now", 0, 1, None),
    ]


def test_every_goals_section_contributes_goals() -> None:
    body = "## Goals\n### A\n- [ ] a\n## Other\n- [ ] x\n## Goals\n### B\n- [x] b"
    assert goals(body) == [("A", 0, 1, None), ("B", 1, 1, None)]


def test_each_goals_section_keeps_its_own_steps_whatever_the_goal_style() -> None:
    body = (
        "## Goals\n- [ ] G1\n  - [x] s1\n## Goals\n### H\n- [ ] s2\n- [x] s3\n## Goals\n- [x] G2\n"
    )
    assert goals(body) == [("G1", 1, 1, None), ("H", 1, 2, None), ("G2", 1, 1, None)]


ITEM_GOALS = """\
## Goals
- [ ] Learn Rust by 2027-03-01
  - [x] read
  - [ ] write
    - [x] deeper steps belong to the outermost item
- [x] A one-step goal
- Plain item with steps
  1. [ ] step
- Plain item without steps is no goal
- [ ] Another goal
"""


def test_without_goal_headings_each_outermost_list_item_is_a_goal() -> None:
    checklist = parse(ITEM_GOALS)
    assert goals(ITEM_GOALS) == [
        ("Learn Rust by 2027-03-01", 2, 3, "2027-03-01"),
        ("A one-step goal", 1, 1, None),
        ("Plain item with steps", 0, 1, None),
        ("Another goal", 0, 1, None),
    ]
    assert [goal.line for goal in checklist.goals] == [2, 6, 7, 10]
    # the box of a goal with nested steps is counted by the forge, but is none of its steps
    assert [step.text for step in checklist.outside] == ["Learn Rust by 2027-03-01"]
    assert (checklist.done, checklist.total) == (3, 7)
    assert_consistent(checklist)


def test_an_item_goal_in_a_quote_is_a_goal_where_the_forge_counts_it() -> None:
    body = "## Goals\n> - [ ] Quoted goal\n>   - [x] step"
    assert goals(body, GITLAB) == [("Quoted goal", 1, 1, None)]
    assert goals(body, GITHUB) == []  # no line starts with its list marker: no task at all


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("**Bold** and __strong__ and *em* and _em_", "Bold and strong and em and em"),
        ("`code` and ``more``", "code and more"),
        ("[link text](https://example.com) and ![img](x.png)", "link text and img"),
        ("[ref][1] and <https://example.com>", "ref and https://example.com"),
        ("snake_case_name stays", "snake_case_name stays"),
        ("2 * 3 and a - b", "2 * 3 and a - b"),
        ("\\*literal\\* stars", "*literal* stars"),
        ("~~struck~~ text", "struck text"),
        ("Closing hashes ##", "Closing hashes"),
        ("C# is kept", "C# is kept"),
        ("  spaced   out  ", "spaced out"),
    ],
)
def test_goal_titles_drop_markdown_decoration(title: str, expected: str) -> None:
    assert goals(f"## Goals\n### {title}\n- [ ] s")[0][0] == expected


@pytest.mark.parametrize(
    ("title", "due"),
    [
        ("Ship by 2027-03-01", "2027-03-01"),
        ("Ship due 2027-03-01", "2027-03-01"),
        ("Ship, due: 2027-03-01", "2027-03-01"),
        ("Ship BY 2027-03-01", "2027-03-01"),
        ("Ship (2027-03-01)", "2027-03-01"),
        ("Ship by **2027-03-01**", "2027-03-01"),
        ("Ship by 2027-02-30", None),
        ("Ship by 2027-13-01", None),
        ("Ship by 2027-02-30, due 2027-03-01", "2027-03-01"),
        ("Ship on 2027-03-01", None),
        ("Ship by 2027-03-011", None),
        ("Shipby 2027-03-01", None),
        ("Ship by \uff12\uff10\uff12\uff17-03-01", None),  # fullwidth digits
        ("Ship", None),
    ],
)
def test_a_due_date_in_a_goal_title_is_read_as_an_iso_date(title: str, due: str | None) -> None:
    assert goals(f"## Goals\n### {title}\n- [ ] s")[0][3] == due


def test_headings_nested_in_containers_do_not_split_goals() -> None:
    body = "## Goals\n### A\n- [ ] a\n\n  ### not a goal\n- [ ] b\n> ### quoted\n- [ ] c"
    assert goals(body) == [("A", 0, 3, None)]


def test_goal_step_text_is_the_raw_first_line_of_the_item() -> None:
    body = "## Goals\n### A\n- [x] **bold** [link](u)\n  more text\n- [ ] \n  next line"
    assert [(s.text, s.checked) for s in parse(body).goals[0].steps] == [
        ("**bold** [link](u)", True),
        ("next line", False),
    ]


# --- JSON -------------------------------------------------------------------------------------


def test_to_json_gives_progress_numbers_only() -> None:
    payload = to_json(parse(TEMPLATE))
    assert payload == {
        "done": 3,
        "total": 7,
        "goals": [
            {"title": "Learn Rust by 2027-03-01", "done": 1, "total": 2, "due": "2027-03-01"},
            {"title": "Ship the feature", "done": 1, "total": 3, "due": None},
        ],
        "mentor_goals": [],
    }
    assert json.loads(json.dumps(payload)) == payload


def test_to_json_of_an_empty_body() -> None:
    assert to_json(parse("")) == {"done": 0, "total": 0, "goals": [], "mentor_goals": []}


def test_the_value_objects_are_frozen_and_keep_their_positional_fields() -> None:
    step = Step("s", True, 3)
    goal = Goal("g", (step,), "2027-01-01")
    checklist = Checklist(1, 1, (goal,), (step,))
    assert (goal.done, goal.total, goal.line, checklist.outside) == (1, 1, 0, ())
    with pytest.raises(AttributeError):
        step.checked = False  # type: ignore[misc]


# --- robustness -------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=())), st.sampled_from(list(Dialect)))
def test_any_text_parses_consistently(body: str, dialect: Dialect) -> None:
    assert_consistent(parse(body, dialect))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(list(Dialect)))
def test_binary_garbage_parses_consistently(data: bytes, dialect: Dialect) -> None:
    assert_consistent(parse(data.decode("latin-1"), dialect))


_MARKDOWNISH = st.lists(
    st.sampled_from(
        [
            "- ",
            "* ",
            "1. ",
            "[ ] ",
            "[x] ",
            "[~] ",
            "> ",
            "  ",
            "\t",
            "```",
            "<!--",
            "-->",
            "## Goals",
            "### G by 2027-01-01",
            "---",
            "|a|",
            "|-|",
            "x",
            "\n",
            "\r\n",
            "\r",
        ]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_MARKDOWNISH, st.sampled_from(list(Dialect)))
def test_markdown_like_text_parses_consistently(body: str, dialect: Dialect) -> None:
    assert_consistent(parse(body, dialect))


@pytest.mark.parametrize(
    "body",
    [
        "",
        "\n",
        "\r\n\r\n",
        "\ud800- [ ] lone surrogates \udfff",
        "- [ ] \udc80",
        "\x00" * 100,
        "\ufeff",
        "[" * 5000,
        "<" * 5000,
        "`" * 5000,
        "> " * 10_000 + "- [ ] deep",
        "- " * 10_000 + "[ ] deep",
        "".join("  " * i + "- [ ] x\n" for i in range(2000)),
        ">" * 10_000 + "\n" + ">" * 10_000 + "\n\n" * 100,
        "[a]: <" + "\\" * 10_000,
        "[a]: /u '" + "\\!" * 10_000 + "\n===",
    ],
    ids=lambda body: f"{len(body)}-chars-{body[:12]!r}",
)
@pytest.mark.parametrize("dialect", list(Dialect))
def test_hostile_bodies_parse_without_error(body: str, dialect: Dialect) -> None:
    assert_consistent(parse(body, dialect))


def test_a_megabyte_body_parses() -> None:
    goal = "### Goal by 2027-03-01\r\n\r\n- [x] one\r\n- [ ] two\r\n  - [ ] three\r\n\r\n"
    body = "## Goals\r\n\r\n" + goal * (1_000_000 // len(goal))
    checklist = parse(body)
    assert checklist.total == 3 * (1_000_000 // len(goal))
    assert len(checklist.goals) == 1_000_000 // len(goal)
    assert_consistent(checklist)


# Bodies that would make a careless parser quadratic. Their cost is measured where time
# can be measured honestly, in `bench/bench_checklist.py` (throughput and growth with size);
# here they only have to parse, consistently.
PATHOLOGICAL = {
    "blank lines under deep nesting": lambda n: (
        "".join(" " * i + "- a\n" for i in range(0, 400, 2)) + "\n" * n
    ),
    "nested quotes": lambda n: ">" * n,
    "quoted lines": lambda n: ("> " * 50 + "- [ ] a\n") * (n // 100),
    "lazy lines under deep nesting": lambda n: (
        "".join(" " * i + "- a\n" for i in range(0, 400, 2)) + "b\n" * (n // 2)
    ),
    "thematic-break-like markers": lambda n: "* " * (n // 2) + "x",
    "list markers per line": lambda n: ("- " * 150 + "[ ] a\n") * (n // 300),
    "long table": lambda n: "| a |\n|---|\n" + "| - [ ] x |\n" * (n // 12),
    "link title escapes": lambda n: "[a]: /u '" + "\\!" * (n // 2) + "\n===",
}


@pytest.mark.parametrize("make", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_bodies_parse_consistently(make: Callable[[int], str]) -> None:
    for dialect in Dialect:
        assert_consistent(parse(make(100_000), dialect))


# --- the engine -------------------------------------------------------------------------------


def test_the_installed_engine_is_read_through_its_node_fields() -> None:
    """The fast reading of cmark-gfm's tree: if a new cmarkgfm changes its node layout, the
    parser falls back to the library's getters (slower, the same answers) and this fails."""
    assert checklist_module._engine().node is checklist_module._FIELDS


def test_node_fields_and_the_engines_getters_read_the_same_checklists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bodies = [TEMPLATE, ITEM_GOALS, *(body for body, _ in BOTH_DIALECTS)]
    bodies += [body for body, _, _ in DIALECT_DIFFERENCES]
    by_fields = [parse(body, dialect) for body in bodies for dialect in Dialect]
    engine = checklist_module._engine()
    getters = engine._replace(node=checklist_module._getters(engine.lib))
    monkeypatch.setattr(checklist_module, "_engine", lambda: getters)
    assert [parse(body, dialect) for body in bodies for dialect in Dialect] == by_fields


def test_a_body_read_in_an_earlier_run_is_not_parsed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = (
        "- [x] coffee chat\n\n## Goals\n\n### Ship it by 2026-03-01\n\n- [x] plan\n- [ ] build\n\n"
        "## Mentor's goals\n\n### Listen better\n\n- [ ] ask first\n"
    )
    earlier = parse(body, Dialect.GITLAB)
    kept = {checklist_module.body_key(body, Dialect.GITLAB): checklist_module.to_record(earlier)}
    assert set(kept) <= set(checklist_module.remembered())  # what this run keeps for the next
    monkeypatch.setattr(checklist_module, "_READ", {})
    monkeypatch.setattr(checklist_module, "_RECORDS", {})

    def no_parser(body: str, dialect: Dialect) -> Checklist:
        raise AssertionError("parsed again")

    monkeypatch.setattr(checklist_module, "_parse", no_parser)
    checklist_module.remember(json.loads(json.dumps(kept)))
    assert parse(body, Dialect.GITLAB) == earlier
    assert (earlier.goals[0].done, earlier.mentor_goals[0].total, len(earlier.outside)) == (1, 1, 1)
    assert parse(body, Dialect.GITLAB).fingerprint == earlier.fingerprint  # kept, not redone


def test_a_record_kept_in_another_shape_is_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    body = "## Goals\n\n### Ship it\n\n- [x] plan\n- [ ] build\n"
    first = parse(body, Dialect.GITHUB)
    record = checklist_module.to_record(first)
    monkeypatch.setattr(checklist_module, "_READ", {})
    monkeypatch.setattr(checklist_module, "_RECORDS", {})
    # As a version that kept no signature wrote it: six values instead of seven.
    checklist_module.remember({checklist_module.body_key(body, Dialect.GITHUB): record[:6]})
    again = parse(body, Dialect.GITHUB)
    assert again == first
    assert again is not first
    assert again.fingerprint == first.fingerprint != ""
    # kept for the next run as this version writes it, not in the shape it was found
    assert checklist_module.remembered()[checklist_module.body_key(body, Dialect.GITHUB)] == record
