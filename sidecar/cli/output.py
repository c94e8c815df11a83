"""What the CLI prints: tables, progress lines, ages. Pure formatting, no I/O decisions."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from sidecar.store.reports.result import spreadsheet_safe  # noqa: F401 (re-exported)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    seconds = max(0.0, seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return f"{seconds:.0f} s ago"


class ProgressLine:
    """One updating line per stream on a terminal; silent when output is not a terminal."""

    def __init__(self, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.out = stream
        self.width = width
        self.enabled = stream.isatty()
        self.current: str | None = None

    def __call__(self, name: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if total:
            filled = int(self.width * min(done, total) / total)
            bar = "#" * filled + "." * (self.width - filled)
            text = f"\r{name:<12} [{bar}] {done}/{total}"
        else:
            text = f"\r{name:<12} {done} rows"
        self.out.write(text)
        finished = total is not None and done >= total
        if finished:
            self.out.write("\n")
        self.out.flush()
        self.current = None if finished else name
