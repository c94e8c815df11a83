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
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import qrcode
import qrcode.constants
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from sidecar.certificates.document import CertificateFields, format_average
from sidecar.certificates.signing import SignedPayload

EMBEDDED_NAME = "ojt-certificate.json"
PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
_FONT_DIRS = (Path(__file__).parent / "fonts", Path("/usr/share/fonts/truetype/dejavu"))
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
_INK = HexColor("#23262b")
_MUTED = HexColor("#6b6f76")
_PAPER = HexColor("#fffdf8")
_BOTTOM_BAND_TOP = 168  # the figures, issuer and QR code sit below this line


@dataclass(frozen=True)
class PdfStyle:
    title: str
    message: str  # already formatted
    issuer_name: str
    logo_path: Path | None = None  # PNG or JPEG
    primary_color: str = "#1f3a5f"
    accent_color: str = "#b08d57"


# --- fonts ------------------------------------------------------------------------------------

_fonts_lock = threading.Lock()
_unicode_fonts: dict[str, str | None] = {}


def _unicode_font(bold: bool) -> str | None:
    """The registered name of DejaVu Serif (bold or regular), or None when it is not found."""
    file = "DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf"
    with _fonts_lock:
        if file not in _unicode_fonts:
            _unicode_fonts[file] = None
            for folder in _FONT_DIRS:
                if (folder / file).is_file():
                    name = file.removesuffix(".ttf")
                    pdfmetrics.registerFont(TTFont(name, str(folder / file)))
                    _unicode_fonts[file] = name
                    break
        return _unicode_fonts[file]


def _font_for(text: str, builtin: str) -> str:
    """`builtin` when it can show `text` (the standard fonts cover Windows-1252), else DejaVu."""
    try:
        text.encode("cp1252")
        return builtin
    except UnicodeEncodeError:
        bold = "Bold" in builtin
        return _unicode_font(bold) or builtin


# --- images -----------------------------------------------------------------------------------

_logos: dict[tuple[str, int, int], ImageReader] = {}


def _logo(path: Path) -> ImageReader:
    """Decoded once per (path, size, mtime): a changed file is read again."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    reader = _logos.get(key)
    if reader is None:
        reader = ImageReader(str(path))
        reader.getRGBData()  # decode now, once, not inside every PDF
        _logos[key] = reader
    return reader


def _qr_matrix(url: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=2)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.get_matrix()


# --- drawing helpers --------------------------------------------------------------------------


def _fit_size(text: str, font: str, size: float, width: float, minimum: float) -> float:
    actual = pdfmetrics.stringWidth(text, font, size)
    if actual <= width:
        return size
    return max(minimum, size * width / actual * 0.999)


def _centred(
    c: Canvas,
    text: str,
    y: float,
    font: str,
    size: float,
    color: Color,
    width: float = 640,
    minimum: float = 9,
    max_lines: int = 2,
) -> float:
    """Draw `text` centred at baseline `y`, shrunk to fit `width` (down to `minimum`, then
    wrapped into at most `max_lines`, shrinking further when needed); returns the baseline of
    the last line."""
    font = _font_for(text, font)
    size = _fit_size(text, font, size, width, minimum)
    lines = [text]
    if pdfmetrics.stringWidth(text, font, size) > width:
        lines = simpleSplit(text, font, size, width) or [text]
        # Only absurdly long texts get here (a 70-character name fits on one line at 17 pt):
        # keep the block within its lines so it never runs into what follows.
        while len(lines) > max_lines and size > 5:
            size *= 0.92
            lines = simpleSplit(text, font, size, width) or [text]
    c.setFillColor(color)
    c.setFont(font, size)
    for i, line in enumerate(lines):
        c.drawCentredString(PAGE_WIDTH / 2, y - i * size * 1.15, line)
    return y - (len(lines) - 1) * size * 1.15


def _spaced(c: Canvas, x: float, y: float, text: str, font: str, size: float, anchor: str) -> None:
    """Small-caps-like label: upper case, letter-spaced; anchored left or centre."""
    text = text.upper()
    font = _font_for(text, font)
    space = size * 0.18
    width = pdfmetrics.stringWidth(text, font, size) + space * (len(text) - 1)
    start = x - width / 2 if anchor == "centre" else x
    t = c.beginText(start, y)
    t.setFont(font, size)
    t.setCharSpace(space)
    t.textOut(text)
    t.setCharSpace(0)  # the character spacing would otherwise stay set for later text
    c.drawText(t)


def _diamond(c: Canvas, x: float, y: float, r: float) -> None:
    p = c.beginPath()
    p.moveTo(x, y + r)
    p.lineTo(x + r, y)
    p.lineTo(x, y - r)
    p.lineTo(x - r, y)
    p.close()
    c.drawPath(p, stroke=0, fill=1)


def _long_date(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _border(c: Canvas, primary: Color, accent: Color) -> None:
    w, h = PAGE_WIDTH, PAGE_HEIGHT
    c.setFillColor(_PAPER)
    c.rect(0, 0, w, h, stroke=0, fill=1)
    c.setStrokeColor(primary)
    c.setLineWidth(7)
    c.rect(18, 18, w - 36, h - 36, stroke=1, fill=0)
    c.setStrokeColor(accent)
    c.setLineWidth(1.4)
    c.rect(29, 29, w - 58, h - 58, stroke=1, fill=0)
    c.setLineWidth(0.5)
    c.rect(33, 33, w - 66, h - 66, stroke=1, fill=0)
    c.setFillColor(accent)
    for x, y in ((31, 31), (w - 31, 31), (31, h - 31), (w - 31, h - 31)):
        _diamond(c, x, y, 7)
    c.setFillColor(primary)
    for x, y in ((31, 31), (w - 31, 31), (31, h - 31), (w - 31, h - 31)):
        _diamond(c, x, y, 2.6)


def _rule(c: Canvas, y: float, half: float, accent: Color) -> None:
    """A thin accent rule with a diamond in the middle."""
    cx = PAGE_WIDTH / 2
    c.setStrokeColor(accent)
    c.setLineWidth(0.8)
    c.line(cx - half, y, cx - 9, y)
    c.line(cx + 9, y, cx + half, y)
    c.setFillColor(accent)
    _diamond(c, cx, y, 3.5)


def _qr(c: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as filled rectangles, one per horizontal run of dark modules, on a white
    quiet zone."""
    matrix = _qr_matrix(url)
    n = len(matrix)
    m = size / n
    c.setFillColorRGB(1, 1, 1)
    c.rect(x - 4 * m, y - 4 * m, size + 8 * m, size + 8 * m, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    p = c.beginPath()
    for row, cells in enumerate(matrix):
        top = y + size - (row + 1) * m
        col = 0
        while col < n:
            if cells[col]:
                start = col
                while col < n and cells[col]:
                    col += 1
                p.rect(x + start * m, top, (col - start) * m, m)
            else:
                col += 1
    c.drawPath(p, stroke=0, fill=1)


def _figure(c: Canvas, x: float, y: float, label: str, value: str) -> None:
    c.setFillColor(_MUTED)
    _spaced(c, x, y + 16, label, "Helvetica", 6.8, "left")
    c.setFillColor(_INK)
    c.setFont(_font_for(value, "Times-Roman"), 13.5)
    c.drawString(x, y, value)


# --- the page ---------------------------------------------------------------------------------


def render_certificate(fields: CertificateFields, signed: SignedPayload, style: PdfStyle) -> bytes:
    """The certificate as PDF bytes, with `signed` embedded as ``ojt-certificate.json``."""
    primary, accent = HexColor(style.primary_color), HexColor(style.accent_color)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    c.setTitle(f"{style.title} — {fields.participant}")
    c.setAuthor(style.issuer_name)
    c.setSubject(f"{fields.program} · serial {fields.serial}")
    c.setKeywords(f"certificate {fields.serial}")
    c.setCreator("ojt-sidecar")
    _border(c, primary, accent)
    cx, top = PAGE_WIDTH / 2, PAGE_HEIGHT

    # Header: logo, issuer, title.
    y = top - 88
    if style.logo_path is not None:
        logo = _logo(style.logo_path)
        iw, ih = logo.getSize()
        lh = 46.0
        lw = min(lh * iw / ih, 180.0)
        lh = lw * ih / iw
        c.drawImage(logo, cx - lw / 2, top - 50 - lh, lw, lh, mask="auto")
        y = top - 50 - lh - 22
    c.setFillColor(primary)
    _spaced(c, cx, y, style.issuer_name, "Helvetica-Bold", 10, "centre")
    y = _centred(c, style.title, y - 44, "Times-Bold", 38, primary, width=600, minimum=20)
    _rule(c, y - 16, 130, accent)

    # The participant and the program.
    y = _centred(c, "This certifies that", y - 54, "Times-Italic", 15, _MUTED)
    y = _centred(c, fields.participant, y - 50, "Times-Bold", 36, _INK, width=620, minimum=16)
    c.setStrokeColor(accent)
    c.setLineWidth(0.7)
    c.line(cx - 250, y - 14, cx + 250, y - 14)
    y = _centred(
        c, "has successfully completed the training program", y - 40, "Times-Italic", 14, _MUTED
    )
    y = _centred(c, fields.program, y - 32, "Times-Bold", 23, primary, width=600, minimum=12)
    if fields.batch:
        y = _centred(c, fields.batch, y - 22, "Times-Roman", 13, _MUTED, width=560, minimum=9)

    # The message: at most three lines, and never into the bottom band.
    font = _font_for(style.message, "Times-Italic")
    lines = simpleSplit(style.message, font, 12.5, 560)[:3]
    c.setFillColor(_INK)
    c.setFont(font, 12.5)
    y -= 34
    for line in lines:
        if y < _BOTTOM_BAND_TOP:
            break
        c.drawCentredString(cx, y, line)
        y -= 16

    # Bottom band: figures on the left, the issuer in the middle, the QR code on the right.
    base = 92
    left = 78
    _figure(c, left, base + 38, "Issued on", _long_date(fields.issue_date))
    if fields.expires_on is not None:
        _figure(c, left + 128, base + 38, "Valid until", _long_date(fields.expires_on))
    _figure(c, left, base, "Assignments", str(fields.total_assignments))
    _figure(c, left + 128, base, "Average score", format_average(fields.average_score))
    c.setFillColor(_MUTED)
    _spaced(c, left, base - 22, "Serial", "Helvetica", 6.8, "left")
    c.setFillColor(primary)
    c.setFont("Courier-Bold", 12)
    c.drawString(left, base - 38, fields.serial)

    c.setStrokeColor(_MUTED)
    c.setLineWidth(0.6)
    c.line(cx - 110, base + 6, cx + 110, base + 6)
    issuer_font = _font_for(fields.issuer, "Times-Roman")
    c.setFillColor(_INK)
    c.setFont(issuer_font, _fit_size(fields.issuer, issuer_font, 12, 220, 7))
    c.drawCentredString(cx, base - 10, fields.issuer)
    c.setFillColor(_MUTED)
    _spaced(c, cx, base - 24, "Issued by", "Helvetica", 6.8, "centre")

    qr_size = 84.0
    qr_x, qr_y = PAGE_WIDTH - 78 - qr_size, base - 30
    _qr(c, fields.verify_url, qr_x, qr_y, qr_size)
    c.setFillColor(_MUTED)
    url_size = _fit_size(fields.verify_url, "Helvetica", 6, 170, 3.5)
    c.setFont("Helvetica", url_size)
    c.drawCentredString(qr_x + qr_size / 2, qr_y - 12, fields.verify_url)

    footer = f"Verify at {fields.verify_url} · signed with key {signed.kid}"
    c.setFont("Helvetica", _fit_size(footer, "Helvetica", 6.5, 520, 4))
    c.drawCentredString(cx, 42, footer)

    _embed(c, signed)
    c.showPage()
    c.save()
    return buf.getvalue()


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
