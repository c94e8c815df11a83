"""The public /healthz answer: the store is checked at most once a second, whatever the rate.

A store check costs several times a certificate page (issue 14): unthrottled, a flood of
/healthz starved the pages. The private ops port (`jobs/service/ops_site.py`) keeps the full,
uncached health for operators.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from verify_site.security import MESSAGES

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

TTL_SECONDS = 1.0

Check = Callable[[], str | None]  # None when healthy, else the reason for operators


class CachedHealth:
    """`reason()` answers from the last check while it is under `ttl` seconds old.

    Only one thread checks at a time. While it does, the others answer the previous result
    instead of queueing behind it (a slow store must not tie up every server thread); only
    before the first check ever do they wait for it. A result's age counts from when its check
    started, so checks start at least `ttl` apart.
    """

    def __init__(
        self, check: Check, *, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.check = check
        self.ttl = ttl
        self.clock = clock
        self._checking = threading.Lock()
        # (clock when its check started, reason); replaced whole, so a read needs no lock.
        self._last: tuple[float, str | None] | None = None

    def reason(self) -> str | None:
        last = self._last
        if last is not None and self._fresh(last):
            return last[1]
        if last is not None and not self._checking.acquire(blocking=False):
            return last[1]
        if last is None:
            self._checking.acquire()
        try:
            last = self._last  # a check may have finished while this thread waited
            if last is not None and self._fresh(last):
                return last[1]
            started = self.clock()
            reason = self.check()
            self._last = (started, reason)
            return reason
        finally:
            self._checking.release()

    def _fresh(self, last: tuple[float, str | None]) -> bool:
        return self.clock() - last[0] < self.ttl


Spend = Callable[[str], int | None]  # a client address → None when allowed, else Retry-After


class HealthEndpoint:
    """WSGI layer that answers `GET`/`HEAD /healthz` before Flask sees the request.

    A cached answer is cheap, but Flask's request handling around it costs about what a
    certificate page does, so a flood of /healthz (or of its 429s) still took a large share of
    the server from the pages. Answered here, with the same per-address budget as the pages
    (`spend`, the site's limiter) and the same security headers (the layer sits inside
    `SecureHeaders`), a flood costs a fraction of that.
    """

    def __init__(self, app: WSGIApplication, health: CachedHealth, spend: Spend) -> None:
        self.app = app
        self.health = health
        self.spend = spend

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if environ.get("PATH_INFO") != "/healthz" or method not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        wait = self.spend(str(environ.get("REMOTE_ADDR") or "unknown"))
        if wait is not None:
            status, body = "429 Too Many Requests", TOO_MANY
            extra = [("Retry-After", str(wait))]
        else:
            status, body = _health_answer(self.health.reason())
            extra = []
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            *extra,
        ]
        start_response(status, headers)
        return [b""] if method == "HEAD" else [body]


def _health_answer(reason: str | None) -> tuple[str, bytes]:
    if reason is None:
        return "200 OK", OK
    return "503 Service Unavailable", json.dumps(
        {"status": "unavailable", "reason": reason}
    ).encode()


OK = json.dumps({"status": "ok"}).encode()
TOO_MANY = json.dumps(dict(zip(("error", "message"), MESSAGES[429], strict=True))).encode()
