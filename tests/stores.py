"""Migrated SQLite stores for tests, made by copying one migrated by the real migrations.

Compiling the migrations' DDL costs SQLAlchemy about 60 ms per new store, and the suite makes
hundreds. Each test process runs `upgrade` once into a template and copies that file; opening
the copy still goes through the product's `open_store`/`upgrade`, which find it at head. Tests
of the migrations themselves (tests/store/) start from empty databases instead.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from sidecar.config import Config
from sidecar.store.bootstrap import Store, open_store, store_url
from sidecar.store.engine import make_engine
from sidecar.store.migrate import upgrade


@functools.cache
def _template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="ojt-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file: one file to copy
    return path


def migrated_sqlite(url: str) -> str:
    """Put a store at head at the SQLite `url` unless a file is already there; other URLs are
    left alone. Returns `url`."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return url
    path = Path(parsed.database)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_template(), path)
    return url


def open_migrated(cfg: Config) -> Store:
    """`open_store(cfg)` on a copy of a migrated store where the config's SQLite file is new."""
    migrated_sqlite(store_url(cfg))
    return open_store(cfg)
