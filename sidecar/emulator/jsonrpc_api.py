"""The JSON-RPC transport: ``/jsonrpc`` and the two ``/web`` routes odoorpc uses.

Errors have Odoo 17's shape (odoo/http.py ``JsonRPCDispatcher.handle_error`` +
``serialize_exception``); a ``None`` result leaves the ``result`` key out entirely.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import AccessDenied, OdooError, type_error
from .methods import RecordSet
from .services import Services, check_db, login
from .xmlrpc_api import as_error


def describe(params: Any) -> tuple[str | None, str | None, str | None, str | None]:
    """(service, method, model, model method) of a ``/jsonrpc`` call."""
    if not isinstance(params, dict):
        return None, None, None, None
    service, method, args = params.get("service"), params.get("method"), params.get("args")
    model = model_method = None
    if service == "object" and isinstance(args, list) and len(args) >= 5:
        model, model_method = str(args[3]), str(args[4])
    return service, method, model, model_method


def error_payload(err: OdooError, code: int = 200) -> dict:
    """``code`` is 200 up to 18.0 and 0 from 19.0 on."""
    return {
        "code": code,
        "message": "Odoo Server Error",
        "data": {
            "name": err.json_name,
            "debug": err.debug(),
            "message": err.message,
            "arguments": [err.message],
            "context": {},
        },
    }


def envelope(
    request_id: Any, result: Any = None, error: OdooError | None = None, code: int = 200
) -> bytes:
    response: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
    if error is not None:
        response["error"] = error_payload(error, code)
    elif result is not None:
        if isinstance(result, RecordSet):
            msg = f"Object of type {result.model} is not JSON serializable"
            response["error"] = error_payload(type_error(msg), code)
        else:
            response["result"] = result
    return json.dumps(response).encode()


def call(services: Services, request_id: Any, params: Any) -> bytes:
    try:
        if not isinstance(params, dict):
            raise type_error("jsonrpc() argument after ** must be a mapping")
        args = params.get("args") or []
        result = services.dispatch(str(params.get("service")), str(params.get("method")), args)
        return envelope(request_id, result)
    except Exception as exc:  # the JSON-RPC layer reports every error in the body
        return envelope(request_id, error=as_error(exc), code=error_code(services))


def session_info(services: Services, uid: int, db: str) -> dict:
    store = services.store
    with store.lock:
        user = store.tables["res.users"].rows[uid]
        partner = store.tables["res.partner"].rows[user["partner_id"]]
        name = partner.get("name") or ""
    version = services.version
    return {
        "uid": uid,
        "is_system": uid == 2,
        "is_admin": uid == 2,
        "user_context": {"lang": "en_US", "tz": "Europe/Brussels", "uid": uid},
        "db": db,
        "server_version": version["server_version"],
        "server_version_info": version["server_version_info"],
        "name": name,
        "username": user.get("login"),
        "partner_display_name": name,
        "partner_id": user["partner_id"],
        "company_id": 1,
        "web.base.url": "http://localhost:8069",
        "user_companies": {
            "current_company": 1,
            "allowed_companies": {"1": {"id": 1, "name": "YourCompany"}},
        },
    }


def authenticate(services: Services, request_id: Any, params: Any) -> tuple[bytes, int | None]:
    """``/web/session/authenticate``: the session info and the uid (None when refused)."""
    try:
        params = params if isinstance(params, dict) else {}
        db = params.get("db")
        check_db(db)
        uid = login(services.store, db, params.get("login"), params.get("password"))
        if not uid:
            raise AccessDenied()
        return envelope(request_id, session_info(services, int(uid), str(db))), int(uid)
    except Exception as exc:  # reported in the JSON body like Odoo does
        return envelope(request_id, error=as_error(exc), code=error_code(services)), None


def error_code(services: Services) -> int:
    return services.store.profile.jsonrpc_error_code
