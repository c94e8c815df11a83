"""Broken YAML is reported in one plain sentence at the line to fix, never in PyYAML's words.

Each case is config.example.yaml with one line broken the way people break it. Expected line
numbers are looked up in the example, so the cases survive edits to its comments.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from sidecar.cli import main
from sidecar.config import ConfigError, load_config
from sidecar.config.messages import YAML_SENTENCES
from sidecar.config.yamlfile import YamlSyntaxError, parse_yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.yaml"
URL = "  url: http://127.0.0.1:8069"  # odoo.url, the line above odoo.database
# PyYAML's words: token names, its scanner and parser, its "expected ..., but found ...".
JARGON = re.compile(
    r"<block|<scalar|<stream|<document|block end|mapping start|scanner|parser|scanning|parsing"
    r"|token|simple key|expected|but found|mapping values|could not",
    re.IGNORECASE,
)


class Broken:
    """The example with the one line that starts with `original` replaced."""

    def __init__(self, original: str, replacement: str) -> None:
        self.lines = EXAMPLE.read_text(encoding="utf-8").split("\n")
        found = [i for i, line in enumerate(self.lines) if line.startswith(original)]
        assert len(found) == 1, f"{original!r} must start exactly one line of the example"
        self.n = found[0] + 1  # the broken line, 1-based
        self.lines[found[0]] = replacement

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def at(self, start: str) -> int:
        """The 1-based line that starts with `start` (exactly one must)."""
        found = [i for i, line in enumerate(self.lines) if line.startswith(start)]
        assert len(found) == 1, start
        return found[0] + 1

    def next_with(self, char: str) -> int:
        """The first line after the broken one that holds `char`."""
        return next(i + 1 for i in range(self.n, len(self.lines)) if char in self.lines[i])

    def next_content(self, after: int) -> int:
        """The first line after line `after` that is neither blank nor a comment."""
        return next(
            i + 1
            for i in range(after, len(self.lines))
            if self.lines[i].strip() and not self.lines[i].lstrip().startswith("#")
        )


Expect = Callable[[Broken], str]

CASES: list[tuple[str, str, str, Expect]] = [
    (
        "key indented more than the one above",
        "  database: ojt",
        "    database: ojt",
        lambda b: (
            f"line {b.n}: this line is indented more than line {b.at(URL)} above it, but "
            f"line {b.at(URL)} is not a section (a key ending in ':'), so nothing can be placed "
            "under it"
        ),
    ),
    (
        "key indented less than its section",
        "  database: ojt",
        " database: ojt",
        lambda b: (
            f"line {b.n}: this line is indented by 1 space, which matches no section above "
            "it (their entries are indented by 0 or 2 spaces); indent it exactly as far as the "
            "other entries of its section"
        ),
    ),
    (
        "first key of a section indented unlike the rest",
        URL,
        " " + URL,
        lambda b: (
            f"line {b.n}: this line is indented by 3 spaces, but line "
            f"{b.at('  database:')} below it, in the same section, by 2 spaces; indent all entries "
            "of a section by the same amount"
        ),
    ),
    (
        "a value given to a section header",
        "  retry:",
        "  retry: 5",
        lambda b: (
            f"line {b.n + 1}: this line is indented more than line {b.n} above it, but "
            f"line {b.n} is not a section (a key ending in ':'), so nothing can be placed under it"
        ),
    ),
    (
        "list item out of line with the other items",
        "      - course: Taking care of Trees",
        "        - course: Taking care of Trees",
        lambda b: (
            f"line {b.n}: this line starts in the same column as line "
            f"{b.at('        completion_threshold: 100')} above it, but only one of the two is a "
            "list item ('- '); list items and settings cannot be mixed at the same indentation"
        ),
    ),
    (
        "tab as indentation",
        "  database: ojt",
        "\tdatabase: ojt",
        lambda b: (
            f"line {b.n}: this line contains a tab character (column 1); YAML allows only "
            "spaces for indentation and after the ':', so replace the tab with spaces"
        ),
    ),
    (
        "tab after the colon",
        "  database: ojt",
        "  database:\tojt",
        lambda b: (
            f"line {b.n}: this line contains a tab character (column 12); YAML allows only "
            "spaces for indentation and after the ':', so replace the tab with spaces"
        ),
    ),
    (
        "unclosed double quote",
        '      criteria: "Has',
        '      criteria: "Has a verified e-mail address.',
        lambda b: (
            f'line {b.n}: the " that starts the value on this line is not closed on this '
            f"line, so everything up to line {b.next_with(chr(34))} is read as part of that value; "
            'add the closing "'
        ),
    ),
    (
        "unclosed single quote, closed by an apostrophe in a comment far below",
        "  title: Certificate",
        "  title: 'Certificate of Completion",
        lambda b: (
            f"line {b.n}: the ' that starts the value on this line is not closed on this "
            f"line, so everything up to line {b.next_with(chr(39))} is read as part of that value; "
            "add the closing '"
        ),
    ),
    (
        "unclosed quote on the last line",
        "  format: text",
        '  format: "text',
        lambda b: (
            f'line {b.n}: the " that starts the value on this line is never closed, so the '
            'rest of the file is read as part of that value; add the closing "'
        ),
    ),
    (
        "apostrophe inside single quotes",
        "  title: Certificate",
        "  title: 'Trainee's Certificate'",
        lambda b: (
            f"line {b.n}: there is more text after the closing ' of the value (column 19); "
            "put the whole value inside the quotes (inside single quotes, write an apostrophe as "
            "two: '')"
        ),
    ),
    (
        "unclosed bracket",
        "    jobs: [Experienced",
        "    jobs: [Experienced Developer",
        lambda b: (
            f"line {b.n}: the [ opened on this line is still open at line "
            f"{b.next_content(b.n)}; add the closing ] at the end of the list (or, if the list "
            "goes on, separate its entries with commas)"
        ),
    ),
    (
        "unclosed brace",
        "    weights: {elearning: 0.7",
        "    weights: {elearning: 0.7, attendance: 0.3, assessments: 0.0",
        lambda b: (
            f"line {b.n}: the {{ opened on this line is still open at line "
            f"{b.next_content(b.n)}; add the closing }} at the end of the section (or, if the "
            "section goes on, separate its entries with commas)"
        ),
    ),
    (
        "key without its colon",
        "  database: ojt",
        "  database ojt",
        lambda b: (
            f"line {b.n}: this line has no ':' after the name of its setting; write it as "
            "`name: value` (or start it with # if it is a comment)"
        ),
    ),
    (
        "colon without the space after it",
        "  database: ojt",
        "  database:ojt",
        lambda b: (
            f"line {b.n}: this line needs a space after the ':' that ends the name of its "
            "setting; write it as `name: value`"
        ),
    ),
    (
        "comment without its #",
        "  # Database name.",
        "  Database name. Required.",
        lambda b: (
            f"line {b.n}: this line has no ':' after the name of its setting; write it as "
            "`name: value` (or start it with # if it is a comment)"
        ),
    ),
    (
        "colon and space inside a value",
        "    name: Junior",
        "    name: Junior Developer: OJT",
        lambda b: (
            f"line {b.n}: the value on this line contains ': ' (column 27), which YAML "
            "reads as the start of another setting; put the whole value in quotes"
        ),
    ),
    (
        "cron line without quotes",
        "  reconcile:",
        "  reconcile: {cron: */5 * * * *}",
        lambda b: (
            f"line {b.n}: a value that starts with * must be written in quotes, because "
            "YAML gives * a special meaning there; put the whole value in quotes"
        ),
    ),
    (
        "list item without the space after its dash",
        "      - course: Taking care of Trees",
        "      -course: Taking care of Trees",
        lambda b: f"line {b.n}: a list item needs a space after its '-'; write `- value`",
    ),
    (
        "control character",
        "  database: ojt",
        "  database: oj\x07t",
        lambda b: (
            f"line {b.n}: this line contains an invisible control character (#x0007, column "
            "15) that a YAML file may not hold; delete it"
        ),
    ),
    (
        "first line indented",
        "odoo:",
        " odoo:",
        lambda b: (
            f"line {b.n}: this first setting of the file is indented by 1 space, but "
            "top-level sections must start at the very beginning of their line"
        ),
    ),
]


def _yaml_problem(text: str, tmp_path: Path) -> tuple[str, int | None]:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    [problem] = caught.value.problems
    assert problem.path == ""
    return problem.message, problem.line


@pytest.mark.parametrize(
    ("original", "replacement", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_broken_line_is_named_in_plain_words(
    original: str, replacement: str, expected: Expect, tmp_path: Path
) -> None:
    broken = Broken(original, replacement)
    message, line = _yaml_problem(broken.text, tmp_path)
    assert message == expected(broken)
    assert message.startswith(f"line {line}: ")
    assert not JARGON.search(message), message


MUTATIONS: dict[str, Callable[[str], str]] = {
    "one more space": lambda line: " " + line,
    "two more spaces": lambda line: "  " + line,
    "one space less": lambda line: line[1:] if line.startswith(" ") else line,
    "tab for indentation": lambda line: "\t" + line.lstrip(" "),
    "no colon": lambda line: line.replace(": ", " ", 1),
    "unclosed quote": lambda line: line.replace(": ", ': "', 1),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_no_broken_line_gets_pyyaml_words_or_the_fallback(mutation: str) -> None:
    """Every setting line of the example, broken in one of the usual ways."""
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")
    for index, line in enumerate(lines):
        replacement = MUTATIONS[mutation](line)
        if line.lstrip().startswith("#") or replacement == line:
            continue
        try:
            parse_yaml("\n".join([*lines[:index], replacement, *lines[index + 1 :]]))
        except YamlSyntaxError as exc:
            assert exc.line is not None, (index + 1, replacement)
            assert not JARGON.search(exc.reason), (index + 1, exc.reason)
            assert exc.reason != YAML_SENTENCES["generic"], (index + 1, replacement)


def test_check_config_prints_one_plain_sentence_with_file_and_line(tmp_path: Path) -> None:
    broken = Broken("  database: ojt", "    database: ojt")
    path = tmp_path / "broken.yaml"
    path.write_text(broken.text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check-config", "-c", str(path)])
    assert result.exit_code == 2
    first, *rest = result.stderr.splitlines()
    url = broken.at(URL)
    assert first == (
        f"{path}: line {broken.n}: this line is indented more than line {url} above it, but "
        f"line {url} is not a section (a key ending in ':'), so nothing can be placed under it"
    )
    assert rest == [f"{path}: 1 problem found"]
    assert not JARGON.search(result.stderr) and "Traceback" not in result.stderr


def test_impossible_date_is_a_setting_problem_not_a_crash(tmp_path: Path) -> None:
    # YAML takes 2026-02-30 for a date and Python refuses it; it stays text for validation.
    broken = Broken("        start: 2026-01-05", "        start: 2026-02-30")
    path = tmp_path / "config.yaml"
    path.write_text(broken.text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert [(str(p), p.line) for p in caught.value.problems] == [
        (
            "programs[1].batches[0].start: must be a date like 2026-01-05 (got '2026-02-30')",
            broken.n,
        )
    ]


def test_impossible_hex_number_stays_text(tmp_path: Path) -> None:
    broken = Broken("  port: 8080", "  port: 0x_")
    path = tmp_path / "config.yaml"
    path.write_text(broken.text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert [str(p) for p in caught.value.problems] == [
        "verify_site.port: must be a whole number (got '0x_')"
    ]
