"""Turn what Odoo says about a failed call into one of our typed errors — decided here only.

Odoo reports failures two ways: XML-RPC faults (a numeric code and a text that is a full traceback
for code 1) and JSON-RPC errors (the exception's dotted class name and its message). Both are first
reduced to (exception class name, message), then classified by one function. Fault texts vary
with Odoo's patch level, so the class name and code decide; wording is consulted only where Odoo
uses one class for several meanings (a UserError may mean "unknown model").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from connectors import errors

_LAST_LINE_RE = re.compile(
    r"^(?P<name>[A-Za-z_][\w.]*(?:Error|Exception|Warning|Denied|Failure)\w*)"
    r"(?::\s?(?P<msg>.*))?$"
)
_NONE_MARSHAL = "cannot marshal None"
_CONCURRENCY_MARKERS = (
    "SerializationFailure",
    "TransactionRollbackError",
    "could not serialize access",
    "concurrent update",
    "deadlock detected",
    "LockNotAvailable",
)


@dataclass(frozen=True)
class ServerException:
    """An exception raised inside Odoo, as far as the wire tells it."""

    name: str  # short class name: "AccessError", "ValueError", "SerializationFailure", ...
    message: str
    detail: str  # the full text as received (traceback), for logs


def from_xmlrpc_fault(code: int | str, text: str) -> ServerException:
    """Reduce an XML-RPC fault from `/xmlrpc/2/*` to a ServerException."""
    if code == 3:
        return ServerException("AccessDenied", text or "Access Denied", text)
    if code == 4:
        return ServerException("AccessError", text, text)
    if code == 2:
        # UserError, ValidationError and MissingError all arrive as code 2 with a plain message.
        name = "MissingError" if text.startswith("Record does not exist") else "UserError"
        return ServerException(name, text, text)
    if isinstance(code, str):  # the legacy /xmlrpc/ endpoint puts text in the code
        return ServerException(
            code.split(" -- ")[-1].split("\n", 1)[0].strip() or "Error", code, code
        )
    return _from_traceback(text)


def from_jsonrpc_error(error: dict[str, object]) -> ServerException:
    """Reduce the `error` member of a JSON-RPC answer to a ServerException."""
    data = error.get("data")
    if isinstance(data, dict):
        full_name = str(data.get("name") or "")
        message = str(data.get("message") or error.get("message") or "")
        debug = str(data.get("debug") or message)
        name = full_name.rsplit(".", 1)[-1] or "Error"
        if name in ("OperationalError", "Error") or not full_name:
            # psycopg2 errors reach JSON-RPC unwrapped; the traceback's last line is exact.
            tb = _from_traceback(debug)
            if tb.name != "ServerError":
                return tb
        return ServerException(name, message, debug)
    return ServerException("ServerError", str(error.get("message") or error), str(error))


def from_json2_error(body: dict[str, object]) -> ServerException:
    """Reduce a JSON-2 error body (`{"name", "message", "debug", ...}`) to a ServerException.
    JSON-2 says "not found" for an unknown model or method with werkzeug's NotFound; it is named
    here as the other protocols name it, so one classification serves all three."""
    full_name = str(body.get("name") or "")
    message = str(body.get("message") or "")
    debug = str(body.get("debug") or message)
    name = full_name.rsplit(".", 1)[-1] or "ServerError"
    if name == "NotFound":
        model = re.match(r"the model '([^']+)' does not exist", message)
        if model:
            return ServerException("UserError", f"Object {model.group(1)} doesn't exist", debug)
        if _UNKNOWN_METHOD.search(message):
            return ServerException("AttributeError", message, debug)
    return ServerException(name, message, debug)


def _from_traceback(text: str) -> ServerException:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        match = _LAST_LINE_RE.match(line.strip())
        if match:
            name = match.group("name").rsplit(".", 1)[-1]
            return ServerException(name, (match.group("msg") or "").strip(), text)
    return ServerException("ServerError", lines[-1] if lines else text, text)


def is_none_return(exc: ServerException) -> bool:
    """True when the 'failure' is XML-RPC refusing to marshal a method's None result.

    Odoo raises it after the method ran and committed (docs/odoo-notes.md §3): the call succeeded.
    """
    return exc.name == "TypeError" and _NONE_MARSHAL in exc.message


# Older builds: "The method 'x' does not exist on the model 'res.partner'"; later 16.0 and 17.0
# builds, 18.0 and 19.0: "The method 'res.partner.x' does not exist" (docs/odoo-notes.md §2).
_UNKNOWN_METHOD = re.compile(r"The method '[^']+' does not exist")


def classify(exc: ServerException, *, model: str | None, method: str | None) -> errors.OdooError:
    """The one place that decides which error (and so which retry behaviour) a failure gets."""
    kwargs: dict[str, Any] = {"model": model, "method": method, "detail": exc.detail}
    name, message = exc.name, exc.message or exc.name
    if name == "AccessDenied":
        return errors.OdooAuthenticationError(
            "Odoo refused the credentials (wrong login, password or API key)", **kwargs
        )
    if name == "AccessError" and message.startswith("Private methods"):
        return errors.OdooUnknownMethodError(message, **kwargs)
    if name == "AccessError":
        return errors.OdooAccessError(message, **kwargs)
    if name == "MissingError" or message.startswith("Record does not exist"):
        return errors.OdooMissingRecordError(message, **kwargs)
    if any(marker in exc.detail or marker in name for marker in _CONCURRENCY_MARKERS):
        return errors.OdooConcurrencyError(message, **kwargs)
    if name == "OperationalError" and "does not exist" in message and "database" in message:
        return errors.OdooUnknownDatabaseError(message, **kwargs)
    if name in ("UserError", "except_orm") and re.match(r"Object \S+ doesn't exist", message):
        return errors.OdooUnknownModelError(message, **kwargs)
    if name in ("UserError", "ValidationError", "RedirectWarning", "ValidationFailure"):
        return errors.OdooValidationError(message, **kwargs)
    if name == "AttributeError" and _UNKNOWN_METHOD.search(message):
        return errors.OdooUnknownMethodError(message, **kwargs)
    return errors.OdooServerError(f"{name}: {message}" if message != name else name, **kwargs)
