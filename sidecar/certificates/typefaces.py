"""The fonts for texts the PDF's built-in fonts cannot show (anything outside Windows-1252), and
which of them draws each character.

Every font is bundled in `fonts/` (its licence beside it, `fonts/README.txt` says where it came
from) and has TrueType outlines (glyf), which a PDF embeds as a FontFile2. Each style is a
fallback chain: a character is drawn in the first font of the chain that has it, so the script
fonts come before DejaVu (which has no Arabic, Hebrew, Devanagari, Thai or CJK) and the CJK
font last (its Latin would otherwise win). WenQuanYi Micro Hei has no bold face: in the bold
chain it is drawn with a thin outline stroke (`fake_bold`).

Fonts load on first use (an hb face over the file's bytes and the set of characters it maps),
once per process; the loaded faces are read-only afterwards and shared between threads.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb

FONT_DIR = Path(__file__).parent / "fonts"


@dataclass(frozen=True)
class Typeface:
    """One bundled font file (and face, in a collection)."""

    file: str
    index: int = 0  # the face in a .ttc collection
    fake_bold: bool = False  # a regular face standing in for a missing bold one


@dataclass(frozen=True, eq=False)
class LoadedFace:
    """A typeface ready to shape and embed: its bytes, hb face and font, and its characters."""

    typeface: Typeface
    data: bytes  # the whole file, which `face` reads (and subsets are made from)
    face: hb.Face
    font: hb.Font  # scaled to font units: positions come back in units of `upem`
    upem: int
    characters: frozenset[int]
    postscript_name: str

    def has(self, ch: str) -> bool:
        return ord(ch) in self.characters


_SCRIPT_FONTS = ("NotoSerifHebrew", "NotoNaskhArabic", "NotoSerifDevanagari", "NotoSerifThai")
_CJK = "wqy-microhei.ttc"

REGULAR_CHAIN = (
    *(Typeface(f"{name}-Regular.ttf") for name in _SCRIPT_FONTS),
    Typeface("DejaVuSerif.ttf"),
    Typeface(_CJK),
)
BOLD_CHAIN = (
    *(Typeface(f"{name}-Bold.ttf") for name in _SCRIPT_FONTS),
    Typeface("DejaVuSerif-Bold.ttf"),
    Typeface(_CJK, fake_bold=True),
)

_lock = threading.Lock()
_loaded: dict[Typeface, LoadedFace] = {}


def _load(typeface: Typeface) -> LoadedFace:
    data = (FONT_DIR / typeface.file).read_bytes()
    face = hb.Face(hb.Blob(data), typeface.index)
    font = hb.Font(face)  # hb's default scale is the face's units per em
    name = face.get_name(hb.OTNameIdPredefined.POSTSCRIPT_NAME) or Path(typeface.file).stem
    return LoadedFace(
        typeface=typeface,
        data=data,
        face=face,
        font=font,
        upem=face.upem,
        characters=frozenset(face.unicodes),
        postscript_name=name,
    )


def loaded(typeface: Typeface) -> LoadedFace:
    """The typeface loaded, once per process."""
    found = _loaded.get(typeface)
    if found is None:
        with _lock:
            found = _loaded.get(typeface)
            if found is None:
                found = _loaded[typeface] = _load(typeface)
    return found


def chain(bold: bool) -> tuple[LoadedFace, ...]:
    """The fallback chain of a style, loaded."""
    return tuple(loaded(t) for t in (BOLD_CHAIN if bold else REGULAR_CHAIN))


def face_for(ch: str, faces: tuple[LoadedFace, ...]) -> LoadedFace | None:
    """The first face of `faces` that has `ch`, or None when none has it."""
    for face in faces:
        if face.has(ch):
            return face
    return None


def unprintable(text: str) -> list[str]:
    """The characters of `text` (once each, in order) that no bundled font has, leaving out
    the invisible ones a shaper handles without a glyph (joiners, direction marks, variation
    selectors)."""
    faces = chain(bold=False)
    missing: list[str] = []
    for ch in text:
        if ch in missing or _invisible(ch) or face_for(ch, faces) is not None:
            continue
        missing.append(ch)
    return missing


def _invisible(ch: str) -> bool:
    code = ord(ch)
    return (
        ch in "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
        or 0x202A <= code <= 0x202E
        or 0x2066 <= code <= 0x2069
        or 0xFE00 <= code <= 0xFE0F
        or ch.isspace()
    )
