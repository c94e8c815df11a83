"""Every script prints: a certificate with a name, program and message in each of Latin
(beyond Windows-1252), Cyrillic, Greek, CJK, Arabic, Hebrew, Devanagari and Thai is rendered,
its text read back with both extractors, and its fonts checked for empty boxes (.notdef).

What is asserted of the extracted text: each of the three texts comes back as one whole line
of the page, equal to the original after Unicode normalization (NFC) and trimming, from pypdf
and from pdfium alike (right-to-left texts in logical order). NFC because the shaper stores
marks in canonical order (Hebrew points may come back reordered, the same text). A line that
mixes directions ("Ali محمد") is not among these: both extractors misplace the space or bracket
between the runs; docs/product-rules.md §3 says so.
"""

from __future__ import annotations

import dataclasses
import io
import unicodedata
from collections.abc import Callable
from typing import Any

import pypdfium2
import pytest
import uharfbuzz as hb
from pypdf import PdfReader

from sidecar.certificates.shaping import shape
from sidecar.certificates.typefaces import chain, unprintable
from sidecar.certificates.verify_pdf import verify_pdf
from tests.certificates.conftest import STYLE, make_fields
from tests.certificates.scripts import SAMPLES, Sample

Render = Callable[..., bytes]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def _certificate(render: Render, sample: Sample) -> bytes:
    fields = make_fields(participant=sample.name, program=sample.program)
    return render(fields, dataclasses.replace(STYLE, message=sample.message))


def _texts(sample: Sample) -> list[str]:
    return [sample.name, sample.program, sample.message]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.script)
def test_each_text_extracts_back_with_pypdf_and_pdfium(render: Render, sample: Sample) -> None:
    data = _certificate(render, sample)
    by_pypdf = {
        _nfc(line) for line in PdfReader(io.BytesIO(data)).pages[0].extract_text().split("\n")
    }
    page = pypdfium2.PdfDocument(data)[0]
    by_pdfium = {_nfc(line) for line in page.get_textpage().get_text_range().split("\r\n")}
    for text in _texts(sample):
        assert _nfc(text) in by_pypdf, (text, sorted(by_pypdf))
        assert _nfc(text) in by_pdfium, (text, sorted(by_pdfium))


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.script)
def test_no_glyph_is_notdef(render: Render, sample: Sample) -> None:
    for text in _texts(sample):
        assert unprintable(text) == []  # some bundled font maps every character (cmap)
        for bold in (False, True):  # the name and program are bold, the message is not
            line = shape(text, bold)
            assert line.notdef == 0 and all(g.gid != 0 for g in line.glyphs)
    fonts = _shaped_fonts(_certificate(render, sample))
    assert fonts, "the texts were drawn shaped, in embedded fonts"
    for font in fonts:
        cids, gids = _cid_to_gid(font)
        assert cids and 0 not in gids  # every CID drawn maps to a real glyph of the subset
        subset = hb.Face(
            hb.Blob(font["/DescendantFonts"][0]["/FontDescriptor"]["/FontFile2"].get_data())
        )
        assert max(gids) < subset.glyph_count
        assert set(cids) <= _to_unicode_cids(font)  # and reads as text


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.script)
def test_a_certificate_in_each_script_verifies(
    render: Render, sample: Sample, public_keys: list[dict[str, Any]]
) -> None:
    result = verify_pdf(_certificate(render, sample), public_keys)
    assert result.ok, result.problems


def test_right_to_left_text_is_drawn_right_to_left() -> None:
    """The first letter of an Arabic or Hebrew name is its rightmost glyph."""
    for sample in SAMPLES:
        if not sample.rtl:
            continue
        line = shape(sample.name, bold=True)
        rightmost = max((g for g in line.glyphs if g.text.strip()), key=lambda g: g.x)
        leftmost = min((g for g in line.glyphs if g.text.strip()), key=lambda g: g.x)
        assert (rightmost.text, leftmost.text) == (sample.name[0], sample.name[-1])


def test_arabic_letters_join_and_devanagari_forms_conjuncts() -> None:
    """The shaper's forms, not the letters' own glyphs: Arabic positional forms, the
    conjunct क्ष as one glyph, Thai's tone mark over a tall vowel moved."""
    naskh, deva = chain(False)[1], chain(False)[2]
    nominal = {naskh.font.get_nominal_glyph(ord(ch)) for ch in "محمد"}
    assert not nominal & {g.gid for g in shape("محمد", False).glyphs}
    conjunct = shape("क्ष", False)
    assert len(conjunct.glyphs) == 1 and conjunct.glyphs[0].text == "क्ष"
    assert conjunct.glyphs[0].gid not in {deva.font.get_nominal_glyph(ord(ch)) for ch in "क्ष"}


def test_every_bundled_font_has_truetype_outlines() -> None:
    """glyf outlines, which a PDF embeds as FontFile2 (CFF ones, like Noto Sans CJK's, would
    need FontFile3)."""
    for bold in (False, True):
        for loaded in chain(bold):
            assert "glyf" in loaded.face.table_tags, loaded.typeface.file
            assert "CFF " not in loaded.face.table_tags, loaded.typeface.file
            assert loaded.font.get_nominal_glyph(32), "a space: the carriers of readings"


def _shaped_fonts(data: bytes) -> list[Any]:
    resources: Any = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]
    fonts = [font.get_object() for font in resources["/Font"].values()]
    return [f for f in fonts if f["/Subtype"] == "/Type0"]


def _cid_to_gid(font: Any) -> tuple[list[int], list[int]]:
    data = font["/DescendantFonts"][0]["/CIDToGIDMap"].get_data()
    gids = [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
    return list(range(1, len(gids))), gids[1:]  # CID 0 is .notdef itself


def _to_unicode_cids(font: Any) -> set[int]:
    cmap = font["/ToUnicode"].get_data().decode()
    entries = cmap.split("beginbfchar")[1:]
    return {
        int(line.split()[0][1:-1], 16)
        for e in entries
        for line in e.split("endbfchar")[0].strip().splitlines()
    }
