"""JSON-RPC through odoorpc: the second transport.

odoorpc 0.10.1 reads the server version from `/web/webclient/version_info` and, for Odoo 10 and
later, logs in with `common.login` over `/jsonrpc` followed by `res.users.context_get`; every call
then sends db, uid and the secret again (see docs/architecture.md for what that means for API
keys). We use odoorpc for that login only. Every other call (`common.version`, `execute_kw`) is
posted to `/jsonrpc` by `connectors.http_post` (one kept-alive connection where the server keeps
it, a request sent at most once, as over XML-RPC) and decoded here, so that the answer's shape (a
missing `result` for methods returning None) stays visible; an answer is read as odoorpc reads
it: an `error` member that is not Odoo's (no `data.message`) is a protocol error.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import urllib.error
from typing import Any

import odoorpc
import odoorpc.error

from connectors import errors, faults
from connectors.http_post import KeptAlive
from connectors.transport import (
    Credentials,
    Endpoint,
    ExecuteKwTransport,
    RpcCall,
    check_http_status,
    network_error,
)


class JsonRpcTransport(ExecuteKwTransport):
    """`/jsonrpc` (services common and object): the login through an odoorpc session, the calls
    over one kept-alive connection."""

    name = "jsonrpc"

    def __init__(self, endpoint: Endpoint, timeout: float, credentials: Credentials) -> None:
        super().__init__(credentials)
        if endpoint.path:
            raise ValueError(
                f"the jsonrpc transport (odoorpc) cannot reach an Odoo mounted under a path "
                f"({endpoint}); use transport: xmlrpc"
            )
        self._endpoint = endpoint
        self._timeout = timeout
        self._odoo: Any = None  # the odoorpc session that logs in
        self._lock = threading.Lock()
        self._http = KeptAlive(endpoint, timeout)
        self._ids = itertools.count(1)

    def version(self) -> dict[str, Any]:
        result = self._post({"service": "common", "method": "version", "args": []}, None, None)
        if not isinstance(result, dict):
            raise errors.OdooProtocolError(f"version() answered {result!r}, not a mapping")
        return result

    def authenticate(self, db: str, login: str, secret: str) -> int | None:
        def login_() -> int:
            self._session().login(db, login, secret)
            return int(self._session().env.uid)

        try:
            return int(self._guard(login_, None, None))
        except errors.OdooServerError as exc:
            # odoorpc raises a bare RPCError (no server info) when Odoo answers uid False.
            if "Wrong login ID or password" in exc.message:
                return None
            raise

    def _rpc(self, call: RpcCall) -> Any:
        params = {"service": call.service, "method": call.function, "args": list(call.args)}
        return self._post(params, call.model, call.method)

    def close(self) -> None:
        self._odoo = None
        self._http.close()

    # -- internals ------------------------------------------------------------------------------

    def _session(self) -> Any:
        if self._odoo is None:
            protocol = "jsonrpc+ssl" if self._endpoint.scheme == "https" else "jsonrpc"
            self._odoo = odoorpc.ODOO(
                self._endpoint.host,
                protocol=protocol,
                port=self._endpoint.port,
                timeout=self._timeout,
            )
        return self._odoo

    def _post(self, params: dict[str, Any], model: str | None, method: str | None) -> Any:
        return post_jsonrpc(self._http, self._endpoint, params, next(self._ids), model, method)

    def _guard(self, fn: Any, model: str | None, method: str | None) -> Any:
        where: dict[str, Any] = {"model": model, "method": method}
        with self._lock:
            try:
                return fn()
            except odoorpc.error.RPCError as exc:
                info = exc.info if isinstance(exc.info, dict) else None
                if info is None:
                    raise errors.OdooServerError(str(exc.args[0]), **where) from None
                raise faults.classify(faults.from_jsonrpc_error(info), **where) from None
            except urllib.error.HTTPError as exc:
                check_http_status(exc.code, b"", str(self._endpoint), model, method)
                raise  # check_http_status raises for every non-200 status
            except urllib.error.URLError as exc:
                self._odoo = None
                reason = exc.reason if isinstance(exc.reason, BaseException) else exc
                # urllib only reports failures to connect here: nothing reached Odoo unless the
                # connection broke later, which it reports the same way; assume the worst.
                sent = not isinstance(reason, ConnectionRefusedError)
                raise network_error(
                    reason, self._endpoint, self._timeout, sent=sent, model=model, method=method
                ) from None
            except (OSError, http.client.HTTPException) as exc:  # timeout, reset mid-answer
                self._odoo = None
                raise network_error(
                    exc, self._endpoint, self._timeout, sent=True, model=model, method=method
                ) from None
            except (ValueError, KeyError, TypeError, AttributeError, odoorpc.error.Error) as exc:
                # Not JSON (JSONDecodeError is a ValueError), or JSON that is not Odoo's answer.
                self._odoo = None
                raise _not_jsonrpc(self._endpoint, exc, model, method) from None


def post_jsonrpc(
    http: KeptAlive,
    endpoint: Endpoint,
    params: dict[str, Any],
    request_id: int,
    model: str | None,
    method: str | None,
) -> Any:
    """`params` posted to `/jsonrpc` and the answer decoded: the result, or Odoo's error as our
    typed error; an answer that is not Odoo's JSON-RPC is a protocol error."""
    body = {"jsonrpc": "2.0", "method": "call", "params": params, "id": request_id}
    answer = http.post(
        "/jsonrpc",
        json.dumps(body).encode(),
        {"Content-Type": "application/json"},
        model=model,
        method=method,
    )
    raw = check_http_status(answer.status, answer.body, str(endpoint), model, method)
    try:
        data = json.loads(raw)
    except ValueError as exc:  # not JSON (JSONDecodeError, or bytes that are not UTF-8)
        raise _not_jsonrpc(endpoint, exc, model, method) from None
    if not isinstance(data, dict):
        raise _not_jsonrpc(endpoint, TypeError("not a JSON object"), model, method)
    error = data.get("error")
    if error:
        info = error.get("data") if isinstance(error, dict) else None
        if not isinstance(info, dict) or "message" not in info:
            raise _not_jsonrpc(endpoint, KeyError("error.data.message"), model, method)
        raise faults.classify(faults.from_jsonrpc_error(error), model=model, method=method)
    # A missing "result" key is how JSON-RPC says the method returned None
    # (docs/odoo-notes.md §3).
    return data.get("result")


def _not_jsonrpc(
    endpoint: Endpoint, exc: Exception, model: str | None, method: str | None
) -> errors.OdooProtocolError:
    return errors.OdooProtocolError(
        f"the answer from {endpoint} is not Odoo's JSON-RPC ({exc.__class__.__name__}: {exc})",
        model=model,
        method=method,
    )
