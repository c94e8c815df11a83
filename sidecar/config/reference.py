"""Generate `docs/config-reference.md` from the config models, so the reference never drifts.

    python -m sidecar.config.reference > docs/config-reference.md

Keys, types, defaults and whether a key is required come from the pydantic models
(`sidecar.config.models.Config` and the sections under it). The sentences come from where the
operator already reads them, `config.example.yaml`: the comment lines right above a key, the
comment after its value, or a `name: text` line in a comment block that lists the keys of a
section written on one line (`weights: {elearning: 1.0, ...}`) or of a list's items. A test
compares the committed file with this output and checks that every field has a sentence, so
a new key needs both its model field and its line in the example.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sidecar.config import fieldtypes
from sidecar.config.durations import format_duration
from sidecar.config.example_docs import ExampleDocs, Key, read_example
from sidecar.config.models import Config

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.yaml"


# --- the models ---------------------------------------------------------------------------------

_ALIASES = {
    "Text": "text",
    "FreeText": "text, may be empty",
    "Slug": "identifier (a-z, 0-9, - and _)",
    "OdooRef": "Odoo record: name or id",
    "HttpUrl": "http(s) URL",
    "OdooUrl": "http(s) base URL of Odoo",
    "Host": "host name or IP address",
    "FilePath": "path to a file",
    "Colour": 'colour "#RRGGBB"',
    "Duration": "duration (90, 30s, 5m, 1h30m, 1d)",
    "CronExpr": "crontab line (5 fields)",
    "Domain": "Odoo domain (prefix form)",
    "Template": "text with {placeholders}",
    "Secret": "secret text",
    "ResolvedPath": "path",
    "ImagePath": "path to a PNG or JPEG file",
    "StoreUrl": "SQLAlchemy URL (secret)",
    "Percent": "number 0..100",
    "Fraction": "number 0..1",
    "PositiveInt": "integer ≥ 1",
    "NonNegative": "number ≥ 0",
    "Positive": "number > 0",
}


def _validator_funcs(metadata: list[Any]) -> tuple[Any, ...]:
    return tuple(getattr(m, "func", m) for m in metadata)


def _alias_table() -> list[tuple[tuple[Any, ...], str]]:
    table = []
    for name, label in _ALIASES.items():
        alias = getattr(fieldtypes, name)
        if get_origin(alias) is Annotated:
            funcs = _validator_funcs(list(alias.__metadata__))
            table.append((funcs, label))
    # Most specific first: ImagePath (two validators) before ResolvedPath (one of them).
    return sorted(table, key=lambda item: -len(item[0]))


_TABLE = _alias_table()


def _range(funcs: tuple[Any, ...]) -> str:
    for func in funcs:
        if getattr(func, "__qualname__", "") != "between.<locals>.check" or not func.__closure__:
            continue
        bound = dict(
            zip(func.__code__.co_freevars, (c.cell_contents for c in func.__closure__), strict=True)
        )
        low, high, open_ = bound.get("low"), bound.get("high"), bound.get("low_open")
        if low is not None and high is not None:
            return f" {_num(low)}{'<' if open_ else ''}..{_num(high)}"
        if low is not None:
            return f" {'>' if open_ else '≥'} {_num(low)}"
        if high is not None:
            return f" ≤ {_num(high)}"
    return ""


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def type_label(annotation: Any, metadata: list[Any] | None = None) -> str:
    """How a field's type reads for an operator."""
    metadata = list(metadata or [])
    if get_origin(annotation) is Annotated:
        metadata = [*annotation.__metadata__, *metadata]
        annotation = get_args(annotation)[0]
    funcs = _validator_funcs(metadata)
    for alias_funcs, label in _TABLE:
        if alias_funcs and all(any(f is g for g in funcs) for f in alias_funcs):
            return label
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        inner = " or ".join(type_label(a) for a in args)
        if len(args) < len(get_args(annotation)):
            return f"{inner}, or null"
        return inner
    if origin is Literal:
        return " | ".join(str(a) for a in get_args(annotation))
    if origin is tuple:
        return f"list of {type_label(get_args(annotation)[0])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "section"
    simple = {
        bool: "true | false",
        int: "integer",
        float: "number",
        str: "text",
        date: "date YYYY-MM-DD",
        timedelta: "duration",
        SecretStr: "secret text",
        Path: "path",
    }
    label = simple.get(annotation, getattr(annotation, "__name__", str(annotation)))
    return label + _range(funcs)


def _element_model(annotation: Any) -> type[BaseModel] | None:
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is tuple:
        return _element_model(get_args(annotation)[0])
    return None


def default_label(info: FieldInfo) -> str:
    """The default as an operator would write it, or "required"."""
    if info.is_required():
        return "required"
    factory = info.default_factory
    value = factory() if factory is not None else info.default  # type: ignore[call-arg]
    if value is PydanticUndefined:
        return "required"
    return _yaml(value)


def _yaml(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, BaseModel):
        parts = [
            f"{name}: {_yaml(getattr(value, name))}"
            for name in type(value).model_fields
            if getattr(value, name) is not None
        ]
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, dict):
        return "(section)" if not value else str(value)
    text = str(value)
    return f'"{text}"' if (not text or text.startswith("#")) else text


@dataclass(frozen=True)
class Row:
    path: str  # e.g. programs[].courses[].course
    key: Key
    type: str
    default: str
    description: str
    section: bool


def rows(model: type[BaseModel] = Config, docs: ExampleDocs | None = None) -> list[Row]:
    """Every field under `model`, depth first, in the models' order."""
    docs = docs if docs is not None else read_example(EXAMPLE.read_text(encoding="utf-8"))
    result: list[Row] = []

    def walk(current: type[BaseModel], key: Key, shown: str) -> None:
        for name, info in current.model_fields.items():
            path = (*key, name)
            nested = _element_model(info.annotation)
            is_list = get_origin(info.annotation) is tuple or (
                get_origin(info.annotation) is Annotated
                and get_origin(get_args(info.annotation)[0]) is tuple
            )
            label = f"{shown}.{name}" if shown else name
            result.append(
                Row(
                    path=label,
                    key=path,
                    type=(
                        ("list of sections" if is_list else "section")
                        if nested is not None
                        else type_label(info.annotation, list(info.metadata))
                    ),
                    default=(
                        default_label(info)
                        if nested is None or info.is_required() or is_list
                        else "(section)"
                    ),
                    description=_describe(docs, path, nested, result, shown),
                    section=nested is not None,
                )
            )
            if nested is not None:
                walk(nested, path, label + ("[]" if is_list else ""))

    walk(model, (), "")
    return result


def _describe(
    docs: ExampleDocs, path: Key, nested: type[BaseModel] | None, done: list[Row], shown: str
) -> str:
    """The example's sentence (pointing at the sibling whose comment covers it too); else a
    section's docstring; else a pointer to the parent. `shown` spells the parent's path."""
    text = docs.describe(path)
    if text and path in docs.see:
        return f"{text.rstrip('.')}. See `{f'{shown}.' if shown else ''}{docs.see[path]}`."
    if text:
        return text
    if nested is not None and nested.__doc__:
        return nested.__doc__.strip().splitlines()[0]
    parent = next((row for row in done if row.key == path[:-1]), None)
    if parent is not None and parent.description:
        return f"See `{parent.path}`."
    return ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(model: type[BaseModel] = Config) -> str:
    """The whole Markdown reference."""
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated by `python -m sidecar.config.reference > docs/config-reference.md`"
        " from the config models and the comments of config.example.yaml. Do not edit. -->",
        "",
        "Every key of the YAML config, with its type and default. `programs[]` is a list: the",
        "keys under it are those of each item. Unknown keys are errors; `${NAME}` in a text",
        "value reads the environment variable NAME (`${NAME:-fallback}` with a fallback).",
        "Relative paths are relative to the config file's directory. A worked example with",
        "every key is `config.example.yaml`.",
        "",
    ]
    top = [r for r in rows(model) if len(r.key) == 1]
    for section in top:
        lines.append(f"## `{section.path}`")
        lines.append("")
        intro = section.description or (section.section and _doc_of(model, section.key[0]))
        if intro:
            lines.append(intro)
            lines.append("")
        members = [r for r in rows(model) if r.key[0] == section.key[0] and len(r.key) > 1]
        if not section.section:
            members = [section]
        lines.append("| key | type | default | description |")
        lines.append("|---|---|---|---|")
        for row in members:
            lines.append(
                f"| `{row.path}` | {_cell(row.type)} | `{_cell(row.default)}` | "
                f"{_cell(row.description) or '—'} |"
            )
        lines.append("")
    return "\n".join(lines)


def _doc_of(model: type[BaseModel], name: str) -> str:
    nested = _element_model(model.model_fields[name].annotation)
    return nested.__doc__.strip().splitlines()[0] if nested and nested.__doc__ else ""


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
