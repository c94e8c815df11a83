"""The certificate PDF: one A4 landscape page drawn with reportlab's canvas, the signed payload
embedded as a PDF file attachment (``ojt-certificate.json``) so the PDF verifies offline.

Speed (docs/product-rules.md §10: ≥ 50 signed PDFs per second per core) decides a few things:
the page is drawn directly on the canvas (no platypus), texts the PDF's built-in fonts can show
(Windows-1252) use them (nothing to shape or embed), the QR code is drawn as vector rectangles
from `qrcode`'s module matrix (no image) with a fixed mask pattern (choosing the best of eight
masks costs ~4 ms; any mask is valid and decodes), and a logo is decoded once per path and kept.

Any other text (Łukasz, Δημήτρης, محمد, कृष्ण, สมชาย, 王小明, …) is shaped with HarfBuzz in
bundled fonts and drawn as glyphs whose text extracts back (`shaping.py`, `glyphtext.py`,
`fonts/README.txt`), embedded as subsets only in those PDFs. Long texts are fitted, never cut
(`layout.py`, `limits.py`; docs/product-rules.md §3).

This module draws the page in named steps (header, the middle as `layout.plan` places it, the
bottom band's figures, issuer and verification, the attachment); `drawing.py` holds the
colours and drawing primitives they use.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from sidecar.certificates import glyphtext
from sidecar.certificates.document import CertificateFields, format_average
from sidecar.certificates.drawing import (
    INK,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    block,
    border,
    figure,
    fit_size,
    logo,
    qr_code,
    rule,
    spaced,
    text_line,
)
from sidecar.certificates.fitting import builtin_can_show
from sidecar.certificates.layout import ISSUER, ISSUER_LABEL, Flow, Texts, fitted, plan
from sidecar.certificates.signing import SignedPayload
from sidecar.i18n import Words, words

__all__ = [
    "CREDENTIAL_NAME",
    "EMBEDDED_NAME",
    "PAGE_HEIGHT",
    "PAGE_WIDTH",
    "PdfStyle",
    "embedded_json",
    "render_certificate",
]

EMBEDDED_NAME = "ojt-certificate.json"
CREDENTIAL_NAME = "ojt-credential.json"  # sorts after EMBEDDED_NAME, as a name tree asks
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
    lang: str = "en"  # the page's fixed words and dates (sidecar/i18n)


# --- the page ---------------------------------------------------------------------------------


def render_certificate(
    fields: CertificateFields,
    signed: SignedPayload,
    style: PdfStyle,
    credential: bytes | None = None,
) -> bytes:
    """The certificate as PDF bytes, with `signed` embedded as ``ojt-certificate.json`` and,
    when given, its Open Badges credential as ``ojt-credential.json`` (docs/credentials.md)."""
    primary, accent = HexColor(style.primary_color), HexColor(style.accent_color)
    w = words(style.lang)
    buf = io.BytesIO()
    c = _canvas(buf, fields, style)
    border(c, primary, accent)
    top = _header(c, style, primary)
    _middle(c, plan(_texts(fields, style, w), top), primary, accent)
    _figures(c, fields, primary, w)
    _issuer(c, fields.issuer, w)
    _verification(c, fields.verify_url, signed.kid, w)
    glyphtext.finish(c)  # the fonts of the shaped texts, if any
    _embed(c, signed, credential)
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


def _header(c: Canvas, style: PdfStyle, primary: Color) -> float:
    """The logo (if any) and the issuer's name; returns the name's baseline."""
    y = float(PAGE_HEIGHT) - 88
    if style.logo_path is not None:
        y = _logo(c, style.logo_path) - 22
    label = style.issuer_name.upper()
    if builtin_can_show(label):  # letter-spaced, shrunk to the width if it must be
        em = pdfmetrics.stringWidth(label, "Helvetica-Bold", 1) + 0.18 * (len(label) - 1)
        size = min(10.0, 600 / em) if em else 10.0
        if size >= 6:
            spaced(c, PAGE_WIDTH / 2, y, label, "Helvetica-Bold", size, "centre", primary)
            return y
    block(c, fitted(label, ISSUER_LABEL), y, primary)  # too long to space out: wrapped
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


def _texts(fields: CertificateFields, style: PdfStyle, w: Words) -> Texts:
    span = w.span(fields.batch_start, fields.batch_end)
    batch = f"{fields.batch} · {span}" if fields.batch and span else fields.batch
    return Texts(
        title=style.title,
        certifies=w("This certifies that"),
        name=fields.participant,
        completed=w("has successfully completed the training program"),
        program=fields.program,
        batch=batch,
        message=style.message,
    )


def _middle(c: Canvas, flow: Flow, primary: Color, accent: Color) -> None:
    """The title over an accent rule, "This certifies that", the participant (underlined),
    "has successfully completed …", the program, its batch and the message, as placed."""
    cx = PAGE_WIDTH / 2
    block(c, flow.title.block, flow.title.y, primary)
    rule(c, flow.rule_y, 130, accent)
    block(c, flow.certifies.block, flow.certifies.y, MUTED)
    block(c, flow.name.block, flow.name.y, INK)
    c.setStrokeColor(accent)
    c.setLineWidth(0.7)
    c.line(cx - 250, flow.underline_y, cx + 250, flow.underline_y)
    block(c, flow.completed.block, flow.completed.y, MUTED)
    block(c, flow.program.block, flow.program.y, primary)
    if flow.batch is not None:
        block(c, flow.batch.block, flow.batch.y, MUTED)
    block(c, flow.message.block, flow.message.y, INK)


def _figures(c: Canvas, fields: CertificateFields, primary: Color, w: Words) -> None:
    """The bottom band's left: issue and expiry dates, assignments, average score, serial."""
    base, left = _BAND_BASE, _MARGIN
    figure(c, left, base + 38, w("Issued on"), w.long_date(fields.issue_date))
    if fields.expires_on is not None:
        figure(c, left + 128, base + 38, w("Valid until"), w.long_date(fields.expires_on))
    figure(c, left, base, w("Assignments"), str(fields.total_assignments))
    figure(c, left + 128, base, w("Average score"), format_average(fields.average_score))
    spaced(c, left, base - 22, w("Serial"), "Helvetica", 6.8, "left", MUTED)
    c.setFillColor(primary)
    c.setFont("Courier-Bold", 12)
    c.drawString(left, base - 38, fields.serial)


def _issuer(c: Canvas, issuer: str, w: Words) -> None:
    """The bottom band's middle: the issuer over "Issued by", under a signature line."""
    cx, base = PAGE_WIDTH / 2, _BAND_BASE
    c.setStrokeColor(MUTED)
    c.setLineWidth(0.6)
    c.line(cx - 110, base + 6, cx + 110, base + 6)
    name = fitted(issuer, ISSUER)  # up to two lines, the last on the usual baseline
    block(c, name, base - 10 + name.depth, INK, cx)
    spaced(c, cx, base - 24, w("Issued by"), "Helvetica", 6.8, "centre", MUTED)


def _verification(c: Canvas, url: str, kid: str, w: Words) -> None:
    """The bottom band's right: the QR code of the verify URL with the URL under it; then the
    footer line along the bottom edge (in the same muted colour)."""
    qr_size = 84.0
    qr_x, qr_y = PAGE_WIDTH - _MARGIN - qr_size, _BAND_BASE - 30
    qr_code(c, url, qr_x, qr_y, qr_size)
    c.setFillColor(MUTED)
    c.setFont("Helvetica", fit_size(url, "Helvetica", 6, 170, 3.5))
    c.drawCentredString(qr_x + qr_size / 2, qr_y - 12, url)
    footer = w("Verify at {url} · signed with key {kid}", url=url, kid=kid)
    size = fit_size(footer, "Helvetica", 6.5, 520, 4)
    text_line(c, footer, "Helvetica", size, PAGE_WIDTH / 2, 42, MUTED, "centre")


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


def _embed(c: Canvas, signed: SignedPayload, credential: bytes | None) -> None:
    """Attach ``ojt-certificate.json`` (and the credential, when given) through the catalog's
    EmbeddedFiles name tree: reportlab has no public API for file attachments, but its PDF object
    classes write one faithfully."""
    doc = c._doc  # reportlab's PDFDocument; there is no public accessor
    names: list[object] = []
    names += _attachment(
        doc, EMBEDDED_NAME, embedded_json(signed), "Signed certificate payload (Ed25519)"
    )
    if credential is not None:
        names += _attachment(
            doc, CREDENTIAL_NAME, credential, "Open Badges 3.0 credential (eddsa-rdfc-2022)"
        )
    doc.Catalog.Names = pdfdoc.PDFDictionary(
        {"EmbeddedFiles": pdfdoc.PDFDictionary({"Names": pdfdoc.PDFArray(names)})}
    )


def _attachment(doc: pdfdoc.PDFDocument, file_name: str, data: bytes, what: str) -> list[object]:
    """One JSON file's entry of the name tree: its name and a reference to its file spec."""
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
    name = pdfdoc.PDFString(file_name)
    filespec = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("Filespec"),
            "F": name,
            "UF": name,
            "Desc": pdfdoc.PDFString(what),
            "AFRelationship": pdfdoc.PDFName("Data"),
            "EF": pdfdoc.PDFDictionary({"F": doc.Reference(stream)}),
        }
    )
    return [name, doc.Reference(filespec)]
