"""The certificate PDF: one A4 landscape page drawn with reportlab's canvas, the signed payload
embedded as a PDF file attachment (``ojt-certificate.json``) so the PDF verifies offline.

Speed (docs/product-rules.md §10: ≥ 50 signed PDFs per second per core) decides a few things:
the page is drawn directly on the canvas (no platypus), texts use the PDF's built-in fonts
(nothing to embed), the QR code is drawn as vector rectangles from `qrcode`'s module matrix (no
image) with a fixed mask pattern (choosing the best of eight masks costs ~4 ms; any mask is valid
and decodes), and a logo is decoded once per path and kept.

Texts the built-in fonts cannot show (outside Windows-1252, e.g. "Łukasz" or "Δημήτρης") are
drawn in DejaVu Serif, embedded as a subset only in those PDFs. Scripts DejaVu lacks too (CJK)
show as empty boxes: visibly degraded, never a crash.

This module lays the page out in named steps (header, participant and program, message, the
bottom band's figures, issuer and verification, the attachment); `drawing.py` holds the fonts,
colours and drawing primitives they use.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from sidecar.certificates.document import CertificateFields, format_average, format_span
from sidecar.certificates.drawing import (
    INK,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    border,
    centred,
    figure,
    fit_size,
    font_for,
    logo,
    qr_code,
    rule,
    spaced,
)
from sidecar.certificates.signing import SignedPayload

__all__ = [
    "EMBEDDED_NAME",
    "PAGE_HEIGHT",
    "PAGE_WIDTH",
    "PdfStyle",
    "embedded_json",
    "render_certificate",
]

EMBEDDED_NAME = "ojt-certificate.json"
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_BOTTOM_BAND_TOP = 168  # the figures, issuer and QR code sit below this line
_BAND_BASE = 92  # the baseline the bottom band is laid out from
_MARGIN = 78  # the bottom band's left and right margin


@dataclass(frozen=True)
class PdfStyle:
    title: str
    message: str  # already formatted
    issuer_name: str
    logo_path: Path | None = None  # PNG or JPEG
    primary_color: str = "#1f3a5f"
    accent_color: str = "#b08d57"


def _long_date(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


# --- the page ---------------------------------------------------------------------------------


def render_certificate(fields: CertificateFields, signed: SignedPayload, style: PdfStyle) -> bytes:
    """The certificate as PDF bytes, with `signed` embedded as ``ojt-certificate.json``."""
    primary, accent = HexColor(style.primary_color), HexColor(style.accent_color)
    buf = io.BytesIO()
    c = _canvas(buf, fields, style)
    border(c, primary, accent)
    y = _header(c, style, primary, accent)
    y = _participant_and_program(c, fields, y, primary, accent)
    _message(c, style.message, y)
    _figures(c, fields, primary)
    _issuer(c, fields.issuer)
    _verification(c, fields.verify_url, signed.kid)
    _embed(c, signed)
    c.showPage()
    _deflate_only(c)
    c.save()
    return buf.getvalue()


def _deflate_only(c: Canvas) -> None:
    """The page's content stream deflated without reportlab's ASCII85 layer on top (its
    `rl_config.useA85` default, for 7-bit-clean files): the same drawing in a smaller file, and
    without the pure-Python encoder that cost a sixth of the page's rendering. Set on the page
    reportlab made, as its own `PDFPage.check_format` would, minus the ASCII85 filter."""
    page = c._doc.Pages[-1]  # reportlab's PDFPage of the page just shown; no public accessor
    stream = pdfdoc.PDFStream(content=page.stream, filters=[pdfdoc.PDFZCompress])
    stream.__Comment__ = "page stream"
    page.Contents = stream


def _canvas(buf: io.BytesIO, fields: CertificateFields, style: PdfStyle) -> Canvas:
    """A landscape A4 canvas writing into `buf`, with the document's metadata."""
    c = Canvas(buf, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    c.setTitle(f"{style.title} — {fields.participant}")
    c.setAuthor(style.issuer_name)
    c.setSubject(f"{fields.program} · serial {fields.serial}")
    c.setKeywords(f"certificate {fields.serial}")
    c.setCreator("ojt-sidecar")
    return c


def _header(c: Canvas, style: PdfStyle, primary: Color, accent: Color) -> float:
    """The logo (if any), the issuer and the title over an accent rule; returns the baseline of
    the title's last line."""
    cx, top = PAGE_WIDTH / 2, PAGE_HEIGHT
    y = top - 88
    if style.logo_path is not None:
        y = _logo(c, style.logo_path) - 22
    c.setFillColor(primary)
    spaced(c, cx, y, style.issuer_name, "Helvetica-Bold", 10, "centre")
    y = centred(c, style.title, y - 44, "Times-Bold", 38, primary, width=600, minimum=20)
    rule(c, y - 16, 130, accent)
    return y


def _logo(c: Canvas, path: Path) -> float:
    """The logo centred at the top, 46 pt high (narrower when wider than 180 pt); returns its
    bottom edge."""
    image = logo(path)
    iw, ih = image.getSize()
    lh = 46.0
    lw = min(lh * iw / ih, 180.0)
    lh = lw * ih / iw
    bottom = PAGE_HEIGHT - 50 - lh
    c.drawImage(image, PAGE_WIDTH / 2 - lw / 2, bottom, lw, lh, mask="auto")
    return float(bottom)


def _participant_and_program(
    c: Canvas, fields: CertificateFields, y: float, primary: Color, accent: Color
) -> float:
    """Below baseline `y`: "This certifies that", the participant (underlined), "has
    successfully completed", the program and its batch; returns the last baseline drawn."""
    cx = PAGE_WIDTH / 2
    y = centred(c, "This certifies that", y - 54, "Times-Italic", 15, MUTED)
    y = centred(c, fields.participant, y - 50, "Times-Bold", 36, INK, width=620, minimum=16)
    c.setStrokeColor(accent)
    c.setLineWidth(0.7)
    c.line(cx - 250, y - 14, cx + 250, y - 14)
    y = centred(
        c, "has successfully completed the training program", y - 40, "Times-Italic", 14, MUTED
    )
    y = centred(c, fields.program, y - 32, "Times-Bold", 23, primary, width=600, minimum=12)
    if fields.batch:
        span = format_span(fields.batch_start, fields.batch_end)
        line = f"{fields.batch} · {span}" if span else fields.batch
        y = centred(c, line, y - 22, "Times-Roman", 13, MUTED, width=560, minimum=9)
    return y


def _message(c: Canvas, message: str, y: float) -> None:
    """The message below baseline `y`: at most three lines, and never into the bottom band."""
    font = font_for(message, "Times-Italic")
    lines = simpleSplit(message, font, 12.5, 560)[:3]
    c.setFillColor(INK)
    c.setFont(font, 12.5)
    y -= 34
    for line in lines:
        if y < _BOTTOM_BAND_TOP:
            break
        c.drawCentredString(PAGE_WIDTH / 2, y, line)
        y -= 16


def _figures(c: Canvas, fields: CertificateFields, primary: Color) -> None:
    """The bottom band's left: issue and expiry dates, assignments, average score, serial."""
    base, left = _BAND_BASE, _MARGIN
    figure(c, left, base + 38, "Issued on", _long_date(fields.issue_date))
    if fields.expires_on is not None:
        figure(c, left + 128, base + 38, "Valid until", _long_date(fields.expires_on))
    figure(c, left, base, "Assignments", str(fields.total_assignments))
    figure(c, left + 128, base, "Average score", format_average(fields.average_score))
    c.setFillColor(MUTED)
    spaced(c, left, base - 22, "Serial", "Helvetica", 6.8, "left")
    c.setFillColor(primary)
    c.setFont("Courier-Bold", 12)
    c.drawString(left, base - 38, fields.serial)


def _issuer(c: Canvas, issuer: str) -> None:
    """The bottom band's middle: the issuer over "Issued by", under a signature line."""
    cx, base = PAGE_WIDTH / 2, _BAND_BASE
    c.setStrokeColor(MUTED)
    c.setLineWidth(0.6)
    c.line(cx - 110, base + 6, cx + 110, base + 6)
    issuer_font = font_for(issuer, "Times-Roman")
    c.setFillColor(INK)
    c.setFont(issuer_font, fit_size(issuer, issuer_font, 12, 220, 7))
    c.drawCentredString(cx, base - 10, issuer)
    c.setFillColor(MUTED)
    spaced(c, cx, base - 24, "Issued by", "Helvetica", 6.8, "centre")


def _verification(c: Canvas, url: str, kid: str) -> None:
    """The bottom band's right: the QR code of the verify URL with the URL under it; then the
    footer line along the bottom edge (in the same muted colour)."""
    qr_size = 84.0
    qr_x, qr_y = PAGE_WIDTH - _MARGIN - qr_size, _BAND_BASE - 30
    qr_code(c, url, qr_x, qr_y, qr_size)
    c.setFillColor(MUTED)
    c.setFont("Helvetica", fit_size(url, "Helvetica", 6, 170, 3.5))
    c.drawCentredString(qr_x + qr_size / 2, qr_y - 12, url)
    footer = f"Verify at {url} · signed with key {kid}"
    c.setFont("Helvetica", fit_size(footer, "Helvetica", 6.5, 520, 4))
    c.drawCentredString(PAGE_WIDTH / 2, 42, footer)


def embedded_json(signed: SignedPayload) -> bytes:
    """The attachment: the exact signed payload string, its signature and the key id."""
    return json.dumps(
        {
            "payload": signed.payload_bytes.decode("utf-8"),
            "signature": signed.signature,
            "kid": signed.kid,
        },
        ensure_ascii=False,
    ).encode("utf-8")


def _embed(c: Canvas, signed: SignedPayload) -> None:
    """Attach ``ojt-certificate.json`` through the catalog's EmbeddedFiles name tree: reportlab
    has no public API for file attachments, but its PDF object classes write one faithfully."""
    doc = c._doc  # reportlab's PDFDocument; there is no public accessor
    data = embedded_json(signed)
    stream = pdfdoc.PDFStream(
        pdfdoc.PDFDictionary(
            {
                "Type": pdfdoc.PDFName("EmbeddedFile"),
                "Subtype": pdfdoc.PDFName("application#2Fjson"),
                "Params": pdfdoc.PDFDictionary({"Size": len(data)}),
            }
        ),
        content=data,
    )
    name = pdfdoc.PDFString(EMBEDDED_NAME)
    filespec = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("Filespec"),
            "F": name,
            "UF": name,
            "Desc": pdfdoc.PDFString("Signed certificate payload (Ed25519)"),
            "AFRelationship": pdfdoc.PDFName("Data"),
            "EF": pdfdoc.PDFDictionary({"F": doc.Reference(stream)}),
        }
    )
    ref = doc.Reference(filespec)
    doc.Catalog.Names = pdfdoc.PDFDictionary(
        {"EmbeddedFiles": pdfdoc.PDFDictionary({"Names": pdfdoc.PDFArray([name, ref])})}
    )
