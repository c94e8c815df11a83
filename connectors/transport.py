"""The seam between the client and a wire protocol.

A transport moves one call to Odoo and back. It raises only `connectors.errors` types and returns
plain Python values; a method that returned nothing comes back as None on every transport, even
where the protocol turned it into a fault (XML-RPC, quirks §3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from connectors import errors


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


class Transport(Protocol):
    """One wire protocol to one Odoo server."""

    name: str

    def version(self) -> dict[str, Any]:
        """`common.version()`: no authentication needed."""
        ...

    def authenticate(self, db: str, login: str, secret: str) -> int | None:
        """The uid, or None when Odoo refused the credentials (it answers False, no fault)."""
        ...

    def execute_kw(
        self,
        db: str,
        uid: int,
        secret: str,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any],
    ) -> Any:
        """Run `model.method(*args, **kwargs)`. A failure after the request left sets
        `may_have_applied` on the error: Odoo may have committed the call."""
        ...

    def close(self) -> None: ...


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
