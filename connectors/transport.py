"""The seam between the client and a wire protocol.

A transport moves one call to Odoo and back. It raises only `connectors.errors` types and returns
plain Python values; a method that returned nothing comes back as None on every transport, even
where the protocol turned it into a fault (XML-RPC, docs/odoo-notes.md §3). Calls go by name
(`connectors.calls`); a new protocol is one module with a `Transport` and one line in
`connectors.client.make_transport`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from connectors import errors
from connectors.calls import execute_kw_args


@dataclass(frozen=True)
class Endpoint:
    """Where Odoo listens: parsed once from the configured URL."""

    scheme: str  # "http" | "https"
    host: str
    port: int
    path: str  # prefix under which Odoo is mounted, "" at the root

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return cls(parts.scheme, parts.hostname, port, parts.path.rstrip("/"))

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{self.path}"


@dataclass(frozen=True)
class Credentials:
    """Who the transport logs in as: a password or an API key go in the same place."""

    database: str
    login: str
    secret: str = field(repr=False)


class Transport(Protocol):
    """One wire protocol to one Odoo database as one user. It owns authentication: a uid where
    the protocol has one, a bearer key where it has that."""

    @property
    def name(self) -> str:
        """The protocol spoken: "xmlrpc", "jsonrpc", "json2"."""
        ...

    def version(self) -> dict[str, Any]:
        """`common.version()`: no authentication needed."""
        ...

    def login(self) -> int | None:
        """Check the credentials: the user's id, or None when Odoo refused them."""
        ...

    def call(
        self, model: str, method: str, ids: Sequence[Any] | None, params: dict[str, Any]
    ) -> Any:
        """Run `model.method` on the records `ids` (None for a model method) with named
        parameters. A failure after the request left sets `may_have_applied` on the error: Odoo
        may have committed the call."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class RpcCall:
    """`service.function(*args)` on Odoo's RPC endpoint; `model` and `method` name the Odoo call
    inside it, for errors."""

    service: str
    function: str
    args: Sequence[Any]
    model: str | None = None
    method: str | None = None


class ExecuteKwTransport:
    """What XML-RPC and JSON-RPC share: a uid from `common.authenticate`, then every call as
    `execute_kw(db, uid, secret, model, method, args, kwargs)`, the named parameters put where
    every Odoo version takes them (`connectors.calls`)."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self._uid: int | None = None
        self._login_lock = threading.Lock()

    def authenticate(self, db: str, login: str, secret: str) -> int | None:
        raise NotImplementedError

    def execute_kw(self, *params: Any) -> Any:
        """`object.execute_kw(db, uid, secret, model, method, args, kwargs)`."""
        return self._rpc(RpcCall("object", "execute_kw", params, model=params[3], method=params[4]))

    def _rpc(self, call: RpcCall) -> Any:
        """One service call on the wire."""
        raise NotImplementedError

    def adopt(self, uid: int) -> None:
        """Call as `uid`, which another transport with the same credentials logged in as,
        rather than logging in again."""
        with self._login_lock:
            self._uid = uid

    def login(self) -> int | None:
        c = self.credentials
        uid = self.authenticate(c.database, c.login, c.secret)
        with self._login_lock:
            self._uid = uid
        return uid

    def call(
        self, model: str, method: str, ids: Sequence[Any] | None, params: dict[str, Any]
    ) -> Any:
        with self._login_lock:
            uid = self._uid
        if uid is None:
            uid = self.login()
            if uid is None:
                raise errors.OdooAuthenticationError(
                    f"Odoo refused the login {self.credentials.login!r}", model=model, method=method
                )
        args, kwargs = execute_kw_args(method, ids, params)
        c = self.credentials
        return self.execute_kw(c.database, uid, c.secret, model, method, args, kwargs)


def check_http_status(
    status: int, raw: bytes, where: str, model: str | None, method: str | None
) -> bytes:
    """Map HTTP-level failures; shared by both transports."""
    if status == 200:
        return raw
    if status in (502, 503, 504):
        # 503 means the request was turned away; a 502/504 gateway may have passed it on first.
        raise errors.OdooUnavailableError(
            f"{where} answered HTTP {status}",
            status=status,
            may_have_applied=status != 503,
            model=model,
            method=method,
        )
    hint = " (is this the URL of an Odoo server?)" if status == 404 else ""
    raise errors.OdooProtocolError(
        f"{where} answered HTTP {status}{hint}", model=model, method=method, may_have_applied=True
    )


def describe(exc: BaseException) -> str:
    """A short, human description of a low-level network error."""
    text = str(exc).strip()
    name = exc.__class__.__name__
    return f"{name}: {text}" if text else name


def network_error(
    exc: BaseException,
    endpoint: Endpoint,
    timeout: float,
    *,
    sent: bool,
    model: str | None,
    method: str | None,
) -> errors.OdooError:
    """The one mapping of a low-level network failure, shared by both transports. `sent` says
    whether the request may have reached Odoo (then a write may have been applied)."""
    where: dict[str, Any] = {"model": model, "method": method}
    if isinstance(exc, ConnectionRefusedError):
        return errors.OdooConnectionError(
            f"connection to {endpoint} refused: is Odoo running?", **where
        )
    if isinstance(exc, TimeoutError):
        return errors.OdooTimeoutError(
            f"no answer from {endpoint} within {timeout:g} s", may_have_applied=sent, **where
        )
    return errors.OdooConnectionError(
        f"connection to {endpoint} failed: {describe(exc)}", may_have_applied=sent, **where
    )
