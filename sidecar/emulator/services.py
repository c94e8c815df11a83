"""Odoo's RPC services (common, object, db) on top of the emulated ORM, transport-agnostic.

Each ``object`` call runs as one transaction stamped at its start (PostgreSQL ``now()``); any
error rolls it back. The result is returned unmarshalled: the transports decide what ``None`` or a
recordset turn into.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from . import methods
from .errors import AccessDenied, OdooError, PyError, missing_record, psycopg_error
from .orm import Env

if TYPE_CHECKING:
    from .store import Store

DB_NAME = "ojt"


def check_db(db: Any) -> None:
    if db != DB_NAME:
        raise psycopg_error(
            "psycopg2.OperationalError",
            'connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
            f'database "{db}" does not exist\n',
        )


def password_ok(store: Store, uid: int, password: Any) -> bool:
    if not isinstance(password, str) or not password:
        return False
    return store.passwords.get(uid) == password or store.key_uid(password) == uid


def login(store: Store, db: Any, login_name: Any, password: Any) -> int | bool:
    check_db(db)
    with store.lock:
        for uid, row in store.tables["res.users"].rows.items():
            if row.get("login") == login_name and row.get("active"):
                return uid if password_ok(store, uid, password) else False
    return False


def check_uid(store: Store, db: Any, uid: Any, password: Any) -> int:
    check_db(db)
    try:
        uid = int(uid)
    except (TypeError, ValueError):
        raise AccessDenied() from None
    row = store.tables["res.users"].rows.get(uid)
    if row is None:
        raise missing_record("res.users", [uid], uid)
    if not row.get("active") or not password_ok(store, uid, password):
        raise AccessDenied()
    return uid


class Services:
    """``dispatch(service, method, params)`` as Odoo's ``odoo.http.dispatch_rpc``."""

    def __init__(self, store: Store, version: dict) -> None:
        self.store = store
        self.version = version

    def dispatch(self, service: str, method: str, params: list) -> Any:
        if service == "db" and not self.store.profile.has_db_service:
            raise PyError("KeyError", "'db'")  # 20.0 has no db service any more
        handler = getattr(self, f"_{service}_{method}", None)
        if handler is None:
            raise PyError("KeyError", repr(f"exp_{method}"))
        try:
            return handler(*params)
        except TypeError as exc:
            if isinstance(exc, OdooError):
                raise
            raise PyError("TypeError", str(exc)) from None

    # common
    def _common_version(self) -> dict:
        return json.loads(json.dumps(self.version))

    def _common_login(self, db: Any, login_name: Any, password: Any) -> int | bool:
        return login(self.store, db, login_name, password)

    def _common_authenticate(
        self, db: Any, login_name: Any, password: Any, user_agent_env: Any = None
    ) -> int | bool:
        return login(self.store, db, login_name, password)

    # db
    def _db_list(self, *args: Any) -> list[str]:
        return [DB_NAME]

    def _db_server_version(self) -> str:
        return str(self.version["server_version"])

    def _db_db_exist(self, db: Any) -> bool:
        return db == DB_NAME

    # object
    def _object_execute_kw(
        self,
        db: Any,
        uid: Any,
        password: Any,
        model: Any,
        method: Any,
        args: Any = None,
        kw: Any = None,
    ) -> Any:
        return self.execute(db, uid, password, model, method, list(args or []), kw or {})

    def _object_execute(
        self, db: Any, uid: Any, password: Any, model: Any, method: Any, *args: Any
    ) -> Any:
        return self.execute(db, uid, password, model, method, list(args), {})

    def execute(
        self, db: Any, uid: Any, password: Any, model: str, method: str, args: list, kw: dict
    ) -> Any:
        with self.store.lock:
            real_uid = check_uid(self.store, db, uid, password)
            if not isinstance(kw, dict):
                raise PyError("TypeError", "execute_kw() argument after ** must be a mapping")
            with self.store.transaction():
                env = Env(self.store, real_uid)
                result = methods.call(env, str(model), str(method), args, kw)
        if isinstance(result, methods.RecordSet) and self.store.profile.recordsets_as_ids:
            return list(result.ids)
        return result
