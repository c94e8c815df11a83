"""What a line of YAML looks like to a person reading the file: how far it is indented, where
its keys start after any `- ` list markers, whether it holds `name:` or only ends a section.
Used to explain syntax errors in terms of the lines as written (yamlerrors.py)."""

from __future__ import annotations

import re

KEY = re.compile(r"^[^\s#'\"\[\]{},:][^#]*?:(?:\s|$)")  # `name:` up to the line's first ': '
NO_SPACE = re.compile(r"^\s*(?:- )?[^\s:#'\"]+:\S")  # `name:value`
SWALLOWED = re.compile(r"^\s*(?:#|- |[\w-]+:(?:\s|$))")  # a comment or entry inside a quote


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def lead(line: str) -> int:
    """Number of spaces before the line's text."""
    return len(line) - len(line.lstrip(" "))


def inner(line: str) -> int:
    """Column where the line's keys start: after its indentation and any `- ` list markers."""
    column = lead(line)
    while line[column : column + 2] == "- " or line[column:].rstrip() == "-":
        column += 2 + lead(line[column + 2 :])
    return column


def is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def is_list_item(line: str) -> bool:
    stripped = line.lstrip(" ")
    return stripped.startswith("- ") or stripped.rstrip() == "-"


def has_key(line: str) -> bool:
    """True when the line's entry is `name: ...` (after any `- `)."""
    return KEY.match(line[inner(line) :]) is not None


def may_hold_key(line: str) -> bool:
    """False for plain text with no `name:` in it; a quote or bracket may hide one."""
    return line[inner(line) :][:1] in ("'", '"', "[", "{", "?") or has_key(line)


def ends_a_section(line: str) -> bool:
    """True for `name:` with nothing after the colon but a comment."""
    return re.sub(r"\s+#.*$", "", line).rstrip().endswith(":")
