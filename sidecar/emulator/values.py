"""Conversions between what a client sends, what the emulator stores and what Odoo answers.

Stored datetimes keep their microseconds (PostgreSQL ``timestamp``); Odoo answers them cut to the
second. Literals in domains are parsed the way PostgreSQL parses a timestamp literal: many formats
are accepted and a time-zone suffix is silently dropped (docs/odoo-notes.md §9).
"""

from __future__ import annotations

import re
import xmlrpc.client
from datetime import date, datetime
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
