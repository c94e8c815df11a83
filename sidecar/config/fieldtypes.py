"""Field types for the config models, each with its own operator-facing error sentence."""

from __future__ import annotations

import math
import os
import re
import string
import unicodedata
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    PlainValidator,
    SecretStr,
    ValidationInfo,
)

from sidecar.certificates.limits import MESSAGE_LIMIT
from sidecar.config.addresses import Host, HttpUrl, OdooUrl
from sidecar.config.base import merge_findings
from sidecar.config.domains import domain_findings, freeze_domain
from sidecar.config.durations import parse_duration
from sidecar.config.messages import describe, fail, number

# Line breaks and tabs are text; other control characters (NUL, ESC, written "\0" or "\e"
# in double quotes) would corrupt the store (PostgreSQL refuses NUL), a PDF or a terminal.
_LAYOUT = frozenset("\t\n\r")


def no_control(value: str) -> str:
    """`value`, or one sentence naming the first control character in it."""
    for char in value:
        if char not in _LAYOUT and unicodedata.category(char) == "Cc":
            fail(f"must not contain control characters (found U+{ord(char):04X})")
    return value


# Names and references are kept in the store's 200-character columns.
MAX_TEXT = 200


def _short(value: str, limit: int = MAX_TEXT) -> str:
    if len(value) > limit:
        fail(f"must be at most {limit} characters (got {len(value)})")
    return value


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        hint = "; put it in quotes" if isinstance(value, int | float) else ""
        fail(f"must be text (got {describe(value)}){hint}")
    if not value.strip():
        fail("must not be empty")
    return _short(no_control(value.strip()), limit)


# Non-empty text, surrounding blanks removed.
Text = Annotated[str, PlainValidator(_text)]


def _any_text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        fail(f"must be text (got {describe(value)})")
    return no_control(value)


# Free text that may be empty (`null` reads as empty).
FreeText = Annotated[str, PlainValidator(_any_text)]

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def _slug(value: Any) -> str:
    # YAML reads `key: 2026` as a number; a number is a fine key, so take it as text.
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        value = str(value)
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        fail(
            "must be lower-case letters, digits, '-' or '_', starting with a letter or digit, "
            f"at most 64 characters (got {describe(value)})"
        )
    return value


# A stable identifier chosen by the operator: `junior-developers`, `2026-q1`.
Slug = Annotated[str, PlainValidator(_slug)]


# Odoo's ids are PostgreSQL `integer`s: a larger number names no record, and XML-RPC cannot
# even send it.
MAX_ODOO_ID = 2**31 - 1


def _odoo_ref(value: Any) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= MAX_ODOO_ID:
            fail(f"must be a record name or an id from 1 to {MAX_ODOO_ID} (got {number(value)})")
        return value
    if isinstance(value, str):
        if not value.strip():
            fail("must not be empty")
        return _short(no_control(value.strip()))
    fail(f"must be a record name or a numeric id (got {describe(value)})")


# An Odoo record named by its exact name (str) or its database id (int).
OdooRef = Annotated[int | str, PlainValidator(_odoo_ref)]


def between(
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
) -> AfterValidator:
    """Bound a number, saying "must be between X and Y" when both bounds exist."""

    def check(value: float) -> float:
        if isinstance(value, float) and math.isinf(value):
            # Infinity passes a lower bound, then overflows whatever waits or counts with it.
            fail(f"must be a finite number (got {'-' if value < 0 else ''}.inf)")
        too_low = low is not None and not (value > low if low_open else value >= low)
        too_high = high is not None and not value <= high
        if not (too_low or too_high):
            return value
        got = f"(got {number(value)})" if value == value else "(got nan)"
        if low is not None and high is not None and not (low_open and value == low):
            fail(f"must be between {number(low)} and {number(high)} {got}")
        if low is not None and too_low:
            fail(f"must be {'greater than' if low_open else 'at least'} {number(low)} {got}")
        fail(f"must be at most {number(high or 0)} {got}")

    return AfterValidator(check)


Percent = Annotated[float, between(0, 100)]
Fraction = Annotated[float, between(0, 1)]
PositiveInt = Annotated[int, between(1)]
NonNegative = Annotated[float, between(0)]
Positive = Annotated[float, between(0, low_open=True)]


_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def _colour(value: Any) -> str:
    if value is None:
        fail(
            'is empty; write colours in quotes like "#1F3A5F", because an unquoted # starts a '
            "YAML comment"
        )
    if not isinstance(value, str) or not _COLOUR.fullmatch(value.strip()):
        fail(f'must be a colour written #RRGGBB like "#1F3A5F" (got {describe(value)})')
    return value.strip().upper()


# A #RRGGBB colour, upper-cased.
Colour = Annotated[str, PlainValidator(_colour)]


def _duration(value: Any) -> timedelta:
    try:
        return parse_duration(value)
    except ValueError as exc:
        fail(f"{exc} (got {describe(value)})")


Duration = Annotated[timedelta, PlainValidator(_duration)]


def _cron(value: Any) -> str:
    # Imported here: only configurations with a cron schedule pay for APScheduler's import.
    from apscheduler.triggers.cron import CronTrigger

    if not isinstance(value, str) or not value.strip():
        fail(f'must be a cron expression like "*/5 * * * *" (got {describe(value)})')
    text = " ".join(value.split())
    try:
        # A fixed zone: validation must not depend on the machine's local time zone.
        CronTrigger.from_crontab(text, timezone="UTC")
    except ValueError as exc:
        reason = str(exc).rstrip(".")
        fail(f"is not a valid cron expression {describe(text)}: {reason[:1].lower()}{reason[1:]}")
    return text


# A 5-field crontab line (minute hour day month weekday), as APScheduler reads it.
CronExpr = Annotated[str, PlainValidator(_cron)]


def _domain(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        fail(
            f"must be a list in Odoo domain form like [['email_from', '!=', False]] "
            f"(got {describe(value)})"
        )
    merged = merge_findings("domain", None, domain_findings(value), value)
    if merged is not None:
        raise merged
    return freeze_domain(value)


# An Odoo domain in prefix notation, stored as nested tuples.
Domain = Annotated[tuple[Any, ...], PlainValidator(_domain)]

PLACEHOLDERS = ("participant", "program", "batch", "issue_date", "issuer")


def check_placeholders(text: str, allowed: tuple[str, ...]) -> str:
    """`text`, or one sentence naming an unmatched brace, a placeholder not in `allowed` (with
    the closest one), or a placeholder written with a format."""
    import difflib

    try:
        fields = [
            (name, spec, conv)
            for _, name, spec, conv in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError:
        fail("has an unmatched '{' or '}'; write {{ or }} for a literal brace")
    shown = ", ".join(f"{{{p}}}" for p in allowed)
    for name, spec, conv in fields:
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f"did you mean {{{close[0]}}}?" if close else f"allowed: {shown}"
            fail(f"unknown placeholder {{{name}}} ({hint})")
        if spec or conv:
            fail(f"placeholder {{{name}}} cannot carry a format; write it as {{{name}}}")
    return text


def _template(value: Any) -> str:
    # Not kept in the store: as long as a certificate prints it whole above its smallest type
    # (sidecar/certificates/limits.py, docs/product-rules.md §3).
    return check_placeholders(_text(value, MESSAGE_LIMIT), PLACEHOLDERS)


# The certificate's message, with {participant} {program} {batch} {issue_date} {issuer}
# placeholders; at most MESSAGE_LIMIT characters as written.
Template = Annotated[str, PlainValidator(_template)]


def _blank_secret_is_unset(value: Any) -> Any:
    # `${ODOO_API_KEY:-}` yields "": treat it as "not set" so either secret can be optional.
    if isinstance(value, str) and not value.strip():
        return None
    return value


Secret = Annotated[SecretStr | None, BeforeValidator(_blank_secret_is_unset)]


def config_dir(info: ValidationInfo) -> Path:
    """The directory relative settings are resolved against (the config file's)."""
    context = info.context if isinstance(info.context, dict) else {}
    base = context.get("config_dir")
    return Path(base) if base is not None else Path.cwd()


def _resolved(value: Any, info: ValidationInfo) -> Path:
    if isinstance(value, Path):
        value = str(value)
    text = _text(value)
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = config_dir(info) / path
    # normpath, not resolve(): keep symlinks as the operator wrote them.
    return Path(os.path.normpath(path))


# A file or directory path; relative paths are resolved against the config file's directory.
ResolvedPath = Annotated[Path, PlainValidator(_resolved)]


def _file_or_nothing(value: Path) -> Path:
    # A key file is read whole: a device (/dev/zero) would never end, a folder is no key.
    if value.exists() and not value.is_file():
        fail(f"{value} exists but is not a regular file (a folder or a device?)")
    return value


# A file that may not exist yet, but is a regular file when it does (the signing key).
FilePath = Annotated[Path, PlainValidator(_resolved), AfterValidator(_file_or_nothing)]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def _existing_image(value: Path) -> Path:
    if not value.is_file():
        fail(f"file {value} does not exist")
    if value.suffix.lower() not in IMAGE_SUFFIXES:
        fail(f"must be a PNG or JPEG image (got {value.name})")
    return value


ImagePath = Annotated[Path, PlainValidator(_resolved), AfterValidator(_existing_image)]


def _store_url(value: Any, info: ValidationInfo) -> SecretStr:
    # This URL may carry a database password: no message here may echo it.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if not isinstance(value, str) or not value.strip():
        fail("must be a SQLAlchemy URL like sqlite:///var/ojt-sidecar.db")
    no_control(value)
    try:
        url = make_url(value.strip())
    except ArgumentError:
        fail(
            "must be a SQLAlchemy URL like sqlite:///var/ojt-sidecar.db or "
            "postgresql+psycopg://user:password@host/db"
        )
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        fail(f"must use sqlite or postgresql (got {backend!r})")
    if backend == "sqlite" and url.database and url.database != ":memory:":
        if url.database.startswith("file:"):
            return SecretStr(url.render_as_string(hide_password=False))
        path = Path(url.database).expanduser()
        if not path.is_absolute():
            path = Path(os.path.normpath(config_dir(info) / path))
            url = url.set(database=str(path))
    return SecretStr(url.render_as_string(hide_password=False))


# A SQLAlchemy URL kept secret (it may hold a password); relative sqlite paths resolved.
StoreUrl = Annotated[SecretStr, PlainValidator(_store_url)]


def upper(value: Any) -> Any:
    """Accept `info` for `INFO`: log levels are case-insensitive for the operator."""
    return value.upper() if isinstance(value, str) else value


__all__ = [
    "MAX_ODOO_ID",
    "PLACEHOLDERS",
    "Colour",
    "CronExpr",
    "Domain",
    "Duration",
    "FilePath",
    "Fraction",
    "FreeText",
    "Host",
    "HttpUrl",
    "ImagePath",
    "NonNegative",
    "OdooRef",
    "OdooUrl",
    "Percent",
    "Positive",
    "PositiveInt",
    "ResolvedPath",
    "Secret",
    "Slug",
    "StoreUrl",
    "Template",
    "Text",
    "between",
    "upper",
]
