"""`transport: auto`: JSON-2 where Odoo has it (19+) and the sidecar holds an API key for it,
XML-RPC otherwise. The choice is made on first use, from the version the web client's own
route reports (it answers on every version, without logging in)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from connectors.json2_transport import Json2Transport
from connectors.transport import Credentials, Endpoint, Transport
from connectors.xmlrpc_transport import XmlRpcTransport

JSON2_SINCE = 19


class AutoTransport:
    def __init__(
        self, endpoint: Endpoint, timeout: float, credentials: Credentials, *, api_key: bool
    ) -> None:
        self._make: dict[str, Callable[[], Transport]] = {
            "json2": lambda: Json2Transport(endpoint, timeout, credentials),
            "xmlrpc": lambda: XmlRpcTransport(endpoint, timeout, credentials),
        }
        self._probe = Json2Transport(endpoint, timeout, credentials)
        self._api_key = api_key
        self._chosen: Transport | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._chosen.name if self._chosen is not None else "auto"

    def version(self) -> dict[str, Any]:
        return self._transport().version()

    def login(self) -> int | None:
        return self._transport().login()

    def call(
        self, model: str, method: str, ids: Sequence[Any] | None, params: dict[str, Any]
    ) -> Any:
        return self._transport().call(model, method, ids, params)

    def close(self) -> None:
        self._probe.close()
        if self._chosen is not None:
            self._chosen.close()

    def _transport(self) -> Transport:
        with self._lock:
            if self._chosen is None:
                info = self._probe.version().get("server_version_info") or [0]
                major = info[0] if isinstance(info[0], int) else 0
                json2 = self._api_key and major >= JSON2_SINCE
                self._chosen = self._make["json2" if json2 else "xmlrpc"]()
                self._probe.close()
            return self._chosen
