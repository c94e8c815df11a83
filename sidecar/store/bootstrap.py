"""Open the store for a command or the service: migrate, then reconcile the config into it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from sidecar.config import Config
from sidecar.store.engine import make_engine, make_sessionmaker
from sidecar.store.migrate import take_turns, upgrade
from sidecar.store.programs import ReconcileReport, reconcile_programs


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    reconciled: ReconcileReport | None = None

    def close(self) -> None:
        self.engine.dispose()


def _why(url: str, exc: OperationalError) -> str:
    parsed = make_url(url)
    reason = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc) else ""
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        where = parsed.database.removeprefix("file:")
        if "readonly" in reason:
            return f"cannot write to the store {where}: the file is read-only for this user"
        if "unable to open" in reason:
            return (
                f"cannot open the store {where}: its folder is missing or not writable "
                "for this user"
            )
    return f"the store at {parsed.render_as_string(hide_password=True)} answered: {reason}"


def store_url(cfg: Config) -> str:
    return cfg.store.url.get_secret_value()


class StoreUnusable(Exception):
    """The store cannot be opened or written: one sentence naming it and why."""


def open_store(cfg: Config, *, reconcile: bool = True) -> Store:
    url = store_url(cfg)
    engine = make_engine(url)
    try:
        upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        raise StoreUnusable(_why(url, exc)) from None
    store = Store(engine, make_sessionmaker(engine))
    if reconcile:
        # Taking turns like the migrations: two processes writing the config's programs into
        # an empty store at once would both insert them.
        with store.sessions() as session, session.begin():
            take_turns(session.connection())
            store.reconciled = reconcile_programs(session, cfg)
    return store
