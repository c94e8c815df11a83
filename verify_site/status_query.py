"""A certificate's status by serial, straight through the DB-API: the one query the site runs
on every request for a cached page (`Register.status_of`, verify_site/pagecache.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

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

    def run(self, engine: Engine, serial: str) -> StatusRow | None:
        """The row, or None; raises `Dropped` (the connection invalidated) when the driver
        fails, and RegisterUnavailable when no connection can be had."""
        try:
            connection = engine.raw_connection()
        except self.errors as exc:
            log.error("certificate status look-up failed", exc_info=True)
            raise RegisterUnavailable(STORE_DOWN) from exc
        try:
            cursor = connection.cursor()
            cursor.execute(self.sql, (serial,) if self.positional else {"serial": serial})
            raw = cursor.fetchone()
            cursor.close()
        except self.errors as exc:
            connection.invalidate()
            raise Dropped(STORE_DOWN) from exc
        finally:
            connection.close()
        if raw is None:
            return None
        return StatusRow(
            *(
                value if p is None else p(value)
                for p, value in zip(self.processors, raw, strict=True)
            )
        )
