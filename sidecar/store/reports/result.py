"""What a report answers: named columns, rows of plain values (str, int, float, bool, date,
datetime or None) and notes for the reader. The CLI turns it into a table, CSV or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Dialect,
    Float,
    String,
    case,
    cast,
    func,
    literal_column,
    type_coerce,
)


@dataclass(frozen=True)
class Report:
    name: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    empty: str  # the sentence shown when there are no rows, e.g. "no trainees yet"
    notes: tuple[str, ...] = field(default=())

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet `condition` (COUNT of a CASE: 0, never NULL, on every dialect)."""
    return func.count(case((condition, 1)))


def utc_day(column: Any, dialect: Dialect) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp column: a 'YYYY-MM-DD' text on SQLite (which keeps
    UTC without an offset), a date on PostgreSQL."""
    if dialect.name == "postgresql":
        return func.date(func.timezone(literal_column("'UTC'"), column))
    return func.date(column)


def days_between(start: Any, end: Any, dialect: Dialect) -> ColumnElement[Any]:
    """`end - start` in days, fractional."""
    if dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return cast(func.julianday(end) - func.julianday(start), Float)


def stamp_read(column: Any, dialect: Dialect) -> ColumnElement[Any]:
    """A timestamp column to read in bulk, as text in UTC without an offset (SQLite keeps it so;
    PostgreSQL is asked for it). `datetime.fromisoformat(text + "+00:00")` makes it a UTC
    datetime several times faster than the column type's own processing: a third of a second
    over 100,000 trainees."""
    if dialect.name == "postgresql":
        return cast(func.timezone(literal_column("'UTC'"), column), String)
    return type_coerce(column, String)


# What a spreadsheet reads as the start of a formula (OWASP "CSV injection"), tab and carriage
# return included: some spreadsheets strip those and then see the formula behind them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell a spreadsheet shows as text, never runs: text starting like a formula gets a
    leading single quote (OWASP's advice). Numbers, and text that is just a number ("-3.5"),
    stay as they are: a spreadsheet reads them as numbers, which is what they are."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value
