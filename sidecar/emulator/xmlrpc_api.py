"""The XML-RPC transport: ``/xmlrpc/2/<service>`` (integer fault codes) and the legacy
``/xmlrpc/<service>`` (string fault codes), marshalled with ``allow_none=False`` as Odoo does.
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any

from .errors import (
    NONE_MARSHAL,
    AccessDenied,
    AccessError,
    MissingError,
    OdooError,
    PyError,
    UserError,
    type_error,
)
from .methods import RecordSet
from .services import Services


def decode(body: bytes) -> tuple[str, list]:
    params, method = xmlrpc.client.loads(body, use_datetime=False)
    return method or "", list(params)


def describe(service: str, method: str, params: list) -> tuple[str | None, str | None]:
    """(model, model method) of an ``object`` call, for logging and fault matching."""
    if service == "object" and method in ("execute", "execute_kw") and len(params) >= 5:
        return str(params[3]), str(params[4])
    return None, None


def as_error(exc: BaseException) -> OdooError:
    if isinstance(exc, OdooError):
        return exc
    return PyError(type(exc).__name__, str(exc))


def _legacy_fault(code: str, text: str) -> xmlrpc.client.Fault:
    # typeshed types Fault's faultCode as int, but xmlrpc.client marshals any value and Odoo's
    # legacy /xmlrpc endpoint sends a string code
    return xmlrpc.client.Fault(code, text)  # type: ignore[arg-type]


def fault_for(err: OdooError, legacy: bool) -> xmlrpc.client.Fault:
    if not legacy:
        return xmlrpc.client.Fault(err.fault_code, err.fault_string())
    if isinstance(err, MissingError):
        return _legacy_fault(f"warning -- MissingError\n\n{err.message}", "")
    if isinstance(err, AccessError):
        return _legacy_fault(f"warning -- AccessError\n\n{err.message}", "")
    if isinstance(err, AccessDenied):
        return _legacy_fault("AccessDenied", err.message)
    if isinstance(err, UserError):
        return _legacy_fault(f"warning -- UserError\n\n{err.message}", "")
    return _legacy_fault(err.message, err.fault_string())


def marshal(result: Any) -> bytes:
    if result is None:
        raise type_error(NONE_MARSHAL)
    if isinstance(result, RecordSet):
        raise type_error(f"cannot marshal <class 'odoo.api.{result.model}'> objects")
    try:
        return xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False).encode()
    except TypeError as exc:
        raise type_error(str(exc)) from None


def respond(services: Services, service: str, method: str, params: list, legacy: bool) -> bytes:
    """Run one call and return the XML body (a result or a fault)."""
    try:
        result = services.dispatch(service, method, params)
        return marshal(result)
    except Exception as exc:  # every server-side error becomes a fault, as in Odoo
        fault = fault_for(as_error(exc), legacy)
        return xmlrpc.client.dumps(fault, methodresponse=True, allow_none=False).encode()


def fault_body(code: int, text: str) -> bytes:
    return xmlrpc.client.dumps(xmlrpc.client.Fault(code, text), methodresponse=True).encode()
