"""The sidecar's store: tables, engine, migrations."""

from sidecar.store.engine import make_engine, make_sessionmaker
from sidecar.store.migrate import upgrade

__all__ = ["make_engine", "make_sessionmaker", "upgrade"]
