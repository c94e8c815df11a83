"""docs/config-reference.md is generated from the config models and never drifts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, get_args, get_origin

from pydantic import BaseModel

from sidecar.config.models import Config
from sidecar.config.reference import read_example, render, rows

ROOT = Path(__file__).resolve().parents[2]


def _all_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    found = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        found.append(path)
        inner = info.annotation
        if get_origin(inner) is Annotated:
            inner = get_args(inner)[0]
        if get_origin(inner) is tuple:
            inner = get_args(inner)[0]
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                found += _all_fields(inner, f"{path}[].")
        elif isinstance(inner, type) and issubclass(inner, BaseModel):
            found += _all_fields(inner, f"{path}.")
    return found


def test_committed_reference_equals_the_generator_output() -> None:
    committed = (ROOT / "docs" / "config-reference.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/config-reference.md is stale: "
        "python -m sidecar.config.reference > docs/config-reference.md"
    )


def test_every_model_field_appears_with_a_description() -> None:
    documented = {row.path: row for row in rows()}
    text = render()
    for path in _all_fields(Config):
        assert path in documented, path
        shown = f"## `{path}`" if "." not in path else f"| `{path}` |"
        assert shown in text, path
        assert documented[path].description, f"{path} has no sentence in config.example.yaml"


def test_comments_above_after_and_listed_are_read() -> None:
    docs = read_example(
        "# Section.\n"
        "a:\n"
        "  # Above b.\n"
        "  b: 1   # after b, not '#' in quotes\n"
        "  c: '#x'\n"
        "  # k: the key.\n"
        "  # n: the name,\n"
        "  #   continued.\n"
        "  d: {k: 1, n: 2}\n"
    )
    assert docs.describe(("a",)) == "Section."
    assert docs.describe(("a", "b")) == "Above b. after b, not '#' in quotes"
    assert docs.describe(("a", "c")) == "Above b."  # shares the block of the sibling above it
    assert docs.describe(("a", "d", "n")) == "the name, continued."
