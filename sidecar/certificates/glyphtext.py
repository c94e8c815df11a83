"""Shaped lines (`shaping.py`) written into a reportlab canvas as glyph ids, with fonts embedded
so that the PDF's text extracts as the original characters.

reportlab draws TrueType text by character, through the font's cmap; a shaped line is glyphs
(Arabic positional forms, conjuncts, ligatures) that no character maps to. So these lines use
fonts of our own, one per bundled font a PDF uses: a Type0 font (Identity-H: two-byte codes)
over a CIDFontType2 whose codes ("CIDs") are numbered per document, one per (glyph, reading);
`CIDToGIDMap` maps them to the glyphs of a subset made by HarfBuzz's subsetter, and `ToUnicode`
maps each to the characters the glyph reads as (`shaping.Glyph.text`), so pypdf and pdfium give
the text back (a glyph with two readings gets two CIDs).

Glyphs are written in visual order, which is what both extractors expect (they turn
right-to-left runs around themselves): one TJ array per line and font, each glyph moved to where
HarfBuzz put it by TJ adjustments (kerning, marks, a vowel sign before its consonant) and a text
rise for marks above or below. No text matrix is set inside a line, since extractors read a jump
as a space. `/ActualText` was tried and left out: pdfium reverses it for right-to-left text,
pypdf ignores it. A face without a bold weight drawn bold is filled and stroked (`2 Tr`).
"""

from __future__ import annotations

import hashlib
import struct
import threading
import weakref
from dataclasses import dataclass, field

import uharfbuzz as hb
from reportlab.lib.colors import Color
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from sidecar.certificates.shaping import Glyph, ShapedLine
from sidecar.certificates.typefaces import LoadedFace

_NAME_PREFIX = "OJTShaped"  # resource names: never one of reportlab's (F1, F2+0, ...)
_FAKE_BOLD_STROKE = 0.028  # of the font size: the outline that thickens a regular face
_DROPPED_TABLES = ("GSUB", "GPOS", "GDEF", "JSTF", "DSIG", "FFTM", "vhea", "vmtx")


@dataclass
class _FontUse:
    """One bundled face in one document: its resource name and the CIDs handed out."""

    face: LoadedFace
    name: str
    # (gid, reading, width) -> CID; CID 0 stays .notdef
    cids: dict[tuple[int, str, int], int] = field(default_factory=dict)

    def cid(self, glyph: Glyph, end: float) -> tuple[int, int]:
        """The glyph's CID and its width (thousandths of an em), which takes the pen to `end`."""
        width = max(0, round((end - glyph.x) * 1000))
        key = (glyph.gid, glyph.text, width)
        found = self.cids.get(key)
        if found is None:
            found = self.cids[key] = len(self.cids) + 1
        return found, width


class GlyphWriter:
    """The shaped text of one canvas; `finish` adds its fonts before the canvas is saved."""

    def __init__(self, canvas: Canvas) -> None:
        self._canvas = canvas
        self._fonts: dict[int, _FontUse] = {}

    def draw(self, line: ShapedLine, x: float, y: float, size: float, color: Color) -> None:
        """`line` with its left end at (x, y), `size` points, filled with `color`: its outline
        glyphs as paths, the others as text."""
        text = [g for g in line.glyphs if not g.outline]
        rgb = " ".join(fp_str(v) for v in (color.red, color.green, color.blue))
        ops = ["q", f"{rgb} rg {rgb} RG"]
        ops += _outlines([g for g in line.glyphs if g.outline], x, y, size)
        if text:
            ops += ["BT", f"1 0 0 1 {fp_str(x + text[0].x * size)} {fp_str(y)} Tm"]
            ops += self._text(text, size)
            ops.append("ET")
        ops.append("Q")  # the rise, render mode and stroke go with the saved state
        self._canvas.addLiteral("\n".join(ops))

    def _text(self, glyphs: list[Glyph], size: float) -> list[str]:
        """One TJ array per font (and rise), each glyph moved to its place by TJ numbers."""
        ops: list[str] = []
        items: list[str] = []
        pen, rise = glyphs[0].x, 0.0  # in ems: where the next glyph would go, the text rise
        current: _FontUse | None = None
        for glyph, end in zip(glyphs, _ends(glyphs), strict=True):
            use = self._use(glyph.face)
            if use is not current or glyph.y != rise:
                _flush(ops, items)
                if use is not current:
                    ops += [f"/{use.name} {fp_str(size)} Tf", _render_mode(use.face, size)]
                    current = use
                if glyph.y != rise:
                    rise = glyph.y
                    ops.append(f"{fp_str(rise * size)} Ts")
            move = round((pen - glyph.x) * 1000)  # in thousandths of an em, + is to the left
            if move:  # a mark set back over its base; widths are rounded, errors never add up
                items.append(str(move))
                pen -= move / 1000
            cid, width = use.cid(glyph, end)
            items.append(f"<{cid:04X}>")
            pen = glyph.x + width / 1000
        _flush(ops, items)
        return ops

    def _use(self, face: LoadedFace) -> _FontUse:
        use = self._fonts.get(id(face))
        if use is None:
            use = self._fonts[id(face)] = _FontUse(face, f"{_NAME_PREFIX}{len(self._fonts) + 1}")
        return use

    def finish(self) -> None:
        """Embed every font used (a subset each) and list it in the page resources."""
        doc = self._canvas._doc  # reportlab's PDFDocument; there is no public accessor
        fonts = doc.idToObject[pdfdoc.BasicFonts].dict
        for use in self._fonts.values():
            fonts[use.name] = doc.Reference(_type0_font(use), use.name)
        self._fonts.clear()


_writers: weakref.WeakKeyDictionary[Canvas, GlyphWriter] = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()  # certificates are rendered in several threads at once


def writer(canvas: Canvas) -> GlyphWriter:
    """The canvas's writer, made on first use."""
    with _writers_lock:
        found = _writers.get(canvas)
        if found is None:
            found = _writers[canvas] = GlyphWriter(canvas)
        return found


def finish(canvas: Canvas) -> None:
    """Embed the fonts of the canvas's shaped text, if it has any; call before `save`."""
    with _writers_lock:
        found = _writers.pop(canvas, None)
    if found is not None:
        found.finish()


# --- the content stream -------------------------------------------------------------------


def _render_mode(face: LoadedFace, size: float) -> str:
    if not face.typeface.fake_bold:
        return "0 Tr"
    return f"{fp_str(size * _FAKE_BOLD_STROKE)} w 2 Tr"


def _outlines(glyphs: list[Glyph], x: float, y: float, size: float) -> list[str]:
    """Glyphs as filled paths (stroked too for a fake bold face), in points from (x, y)."""
    ops: list[str] = []
    for glyph in glyphs:
        face = glyph.face
        pen = _PathPen(x + glyph.x * size, y + glyph.y * size, size / face.upem)
        face.font.draw_glyph_with_pen(glyph.gid, pen)
        if pen.ops:
            paint = "B" if face.typeface.fake_bold else "f"
            width = f"{fp_str(size * _FAKE_BOLD_STROKE)} w " if face.typeface.fake_bold else ""
            ops.append(width + " ".join(pen.ops) + f" {paint}")
    return ops


class _PathPen:
    """A fontTools-style pen writing PDF path operators; quadratic curves (TrueType) become
    the equivalent cubic ones."""

    def __init__(self, x: float, y: float, scale: float) -> None:
        self._x, self._y, self._scale = x, y, scale
        self._last = (0.0, 0.0)
        self.ops: list[str] = []

    def _point(self, p: tuple[float, float]) -> str:
        return f"{fp_str(self._x + p[0] * self._scale)} {fp_str(self._y + p[1] * self._scale)}"

    def moveTo(self, p: tuple[float, float]) -> None:  # the pen protocol names these
        self.ops.append(f"{self._point(p)} m")
        self._last = p

    def lineTo(self, p: tuple[float, float]) -> None:
        self.ops.append(f"{self._point(p)} l")
        self._last = p

    def qCurveTo(self, *points: tuple[float, float]) -> None:
        (cx, cy), end = points[0], points[-1]  # HarfBuzz gives one control point per curve
        (x0, y0), (x1, y1) = self._last, end
        c1 = (x0 + 2 / 3 * (cx - x0), y0 + 2 / 3 * (cy - y0))
        c2 = (x1 + 2 / 3 * (cx - x1), y1 + 2 / 3 * (cy - y1))
        self.ops.append(f"{self._point(c1)} {self._point(c2)} {self._point(end)} c")
        self._last = end

    def curveTo(self, *points: tuple[float, float]) -> None:
        self.ops.append(" ".join(self._point(p) for p in points) + " c")
        self._last = points[-1]

    def closePath(self) -> None:
        self.ops.append("h")


def _ends(glyphs: list[Glyph]) -> list[float]:
    """Where the pen should be after each text glyph: its own end, or the next glyph's origin
    when that is further on the same baseline in the same font (past an outline glyph, or a
    mark's offset), so that no TJ number moves the pen forward: extractors read that as a space.
    Glyph widths written into the font are these, per glyph and reading."""
    ends = [g.end for g in glyphs]
    for i in range(len(glyphs) - 1):
        here, after = glyphs[i], glyphs[i + 1]
        if after.face is here.face and after.y == here.y and after.x > here.end:
            ends[i] = after.x
    return ends


def _flush(ops: list[str], items: list[str]) -> None:
    if items:
        ops.append(f"[{' '.join(items)}] TJ")
        items.clear()


def _advance(face: LoadedFace, gid: int) -> float:
    """The glyph's advance width in ems: what a PDF viewer moves after it (the /W entry)."""
    return float(face.font.get_glyph_h_advance(gid)) / face.upem


# --- the embedded font --------------------------------------------------------------------


def _type0_font(use: _FontUse) -> pdfdoc.PDFDictionary:
    face = use.face
    by_cid = sorted((cid, gid, text, width) for (gid, text, width), cid in use.cids.items())
    subset, new_gid = _subset(face, sorted({gid for _, gid, _, _ in by_cid}))
    tag = _subset_tag(subset)
    base_font = pdfdoc.PDFName(f"{tag}+{face.postscript_name}")
    cid_to_gid = b"\0\0" + b"".join(struct.pack(">H", new_gid[gid]) for _, gid, _, _ in by_cid)
    widths = [width for _, _, _, width in by_cid]
    descendant = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName("CIDFontType2"),
            "BaseFont": base_font,
            "CIDSystemInfo": pdfdoc.PDFDictionary(
                {
                    "Registry": pdfdoc.PDFString("Adobe"),
                    "Ordering": pdfdoc.PDFString("Identity"),
                    "Supplement": 0,
                }
            ),
            "FontDescriptor": _descriptor(face, base_font, subset),
            "DW": 1000,
            "W": pdfdoc.PDFArrayCompact([1, pdfdoc.PDFArrayCompact(widths)]) if widths else [],
            "CIDToGIDMap": _stream(cid_to_gid),
        }
    )
    return pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName("Type0"),
            "BaseFont": base_font,
            "Encoding": pdfdoc.PDFName("Identity-H"),
            "DescendantFonts": pdfdoc.PDFArray([descendant]),
            "ToUnicode": _stream(_to_unicode([(cid, text) for cid, _, text, _ in by_cid]).encode()),
        }
    )


def _subset(face: LoadedFace, gids: list[int]) -> tuple[bytes, dict[int, int]]:
    """The font cut down to `gids` (and .notdef), and each kept glyph's new id."""
    spec = hb.SubsetInput()
    spec.glyph_set.update([0, *gids])
    spec.flags = hb.SubsetFlags.NO_HINTING
    spec.drop_table_tag_set.update([int.from_bytes(tag.encode(), "big") for tag in _DROPPED_TABLES])
    plan = hb.SubsetPlan(face.face, spec)
    mapping = dict(plan.old_to_new_glyph_mapping)
    return plan.execute().blob.data, mapping


def _subset_tag(data: bytes) -> str:
    """Six capitals from the subset's bytes (PDF 32000-1 §9.6.4): the same glyphs, the same
    tag, so equal certificates make equal files."""
    digest = hashlib.sha256(data).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


def _descriptor(face: LoadedFace, base_font: str, subset: bytes) -> pdfdoc.PDFDictionary:
    extents = face.font.get_font_extents("ltr")
    scale = 1000 / face.upem
    head = face.face.reference_table("head").data
    bbox = [round(v * scale) for v in struct.unpack(">hhhh", head[36:44])]
    return pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("FontDescriptor"),
            "FontName": base_font,
            "Flags": 32,  # nonsymbolic
            "FontBBox": pdfdoc.PDFArrayCompact(bbox),
            "ItalicAngle": 0,
            "Ascent": round(extents.ascender * scale),
            "Descent": round(extents.descender * scale),
            "CapHeight": round(extents.ascender * scale),
            "StemV": 80,
            "FontFile2": _stream(subset),
        }
    )


def _stream(content: bytes) -> pdfdoc.PDFStream:
    return pdfdoc.PDFStream(content=content, filters=[pdfdoc.PDFZCompress])


def _to_unicode(readings: list[tuple[int, str]]) -> str:
    """A ToUnicode CMap: each CID to the characters its glyph stands for (UTF-16BE)."""
    entries = [f"<{cid:04X}> <{text.encode('utf-16-be').hex().upper()}>" for cid, text in readings]
    blocks = [entries[i : i + 100] for i in range(0, len(entries), 100)]
    body = "\n".join(f"{len(b)} beginbfchar\n" + "\n".join(b) + "\nendbfchar" for b in blocks)
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{body}\nendcmap\nCMapName currentdict /CIDFont defineresource pop\nend\nend\n"
    )
