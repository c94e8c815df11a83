"""A certificate's status by serial, straight through the DB-API: the one query the site runs
on every request for a cached page (`Register.status_of`, verify_site/pagecache.py), and the
same for several serials at once (`run_many`: the requests one round of the server's loop
answers, verify_site/serve.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from sidecar.store.models import Certificate
from verify_site.register_errors import STORE_DOWN, Dropped, RegisterUnavailable

log = logging.getLogger("verify_site.records")


_STATUS_COLUMNS = (
    Certificate.expires_on,
    Certificate.revoked_at,
    Certificate.revoked_reason,
    Certificate.superseded_at,
    Certificate.hidden_at,
)
_STATUS_BY_SERIAL = select(*_STATUS_COLUMNS).where(Certificate.serial == bindparam("serial"))
MANY = 64  # serials per statement of `run_many`; a statement is compiled once per count


@dataclass(slots=True)
class StatusRow:
    expires_on: date | None
    revoked_at: datetime | None
    revoked_reason: str | None
    superseded_at: datetime | None
    hidden_at: datetime | None


class StatusQuery:
    """`_STATUS_BY_SERIAL` compiled once for the engine's dialect and run on a raw DB-API cursor,
    its values converted by the same result processors SQLAlchemy would apply (SQLite stores
    dates as text)."""

    def __init__(self, engine: Engine) -> None:
        dialect = engine.dialect
        compiled = _STATUS_BY_SERIAL.compile(dialect=dialect)
        self.sql = str(compiled)
        self.positional = bool(compiled.positional)
        self.processors = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in _STATUS_COLUMNS
        ]
        self.errors: tuple[type[BaseException], ...] = (dialect.loaded_dbapi.Error, SQLAlchemyError)
        self.dialect = dialect
        self._many: dict[int, str] = {}

    def run(self, engine: Engine, serial: str) -> StatusRow | None:
        """The row, or None; raises `Dropped` (the connection invalidated) when the driver
        fails, and RegisterUnavailable when no connection can be had."""
        params = (serial,) if self.positional else {"serial": serial}
        rows = self._fetch(engine, self.sql, params)
        return self._row(rows[0]) if rows else None

    def run_many(self, engine: Engine, serials: list[str]) -> dict[str, StatusRow]:
        """The rows of those of `serials` that exist, by serial, in statements of at most
        `MANY`; raises as `run` does."""
        found: dict[str, StatusRow] = {}
        for start in range(0, len(serials), MANY):
            chunk = serials[start : start + MANY]
            sql = self._many_sql(len(chunk))
            params = tuple(chunk) if self.positional else {f"s{i}": s for i, s in enumerate(chunk)}
            rows = self._fetch(engine, sql, params)
            found.update((raw[0], self._row(raw[1:])) for raw in rows)
        return found

    def _many_sql(self, count: int) -> str:
        sql = self._many.get(count)
        if sql is None:
            keys: list[Any] = [bindparam(f"s{i}") for i in range(count)]
            query = select(Certificate.serial, *_STATUS_COLUMNS).where(Certificate.serial.in_(keys))
            sql = self._many[count] = str(query.compile(dialect=self.dialect))
        return sql

    def _fetch(self, engine: Engine, sql: str, params: Any) -> list[Any]:
        try:
            connection = engine.raw_connection()
        except self.errors as exc:
            log.error("certificate status look-up failed", exc_info=True)
            raise RegisterUnavailable(STORE_DOWN) from exc
        try:
            cursor = connection.cursor()
            cursor.execute(sql, params)
            rows = list(cursor.fetchall())
            cursor.close()
        except self.errors as exc:
            connection.invalidate()
            raise Dropped(STORE_DOWN) from exc
        finally:
            connection.close()
        return rows

    def _row(self, raw: Sequence[Any]) -> StatusRow:
        return StatusRow(
            *(
                value if p is None else p(value)
                for p, value in zip(self.processors, raw, strict=True)
            )
        )
