"""One line of text as positioned glyphs: each character's font from a fallback chain
(`typefaces.py`), the bidirectional order (python-bidi's resolved embedding levels, runs
reordered by rule L2 of Unicode's bidi algorithm), and each run shaped by HarfBuzz (Arabic
joined, Devanagari conjuncts and vowel signs, Thai marks, kerning). Every glyph also says what
it reads as in the PDF's extracted text (`readings.py`).

Positions are in ems (font size 1): multiply by the font size. Results are cached per (text,
bold): a name is measured while it is fitted and then drawn.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import uharfbuzz as hb
from bidi import algorithm as bidi

from sidecar.certificates.readings import Glyph, Placed, cluster_readings, run_glyphs
from sidecar.certificates.typefaces import LoadedFace, chain, face_for

__all__ = ["Glyph", "ShapedLine", "shape"]

_FEATURES = {"kern": True, "liga": True}
# Bidi classes that make a text's levels anything but all-zero.
_RTL_CLASSES = frozenset({"R", "AL", "AN", "RLE", "RLO", "LRE", "LRO", "RLI", "LRI", "FSI"})
# Isolates (Unicode 6.3) are unknown to python-bidi's levels: treated as neutral marks there.
_ISOLATES = frozenset({"RLI", "LRI", "FSI", "PDI"})


@dataclass(frozen=True)
class ShapedLine:
    text: str  # the line as given (logical order)
    width: float  # in ems
    glyphs: tuple[Glyph, ...]  # in the order to write them
    notdef: int  # glyphs drawn as the empty box: characters no bundled font has


@dataclass(frozen=True)
class _Run:
    start: int
    end: int
    level: int
    face: LoadedFace


@functools.lru_cache(maxsize=4096)
def shape(text: str, bold: bool) -> ShapedLine:
    """`text` as one line of glyphs in the serif chain (bold or regular)."""
    faces = chain(bold)
    chosen = _faces(text, faces)
    levels = _levels(text)
    glyphs: list[Glyph] = []
    pen = 0.0
    for run in _visual(_runs(chosen, levels)):
        pen = _shape_run(text, run, pen, glyphs)
    notdef = sum(1 for g in glyphs if g.gid == 0)
    return ShapedLine(text=text, width=pen, glyphs=tuple(glyphs), notdef=notdef)


def _faces(text: str, faces: tuple[LoadedFace, ...]) -> list[LoadedFace]:
    """Each character's face: a letter the first face that has it; a mark, space, digit or
    punctuation mark stays in its neighbour's face when that face has it (so "Анна-Мария" and
    "(محمد)" are not cut into runs at every hyphen or bracket)."""
    chosen: list[LoadedFace | None] = [
        face_for(ch, faces) if unicodedata.category(ch)[0] == "L" else None for ch in text
    ]
    for i, ch in enumerate(text):  # neutrals after a letter take its face
        if chosen[i] is None and i and (prev := chosen[i - 1]) is not None and prev.has(ch):
            chosen[i] = prev
    for i in range(len(text) - 2, -1, -1):  # ... or the face of the letter after them
        if chosen[i] is None and (nxt := chosen[i + 1]) is not None and nxt.has(text[i]):
            chosen[i] = nxt
    resolved: list[LoadedFace] = []
    for i, ch in enumerate(text):
        face = chosen[i] or face_for(ch, faces)
        # Nothing has it: the empty box of the font around it (or the first).
        resolved.append(face or (resolved[-1] if resolved else faces[0]))
    return resolved


def _levels(text: str) -> list[int]:
    """Each character's resolved bidi embedding level (rules P2-I2; even: left to right)."""
    if not any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in text):
        return [0] * len(text)
    base = bidi.get_base_level(text)
    storage = bidi.get_empty_storage()
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    bidi.get_embedding_levels(text, storage)
    for index, ch in enumerate(storage["chars"]):
        ch["index"] = index  # survives rule X9, which drops the explicit formatting characters
        if ch["type"] in _ISOLATES:
            ch["type"] = ch["orig"] = "ON"
    bidi.explicit_embed_and_overrides(storage)
    bidi.resolve_weak_types(storage)
    bidi.resolve_neutral_types(storage, False)
    bidi.resolve_implicit_levels(storage, False)
    levels = [base] * len(text)  # the dropped formatting characters: invisible anyway
    for ch in storage["chars"]:
        levels[ch["index"]] = ch["level"]
    return levels


def _runs(chosen: list[LoadedFace], levels: list[int]) -> list[_Run]:
    """Maximal stretches of one face at one level, in logical order."""
    runs: list[_Run] = []
    start = 0
    for i in range(1, len(chosen) + 1):
        if i == len(chosen) or chosen[i] is not chosen[start] or levels[i] != levels[start]:
            runs.append(_Run(start, i, levels[start], chosen[start]))
            start = i
    return runs


def _visual(runs: list[_Run]) -> list[_Run]:
    """Rule L2: from the highest level down to the lowest odd one, reverse every stretch of
    runs at that level or higher."""
    order = list(runs)
    odd = [r.level for r in runs if r.level % 2]
    if not odd:
        return order
    for level in range(max(r.level for r in runs), min(odd) - 1, -1):
        i = 0
        while i < len(order):
            if order[i].level < level:
                i += 1
                continue
            j = i
            while j < len(order) and order[j].level >= level:
                j += 1
            order[i:j] = reversed(order[i:j])
            i = j
    return order


def _shape_run(text: str, run: _Run, pen: float, out: list[Glyph]) -> float:
    """Shape one run (the whole text as context), append its glyphs placed from `pen`, and
    return the pen after it."""
    rtl = bool(run.level % 2)
    buf = hb.Buffer()
    buf.add_codepoints([ord(ch) for ch in text], run.start, run.end - run.start)
    buf.direction = "rtl" if rtl else "ltr"
    buf.guess_segment_properties()
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    hb.shape(run.face.font, buf, _FEATURES)
    infos, positions = buf.glyph_infos, buf.glyph_positions
    scale = 1.0 / run.face.upem
    placed: list[Placed] = []
    for info, pos in zip(infos, positions, strict=True):
        end = pen + pos.x_advance * scale
        x, y = pen + pos.x_offset * scale, pos.y_offset * scale
        placed.append(Placed(info.codepoint, x, y, pen, end, ""))
        pen = end
    starts = sorted({info.cluster for info in infos} | {run.end})
    for group in _cluster_groups([info.cluster for info in infos]):
        cluster = infos[group[0]].cluster
        chars = text[cluster : starts[starts.index(cluster) + 1]]
        in_reading_order = group[::-1] if rtl else group
        gids = [placed[i].gid for i in in_reading_order]
        for i, reading in zip(
            in_reading_order, cluster_readings(chars, gids, run.face), strict=True
        ):
            placed[i].text = reading
    out.extend(run_glyphs(run.face, placed, rtl))
    return pen


def _cluster_groups(clusters: list[int]) -> list[list[int]]:
    """Indices of consecutive glyphs that share a cluster (the shaper keeps them together)."""
    groups: list[list[int]] = []
    for i, cluster in enumerate(clusters):
        if groups and clusters[groups[-1][0]] == cluster:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups
