"""One kept-alive HTTP connection to Odoo that POSTs a request at most once.

We drive `http.client` ourselves because `xmlrpc.client`'s transport silently re-sends a request
once when the connection drops before the answer: harmless for a read, a duplicate for a
`create`. Here a request is sent at most once; what happens next is the retry policy's decision,
made with `may_have_applied` set honestly.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass

from connectors.transport import Endpoint, network_error

# A kept-alive connection idle for longer may have been closed by Odoo or a proxy; opening a
# fresh one is cheaper than an ambiguous failure on a write.
_MAX_IDLE_SECONDS = 10.0


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str


class KeptAlive:
    def __init__(self, endpoint: Endpoint, timeout: float) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._lock = threading.Lock()
        self._conn: http.client.HTTPConnection | None = None
        self._last_used = 0.0

    def post(
        self,
        path: str,
        body: bytes,
        headers: dict[str, str],
        *,
        model: str | None = None,
        method: str | None = None,
    ) -> Answer:
        """POST once; a network failure becomes our typed error (sent or not)."""
        with self._lock:
            conn = self._connection()
            sent = False
            try:
                conn.request(
                    "POST",
                    f"{self.endpoint.path}{path}",
                    body,
                    {"User-Agent": "ojt-sidecar", **headers},
                )
                sent = True
                response = conn.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException) as exc:  # refused, timeout, reset
                self._drop()
                raise network_error(
                    exc, self.endpoint, self.timeout, sent=sent, model=model, method=method
                ) from None
            self._last_used = time.monotonic()
            if response.will_close:
                self._drop()
        return Answer(response.status, raw, response.getheader("Content-Type") or "")

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is not None and time.monotonic() - self._last_used > _MAX_IDLE_SECONDS:
            self._drop()
        if self._conn is None:
            cls = (
                http.client.HTTPSConnection
                if self.endpoint.scheme == "https"
                else http.client.HTTPConnection
            )
            self._conn = cls(self.endpoint.host, self.endpoint.port, timeout=self.timeout)
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
