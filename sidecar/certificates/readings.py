"""What each shaped glyph reads as when the PDF's text is extracted (`glyphtext.py` writes it
into the font's ToUnicode map), chosen so that pypdf and pdfium give the original text back.

Both extractors read the glyphs of a line in the order they are written (visual order, left to
right), turn a right-to-left stretch around character by character, and take a jump or a
change of baseline between glyphs as a space or a new word. So:

- within a cluster (what the shaper keeps together), the glyph that is the font's own glyph of
  a base letter reads from that letter on, the first glyph from the cluster's start, and any
  other glyph (a vowel sign drawn before its consonant, the parts of a decomposed vowel) reads
  as nothing;
- a glyph that reads as nothing, or sits above or below the baseline (a mark attached to its
  base), is drawn as an outline instead of text, and what it reads as joins the glyph before it
  in reading order;
- a right-to-left glyph reading as several characters (a ligature like "لا", or a letter with
  its marks) reads as the last of them and is followed by invisible carriers (the space glyph)
  of the others, last to first, each taking a share of its advance.
"""

from __future__ import annotations

from dataclasses import dataclass

from sidecar.certificates.typefaces import LoadedFace


@dataclass(frozen=True)
class Glyph:
    """A glyph of a shaped line; positions in ems (font size 1) from the line's left end."""

    face: LoadedFace
    gid: int
    x: float  # the glyph's origin
    y: float  # its offset above the baseline
    end: float  # where the pen is after it: what a PDF viewer should move (advance - x offset)
    text: str  # what it reads as
    outline: bool = False  # drawn as a path, outside the text: reads as nothing


@dataclass
class Placed:
    """A glyph as the shaper placed it, with the pen before and after it."""

    gid: int
    x: float
    y: float
    start: float
    end: float
    text: str


def cluster_readings(chars: str, gids: list[int], face: LoadedFace) -> list[str]:
    """What each glyph of one cluster reads as, the glyphs in reading order; put together,
    the readings are the cluster's characters."""
    anchors: list[int | None] = []
    after = 0
    for gid in gids:
        found = next(
            (
                p
                for p in range(after, len(chars))
                if face.font.get_nominal_glyph(ord(chars[p])) == gid
            ),
            None,
        )
        anchors.append(found)
        after = after if found is None else found + 1
    anchors[0] = 0
    readings = []
    for i, start in enumerate(anchors):
        if start is None:
            readings.append("")
            continue
        end = next((a for a in anchors[i + 1 :] if a is not None), len(chars))
        readings.append(chars[start:end])
    return readings


def run_glyphs(face: LoadedFace, placed: list[Placed], rtl: bool) -> list[Glyph]:
    """A run's glyphs (`placed` in visual order) with their final readings, in visual order."""
    order = placed[::-1] if rtl else placed  # reading order
    outline = [p.y != 0 or not p.text for p in order]
    held = ""  # readings of outlines with no text glyph before them yet
    last_text: Placed | None = None
    for p, is_outline in zip(order, outline, strict=True):
        if is_outline:
            if last_text is None:
                held += p.text
            else:
                last_text.text += p.text
            p.text = ""
        else:
            p.text, held = held + p.text, ""
            last_text = p
    if held and last_text is None:  # nothing but outlines: keep the text on the first
        order[0].text, outline[0] = held, False
    glyphs: list[Glyph] = []
    for p, is_outline in zip(order, outline, strict=True):
        if is_outline:
            glyphs.append(Glyph(face, p.gid, p.x, p.y, p.end, "", outline=True))
        elif rtl and len(p.text) > 1:
            glyphs.extend(_with_carriers(face, p)[::-1])
        else:
            glyphs.append(Glyph(face, p.gid, p.x, p.y, p.end, p.text))
    return glyphs[::-1] if rtl else glyphs


def _with_carriers(face: LoadedFace, p: Placed) -> list[Glyph]:
    """A right-to-left glyph reading as several characters, in visual order: the glyph
    reading as the last, then a carrier for each of the others, last to first."""
    space = face.font.get_nominal_glyph(32) or 0
    step = (p.end - p.start) / len(p.text)
    glyphs = [Glyph(face, p.gid, p.x, p.y, p.start + step, p.text[-1])]
    for n, ch in enumerate(p.text[-2::-1], start=1):
        glyphs.append(Glyph(face, space, p.start + step * n, 0.0, p.start + step * (n + 1), ch))
    return glyphs
