"""Server-side SVG charts for the cockpit's pages.

The cockpit's Content-Security-Policy forbids inline scripts and inline styles, so a chart is
plain SVG markup: no `style` attribute, no <style> element, no script. Each element carries a
class (`bar`, `axis`, `label`) for the app's stylesheet and presentation attributes as
defaults; presentation attributes lose to any CSS rule, so the stylesheet wins where it speaks
and the chart still reads where it does not (a feed reader, a saved page).

Every chart is an accessible image (role="img", a <title> and a <desc> listing every value),
scales to the width of its container through its viewBox, and gives each bar a tooltip.
Labels come from user data and are escaped; characters XML cannot carry are dropped.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Bar", "bar_list", "column_chart", "histogram"]

COLUMN_LABEL_CHARS = 14
ELLIPSIS = "…"
BAR_FILL = "#3b6ea5"
AXIS_STROKE = "#666666"
TEXT_FILL = "#222222"
FONT = 'font-family="sans-serif" font-size="12"'

# Control characters and non-characters that XML 1.0 forbids even as references; a label
# holding one would make the whole page's SVG unparseable for XML tools.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# A process-wide counter keeps ids unique even when one page shows the same chart twice, which
# a hash of its content alone would not; `next` on itertools.count is atomic under the GIL.
_serial = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    """One bar: its category, its value and an optional note for the tooltip ("12 of 40")."""

    label: str
    value: float
    note: str = ""


def column_chart(
    title: str, bars: Sequence[Bar], *, unit: str = "", width: int = 640, height: int = 240
) -> Markup:
    """Vertical bars over a baseline, the value above each bar and its category below it."""
    width, height = max(width, 120), max(height, 80)
    top, bottom, side = 20, 28, 8
    plot_w, plot_h = width - 2 * side, height - top - bottom
    baseline = top + plot_h
    peak = _peak(bars)
    parts = _open(title, bars, unit, width, height)
    slot = plot_w / max(len(bars), 1)
    for i, bar in enumerate(bars):
        x = side + i * slot + slot * 0.15
        h = plot_h * _height(bar.value) / peak if peak else 0.0
        parts.append(_column(bar, unit, x, slot * 0.7, h, baseline))
    parts.append(_line(side, baseline, width - side, baseline))
    if not peak:
        parts.append(_no_data(width / 2, top + plot_h / 2))
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_list(title: str, bars: Sequence[Bar], *, unit: str = "", width: int = 640) -> Markup:
    """Horizontal bars, one row each, the label on the left and the value on the right; the
    height grows with the rows (a funnel reads top to bottom)."""
    width = max(width, 160)
    row, pad = 28, 6
    label_w, value_w = round(width * 0.3), 80
    track = width - label_w - value_w
    height = 2 * pad + row * max(len(bars), 1)
    peak = _peak(bars)
    # Roughly 7 user units per character at font-size 12: what fits left of the axis.
    limit = max(4, (label_w - 8) // 7)
    parts = _open(title, bars, unit, width, height)
    for i, bar in enumerate(bars):
        length = track * _height(bar.value) / peak if peak else 0.0
        parts.append(_row(bar, unit, pad + i * row, row, label_w, length, width, limit))
    parts.append(_line(label_w, pad, label_w, height - pad))
    if not peak:
        parts.append(_no_data(label_w + track / 2, height / 2 + 4))
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram(
    values: Sequence[float], *, low: float = 0, high: float = 100, bins: int = 10
) -> list[Bar]:
    """Count `values` into `bins` equal bins from `low` to `high`, labelled "0–10", "10–20", …

    A bin holds its lower edge; the last bin holds `high` too. Values outside [low, high] are
    clamped into the first or last bin, so every finite value is counted; NaN is skipped."""
    if bins < 1:
        raise ValueError(f"bins must be at least 1, not {bins}")
    if not (math.isfinite(low) and math.isfinite(high) and high > low):
        raise ValueError(f"need finite low < high, not {low}..{high}")
    counts = [0] * bins
    for value in values:
        if not math.isnan(value):
            counts[_bin(value, low, high, bins)] += 1
    step = (high - low) / bins
    edges = [low + i * step for i in range(bins)] + [high]
    return [
        Bar(f"{_number(edges[i])}–{_number(edges[i + 1])}", float(count))
        for i, count in enumerate(counts)
    ]


def _bin(value: float, low: float, high: float, bins: int) -> int:
    if value >= high:
        return bins - 1
    if value <= low:
        return 0
    # Multiplying before dividing keeps edges exact: 0.3 of 0..1 in tenths is bin 3, where
    # dividing by a step of 0.1 would give 2.9999… and bin 2.
    return min(bins - 1, int((value - low) * bins / (high - low)))


def _open(title: str, bars: Sequence[Bar], unit: str, width: int, height: int) -> list[str]:
    cid = _chart_id(title, bars)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"'
        f' aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {width} {height}"'
        f' width="100%" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{cid}-title">{_esc(title)}</title>',
        f'<desc id="{cid}-desc">{_esc(_summary(title, bars, unit))}</desc>',
    ]


def _column(bar: Bar, unit: str, x: float, w: float, h: float, baseline: float) -> str:
    mid = x + w / 2
    label = _shorten(bar.label, COLUMN_LABEL_CHARS)
    # The number alone over the bar (the unit is in the tooltip and the caption); nothing over
    # an empty one, where a row of zeros would only be clutter.
    shown = _number(bar.value) if bar.value else ""
    return (
        f"<g><title>{_esc(_tooltip(bar, unit))}</title>"
        f"{_rect(x, baseline - h, w, h)}"
        f"{_text(mid, baseline - h - 4, shown, 'middle', 'label value')}"
        f"{_text(mid, baseline + 16, label, 'middle', 'label')}</g>"
    )


def _row(
    bar: Bar, unit: str, y: float, row: int, label_w: int, length: float, width: int, limit: int
) -> str:
    text_y = y + row / 2 + 4
    return (
        f"<g><title>{_esc(_tooltip(bar, unit))}</title>"
        f"{_text(label_w - 8, text_y, _shorten(bar.label, limit), 'end', 'label')}"
        f"{_rect(label_w, y + 5, length, row - 10)}"
        f"{_text(width - 4, text_y, _amount(bar.value, unit), 'end', 'label value')}</g>"
    )


def _rect(x: float, y: float, w: float, h: float) -> str:
    return (
        f'<rect class="bar" x="{_coord(x)}" y="{_coord(y)}" width="{_coord(w)}"'
        f' height="{_coord(h)}" fill="{BAR_FILL}"/>'
    )


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<line class="axis" x1="{_coord(x1)}" y1="{_coord(y1)}" x2="{_coord(x2)}"'
        f' y2="{_coord(y2)}" stroke="{AXIS_STROKE}" stroke-width="1"/>'
    )


def _text(x: float, y: float, content: str, anchor: str, css: str) -> str:
    return (
        f'<text class="{css}" x="{_coord(x)}" y="{_coord(y)}" text-anchor="{anchor}"'
        f' fill="{TEXT_FILL}" {FONT}>{_esc(content)}</text>'
    )


def _no_data(x: float, y: float) -> str:
    return _text(x, y, "no data", "middle", "label no-data")


def _chart_id(title: str, bars: Sequence[Bar]) -> str:
    # The hash makes ids readable as "this chart"; the serial makes them unique on the page.
    content = "\x1f".join([title, *(bar.label for bar in bars)])
    digest = hashlib.sha1(content.encode("utf-8", "replace"), usedforsecurity=False)
    return f"chart-{digest.hexdigest()[:8]}-{next(_serial)}"


def _summary(title: str, bars: Sequence[Bar], unit: str) -> str:
    if not bars:
        return f"{title}: no data."
    items = "; ".join(f"{bar.label} = {_with_note(bar, unit)}" for bar in bars)
    return f"{title}: {items}."


def _tooltip(bar: Bar, unit: str) -> str:
    return f"{bar.label}: {_with_note(bar, unit)}"


def _with_note(bar: Bar, unit: str) -> str:
    amount = _amount(bar.value, unit)
    return f"{amount} ({bar.note})" if bar.note else amount


def _amount(value: float, unit: str) -> str:
    return f"{_number(value)} {unit}" if unit else _number(value)


def _number(value: float) -> str:
    """At most two decimals, no trailing zeros: 12, 66.67, 0.5."""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _peak(bars: Sequence[Bar]) -> float:
    """The tallest drawable value; 0 means there is nothing to draw ("no data")."""
    return max((_height(bar.value) for bar in bars), default=0.0)


def _height(value: float) -> float:
    # Charts here show counts and shares: a negative or non-finite value draws as nothing
    # rather than upside down or off the chart, while its text still says what it was.
    return value if math.isfinite(value) and value > 0 else 0.0


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + ELLIPSIS


def _coord(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _esc(text: str) -> str:
    return str(escape(_NOT_XML.sub("", text)))
