"""Durations as operators write them: `90`, `30s`, `5m`, `2h`, `1d`, `1h30m`."""

from __future__ import annotations

import math
import re
from datetime import timedelta

LONGEST = timedelta(days=365)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?[smhd])+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def parse_duration(value: object) -> timedelta:
    """Read a positive duration: a number of seconds, or a string with s/m/h/d suffixes.

    Raises ValueError with an operator-facing sentence when the value is not one.
    """
    seconds: float | None = None
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        if _NUMBER.fullmatch(text):
            seconds = float(text)
        elif _WHOLE.fullmatch(text):
            seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(text))
    if seconds is None or not math.isfinite(seconds):
        raise ValueError("must be a duration like 30s, 5m, 2h or 1d, or a number of seconds")
    if not seconds > 0:
        raise ValueError("must be longer than zero")
    if seconds > LONGEST.total_seconds():
        # Beyond this no setting means anything, and the scheduler's dates would overflow.
        raise ValueError("must be at most 365 days")
    return timedelta(seconds=seconds)


def format_duration(span: timedelta) -> str:
    """The shortest s/m/h/d spelling of `span` (for messages and `check-config` output)."""
    seconds = span.total_seconds()
    for unit in ("d", "h", "m"):
        size = _UNIT_SECONDS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s" if seconds.is_integer() else f"{seconds}s"
