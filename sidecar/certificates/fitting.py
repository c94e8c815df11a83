"""Fitting a text into its place on the certificate: measured, wrapped into lines and shrunk
down to a floor size, never cut.

A text the PDF's built-in fonts can show (Windows-1252) is measured with their metrics, as
before: the fast path, no shaping. Any other text is measured as shaped (`shaping.py`), so
Arabic joined and Devanagari conjuncts are as wide as they will be drawn.

Wrapping breaks at spaces; a word wider than the line (a long CJK or Thai run, which has no
spaces) breaks between clusters (never before a combining mark, after a virama or a joiner).
A wrapped line is shaped whole before it is accepted, so it never overruns its width.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics

from sidecar.certificates.shaping import shape

_SHRINK = 0.96  # each try is this much smaller than the last
_VIRAMA = 9  # canonical combining class of a virama (halant): the next letter joins it
_JOINERS = "\u200c\u200d"


def builtin_can_show(text: str) -> bool:
    """Whether the built-in PDF fonts show `text` (they cover Windows-1252)."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def is_bold(font: str) -> bool:
    return "Bold" in font


def measure(text: str, font: str, shaped: bool | None = None) -> float:
    """The width of `text` at 1 pt: in the built-in `font`, or shaped in the bundled fonts
    (when the built-in fonts cannot show it, or `shaped` says so: a part of a shaped text)."""
    if shaped is None:
        shaped = not builtin_can_show(text)
    if shaped:
        return shape(text, is_bold(font)).width
    return float(pdfmetrics.stringWidth(text, font, 1.0))


@dataclass(frozen=True)
class Spec:
    """How a text may be fitted: its size when it fits, the smallest size it keeps on one line
    before it wraps, the floor it may shrink to wrapped, its width and how many lines at most
    (None: as many as the height given allows)."""

    font: str  # the built-in font of the fast path; shaped text takes its weight
    size: float
    one_line_down_to: float
    floor: float
    width: float
    max_lines: int | None = 2
    leading: float = 1.15  # baseline to baseline, times the size

    def scaled(self, factor: float) -> Spec:
        """The same text with a smaller start (the floor stays)."""
        return Spec(
            self.font,
            max(self.floor, self.size * factor),
            max(self.floor, self.one_line_down_to * factor),
            self.floor,
            self.width,
            self.max_lines,
            self.leading,
        )


@dataclass(frozen=True)
class Block:
    """A fitted text: its lines and their size."""

    lines: tuple[str, ...]
    size: float
    leading: float  # in points
    font: str  # the built-in font, or the weight of the shaped one

    @property
    def depth(self) -> float:
        """From the first baseline to the last."""
        return (len(self.lines) - 1) * self.leading


@dataclass
class _Word:
    text: str
    font: str
    shaped: bool
    width: float = 0.0  # at 1 pt
    _clusters: list[tuple[str, float]] | None = None

    def __post_init__(self) -> None:
        self.width = measure(self.text, self.font, self.shaped)

    def clusters(self) -> list[tuple[str, float]]:
        """The word cut where a line may end inside it, each part with its width."""
        if self._clusters is None:
            parts = _split_clusters(self.text)
            self._clusters = [(p, measure(p, self.font, self.shaped)) for p in parts]
        return self._clusters


def fit(
    text: str, spec: Spec, height: float | None = None, floor: float | None = None
) -> Block | None:
    """`text` fitted by `spec` (and with its lines within `height`, first baseline to last),
    or None when it does not fit even at the floor (`floor`, when given, instead of the
    spec's)."""
    text = " ".join(text.split())
    lowest = spec.floor if floor is None else floor
    one = measure(text, spec.font)
    if one * spec.size <= spec.width:
        return Block((text,), spec.size, spec.size * spec.leading, spec.font)
    single = spec.width / one * 0.999
    if single >= spec.one_line_down_to:
        return Block((text,), single, single * spec.leading, spec.font)
    shaped = not builtin_can_show(text)
    words = [_Word(w, spec.font, shaped) for w in text.split(" ")]
    space = measure(" ", spec.font, shaped)
    size = min(spec.one_line_down_to, spec.size)
    while True:
        size = max(size, lowest)
        lines = _wrap(words, space, spec.width / size)
        block = Block(tuple(lines), size, size * spec.leading, spec.font)
        if _holds(block, spec, height):
            return block
        if size <= lowest:
            return None
        size *= _SHRINK


def _holds(block: Block, spec: Spec, height: float | None) -> bool:
    if spec.max_lines is not None and len(block.lines) > spec.max_lines:
        return False
    if height is not None and block.depth > height:
        return False
    # The words' widths added up may differ a little from the line shaped whole.
    return all(measure(line, spec.font) * block.size <= spec.width for line in block.lines)


def _wrap(words: list[_Word], space: float, width: float) -> list[str]:
    """Greedy lines no wider than `width` (in ems of the size tried); a word wider than a
    whole line is broken between its clusters."""
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for word in words:
        parts = [(word.text, word.width)] if word.width <= width else word.clusters()
        for n, (part, w) in enumerate(parts):
            gap = space if n == 0 and line else 0.0
            if line and used + gap + w > width:
                lines.append("".join(line))
                line, used, gap = [], 0.0, 0.0
            line.append((" " if gap else "") + part)
            used += gap + w
    if line:
        lines.append("".join(line))
    return lines


def _split_clusters(word: str) -> list[str]:
    """`word` cut before every character that may start a line: not a combining mark, not
    after a virama or a joiner."""
    parts: list[str] = []
    for ch in word:
        joined = parts and (
            unicodedata.category(ch).startswith("M")
            or unicodedata.combining(parts[-1][-1]) == _VIRAMA
            or parts[-1][-1] in _JOINERS
            or ch in _JOINERS
        )
        if joined:
            parts[-1] += ch
        else:
            parts.append(ch)
    return parts
