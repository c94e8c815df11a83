"""docs/config-reference.md gives each key its own sentence and the right default or "required".

(tests/ops/test_config_reference.py checks that the committed file equals the generator's
output and that every field has a sentence.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sidecar.config.reference import Row, read_example, render, rows

ROOT = Path(__file__).resolve().parents[2]
BATCH = "programs[].batches[]"


@pytest.fixture(scope="module")
def by_path() -> dict[str, Row]:
    return {row.path: row for row in rows()}


@pytest.fixture(scope="module")
def committed() -> str:
    return (ROOT / "docs" / "config-reference.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("field", "default", "description"),
    [
        ("key", "required", "identifier unique within the program (same form as a program key). "
         "Required."),
        ("name", "required", "shown on certificates. Required."),
        ("start", "null", "dates YYYY-MM-DD, end on or after start. Required unless `event` is "
         "set (then the event's dates apply). Default: null."),
        ("end", "null", "dates YYYY-MM-DD, end on or after start. Required unless `event` is set "
         "(then the event's dates apply). Default: null."),
        ("event", "null", "event.event (name or id) whose sessions count as attendance; the batch "
         'is done when the event reaches an end stage (e.g. "Ended"). Default: null.'),
    ],
)  # fmt: skip
def test_each_batch_field_has_its_own_sentence_and_requiredness(
    by_path: dict[str, Row], committed: str, field: str, default: str, description: str
) -> None:
    row = by_path[f"{BATCH}.{field}"]
    assert (row.default, row.description) == (default, description)
    line = f"| `{BATCH}.{field}` | {row.type} | `{default}` | {description} |"
    assert line in render().splitlines()
    assert line in committed.splitlines()


def test_batch_fields_do_not_borrow_the_key_sentence(by_path: dict[str, Row]) -> None:
    key = by_path[f"{BATCH}.key"].description
    for field in ("name", "start", "end", "event"):
        assert by_path[f"{BATCH}.{field}"].description != key, field
        assert "identifier" not in by_path[f"{BATCH}.{field}"].description, field
    for field in ("start", "end", "event"):  # optional in the model: not "Required." outright
        assert not by_path[f"{BATCH}.{field}"].description.endswith("Required."), field


def test_api_key_is_not_given_the_password_paragraph(
    by_path: dict[str, Row], committed: str
) -> None:
    password = by_path["odoo.password"].description
    api_key = by_path["odoo.api_key"].description
    assert password.startswith("Exactly one of password / api_key.")
    assert api_key == "e.g. ${ODOO_API_KEY}; default: null. See `odoo.password`."
    assert api_key != password and "fallback" not in api_key
    assert f"| `odoo.api_key` | secret text | `null` | {api_key} |" in committed.splitlines()


def test_a_listing_block_gives_each_key_its_own_line() -> None:
    docs = read_example(
        "items:\n"
        "  # key: the key.\n"
        "  # name: the name.\n"
        "  # start, end: the dates.\n"
        "  - key: a\n"
        "    name: b\n"
        "    start: 1\n"
        "    end: 2\n"
    )
    assert docs.describe(("items", "key")) == "the key."
    assert docs.describe(("items", "name")) == "the name."
    assert docs.describe(("items", "start")) == docs.describe(("items", "end")) == "the dates."


def test_a_sibling_with_its_own_trailing_comment_points_at_the_shared_block() -> None:
    docs = read_example("a:\n  # Either b or c.\n  b: 1\n  c: 2   # the other one\n  d: 3\n")
    assert docs.describe(("a", "b")) == "Either b or c."
    assert (docs.describe(("a", "c")), docs.see[("a", "c")]) == ("the other one", "b")
    assert docs.describe(("a", "d")) == "Either b or c."  # no comment of its own: shares it
    assert ("a", "d") not in docs.see
