"""Conversions between what a client sends, what the emulator stores and what Odoo answers.

Stored datetimes keep their microseconds (PostgreSQL ``timestamp``); Odoo answers them cut to the
second. Literals in domains are parsed the way PostgreSQL parses a timestamp literal: many formats
are accepted and a time-zone suffix is silently dropped (docs/odoo-notes.md §9).
"""

from __future__ import annotations

import re
import xmlrpc.client
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from .errors import psycopg_error, value_error

DATETIME_FMT = "%Y-%m-%d %H:%M:%S"

_TZ = r"(?:Z|UTC|[+-]\d{1,2}(?::?\d{2})?|[A-Za-z_]+/[A-Za-z_]+)"
_TIME = r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
_ISO = re.compile(rf"^\s*(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}\s*{_TZ}?\s*$")
_US = re.compile(rf"^\s*(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}){_TIME}\s*{_TZ}?\s*$")


def _build(
    y: str, mo: str, d: str, h: Any, mi: Any, s: Any, frac: Any, *, literal: str
) -> datetime:
    try:
        micro = int((frac or "0").ljust(6, "0"))
        return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), micro)
    except ValueError:
        raise _bad_timestamp(literal) from None


def _bad_timestamp(literal: str) -> Exception:
    return psycopg_error(
        "psycopg2.errors.InvalidDatetimeFormat",
        f'invalid input syntax for type timestamp: "{literal}"',
    )


def parse_pg_timestamp(literal: Any) -> datetime:
    """Parse a domain value the way PostgreSQL reads a ``timestamp without time zone`` literal."""
    if isinstance(literal, datetime):
        return literal
    if isinstance(literal, xmlrpc.client.DateTime):
        return datetime.strptime(literal.value, "%Y%m%dT%H:%M:%S")
    if isinstance(literal, date):
        return datetime(literal.year, literal.month, literal.day)
    text = str(literal)
    m = _ISO.match(text)
    if m:
        return _build(*m.groups(), literal=text)
    m = _US.match(text)
    if m:
        mo, d, y, *rest = m.groups()
        return _build(y, mo, d, *rest, literal=text)
    raise _bad_timestamp(text)


def parse_pg_date(literal: Any) -> date:
    if isinstance(literal, date) and not isinstance(literal, datetime):
        return literal
    return parse_pg_timestamp(literal).date()


def to_stored_datetime(value: Any) -> datetime | None:
    """Odoo's ``fields.Datetime.to_datetime``: strict ``%Y-%m-%d[ %H:%M:%S]``."""
    if value is False or value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, xmlrpc.client.DateTime):
        return datetime.strptime(value.value, "%Y%m%dT%H:%M:%S")
    text = str(value)
    fmt = DATETIME_FMT if len(text) > 10 else "%Y-%m-%d"
    try:
        return datetime.strptime(text[:19], fmt)
    except ValueError:
        raise value_error(f"time data {text[:19]!r} does not match format {fmt!r}") from None


def to_stored_date(value: Any) -> date | None:
    if value is False or value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)[:10]
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise value_error(f"time data {text!r} does not match format '%Y-%m-%d'") from None


def format_datetime(value: datetime | None) -> str | bool:
    return value.strftime(DATETIME_FMT) if value is not None else False


def format_date(value: date | None) -> str | bool:
    return value.isoformat() if value is not None else False


# -- 19.0+: datetimes in domains are ISO only, without a time zone, and compared to the second ----

_ISO_STRICT = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$"
)
_TZ_SUFFIX = re.compile(r"\d(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_SECOND = timedelta(seconds=1)


def parse_iso_second(value: Any, op: str) -> datetime:
    """The start of the second a 19.0 domain value names (date-only: the day's start, or its
    last second for ``>`` and ``<=``, as before)."""
    if isinstance(value, (datetime, xmlrpc.client.DateTime, date)):
        return parse_pg_timestamp(value).replace(microsecond=0)
    text = str(value)
    if _TZ_SUFFIX.search(text.strip()) and ":" in text:
        raise value_error(f"expecting only datetimes with no timezone: {text!r}")
    m = _ISO_STRICT.match(text.strip())
    if not m:
        term = text.split()[0] if text.split() else text
        raise value_error(f"Invalid term {term!r} in expression date: {text!r}")
    y, mo, d, h, mi, s, _frac = m.groups()
    if h is None and op in (">", "<="):
        h, mi, s = "23", "59", "59"
    try:
        return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        raise value_error(f"Invalid term {text!r} in expression date: {text!r}") from None


def whole_second_leaf(get: Callable[[dict], Any], op: str, value: Any) -> Callable[[dict], bool]:
    """A datetime leaf compared to the whole second: ``> W`` is ``>= W+1s``, ``= W`` matches the
    whole second W, ``<= W`` is ``< W+1s``; NULL rules as for any other comparison."""
    if op in ("in", "not in"):
        values = value if isinstance(value, (list, tuple)) else [value]
        starts = {parse_iso_second(v, "=") for v in values if v is not False and v is not None}
        has_null = any(v is False or v is None for v in values)

        def hit(v: Any) -> bool:
            return has_null if v is None else v.replace(microsecond=0) in starts

        if op == "in":
            return lambda row: hit(get(row))
        return lambda row: not hit(get(row))
    if value is False or value is None:
        if op in ("=", "!="):
            return lambda row: (get(row) is None) == (op == "=")
        return lambda row: False
    if op not in ("=", "!=", "<", "<=", ">", ">="):
        raise value_error(f"Invalid operator {op!r}")
    start = parse_iso_second(value, op)
    end = start + _SECOND
    tests: dict[str, Callable[[datetime], bool]] = {
        "=": lambda v: start <= v < end,
        "!=": lambda v: not start <= v < end,
        "<": lambda v: v < start,
        "<=": lambda v: v < end,
        ">": lambda v: v >= end,
        ">=": lambda v: v >= start,
    }
    test = tests[op]
    if op == "!=":
        return lambda row: (v := get(row)) is None or test(v)
    return lambda row: (v := get(row)) is not None and test(v)
