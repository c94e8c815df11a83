"""Alembic, driven from code: `upgrade(engine)` runs on start and by `ojt-sidecar db upgrade`."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def _config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


# Any constant both replicas agree on: the key of PostgreSQL's advisory lock on migrations.
MIGRATION_LOCK = 7_151_001


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; a no-op when it is already there. Two processes starting
    at once on an empty store (the service and a command, two replicas) take turns
    (`take_turns`), so the second finds the tables made instead of racing to make them."""
    cfg = _config()
    with engine.begin() as connection:
        take_turns(connection)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def take_turns(connection: Connection) -> None:
    """Make the transaction just begun on `connection` the only one of its kind at a time, until
    it ends: on PostgreSQL a transaction-wide advisory lock; on SQLite the write lock, taken
    first (`BEGIN IMMEDIATE`), since its driver otherwise begins only at the first write (after
    the reads that decided what to write) and runs DDL outside any transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# The migration scripts do not change under a running process, and parsing them costs more
# than the rest of a health check of the verify site: read once.
@functools.cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every revision this version of the code ships."""
    scripts = ScriptDirectory.from_config(_config()).walk_revisions()
    return frozenset(script.revision for script in scripts)
