"""XML-RPC over the standard library: the default transport.

We drive `http.client` ourselves rather than `xmlrpc.client.ServerProxy` because its transport
silently re-sends a request once when the connection drops before the answer — harmless for a
read, a duplicate for a `create`. Here a request is sent at most once; what happens next is the
retry policy's decision, made with `may_have_applied` set honestly.
"""

from __future__ import annotations

import http.client
import threading
import time
import xmlrpc.client
from typing import Any
from xml.parsers.expat import ExpatError

from connectors import errors, faults
from connectors.retry import READ_ONLY_METHODS
from connectors.transport import (
    Credentials,
    Endpoint,
    ExecuteKwTransport,
    RpcCall,
    check_http_status,
    network_error,
)

# A kept-alive connection idle for longer may have been closed by Odoo or a proxy; opening a
# fresh one is cheaper than an ambiguous failure on a write.
_MAX_IDLE_SECONDS = 10.0


class XmlRpcTransport(ExecuteKwTransport):
    """`/xmlrpc/2/common` and `/xmlrpc/2/object` over one kept-alive HTTP connection."""

    name = "xmlrpc"

    def __init__(self, endpoint: Endpoint, timeout: float, credentials: Credentials) -> None:
        super().__init__(credentials)
        self._endpoint = endpoint
        self._timeout = timeout
        self._lock = threading.Lock()
        self._conn: http.client.HTTPConnection | None = None
        self._last_used = 0.0

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
        return self._call(
            call.service, call.function, tuple(call.args), model=call.model, method=call.method
        )

    def close(self) -> None:
        with self._lock:
            self._drop_connection()

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
        raw = self._post(f"{self._endpoint.path}/xmlrpc/2/{service}", body, model, method)
        try:
            (result,), _ = xmlrpc.client.loads(raw, use_builtin_types=True)
        except xmlrpc.client.Fault as fault:
            exc = faults.from_xmlrpc_fault(fault.faultCode, fault.faultString)
            # Read methods never return None: there the fault means a None nested in a result.
            if faults.is_none_return(exc) and method not in READ_ONLY_METHODS:
                return None
            raise faults.classify(exc, model=model, method=method) from None
        except (ExpatError, ValueError, xmlrpc.client.ResponseError) as exc:
            raise errors.OdooProtocolError(
                f"the answer from {self._endpoint} is not XML-RPC ({exc})",
                model=model,
                method=method,
            ) from None
        return result

    def _post(self, path: str, body: bytes, model: str | None, method: str | None) -> bytes:
        with self._lock:
            conn = self._connection()
            sent = False
            try:
                conn.request(
                    "POST",
                    path,
                    body,
                    {"Content-Type": "text/xml", "User-Agent": "ojt-sidecar"},
                )
                sent = True
                response = conn.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException) as exc:  # refused, timeout, reset
                self._drop_connection()
                raise network_error(
                    exc, self._endpoint, self._timeout, sent=sent, model=model, method=method
                ) from None
            self._last_used = time.monotonic()
            if response.will_close:
                self._drop_connection()
        return check_http_status(response.status, raw, str(self._endpoint), model, method)

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is not None and time.monotonic() - self._last_used > _MAX_IDLE_SECONDS:
            self._drop_connection()
        if self._conn is None:
            cls = (
                http.client.HTTPSConnection
                if self._endpoint.scheme == "https"
                else http.client.HTTPConnection
            )
            self._conn = cls(self._endpoint.host, self._endpoint.port, timeout=self._timeout)
        return self._conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
