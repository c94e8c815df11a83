"""Interval spelling: numbers of seconds or s/m/h/d suffixes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sidecar.config.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (90, 90),
        (1.5, 1.5),
        ("300", 300),
        ("30s", 30),
        ("5m", 300),
        ("2h", 7200),
        ("1d", 86400),
        ("1h30m", 5400),
        ("1.5h", 5400),
        (" 5M ", 300),
    ],
)
def test_duration_spellings_are_read(text, seconds) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "5 minutes", "m5", "5w", "-5m", True, None, [5]])
def test_unreadable_durations_are_refused(text) -> None:
    with pytest.raises(ValueError, match="must be a duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", [0, "0s", 0.0])
def test_zero_duration_is_refused(text) -> None:
    with pytest.raises(ValueError, match="longer than zero"):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=10**7))
def test_formatted_duration_reads_back_the_same(seconds: int) -> None:
    span = timedelta(seconds=seconds)
    assert parse_duration(format_duration(span)) == span
