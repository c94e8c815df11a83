"""XML-RPC over the standard library: the default transport before Odoo 19. Requests go through
`connectors.http_post` (sent at most once) rather than `xmlrpc.client.ServerProxy`, whose
transport silently re-sends a request whose answer was lost."""

from __future__ import annotations

import xmlrpc.client
from typing import Any
from xml.parsers.expat import ExpatError

from connectors import errors, faults
from connectors.http_post import KeptAlive
from connectors.jsonrpc_transport import post_jsonrpc
from connectors.retry import READ_ONLY_METHODS
from connectors.transport import (
    Credentials,
    Endpoint,
    ExecuteKwTransport,
    RpcCall,
    check_http_status,
)


class _NoneInAnswer(Exception):
    """A read's answer held a None, which XML-RPC cannot carry."""


class XmlRpcTransport(ExecuteKwTransport):
    """`/xmlrpc/2/common` and `/xmlrpc/2/object` over one kept-alive HTTP connection."""

    name = "xmlrpc"

    def __init__(self, endpoint: Endpoint, timeout: float, credentials: Credentials) -> None:
        super().__init__(credentials)
        self._endpoint = endpoint
        self._http = KeptAlive(endpoint, timeout)

    # -- Transport ------------------------------------------------------------------------------

    def version(self) -> dict[str, Any]:
        result = self._call("common", "version", ())
        if not isinstance(result, dict):
            raise errors.OdooProtocolError(f"version() answered {result!r}, not a mapping")
        return result

    def authenticate(self, db: str, login: str, secret: str) -> int | None:
        result = self._call("common", "authenticate", (db, login, secret, {}))
        return result if isinstance(result, int) and not isinstance(result, bool) else None

    def _rpc(self, call: RpcCall) -> Any:
        try:
            return self._call(
                call.service, call.function, tuple(call.args), model=call.model, method=call.method
            )
        except _NoneInAnswer:
            # XML-RPC cannot carry a None inside an answer (a property without a value, Odoo
            # 16.0-18.0: docs/odoo-notes.md §3); JSON-RPC can, and repeating a read is harmless.
            params = {"service": call.service, "method": call.function, "args": list(call.args)}
            return post_jsonrpc(self._http, self._endpoint, params, 1, call.model, call.method)

    def close(self) -> None:
        self._http.close()

    # -- internals ------------------------------------------------------------------------------

    def _call(
        self,
        service: str,
        rpc_method: str,
        params: tuple[Any, ...],
        *,
        model: str | None = None,
        method: str | None = None,
    ) -> Any:
        body = xmlrpc.client.dumps(params, rpc_method, allow_none=True).encode("utf-8")
        raw = self._post(f"/xmlrpc/2/{service}", body, model, method)
        try:
            (result,), _ = xmlrpc.client.loads(raw, use_builtin_types=True)
        except xmlrpc.client.Fault as fault:
            exc = faults.from_xmlrpc_fault(fault.faultCode, fault.faultString)
            if faults.is_none_return(exc):
                if method not in READ_ONLY_METHODS:
                    return None
                # Read methods never return None: there the fault means a None nested in a
                # result, which the same read over JSON-RPC answers.
                raise _NoneInAnswer from None
            raise faults.classify(exc, model=model, method=method) from None
        except (ExpatError, ValueError, xmlrpc.client.ResponseError) as exc:
            raise errors.OdooProtocolError(
                f"the answer from {self._endpoint} is not XML-RPC ({exc})",
                model=model,
                method=method,
            ) from None
        return result

    def _post(self, path: str, body: bytes, model: str | None, method: str | None) -> bytes:
        answer = self._http.post(
            path, body, {"Content-Type": "text/xml"}, model=model, method=method
        )
        return check_http_status(answer.status, answer.body, str(self._endpoint), model, method)
