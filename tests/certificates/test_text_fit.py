"""Long texts are never cut: names up to 128 characters and messages up to 600 fit by wrapping
and shrinking, above their floors, even on the fullest page; beyond that the rules say why."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
from PIL import Image
from pypdf import PdfReader

from sidecar.certificates.drawing import PAGE_HEIGHT
from sidecar.certificates.fitting import Block, fit
from sidecar.certificates.layout import (
    BOTTOM_BAND_TOP,
    MESSAGE,
    MESSAGE_HEIGHT,
    NAME,
    SCALES,
    Texts,
    _flow,
    message_fits,
    message_problem,
    name_fits,
    name_problem,
    plan,
)
from sidecar.certificates.limits import MESSAGE_FLOOR, MESSAGE_LIMIT, NAME_FLOOR, NAME_LIMIT
from tests.certificates.conftest import STYLE, make_fields

Render = Callable[..., bytes]

# The title's top below the tallest logo (sidecar/certificates/pdf.py: `_logo` is at most
# 46 pt high, 50 pt from the top edge, and the issuer's name sits 22 pt under it).
LOGO_TOP = PAGE_HEIGHT - 50 - 46 - 22


def _words(word: str, length: int) -> str:
    text = " ".join([word] * (length // (len(word) + 1) + 1))
    return text[:length].strip().ljust(length, word[0])


NAMES = {
    "latin": _words("Bartholomew", NAME_LIMIT),
    "wide latin": "W" * NAME_LIMIT,  # one word as wide as Times' widest letter, 1 em
    "cjk": ("王小明김민준さくら" * 20)[:NAME_LIMIT],
    "arabic": _words("عبدالرحمن", NAME_LIMIT),
    "devanagari": _words("क्षत्रिय", NAME_LIMIT),
}
MESSAGES = {
    "latin": _words("Congratulations", MESSAGE_LIMIT),
    "cjk": ("祝贺您顺利完成培训课程" * 60)[:MESSAGE_LIMIT],  # 1 em each, and no space to break at
    "arabic": _words("تهانينا", MESSAGE_LIMIT),
    "thai": ("ขอแสดงความยินดีที่สำเร็จการฝึกอบรม" * 20)[:MESSAGE_LIMIT],
}
# Every other text at its longest: the config allows 200 characters for a title, a program
# and a batch name.
FULLEST = Texts(
    title=_words("Certificate", 200),
    certifies="This certifies that",
    name=NAMES["cjk"],
    completed="has successfully completed the training program",
    program=_words("Warehouse", 200),
    batch=_words("Spring", 200) + " · 2 – 12 December 2026",
    message="",
)


def _whole(block: Block, text: str) -> bool:
    """Whether the block's lines are the text, nothing left out (spaces aside)."""
    return "".join("".join(block.lines).split()) == "".join(text.split())


def test_every_name_up_to_the_limit_fits_above_the_floor() -> None:
    for script, name in NAMES.items():
        assert len(name) == NAME_LIMIT, script
        block = fit(name, NAME)
        assert block is not None and block.size >= NAME_FLOOR, script
        assert len(block.lines) <= 3 and _whole(block, name), script
        assert name_problem(name) is None and name_fits(name), script


def test_every_message_up_to_the_limit_fits_above_the_floor_on_the_fullest_page() -> None:
    for script, message in MESSAGES.items():
        assert len(message) == MESSAGE_LIMIT, script
        flow = plan(dataclasses.replace(FULLEST, message=message), LOGO_TOP)
        placed = flow.message
        assert placed.block.size >= MESSAGE_FLOOR, script
        assert placed.y - placed.block.depth >= BOTTOM_BAND_TOP, script  # not into the band
        assert _whole(placed.block, message), script
        assert flow.name.block.size >= NAME_FLOOR and _whole(flow.name.block, FULLEST.name)
        assert message_problem(message) is None and message_fits(message), script


def test_the_fullest_page_leaves_the_message_its_height() -> None:
    """What `message_problem` counts on: at the smallest scale, with a logo and every other
    text at its longest, the message has MESSAGE_HEIGHT from its first baseline to the band."""
    flow = _flow(dataclasses.replace(FULLEST, message="Well done"), LOGO_TOP, SCALES[-1], None)
    assert flow is not None
    assert flow.message.y - BOTTOM_BAND_TOP >= MESSAGE_HEIGHT


def test_an_ordinary_page_keeps_its_sizes() -> None:
    texts = dataclasses.replace(
        FULLEST,
        title="Certificate of Completion",
        name="Maria Fernanda Oliveira",
        program="Warehouse Safety & Forklift Operation",
        batch="Spring 2024 cohort",
        message="Congratulations on completing your on-the-job training.",
    )
    flow = plan(texts, PAGE_HEIGHT - 88)
    assert flow.scale == 1.0
    assert (flow.title.block.size, flow.name.block.size, flow.program.block.size) == (38, 36, 23)
    assert flow.message.block.size == MESSAGE.size and len(flow.message.block.lines) == 1


def test_beyond_the_limits_the_rules_say_why() -> None:
    assert name_problem("A" * (NAME_LIMIT + 1)) == (
        "the name has 129 characters; a certificate prints at most 128"
    )
    assert message_problem("x" * (MESSAGE_LIMIT + 1)) == (
        "the message has 601 characters; a certificate prints at most 600"
    )
    assert name_problem("Ana 😀") == (
        "the name has characters no certificate font can print: 😀 (U+1F600)"
    )
    assert not name_fits("A" * 129) and not message_fits("x" * 601)


def test_a_long_message_prints_whole(render: Render, tmp_path: Path) -> None:
    """Not cut to three lines, as it once was: on a page with a logo and a long name, a
    message at the limit is all there in the extracted text."""
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 60), (200, 30, 30)).save(logo)
    message = MESSAGES["latin"]
    style = dataclasses.replace(STYLE, message=message, logo_path=logo)
    fields = make_fields(participant=NAMES["latin"])
    text = "".join(PdfReader(io.BytesIO(render(fields, style))).pages[0].extract_text().split())
    assert "".join(message.split()) in text
    assert "".join(fields.participant.split()) in text


def test_texts_beyond_the_limits_still_print_whole(render: Render) -> None:
    name = _words("Bartholomew", 300)
    message = _words("Congratulations", 1500)
    style = dataclasses.replace(STYLE, message=message)
    text = "".join(
        PdfReader(io.BytesIO(render(make_fields(participant=name), style)))
        .pages[0]
        .extract_text()
        .split()
    )
    assert "".join(name.split()) in text and "".join(message.split()) in text


def test_the_fullest_page_prints_every_text_whole(render: Render) -> None:
    issuer = _words("Northwind", 200)
    fields = make_fields(
        participant=FULLEST.name,
        program=FULLEST.program,
        batch=_words("Spring", 200),
        issuer=issuer,
    )
    style = dataclasses.replace(
        STYLE, title=FULLEST.title, message=MESSAGES["arabic"], issuer_name=issuer
    )
    text = "".join(PdfReader(io.BytesIO(render(fields, style))).pages[0].extract_text().split())
    for whole in (FULLEST.title, FULLEST.name, FULLEST.program, MESSAGES["arabic"], issuer):
        assert "".join(whole.split()) in text
    assert "".join(issuer.upper().split()) in text  # the header's, wrapped: too long to space


def test_each_text_is_drawn_at_its_own_size(render: Render) -> None:
    """Sizes as laid out, also after a letter-spaced label (whose text object sets the PDF's
    font without the canvas knowing) and after shaped text."""
    fields = make_fields(participant="Δημήτρης Παπαδόπουλος")
    page = pypdfium2.PdfDocument(render(fields))[0].get_textpage()
    text = page.get_text_range()
    sizes = {
        "Certificate of Completion": 38.0,
        "Δημήτρης": 36.0,
        fields.program: 23.0,
        "31 May 2024": 13.5,
        "31 May 2026": 13.5,
        "87.5 %": 13.5,
        STYLE.message: 12.5,
    }
    for shown, size in sizes.items():
        assert pdfium_c.FPDFText_GetFontSize(page.raw, text.index(shown)) == size, shown
