"""The JSON-2 API of Odoo 19.0+: ``POST /json/2/<model>/<method>`` with an API key.

The body holds the method's arguments by name (``ids`` for record methods, ``context``
optional); the answer is the bare JSON result, recordsets as lists of ids. Errors are HTTP
statuses with a JSON body ``{name, message, arguments, context, debug}``: 401 without a valid
key, 403 access errors and private methods, 404 unknown model, method or record, 422 user and
validation errors (and ``ids`` given to a model-level method), 500 any other Python error, 400 a
body that is not JSON; a wrong content type (415) or an unknown database (404) answer HTML.
Each call is one transaction.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field
from typing import Any

from . import methods
from .errors import (
    AccessDenied,
    AccessError,
    MissingError,
    OdooError,
    UserError,
    format_traceback,
)
from .orm import Env
from .services import DB_NAME, Services
from .xmlrpc_api import as_error

PREFIX = "/json/2/"
JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
NO_KEY = "User not authenticated, use an API Key with a Bearer Authorization header."
_UNKNOWN_DB = (
    b"<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    b"<p>No database is selected and the requested URL was not found in the server. If you "
    b"entered the URL manually please check your spelling and try again.</p>\n"
)
_UNSUPPORTED = (
    b"<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n"
    b"<h1>Unsupported Media Type</h1>\n<p>Request content type is not application/json, "
    b"while the endpoint is type='json2'.</p>\n"
)


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)


class HttpError(Exception):
    """A werkzeug HTTP exception, reported with its status."""

    def __init__(self, status: int, name: str, message: str) -> None:
        super().__init__(message)
        self.status, self.name, self.message = status, name, message


def not_found(message: str) -> HttpError:
    return HttpError(404, "werkzeug.exceptions.NotFound", message)


def split_path(path: str) -> tuple[str, str] | None:
    """(model, method) of a JSON-2 path, or None for any other path under the prefix."""
    parts = path[len(PREFIX) :].split("/")
    return (parts[0], parts[1]) if len(parts) == 2 and all(parts) else None


def error_body(name: str, message: str, arguments: list, debug: str) -> bytes:
    payload = {
        "name": name,
        "message": message,
        "arguments": arguments,
        "context": {},
        "debug": debug,
    }
    return json.dumps(payload).encode()


def http_error(err: HttpError) -> Answer:
    debug = format_traceback(err.name, err.message)
    answer = Answer(err.status, error_body(err.name, err.message, [err.message, err.status], debug))
    if err.status == 401:
        answer.headers["WWW-Authenticate"] = "Bearer "
    return answer


def status_of(err: OdooError) -> int:
    if isinstance(err, MissingError):
        return 404
    if isinstance(err, UserError):
        return 422
    if isinstance(err, AccessError):
        return 403
    if isinstance(err, AccessDenied):
        return 401
    return 500


def odoo_error(err: OdooError) -> Answer:
    body = error_body(err.json_name, err.message, [err.message], err.debug())
    return Answer(status_of(err), body)


def not_found_get() -> Answer:
    return http_error(not_found("Did you mean POST /json/2/<model>/<method>?"))


def handle(services: Services, path: str, headers: Any, body: bytes) -> Answer:
    """One ``POST /json/2/...`` request, from the headers and the raw body to the answer."""
    target = split_path(path)
    if target is None:
        return not_found_get()
    db = headers.get("X-Odoo-Database")
    if db is not None and db != DB_NAME:
        return Answer(404, _UNKNOWN_DB, HTML_TYPE)
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return Answer(415, _UNSUPPORTED, HTML_TYPE)
    try:
        uid = _authenticate(services, headers.get("Authorization"))
        params = _parse(body)
        result = _call(services, uid, *target, params)
    except HttpError as err:
        return http_error(err)
    except Exception as exc:  # every server-side error becomes a status and a JSON body
        return odoo_error(as_error(exc))
    return Answer(200, json.dumps(result).encode())


def _authenticate(services: Services, authorization: str | None) -> int:
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise HttpError(401, "werkzeug.exceptions.Unauthorized", NO_KEY)
    uid = services.store.key_uid(key.strip())
    user = services.store.tables["res.users"].rows.get(uid or 0)
    if uid is None or user is None or not user.get("active"):
        raise HttpError(401, "werkzeug.exceptions.Unauthorized", "Invalid apikey")
    return uid


def _parse(body: bytes) -> dict:
    try:
        params = json.loads(body or b"{}")
    except ValueError as exc:
        raise HttpError(
            400, "werkzeug.exceptions.BadRequest", f"could not parse the body as json: {exc}"
        ) from None
    if not isinstance(params, dict):
        raise HttpError(400, "werkzeug.exceptions.BadRequest", "the body must be a json object")
    return params


def _call(services: Services, uid: int, model: str, method: str, params: dict) -> Any:
    store = services.store
    with store.lock, store.transaction():
        env = Env(store, uid)
        if model not in store.specs:
            raise not_found(f"the model {model!r} does not exist")
        methods.check_public(env, model, method)
        fn = methods.find_method(env, model, method)
        if fn is None:
            raise not_found(f"The method '{model}.{method}' does not exist")
        kwargs = dict(params)
        has_ids = "ids" in kwargs
        ids = kwargs.pop("ids", [])
        _check_context(kwargs.get("context"))
        if _is_record_method(fn):
            result = methods.call(env, model, method, [ids], kwargs)
        elif has_ids:
            raise HttpError(
                422,
                "werkzeug.exceptions.UnprocessableEntity",
                f"cannot call {model}.{method} with ids",
            )
        else:
            result = methods.call(env, model, method, [], kwargs)
    if isinstance(result, methods.RecordSet):
        return list(result.ids)
    if method == "create" and isinstance(result, int):
        return [result]  # JSON-2 always answers a list of the new ids
    return result


def _is_record_method(fn: Any) -> bool:
    """A method on records takes ``ids`` right after the model (without a default)."""
    params = list(inspect.signature(fn).parameters.values())
    return len(params) > 2 and params[2].name == "ids" and params[2].default is params[2].empty


def _check_context(context: Any) -> None:
    if isinstance(context, dict) and context.get("lang") not in (None, False, "en_US"):
        raise UserError(f"Invalid language code: {context['lang']}")
