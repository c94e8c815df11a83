"""`${VAR}` / `${VAR:-default}` in string values, so secrets stay out of the file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sidecar.config.problems import Loc

# `$$` (a literal `$`) or `${...}`; anything else with a `$` is left alone.
_TOKEN = re.compile(r"\$\$|\$\{([^}]*)\}")
_REFERENCE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?", re.DOTALL)


def interpolate(
    data: Any, environ: Mapping[str, str], loc: Loc = ()
) -> tuple[Any, list[tuple[Loc, str]]]:
    """Replace variables in every string scalar of `data` (keys untouched).

    Returns the new data and the problems found, one per bad value, at that value's location.
    A value with a problem is returned unchanged so that validation does not report it twice.
    Runs after YAML parsing, so a whole-value `${PORT:-8080}` is text that pydantic then reads
    as a number.
    """
    if isinstance(data, str):
        value, problem = _substitute(data, environ)
        return value, [] if problem is None else [(loc, problem)]
    if isinstance(data, Mapping):
        out: dict[Any, Any] = {}
        problems: list[tuple[Loc, str]] = []
        for key, item in data.items():
            out[key], found = interpolate(item, environ, (*loc, key))
            problems.extend(found)
        return out, problems
    if isinstance(data, list):
        items: list[Any] = []
        problems = []
        for index, item in enumerate(data):
            new, found = interpolate(item, environ, (*loc, index))
            items.append(new)
            problems.extend(found)
        return items, problems
    return data, []


def _substitute(text: str, environ: Mapping[str, str]) -> tuple[str, str | None]:
    missing: list[str] = []
    malformed: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        reference = _REFERENCE.fullmatch(match.group(1))
        if reference is None or "${" in match.group(1):
            malformed.append(match.group(0))
            return match.group(0)
        name, default = reference.group(1), reference.group(2)
        value = environ.get(name)
        if default is not None and not value:
            return default  # shell semantics: `:-` also replaces an empty value
        if value is None:
            missing.append(name)
            return match.group(0)
        return value

    result = _TOKEN.sub(replace, text)
    if malformed:
        return text, (
            f"{malformed[0]} is not a valid variable reference; write ${{NAME}} or "
            "${NAME:-default}, or $$ for a literal $"
        )
    if "${" in _TOKEN.sub("", text):
        return text, "has a ${ without its closing }; write $$ for a literal $"
    if missing:
        names = " and ".join(missing) if len(missing) <= 2 else ", ".join(missing)
        verb = "is" if len(missing) == 1 else "are"
        noun = "variable" if len(missing) == 1 else "variables"
        return text, f"environment {noun} {names} {verb} not set"
    return result, None
