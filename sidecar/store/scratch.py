"""A scratch store for dry runs: sessions whose commits land nowhere.

A dry run runs the real job, commits and all, so there is no second implementation of what a job
would do. Its changes must then vanish without holding the store from a service running beside:
- SQLite: the job runs on a copy (SQLite's online backup, taken while others read and write),
  in a temporary folder removed afterwards. The live file is read once and never locked for
  long.
- PostgreSQL: the job runs in one transaction on one connection, rolled back at the end; each
  session's commit only releases a savepoint. Rows the job changes stay locked until then, so a
  service touching the same rows waits for the dry run (seconds), never the other way round.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from sidecar.store.engine import make_engine, make_sessionmaker


@contextmanager
def scratch_sessions(sessions: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    """Sessions on what the store behind `sessions` holds now; everything they commit is thrown
    away on exit."""
    engine = sessions.kw["bind"]
    if engine.dialect.name == "sqlite":
        with _sqlite_copy(engine) as sessions:
            yield sessions
        return
    with engine.connect() as connection:
        outer = connection.begin()
        try:
            yield sessionmaker(
                bind=connection,
                expire_on_commit=False,
                join_transaction_mode="create_savepoint",
            )
        finally:
            outer.rollback()


@contextmanager
def _sqlite_copy(engine: Engine) -> Iterator[sessionmaker[Session]]:
    with tempfile.TemporaryDirectory(prefix="ojt-dry-run-") as folder:
        path = Path(folder) / "store.db"
        with engine.connect() as connection:
            live: Any = connection.connection.driver_connection
            copy = sqlite3.connect(path)
            try:
                live.backup(copy)
            finally:
                copy.close()
        scratch = make_engine(f"sqlite:///{path}")
        try:
            yield make_sessionmaker(scratch)
        finally:
            scratch.dispose()
