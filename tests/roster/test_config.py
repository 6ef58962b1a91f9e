from __future__ import annotations

import gc
import textwrap
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from automation.roster.checks import cross_check
from automation.roster.config import (
    Program,
    Settings,
    add_months,
    load_program,
    parse_program,
    program_today,
)
from automation.roster.source import ConfigError, _FastLoader, read_yaml

ROOT = Path(__file__).resolve().parents[2]

HEAD = """\
forge:
  kind: gitlab
  project: acme/mentoring
people:
  - handle: alice
    roles: [mentor]
  - handle: bob
    roles: [mentee]
  - handle: carol
    roles: [mentor, mentee]
"""


def errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_program(textwrap.dedent(text), Path("program.yml"))
    return list(caught.value.lines)


def program(text: str) -> Program:
    return parse_program(textwrap.dedent(text), Path("program.yml"))


def test_example_roster_loads_with_defaults_filled_in() -> None:
    loaded = load_program(ROOT / "program.example.yml")
    assert loaded.forge.kind == "gitlab"
    assert loaded.program.term_months == 6
    assert loaded.program.soft_limit == 2
    assert loaded.pairings[0].id == "alice--carol--2026-09-07"


def test_defaults_follow_the_programs_rules() -> None:
    loaded = program(HEAD)
    rules = loaded.program
    assert (rules.term_months, rules.checkin_every_days, rules.ending_soon_days) == (6, 14, 14)
    assert (rules.stale.nudge_days, rules.stale.stalled_days) == (14, 28)
    assert (rules.soft_limit, rules.label_prefix, rules.timezone) == (2, "mentorship", "UTC")
    assert rules.confidential is True
    assert loaded.forge.base_url == "https://gitlab.com"
    assert loaded.forge.token_variable == "GITLAB_TOKEN"


def test_missing_file_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_program(tmp_path / "program.yml")
    assert str(caught.value) == (
        f"{tmp_path / 'program.yml'}: no such file; `mentorship init` writes a new program "
        "repository with one, or pass --config to name another"
    )


def test_yaml_syntax_error_names_the_line() -> None:
    assert errors("forge:\n  kind: gitlab\n project: x\n") == [
        "program.yml:3: invalid YAML: expected <block end>, but found '<block mapping start>'; "
        "check indentation and quoting"
    ]


def test_top_level_must_be_a_mapping() -> None:
    assert errors("- just\n- a list\n") == [
        "program.yml:1: expected a mapping with forge:, people: and pairings: at the top"
    ]


def test_duplicate_keys_are_errors_not_silently_overridden() -> None:
    assert errors("forge:\n  kind: gitlab\n  project: a/b\n  kind: github\n") == [
        "program.yml:4: forge.kind: duplicate key; keep one of them"
    ]


def test_unknown_field_suggests_the_close_one() -> None:
    assert errors(
        HEAD + "pairings:\n  - mentor: alice\n    mentee: bob\n    strat: 2026-01-05\n"
    ) == [
        "program.yml:12: pairings[0].start: required; add it",
        "program.yml:14: pairings[0].strat: unknown field; did you mean 'start'?",
    ]


def test_missing_forge_is_required() -> None:
    assert errors("people: []\n") == ["program.yml:1: forge: required; add it"]


def test_a_forge_reached_over_plain_http_is_refused_unless_on_this_machine() -> None:
    plain = HEAD.replace(
        "  project: acme/mentoring\n", "  project: acme/mentoring\n  url: http://gitlab.corp\n"
    )
    [problem] = errors(plain)
    assert problem.startswith("program.yml:1: forge: url 'http://gitlab.corp': the token would ")
    assert "use https://" in problem
    for fine in ("https://gitlab.corp", "http://127.0.0.1:8929", "http://localhost:3000"):
        program(
            HEAD.replace(
                "  project: acme/mentoring\n", f"  project: acme/mentoring\n  url: {fine}\n"
            )
        )


def test_impossible_date_names_file_line_and_format() -> None:
    text = HEAD + "pairings:\n  - mentor: alice\n    mentee: bob\n    start: 2026-13-01\n"
    assert errors(text) == [
        "program.yml:14: pairings[0].start: invalid date '2026-13-01' "
        "(month must be in 1..12); write it as YYYY-MM-DD"
    ]


def test_date_that_is_not_a_date() -> None:
    text = HEAD + "pairings:\n  - mentor: alice\n    mentee: bob\n    start: next monday\n"
    assert errors(text) == [
        "program.yml:14: pairings[0].start: invalid date 'next monday'; write it as YYYY-MM-DD"
    ]


def test_a_date_no_program_reaches_is_an_error_not_an_overflow_later() -> None:
    # `extended_until: 9999-12-31` as "open-ended" passed, then planning and the report
    # overflowed working out the dates after it.
    pairing = "pairings:\n  - mentor: alice\n    mentee: bob\n    start: 2026-01-05\n"
    assert errors(HEAD + pairing + "    extended_until: 9999-12-31\n    extension_reason: x\n") == [
        "program.yml:15: pairings[0].extended_until: 9999-12-31 is out of range; program dates "
        "lie between 1970 and 2199 (to leave a term open, extend it again when its end is near)"
    ]
    assert "out of range" in errors(HEAD + pairing.replace("2026-01-05", "1969-12-31"))[0]
    assert program(HEAD + pairing.replace("2026-01-05", "2199-01-04")).pairings[0].end(
        Settings()
    ) == date(2199, 7, 4)


@pytest.mark.parametrize(
    "setting",
    ["checkin_every_days: 93", "ending_soon_days: 100000", "stale: {nudge_days: 367}"],
)
def test_day_counts_beyond_what_a_program_means_are_refused(setting: str) -> None:
    [error] = errors(f"program: {{{setting}}}\n" + HEAD)
    assert error.startswith("program.yml:1: program.")
    assert "less than or equal to" in error


def test_unknown_handle_suggests_the_close_one() -> None:
    text = HEAD + "pairings:\n  - mentor: alise\n    mentee: bob\n    start: 2026-01-05\n"
    assert errors(text) == [
        "program.yml:12: pairings[0].mentor: unknown person 'alise'; did you mean 'alice'?"
    ]


def test_unknown_handle_without_a_close_one_says_add_them() -> None:
    text = HEAD + "pairings:\n  - mentor: alice\n    mentee: zed\n    start: 2026-01-05\n"
    assert errors(text) == [
        "program.yml:13: pairings[0].mentee: unknown person 'zed'; add them to people:"
    ]


def test_person_paired_with_themselves() -> None:
    text = HEAD + "pairings:\n  - mentor: carol\n    mentee: carol\n    start: 2026-01-05\n"
    assert errors(text) == [
        "program.yml:12: pairings[0]: carol cannot mentor themselves; pair them with someone else"
    ]


def test_person_paired_with_themselves_in_another_case() -> None:
    text = HEAD + "pairings:\n  - mentor: Carol\n    mentee: carol\n    start: 2026-01-05\n"
    assert errors(text) == [
        "program.yml:12: pairings[0].mentor: 'Carol' is written 'carol' in people:; write a "
        "handle the same way everywhere in program.yml",
        "program.yml:12: pairings[0]: Carol cannot mentor themselves; pair them with someone else",
    ]


def test_a_pairing_naming_a_person_in_another_case_says_how_people_write_it() -> None:
    text = HEAD + "pairings:\n  - mentor: ALICE\n    mentee: bob\n    start: 2026-01-05\n"
    assert errors(text) == [
        "program.yml:12: pairings[0].mentor: 'ALICE' is written 'alice' in people:; write a "
        "handle the same way everywhere in program.yml"
    ]


def test_role_must_match_the_slot() -> None:
    text = HEAD + "pairings:\n  - mentor: bob\n    mentee: alice\n    start: 2026-01-05\n"
    assert errors(text) == [
        "program.yml:12: pairings[0].mentor: bob is not a mentor; "
        "add mentor to their roles in people:",
        "program.yml:13: pairings[0].mentee: alice is not a mentee; "
        "add mentee to their roles in people:",
    ]


def test_overlapping_pairings_of_the_same_pair() -> None:
    text = HEAD + textwrap.dedent("""\
        pairings:
          - mentor: alice
            mentee: bob
            start: 2026-01-05
          - mentor: alice
            mentee: carol
            start: 2026-02-01
          - mentor: alice
            mentee: bob
            start: 2026-05-01
        """)
    assert errors(text) == [
        "program.yml:18: pairings[2]: overlaps pairings[0] (alice mentoring bob, "
        "2026-01-05 to 2026-07-05); start the new term after the old one ends"
    ]


def test_consecutive_terms_of_the_same_pair_are_fine() -> None:
    text = HEAD + textwrap.dedent("""\
        pairings:
          - mentor: alice
            mentee: bob
            start: 2026-01-05
          - mentor: alice
            mentee: bob
            start: 2026-07-05
        """)
    assert len(program(text).pairings) == 2


def test_extension_needs_a_reason() -> None:
    text = HEAD + textwrap.dedent("""\
        pairings:
          - mentor: alice
            mentee: bob
            start: 2026-01-05
            extended_until: 2026-09-01
        """)
    assert errors(text) == [
        "program.yml:15: pairings[0].extended_until: an extension needs a reason; "
        "add extension_reason: to this pairing"
    ]


def test_extension_must_move_the_end_later() -> None:
    text = HEAD + textwrap.dedent("""\
        pairings:
          - mentor: alice
            mentee: bob
            start: 2026-01-05
            extended_until: 2026-06-01
            extension_reason: more time
        """)
    assert errors(text) == [
        "program.yml:15: pairings[0].extended_until: 2026-06-01 is not after the planned end "
        "2026-07-05; an extension moves the end later"
    ]


def test_early_end_needs_a_reason_and_a_sane_date() -> None:
    text = HEAD + textwrap.dedent("""\
        pairings:
          - mentor: alice
            mentee: bob
            start: 2026-01-05
            ended: 2026-01-01
        """)
    assert errors(text) == [
        "program.yml:15: pairings[0].ended: an early end needs a reason; "
        "add ended_reason: to this pairing",
        "program.yml:15: pairings[0].ended: 2026-01-01 is before the start 2026-01-05; "
        "fix one of the dates",
    ]


def test_reason_without_its_date_is_an_error() -> None:
    text = HEAD + textwrap.dedent("""\
        pairings:
          - mentor: alice
            mentee: bob
            start: 2026-01-05
            extension_reason: forgot the date
        """)
    assert errors(text) == [
        "program.yml:15: pairings[0].extension_reason: there is no extended_until to explain; "
        "remove it"
    ]


@pytest.mark.parametrize(
    ("field", "value", "what"),
    [
        (
            "extension_reason",
            '"more time\\n/close\\n/assign @zed"',
            "a line break (U+000A) at character 10",
        ),
        ("ended_reason", '"done\\r/close"', "a line break (U+000D) at character 5"),
        ("follows_reason", '"a\\tb"', "a control character (U+0009) at character 2"),
        ("ended_reason", '"moved \\u202eteam"', "a control character (U+202E) at character 7"),
    ],
)
def test_a_pairings_reason_on_more_than_one_line_is_refused_where_it_is_written(
    field: str, value: str, what: str
) -> None:
    text = HEAD + textwrap.dedent(f"""\
        pairings:
          - mentor: alice
            mentee: bob
            start: 2026-01-05
            {field}: {value}
        """)
    assert errors(text)[0] == (
        f"program.yml:15: pairings[0].{field}: {what} is not allowed; write it on one line "
        "of plain text (YAML folds a long value with >-)"
    )


def test_names_topics_team_and_the_program_name_are_one_line_each() -> None:
    text = textwrap.dedent("""\
        program:
          name: "Prog\\n/close"
          private_contact: "a\\u2028b"
        forge: {kind: gitlab, project: acme/mentoring}
        people:
          - handle: alice
            name: "/close\\n/assign @zed"
            roles: [mentor]
            topics: ["go", "x\\n/label ~y"]
            team: "sre\\x00"
        """)
    assert [line.split(" is not allowed")[0] for line in errors(text)] == [
        "program.yml:2: program.name: a line break (U+000A) at character 5",
        "program.yml:3: program.private_contact: a line break (U+2028) at character 2",
        "program.yml:7: people[0].name: a line break (U+000A) at character 7",
        "program.yml:9: people[0].topics[1]: a line break (U+000A) at character 2",
        "program.yml:10: people[0].team: a control character (U+0000) at character 4",
    ]


def test_a_long_reason_folded_by_yaml_is_one_line() -> None:
    text = HEAD + textwrap.dedent("""\
        pairings:
          - mentor: alice
            mentee: bob
            start: 2026-01-05
            extended_until: 2026-09-01
            extension_reason: >-
              the goal slipped
              with the freeze
        """)
    assert program(text).pairings[0].extension_reason == "the goal slipped with the freeze"


def test_duplicate_person() -> None:
    assert errors(HEAD + "  - handle: bob\n    roles: [mentor]\n") == [
        "program.yml:11: people[3].handle: bob is listed twice: people[1] lists them "
        "already; keep one entry"
    ]


def test_a_handle_listed_again_in_another_case_is_listed_twice() -> None:
    assert errors(HEAD + "  - handle: Alice\n    roles: [mentor]\n") == [
        "program.yml:11: people[3].handle: Alice is listed twice: people[0] lists them "
        "already as 'alice' (usernames ignore case); keep one entry"
    ]


def test_unknown_time_zone() -> None:
    assert errors("program:\n  timezone: Mars/Olympus\n" + HEAD) == [
        "program.yml:2: program.timezone: unknown time zone 'Mars/Olympus'; "
        "use an IANA name such as 'Europe/Berlin' or 'UTC'"
    ]


def test_literal_choices_are_listed() -> None:
    assert errors("forge:\n  kind: bitbucket\n  project: a/b\n") == [
        "program.yml:2: forge.kind: 'bitbucket' is not allowed; use 'gitlab', 'github' or 'sandbox'"
    ]


def test_yes_as_a_handle_is_caught_not_turned_into_true() -> None:
    text = HEAD + "pairings:\n  - mentor: alice\n    mentee: yes\n    start: 2026-01-05\n"
    assert errors(text) == [
        "program.yml:13: pairings[0].mentee: expected text, got true; put it in quotes"
    ]


def test_github_project_must_be_owner_and_name() -> None:
    assert errors("forge:\n  kind: github\n  project: a/b/c\n") == [
        "program.yml:1: forge: project 'a/b/c': a GitHub repository is 'owner/name'"
    ]


def test_stalled_must_come_after_nudge() -> None:
    text = "program:\n  stale:\n    nudge_days: 30\n" + HEAD
    assert errors(text) == [
        "program.yml:2: program.stale: stalled_days (28) must be greater than nudge_days (30): "
        "a pair is nudged before it is labelled stalled"
    ]


# --- hostile YAML: every problem is one located ConfigError line, found in linear time -------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{level}: &{level} [{', '.join([f'*{chr(ord(level) - 1)}'] * 6)}]\n" for level in "bcdefg"
)


def test_alias_bomb_is_refused_before_validation() -> None:
    assert errors(BOMB) == [
        "program.yml:7: g[0]: aliases expand 18 written values to 627,054 "
        "(this one alone to 87,091): an alias bomb; write the repeated parts out"
    ]


def test_a_billion_laughs_is_refused_from_its_counts() -> None:
    laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{level}: &{level} [{', '.join([f'*{chr(ord(level) - 1)}'] * 9)}]\n"
        for level in "bcdefghijklmnopqrstuvwxyz"
    )
    (line,) = errors(laughs)
    assert line.startswith("program.yml:26: z[0]: aliases expand 36 written values to ")
    assert line.endswith("an alias bomb; write the repeated parts out")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: &a [*a]\n", "program.yml:1: a[0]: recursive alias"),
        ("a: &a {b: *a}\n", "program.yml:1: a.b: recursive alias"),
        (
            "people: &p\n  - handle: x\n    roles: [mentor]\n    friends: *p\n",
            "program.yml:4: people[0].friends: recursive alias",
        ),
        ("a: &a\n  - &b [1, *b]\n", "program.yml:2: a[0][1]: recursive alias"),
    ],
)
def test_recursive_alias_names_the_alias_and_its_line(text: str, line: str) -> None:
    assert errors(text) == [
        f"{line}: it names a node that contains it; write the values out instead"
    ]


def test_aliases_and_merge_keys_that_repeat_a_little_are_fine() -> None:
    people = HEAD.replace("[mentor]\n", "[mentor]\n    topics: &topics [kubernetes, incidents]\n")
    people = people.replace("[mentor, mentee]\n", "[mentor, mentee]\n    topics: *topics\n")
    text = people + textwrap.dedent("""\
        pairings:
          - &first {mentor: alice, mentee: bob, start: 2026-01-05}
          - <<: *first
            mentee: carol
        """)
    loaded = program(text)
    assert [person.topics for person in loaded.people] == [
        ["kubernetes", "incidents"],
        [],
        ["kubernetes", "incidents"],
    ]
    assert [(p.mentor, p.mentee, p.start) for p in loaded.pairings] == [
        ("alice", "bob", date(2026, 1, 5)),
        ("alice", "carol", date(2026, 1, 5)),
    ]


@pytest.mark.parametrize(
    ("text", "where", "kind"),
    [
        ("[[a]]: 1\n", "program.yml:1: ", "list"),
        ("{a: 1}: 2\n", "program.yml:1: ", "mapping"),
        ("forge:\n  kind: gitlab\n  ? [a, b]\n  : 1\n", "program.yml:3: forge: ", "list"),
    ],
)
def test_a_key_that_is_a_list_or_mapping_names_its_line(text: str, where: str, kind: str) -> None:
    assert errors(text) == [
        f"{where}a {kind} is used as a key; "
        "a key is a name such as `handle`: write it as plain text before the colon"
    ]


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("forge: !!binary aGVsbG8=\n", "!!binary"),
        ("forge: !!binary not-base64\n", "!!binary"),
        ("forge: !!python/object/apply:os.system ['true']\n", "!!python/object/apply:os.system"),
        ("forge: !!python/name:os.system ''\n", "!!python/name:os.system"),
        ("forge: !!set {a, b}\n", "!!set"),
        ("forge: !!timestamp 2026-01-01\n", "!!timestamp"),
        ("forge: !custom x\n", "!custom"),
    ],
)
def test_tags_beyond_plain_data_are_refused(text: str, tag: str) -> None:
    assert errors(text) == [
        f"program.yml:1: forge: the tag {tag} is not allowed: program.yml holds text, numbers, "
        "true/false, lists and mappings; remove the tag"
    ]


def test_a_tagged_key_is_refused_too() -> None:
    assert errors("!!binary aGVsbG8=: 1\n")[0].startswith(
        "program.yml:1: the tag !!binary is not allowed"
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("!!int abc", "'abc' as !!int (ValueError)"),
        ("!!int", "'' as !!int (IndexError)"),
        ("!!bool maybe", "'maybe' as !!bool (KeyError)"),
        ("1" * 5000, "'111111111111...1111111111111' as !!int (ValueError)"),
    ],
)
def test_a_value_yaml_cannot_build_names_its_line(value: str, shown: str) -> None:
    assert errors(HEAD + f"program:\n  soft_limit: {value}\n") == [
        f"program.yml:12: invalid YAML: cannot read {shown}; "
        "quote it to keep it as text, or remove the tag"
    ]


def test_an_equals_sign_is_text_not_a_yaml_value_tag() -> None:
    assert program(HEAD + "program:\n  name: =\n").program.name == "="


@pytest.mark.parametrize(
    ("text", "line"),
    [("[" * 5000, ":1"), ("- " * 5000 + "x", ":1"), ("a:\n  b: " + "[" * 500, "")],
)
def test_deep_nesting_is_an_error_not_a_crash(text: str, line: str) -> None:
    assert errors(text) == [
        f"program.yml{line}: invalid YAML: nested too deeply; "
        "program.yml needs a few levels at most"
    ]


def test_a_special_character_is_named_with_its_line() -> None:
    assert errors("forge:\n  kind: gitlab\x1f\n") == [
        "program.yml:2: invalid YAML: U+001F is not allowed; remove it"
    ]


def test_a_key_with_a_line_break_stays_on_one_line() -> None:
    assert errors('forge: {kind: gitlab, project: a/b}\n"na\\nme": x\n') == [
        "program.yml:2: ['na\\nme']: unknown field; known fields: program, forge, people, pairings"
    ]


def test_a_long_or_deep_value_is_quoted_short() -> None:
    deep = "[" * 900 + "]" * 900
    assert errors(HEAD + f"program:\n  name: {deep}\n") == [
        "program.yml:12: program.name: expected text, got [[[[[[[...]]]]]]]; put it in quotes"
    ]


def roster(pairings: int) -> str:
    """`pairings` pairings of `pairings` mentees and half as many mentors, in block style."""
    mentors = pairings // 2
    people = [f"  - handle: mentor{i}\n    roles: [mentor]\n" for i in range(mentors)]
    people += [f"  - handle: mentee{i}\n    roles: [mentee]\n" for i in range(pairings)]
    pairs = [
        f"  - mentor: mentor{i % mentors}\n    mentee: mentee{i}\n    start: 2026-01-05\n"
        for i in range(pairings)
    ]
    return "forge: {kind: gitlab, project: a/b}\npeople:\n" + "".join(
        [*people, "pairings:\n", *pairs]
    )


def test_a_merged_value_is_located_at_the_mapping_that_merges_it() -> None:
    text = HEAD + textwrap.dedent("""\
        pairings:
          - &first {mentor: alice, mentee: bob, start: 2026-01-05, term_months: 0}
          - <<: *first
            mentee: carol
        """)
    problem = "Input should be greater than or equal to 1 (got 0)"
    assert errors(text) == [
        f"program.yml:12: pairings[0].term_months: {problem}",
        f"program.yml:13: pairings[1].term_months: {problem}",
    ]


def test_a_warning_of_a_large_roster_names_its_line() -> None:
    text = roster(10_000).replace(
        "  - handle: mentee9999\n", "  - handle: mentee9999\n    away_until: 2026-02-01\n"
    )
    loaded = program(text)
    [away] = [p for p in cross_check(loaded, date(2026, 1, 10)) if p.warning]
    assert loaded.report([away]) == [
        "program.yml:60003: warning: pairings[9999].mentee: mentee9999 is away until 2026-02-01"
    ]


def test_ten_thousand_pairings_and_fifteen_thousand_people_load() -> None:
    loaded = program(roster(10_000))
    assert (len(loaded.people), len(loaded.pairings)) == (15_000, 10_000)
    assert loaded.pairings[-1].id == "mentor4999--mentee9999--2026-01-05"


def test_a_mistake_at_the_end_of_a_large_roster_names_its_line() -> None:
    text = roster(10_000).replace("mentee: mentee9999", "mentee: mentee99999")
    assert errors(text)[0] == (
        "program.yml:60002: pairings[9999].mentee: unknown person 'mentee99999'; "
        "did you mean 'mentee9999'?"
    )


# Fragments of YAML syntax and of program.yml, so that the text hypothesis writes reaches the
# loader's corners (anchors, aliases, tags, merge keys, flow and block collections) and the
# model's, not only the scanner's first error.
FRAGMENTS = [
    *("&a ", "&b ", "*a", "*b", "<<: ", "? ", ": ", "- ", ", ", "[", "]", "{", "}", "\n", "  "),
    *("!!binary ", "!!python/object/apply:os.system ", "!!set ", "!!int ", "!!str ", "!x "),
    *("!!bool ", "!!float ", "!!null ", "! ", "'", '"', "#", "|", ">", "~", "=", "---", "..."),
    *("%YAML 1.1\n", "\t", "\r\n", "\ufeff", "\\", "1", "yes", "1e999", "9" * 5000),
    *("forge", "kind: gitlab", "project: a/b", "people", "pairings", "program", "handle: x"),
    *("roles: [mentor]", "mentor: alice", "start: 2026-01-05", "ended: 2026-13-01", "name"),
]
YAMLISH = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=40).map("".join)
EXAMPLE = (ROOT / "program.example.yml").read_text(encoding="utf-8")
EDITED_EXAMPLE = st.builds(
    lambda at, cut, text: EXAMPLE[:at] + text + EXAMPLE[at + cut :],
    st.integers(0, len(EXAMPLE)),
    st.integers(0, 40),
    YAMLISH,
)


def loaded_or_refused(text: str) -> Program | ConfigError:
    try:
        return parse_program(text, Path("program.yml"))
    except ConfigError as exc:
        return exc


@given(st.one_of(st.text(), YAMLISH, EDITED_EXAMPLE))
def test_any_text_loads_or_is_a_config_error_of_located_lines(text: str) -> None:
    result = loaded_or_refused(text)
    if isinstance(result, ConfigError):
        assert result.lines
        for line in result.lines:
            assert line.startswith("program.yml"), line
            assert len(line.splitlines()) == 1, line
    else:
        assert isinstance(result, Program)


# Anchors, aliases and merge keys over plain values, so that most texts load.
PLAIN_YAML = st.lists(
    st.sampled_from(
        [
            *("a: ", "b: ", "<<: ", "- ", "&x ", "&y ", "*x", "*y", "[", "]", "{", "}", ", "),
            *("1", "0x1F", "1.5", "true", "no", "~", "''", "text", "2026-01-05", "!!int 3"),
            *("!!str 4", "!!float 1", "\n", "\n  ", "\n    "),
        ]
    ),
    max_size=30,
).map("".join)


@given(st.one_of(PLAIN_YAML, EDITED_EXAMPLE))
def test_the_loader_builds_the_data_pyyaml_builds(text: str) -> None:
    # The walk that locates every value builds the data too; PyYAML's constructor, over the
    # same nodes, is the oracle (types, shared aliases, merge keys, which key wins).
    try:
        data, _ = read_yaml(text, Path("program.yml"))
        expected = yaml.load(text, Loader=_FastLoader)
    except (ConfigError, yaml.YAMLError):
        return
    assert repr(data) == repr(expected)


SCALARS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "~", "null", "Yes", "off", "0x1F", "0o17", "1_000", "-.inf", ".NaN"]),
    st.sampled_from(["1.5e3", "+1", "2026-01-05", "=", "<<", "!", "&", "*", "true", "TRUE"]),
)


@given(SCALARS, st.booleans(), st.booleans())
def test_each_scalar_gets_the_tag_pyyaml_s_resolver_gives_it(
    value: str, plain: bool, quoted: bool
) -> None:
    loader = _FastLoader("")
    try:
        for kind, text in ((yaml.ScalarNode, value), (yaml.SequenceNode, None)):
            implicit = (plain, quoted)
            expected = yaml.resolver.BaseResolver.resolve(loader, kind, text, implicit)
            assert loader.resolve(kind, text, implicit) == expected
        expected = yaml.resolver.BaseResolver.resolve(loader, yaml.MappingNode, None, (True, True))
        assert loader.resolve(yaml.MappingNode, None, (True, True)) == expected
    finally:
        loader.dispose()


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("forge:\n  kind: gitlab\n  1: a\n  '1': b\n", "program.yml:4: forge.1"),
        (
            HEAD + "pairings:\n  - mentor: alice\n    mentee: bob\n    start: 2026-01-05\n"
            "    start: 2026-02-05\n",
            "program.yml:15: pairings[0].start",
        ),
    ],
)
def test_a_key_written_twice_is_found_at_any_depth_and_whatever_its_type(
    text: str, line: str
) -> None:
    assert errors(text) == [f"{line}: duplicate key; keep one of them"]


def test_a_value_reached_through_an_alias_is_located_at_the_alias() -> None:
    text = HEAD.replace("roles: [mentor]\n", "roles: [mentor]\n    topics: &t [k8s, '']\n", 1)
    text = text.replace("roles: [mentee]\n", "roles: [mentee]\n    topics:\n      *t\n")
    assert errors(text) == [
        "program.yml:7: people[0].topics[1]: String should have at least 1 character (got '')",
        "program.yml:10: people[1].topics[1]: String should have at least 1 character (got '')",
    ]


def test_a_list_entry_reached_through_an_alias_is_located_at_its_list() -> None:
    text = (
        "forge: {kind: gitlab, project: a/b}\n"
        "people:\n"
        "  - &alice {handle: alice, roles: [mentor], capacity: -1}\n"
        "  - *alice\n"
    )
    problem = "Input should be greater than or equal to 0 (got -1)"
    assert errors(text) == [
        f"program.yml:2: people[1].capacity: {problem}",
        f"program.yml:3: people[0].capacity: {problem}",
    ]


def test_each_handle_is_located_at_its_own_line() -> None:
    loaded = program(HEAD.replace("  - handle: bob\n", "  -\n    handle: bob\n"))
    assert dict(loaded.forge.handle_lines) == {
        "alice": "program.yml:5: people[0].handle",
        "bob": "program.yml:8: people[1].handle",
        "carol": "program.yml:10: people[2].handle",
    }
    assert loaded.forge.handle_lines.get("dave") is None


def test_loading_leaves_the_collector_on_and_nothing_frozen() -> None:
    program(HEAD)
    with pytest.raises(ConfigError):
        program("forge: [\n")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


SOFT = HEAD + textwrap.dedent("""\
    pairings:
      - mentor: carol
        mentee: bob
        start: 2026-01-05
      - mentor: alice
        mentee: bob
        start: 2026-01-05
      - mentor: alice
        mentee: carol
        start: 2026-02-01
      - mentor: alice
        mentee: bob
        start: 2026-09-01
    """)


def test_mentor_over_the_soft_limit_is_a_warning_not_an_error() -> None:
    text = (
        SOFT.replace("start: 2026-09-01", "start: 2026-03-01")
        .replace("  - handle: carol\n", "  - handle: dan\n    roles: [mentee]\n  - handle: carol\n")
        .replace("mentee: bob\n    start: 2026-03-01", "mentee: dan\n    start: 2026-03-01")
    )
    loaded = program(text)  # loads: a warning never stops the program
    warnings = [p for p in cross_check(loaded, date(2026, 1, 20)) if p.warning]
    assert loaded.report(warnings) == [
        "program.yml:23: warning: pairings[3].mentor: alice mentors 3 people at once from "
        "2026-03-01 (soft limit 2): bob, carol, dan"
    ]


def test_soft_limit_counts_concurrent_terms_from_today() -> None:
    loaded = program(SOFT)
    # On 2026-02-01 alice has bob and carol: at the limit, no warning.
    assert [p for p in cross_check(loaded, date(2026, 1, 10)) if p.warning] == []


def test_capacity_overrides_the_soft_limit() -> None:
    loaded = program(SOFT.replace("roles: [mentor]\n", "roles: [mentor]\n    capacity: 1\n", 1))
    warnings = [p for p in cross_check(loaded, date(2026, 1, 10)) if p.warning]
    assert loaded.report(warnings) == [
        "program.yml:19: warning: pairings[2].mentor: alice mentors 2 people at once from "
        "2026-02-01 (soft limit 1): bob, carol"
    ]


def test_ended_pairings_do_not_count_towards_the_limit() -> None:
    loaded = program(SOFT)
    assert [p for p in cross_check(loaded, date(2026, 8, 1)) if p.warning] == []


def test_pairing_id_is_stable_from_pair_and_start() -> None:
    loaded = program(SOFT)
    assert [p.id for p in loaded.pairings] == [
        "carol--bob--2026-01-05",
        "alice--bob--2026-01-05",
        "alice--carol--2026-02-01",
        "alice--bob--2026-09-01",
    ]


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 1, 5), 6, date(2026, 7, 5)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 10, 15), 3, date(2027, 1, 15)),
    ],
)
def test_terms_end_calendar_months_later(start: date, months: int, end: date) -> None:
    assert add_months(start, months) == end


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 1, 28), date(2026, 2, 28)),
        (date(2026, 1, 29), date(2026, 2, 28)),
        (date(2026, 1, 30), date(2026, 2, 28)),
        (date(2028, 1, 29), date(2028, 2, 29)),
        (date(2026, 3, 30), date(2026, 4, 30)),
    ],
)
def test_a_day_every_month_has_is_kept_and_a_later_one_lands_on_the_last_day(
    start: date, end: date
) -> None:
    assert add_months(start, 1) == end


def test_end_prefers_early_end_then_extension() -> None:
    loaded = program(
        HEAD
        + textwrap.dedent("""\
        pairings:
          - mentor: alice
            mentee: bob
            start: 2026-01-05
            extended_until: 2026-09-01
            extension_reason: more time
          - mentor: carol
            mentee: bob
            start: 2026-01-05
            term_months: 3
            ended: 2026-02-01
            ended_reason: changed teams
        """)
    )
    rules = loaded.program
    assert [p.end(rules) for p in loaded.pairings] == [date(2026, 9, 1), date(2026, 2, 1)]
    assert loaded.pairings[1].planned_end(rules) == date(2026, 4, 5)


def test_today_is_the_date_in_the_program_time_zone() -> None:
    from datetime import UTC, datetime

    loaded = program("program:\n  timezone: Pacific/Auckland\n" + HEAD)
    late_utc = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
    assert program_today(loaded, late_utc) == date(2026, 11, 22)


# ---------------------------------------------------------------- matching fields


def test_matching_defaults_and_people_fields() -> None:
    loaded = program(HEAD)
    rules = loaded.program.matching
    assert (rules.prefer, rules.allow_repeat, rules.wiggle_room) == ("none", False, 1)
    assert rules.weights.model_dump() == {
        "topics": 3.0,
        "timezone": 1.0,
        "capacity": 1.0,
        "team": 1.0,
        "repeat": 1.0,
    }
    alice = loaded.people[0]
    assert (alice.available, alice.manager, alice.team) == (True, None, None)


def test_matching_settings_and_request_numbers_load() -> None:
    loaded = program(
        "program:\n  matching:\n    prefer: cross-team\n    allow_repeat: true\n"
        "    wiggle_room: 0\n    weights: {topics: 5, team: 0}\n"
        + HEAD.replace("roles: [mentee]\n", "roles: [mentee]\n    manager: carol\n    team: web\n")
        + "pairings:\n  - {mentor: alice, mentee: bob, start: 2026-01-05, request: 12}\n"
    )
    rules = loaded.program.matching
    assert (rules.prefer, rules.allow_repeat, rules.wiggle_room) == ("cross-team", True, 0)
    assert (rules.weights.topics, rules.weights.team, rules.weights.timezone) == (5, 0, 1)
    assert (loaded.people[1].manager, loaded.people[1].team) == ("carol", "web")
    assert loaded.pairings[0].request == 12


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "program:\n  matching:\n    prefer: same_team\n" + HEAD,
            "program.yml:3: program.matching.prefer: 'same_team' is not allowed; use "
            "'same-team', 'cross-team' or 'none'",
        ),
        (
            "program:\n  matching:\n    wigle_room: 2\n" + HEAD,
            "program.yml:3: program.matching.wigle_room: unknown field; did you mean "
            "'wiggle_room'?",
        ),
        (
            "program:\n  matching:\n    weights: {topics: -1}\n" + HEAD,
            "program.yml:3: program.matching.weights.topics: Input should be greater than or "
            "equal to 0 (got -1)",
        ),
        (
            HEAD + "pairings:\n  - {mentor: alice, mentee: bob, start: 2026-01-05, request: 0}\n",
            "program.yml:12: pairings[0].request: Input should be greater than or equal to 1 "
            "(got 0)",
        ),
    ],
)
def test_matching_fields_are_checked_with_their_line(text: str, error: str) -> None:
    assert errors(text) == [error]


def test_a_request_answered_by_two_pairings_is_an_error() -> None:
    text = HEAD + textwrap.dedent("""\
        pairings:
          - {mentor: alice, mentee: bob, start: 2026-01-05, request: 12}
          - {mentor: carol, mentee: bob, start: 2026-01-05, request: 12}
        """)
    assert errors(text) == [
        "program.yml:13: pairings[1].request: request 12 is answered by pairings[0] already; "
        "a request becomes one pairing: remove request: from one of them"
    ]


def test_someone_who_is_their_own_manager_is_an_error() -> None:
    text = HEAD.replace("roles: [mentee]\n", "roles: [mentee]\n    manager: bob\n")
    assert errors(text) == [
        "program.yml:9: people[1].manager: bob cannot be their own manager; remove manager:"
    ]


def test_someone_who_is_their_own_manager_in_another_case_is_an_error() -> None:
    text = HEAD.replace("roles: [mentee]\n", "roles: [mentee]\n    manager: BOB\n")
    assert errors(text) == [
        "program.yml:9: people[1].manager: bob cannot be their own manager; remove manager:"
    ]


def test_a_manager_outside_the_program_needs_no_entry() -> None:
    loaded = program(HEAD.replace("roles: [mentee]\n", "roles: [mentee]\n    manager: zed\n"))
    assert cross_check(loaded) == []


def test_a_manager_close_to_a_listed_handle_is_a_warning() -> None:
    loaded = program(HEAD.replace("roles: [mentee]\n", "roles: [mentee]\n    manager: alise\n"))
    assert loaded.report(cross_check(loaded)) == [
        "program.yml:9: warning: people[1].manager: 'alise' is not in people:; did you mean "
        "'alice'? (a manager outside the program needs no entry)"
    ]


@pytest.mark.parametrize("manager", ["alice", "Alice"])  # one person, whatever the case
def test_a_mentor_who_is_the_mentees_manager_is_a_warning(manager: str) -> None:
    loaded = program(
        HEAD.replace("roles: [mentee]\n", f"roles: [mentee]\n    manager: {manager}\n")
        + "pairings:\n  - {mentor: alice, mentee: bob, start: 2026-01-05}\n"
    )
    assert loaded.report(cross_check(loaded)) == [
        "program.yml:13: warning: pairings[0].mentor: alice is bob's manager (people: "
        "manager:); mentoring works best outside the reporting line"
    ]


def test_a_team_preference_without_teams_is_a_warning() -> None:
    loaded = program("program:\n  matching: {prefer: same-team}\n" + HEAD)
    assert loaded.report(cross_check(loaded)) == [
        "program.yml:2: warning: program.matching.prefer: same-team needs teams, and nobody "
        "in people: has team:; add team: to people"
    ]


FOLLOWS = (
    HEAD
    + """\
  - handle: dave
    roles: [mentor]
pairings:
  - mentor: alice
    mentee: bob
    start: 2026-01-05
"""
)


def follows(*lines: str) -> str:
    entry = "  - mentor: dave\n    mentee: bob\n    start: 2026-03-02\n"
    return FOLLOWS + entry + "".join(f"    {line}\n" for line in lines)


def test_follows_by_mentor_ends_the_earlier_pairing_where_the_new_one_starts() -> None:
    loaded = program(follows("follows: alice", "follows_reason: a closer match"))
    old, new = loaded.pairings

    assert loaded.followed(new) is old
    assert loaded.follower(old) is new
    assert old.end(loaded.program) == date(2026, 3, 2)
    assert old.ended is None  # the roster's own words are left as written


def test_a_change_of_mentor_dated_later_is_a_warning_on_github_where_everyone_reads_it() -> None:
    text = follows("follows: alice", "follows_reason: a closer match")
    on_github = program(text.replace("kind: gitlab", "kind: github"))
    on_gitlab = program(text)

    assert on_github.report(
        [p for p in cross_check(on_github, date(2026, 2, 10)) if p.warning]
    ) == [
        "program.yml:20: warning: pairings[1].follows: everyone who reads the repository "
        "reads this change of mentor, and the dashboard shows it from the next nightly run, so "
        "alice may learn of it before 2026-03-02; add it once alice has been told, or on the day"
    ]
    assert [p for p in cross_check(on_github, date(2026, 3, 2)) if p.warning] == []
    assert [p for p in cross_check(on_gitlab, date(2026, 2, 10)) if p.warning] == []


def test_follows_by_id_and_an_own_end_date_keeps_that_date() -> None:
    text = follows("follows: alice--bob--2026-01-05", "follows_reason: a closer match")
    text = text.replace("start: 2026-01-05\n", "start: 2026-01-05\n    ended: 2026-02-20\n", 1)
    loaded = program(text)
    old, new = loaded.pairings

    assert loaded.followed(new) is old
    assert old.end(loaded.program) == date(2026, 2, 20)
    assert old.ended_reason is None  # the change of mentor gives the reason


def test_follows_naming_nobody_lists_what_it_could_name() -> None:
    assert errors(follows("follows: alise", "follows_reason: x")) == [
        "program.yml:20: pairings[1].follows: bob has no earlier pairing with 'alise'; "
        "name its mentor or its id: alice, alice--bob--2026-01-05"
    ]


def test_follows_another_mentees_pairing_is_an_error() -> None:
    text = follows("follows: alice--bob--2026-01-05", "follows_reason: x").replace(
        "mentee: bob\n    start: 2026-03-02", "mentee: carol\n    start: 2026-03-02"
    )
    assert errors(text) == [
        "program.yml:20: pairings[1].follows: alice--bob--2026-01-05 is bob's pairing, not "
        "carol's; a change of mentor follows an earlier pairing of the same mentee"
    ]


def test_follows_a_later_pairing_is_an_error() -> None:
    text = follows("follows: alice--bob--2026-01-05", "follows_reason: x").replace(
        "start: 2026-03-02", "start: 2025-12-01"
    )
    assert errors(text) == [
        "program.yml:20: pairings[1].follows: alice--bob--2026-01-05 starts on 2026-01-05, "
        "not before this pairing (2025-12-01); follows: names the earlier pairing"
    ]


def test_follows_the_same_mentor_points_to_an_extension() -> None:
    text = follows("follows: alice", "follows_reason: x").replace("mentor: dave", "mentor: alice")
    found = errors(text)
    assert any("has the same mentor; a change of mentor names another one" in e for e in found)


def test_follows_needs_a_reason_and_a_term_still_running() -> None:
    assert errors(follows("follows: alice")) == [
        "program.yml:20: pairings[1].follows: a change of mentor needs a reason; "
        "add follows_reason: to this pairing"
    ]
    late = follows("follows: alice", "follows_reason: x").replace("2026-03-02", "2026-08-03")
    assert errors(late) == [
        "program.yml:20: pairings[1].follows: alice--bob--2026-01-05 ends on 2026-07-05, "
        "before this pairing starts; follows: is for a change of mentor during a term: "
        "remove it"
    ]


def test_a_reason_without_follows_is_an_error() -> None:
    assert errors(follows("follows_reason: x")) == [
        "program.yml:20: pairings[1].follows_reason: there is no follows: to explain; "
        "add follows: or remove this"
    ]


def test_two_pairings_cannot_follow_the_same_one() -> None:
    text = follows("follows: alice", "follows_reason: x") + (
        "  - {mentor: carol, mentee: bob, start: 2026-04-06, follows: alice--bob--2026-01-05,"
        " follows_reason: y}\n"
    )
    assert errors(text) == [
        "program.yml:22: pairings[2].follows: pairings[1] follows alice--bob--2026-01-05 "
        "already; one pairing follows another"
    ]


@pytest.mark.parametrize(
    ("threshold", "running", "limit"),
    [
        ("300%", 0, 100),  # never under the floor: a small program's night needs no --force
        ("300%", 20, 100),
        ("300%", 1000, 3000),  # a quiet night of 1,000 pairings writes about 166
        ("300%", 10_000, 30_000),
        ("50%", 333, 167),  # rounded up
        (250, 10_000, 250),  # a plain number stays a plain number
    ],
)
def test_the_safety_threshold_scales_with_the_running_pairings(
    threshold: int | str, running: int, limit: int
) -> None:
    assert Settings.model_validate({"safety_threshold": threshold}).safety_limit(running) == limit


def test_the_default_safety_threshold_is_a_share_of_the_running_pairings() -> None:
    assert Settings().safety_threshold == "300%"


@pytest.mark.parametrize("bad", ["30 %", "-5%", "%", "0%", 0, -3, "half", True, 2.5])
def test_a_safety_threshold_is_a_positive_number_or_a_share(bad: object) -> None:
    with pytest.raises(ValidationError, match=r"a number of writes \(250\) or a share"):
        Settings.model_validate({"safety_threshold": bad})


def test_person_is_found_by_handle_in_the_people_of_the_copy_asked() -> None:
    roster = program(HEAD)
    alice = roster.person("alice")
    assert alice is not None
    renamed = alice.model_copy(update={"name": "Alice Liddell"})
    copy = roster.model_copy(update={"people": [renamed, *roster.people[1:]]})

    assert (roster.person("alice"), copy.person("alice")) == (alice, renamed)
    assert roster.person("nobody") is None
