"""What the certificate page is drawn with (`pdf.py` lays the page out): the page size and
colours, the logo cache, and the drawing primitives on a reportlab canvas: a line of text (in
a built-in font when it can show it, else shaped in the bundled fonts: `shaping.py`,
`glyphtext.py`), a fitted block of lines, letter-spaced labels, the border, the accent rule, a
figure, and the QR code as vector rectangles."""

from __future__ import annotations

from pathlib import Path

import qrcode
import qrcode.constants
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from sidecar.certificates import glyphtext
from sidecar.certificates.fitting import Block, builtin_can_show, is_bold, measure
from sidecar.certificates.shaping import shape

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
INK = HexColor("#23262b")
MUTED = HexColor("#6b6f76")
PAPER = HexColor("#fffdf8")


# --- text -------------------------------------------------------------------------------------


def text_line(
    c: Canvas, text: str, font: str, size: float, x: float, y: float, color: Color, anchor: str
) -> None:
    """One line at baseline `y`, its left end (anchor "left") or middle ("centre") at `x`: in
    the built-in `font` when it can show the text (no shaping, nothing embedded), else shaped
    in the bundled fonts of the same weight."""
    if builtin_can_show(text):
        # Both set every time: a letter-spaced label's text object sets the PDF's font behind
        # the canvas's back, so what the canvas remembers is no guide.
        c.setFillColor(color)
        c.setFont(font, size)
        if anchor == "centre":
            c.drawCentredString(x, y, text)
        else:
            c.drawString(x, y, text)
        return
    line = shape(text, is_bold(font))
    left = x - line.width * size / 2 if anchor == "centre" else x
    glyphtext.writer(c).draw(line, left, y, size, color)


def block(c: Canvas, fitted: Block, y: float, color: Color, x: float = PAGE_WIDTH / 2) -> None:
    """A fitted block centred on `x` (the page's middle), its first baseline at `y`."""
    for i, line in enumerate(fitted.lines):
        text_line(c, line, fitted.font, fitted.size, x, y - i * fitted.leading, color, "centre")


# --- images -----------------------------------------------------------------------------------

_logos: dict[tuple[str, int, int], ImageReader] = {}


def logo(path: Path) -> ImageReader:
    """Decoded once per (path, size, mtime): a changed file is read again."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    reader = _logos.get(key)
    if reader is None:
        reader = ImageReader(str(path))
        reader.getRGBData()  # decode now, once, not inside every PDF
        _logos[key] = reader
    return reader


def qr_matrix(url: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=2)
    qr.add_data(url)
    qr.make(fit=True)
    return [[bool(cell) for cell in row] for row in qr.get_matrix()]


# --- drawing ----------------------------------------------------------------------------------


def fit_size(text: str, font: str, size: float, width: float, minimum: float) -> float:
    """`size`, or smaller (down to `minimum`) so that `text` fits `width`."""
    actual = measure(text, font) * size
    if actual <= width:
        return size
    return max(minimum, size * width / actual * 0.999)


def spaced(
    c: Canvas, x: float, y: float, text: str, font: str, size: float, anchor: str, color: Color
) -> None:
    """Small-caps-like label: upper case, letter-spaced (not in a shaped script, where spacing
    would break the joining); anchored left or centre."""
    text = text.upper()
    if not builtin_can_show(text):
        text_line(c, text, font, size, x, y, color, anchor)
        return
    c.setFillColor(color)
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


def border(c: Canvas, primary: Color, accent: Color) -> None:
    """The paper, a double frame and a diamond in each corner."""
    w, h = PAGE_WIDTH, PAGE_HEIGHT
    c.setFillColor(PAPER)
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


def rule(c: Canvas, y: float, half: float, accent: Color) -> None:
    """A thin accent rule with a diamond in the middle."""
    cx = PAGE_WIDTH / 2
    c.setStrokeColor(accent)
    c.setLineWidth(0.8)
    c.line(cx - half, y, cx - 9, y)
    c.line(cx + 9, y, cx + half, y)
    c.setFillColor(accent)
    _diamond(c, cx, y, 3.5)


def qr_code(c: Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as filled rectangles, one per horizontal run of dark modules, on a white
    quiet zone. The runs are written in module units under one `cm` (integers: no per-number
    float formatting, which was most of the page's drawing time), inside q/Q."""
    matrix = qr_matrix(url)
    n = len(matrix)
    m = size / n
    c.setFillColorRGB(1, 1, 1)
    c.rect(x - 4 * m, y - 4 * m, size + 8 * m, size + 8 * m, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    c.addLiteral(f"q {fp_str(m, 0, 0, m, x, y)} cm {_qr_runs(matrix)} f* Q")


def _qr_runs(matrix: list[list[bool]]) -> str:
    """One `re` per horizontal run of dark modules, in module units from the bottom-left."""
    n = len(matrix)
    ops: list[str] = []
    for row, cells in enumerate(matrix):
        bottom = n - 1 - row
        col = 0
        while col < n:
            if cells[col]:
                start = col
                while col < n and cells[col]:
                    col += 1
                ops.append(f"{start} {bottom} {col - start} 1 re")
            else:
                col += 1
    return " ".join(ops)


def figure(c: Canvas, x: float, y: float, label: str, value: str) -> None:
    """A letter-spaced label over its value."""
    spaced(c, x, y + 16, label, "Helvetica", 6.8, "left", MUTED)
    text_line(c, value, "Times-Roman", 13.5, x, y, INK, "left")
