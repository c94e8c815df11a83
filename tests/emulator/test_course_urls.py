"""A course's `website_url` as real servers answer it: after Odoo's web.base.url up to 18.0,
the path alone from 19.0 (recorded on real 17.0 and 19.0)."""

from __future__ import annotations

import pytest

from sidecar.emulator import OdooEmulator


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("16.0", "http://localhost:8069/slides/basics-of-gardening-1"),
        ("17.0", "http://localhost:8069/slides/basics-of-gardening-1"),
        ("18.0", "http://localhost:8069/slides/basics-of-gardening-1"),
        ("19.0", "/slides/basics-of-gardening-1"),
        ("20.0", "/slides/basics-of-gardening-1"),
    ],
)
def test_course_page_urls(version: str, expected: str) -> None:
    with OdooEmulator(version=version) as emu:
        (row,) = emu.env.search_read("slide.channel", [("id", "=", 1)], ["website_url", "name"])
    assert row["name"] == "Basics of Gardening"
    assert row["website_url"] == expected
