"""Problems with the file itself: missing, unreadable, not YAML, not a mapping, repeated keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from sidecar.config import ConfigError, load_config


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert [str(p) for p in caught.value.problems] == [f"config file {path} does not exist"]


def test_directory_instead_of_file_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, environ={})
    assert [str(p) for p in caught.value.problems] == [f"{tmp_path} is a directory, not a file"]


def test_non_utf8_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(b"odoo:\n  url: \xff\xfe\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert caught.value.problems[0].message.startswith(f"config file {path} is not UTF-8 text")


def test_yaml_syntax_error_gives_the_line_to_fix_and_column(problems) -> None:
    text = "odoo:\n  url: http://h\n  database: [unclosed\nprograms: []\n"
    found = problems(text)
    assert len(found) == 1
    assert found[0].path == ""
    # PyYAML notices on line 4; the bracket to close is on line 3.
    assert found[0].message.startswith("line 3: the [ opened on this line is still open at line 4")
    assert (found[0].line, found[0].column) == (3, 13)


def test_bad_indentation_is_a_syntax_error_with_line(problems) -> None:
    text = "odoo:\n  url: http://h\n database: x\n"
    found = problems(text)
    assert found[0].message.startswith("line 3: this line is indented by 1 space")


def test_python_tags_are_refused(problems) -> None:
    found = problems("odoo: !!python/object/apply:os.system ['true']\n")
    assert found[0].message.startswith(
        "line 1: !!python/object/apply:os.system starts with !, which YAML reads as a type tag"
    )


def test_top_level_list_is_not_a_mapping(problem) -> None:
    assert problem("- odoo\n- programs\n") == (
        "the file must hold a mapping of settings (it is a list, not a mapping)"
    )


def test_empty_file_is_a_problem(problem) -> None:
    assert problem("# nothing here\n") == "the file must hold a mapping of settings (it is empty)"


def test_repeated_key_is_reported_with_both_lines(problems) -> None:
    text = (
        "odoo:\n"
        "  url: http://h\n"
        "  database: d\n"
        "  username: u\n"
        "  password: p\n"
        "  database: e\n"
        "programs: [{key: p, name: P, courses: [{course: C}]}]\n"
    )
    assert [str(p) for p in problems(text)] == [
        "odoo.database: appears twice in the same section (lines 3 and 6); YAML would silently "
        "keep only the last one"
    ]


def test_merge_keys_are_not_taken_for_repeats(load) -> None:
    text = (
        "odoo: {url: 'http://h', database: d, username: u, password: p}\n"
        "programs:\n"
        "  - key: p\n"
        "    name: P\n"
        "    courses:\n"
        "      - &course {course: A, completion_threshold: 90}\n"
        "      - {<<: *course, course: B}\n"
    )
    cfg = load(text)
    assert [(c.course, c.completion_threshold) for c in cfg.programs[0].courses] == [
        ("A", 90),
        ("B", 90),
    ]


def test_problems_carry_the_line_of_their_setting(problems) -> None:
    text = (
        "odoo:\n"
        "  url: http://h\n"
        "  database: d\n"
        "  username: u\n"
        "  password: p\n"
        "  page_size: 0\n"
        "programs: [{key: p, name: P, courses: [{course: C}]}]\n"
    )
    found = problems(text)
    assert [(p.path, p.line) for p in found] == [("odoo.page_size", 6)]


def test_missing_key_points_at_its_parent_line(problems) -> None:
    text = (
        "odoo:\n"
        "  url: http://h\n"
        "  username: u\n"
        "  password: p\n"
        "programs: [{key: p, name: P, courses: [{course: C}]}]\n"
    )
    found = problems(text)
    assert [(p.path, p.line) for p in found] == [("odoo.database", 1)]


def test_error_text_lists_every_problem_with_lines(write, minimal) -> None:
    minimal["odoo"]["transport"] = "soap"
    minimal["verify_site"] = {"port": 0}
    path = write(minimal)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    text = str(caught.value)
    assert text.splitlines()[0] == f"2 problems in {path}:"
    assert (
        "  - odoo.transport: must be one of: auto, xmlrpc, jsonrpc, json2 (got 'soap') (line "
        in text
    )
    assert "  - verify_site.port: must be between 1 and 65535 (got 0) (line " in text
