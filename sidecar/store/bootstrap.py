"""Open the store for a command or the service: migrate, then reconcile the config into it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from sidecar.config import Config
from sidecar.store.engine import make_engine, make_sessionmaker
from sidecar.store.migrate import upgrade
from sidecar.store.programs import ReconcileReport, reconcile_programs


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    reconciled: ReconcileReport | None = None

    def close(self) -> None:
        self.engine.dispose()


def store_url(cfg: Config) -> str:
    return cfg.store.url.get_secret_value()


def open_store(cfg: Config, *, reconcile: bool = True) -> Store:
    engine = make_engine(store_url(cfg))
    upgrade(engine)
    store = Store(engine, make_sessionmaker(engine))
    if reconcile:
        with store.sessions() as session, session.begin():
            store.reconciled = reconcile_programs(session, cfg)
    return store
