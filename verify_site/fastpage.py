"""The certificate page from the page cache, answered before Flask sees the request.

A QR code leads to `/c/<serial>`: the site's hot page. Flask's handling of a request (context,
routing, hooks, a Response object) costs more than the rest of such a page put together
(docs/benchmarks.md), so a page already rendered is answered here, as `/healthz` is
(`verify_site/health.py`): the same per-address budget (`spend`, the site's limiter), the status
read from the store on every request (`Register.status_of`), the page bytes from the cache when
they were rendered with that very status, an ETag, `304 Not Modified` to an If-None-Match that
names it, and the security headers from `SecureHeaders`, which wraps this layer. Anything else
(another address, a serial whose page is not in the cache, a superseded
certificate, a store that does not answer, a Host that Flask did not serve a page for yet) goes
to Flask, which renders and stores the page (`verify_site/views.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from verify_site.pagecache import CachedPage, PageCache, matches
from verify_site.records import Register, RegisterUnavailable

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)
access = logging.getLogger("verify_site.access")

PREFIX = "/c/"
SPENT = "verify_site.spent"  # environ key: the budget was spent here, Flask must not again
HTML = "text/html; charset=utf-8"
CACHE_CONTROL = "no-store"  # as every status: a browser keeps nothing, the store decides

Spend = Callable[[str], int | None]


class CertificatePages:
    """WSGI layer answering `GET`/`HEAD /c/<canonical serial>` from the page cache."""

    def __init__(
        self,
        app: WSGIApplication,
        *,
        register: Register,
        pages: PageCache,
        spend: Spend,
        today: Callable[[], date],
    ) -> None:
        self.app = app
        self.register = register
        self.pages = pages
        self.spend = spend
        self.today = today

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        path: str = environ.get("PATH_INFO") or ""
        serial = held(
            self.pages, method, path, environ.get("QUERY_STRING"), environ.get("HTTP_HOST")
        )
        if serial is None:
            return self.app(environ, start_response)
        address = str(environ.get("REMOTE_ADDR") or "unknown")
        if self.spend(address) is not None:
            # Flask answers the 429 page; a refused request does not count, so asking again
            # there spends nothing.
            return self.app(environ, start_response)
        environ[SPENT] = True
        page = self._cached(serial, str(environ.get("SCRIPT_NAME") or ""))
        if page is None:
            return self.app(environ, start_response)
        if matches(environ.get("HTTP_IF_NONE_MATCH"), page.etag):
            start_response("304 Not Modified", _headers(page, with_body=False))
            _log(address, method, path, 304)
            return [b""]
        start_response("200 OK", _headers(page, with_body=True))
        _log(address, method, path, 200)
        return [b""] if method == "HEAD" else [page.body]

    def _cached(self, serial: str, script_root: str) -> CachedPage | None:
        try:
            status = self.register.status_of(serial, self.today())
        except RegisterUnavailable:
            return None  # Flask looks again and answers 503 in the site's words
        return None if status is None else self.pages.get(serial, status, script_root)


def held(
    pages: PageCache, method: object, path: str, query: object, host: str | None
) -> str | None:
    """The serial whose page this request asks for, when `pages` holds it for that host; else
    None (Flask answers). The server asks this too, before the request reaches any layer, to
    answer such a request on its loop rather than a worker (verify_site/serve.py)."""
    if method not in ("GET", "HEAD") or not path.startswith(PREFIX):
        return None
    if query:  # a holder's own link (`?t=`): Flask decides, uncached
        return None
    serial = path[len(PREFIX) :]
    # Only pages Flask rendered are held, so a held serial is a canonical, checked one.
    if not pages.holds(serial) or not pages.knows_host(host):
        return None
    return serial


def _headers(page: CachedPage, *, with_body: bool) -> list[tuple[str, str]]:
    headers = [("ETag", page.etag), ("Cache-Control", CACHE_CONTROL)]
    if with_body:
        headers += [("Content-Type", HTML), ("Content-Length", str(len(page.body)))]
    return headers


def _log(address: str, method: object, path: str, status: int) -> None:
    if access.isEnabledFor(logging.DEBUG):
        access.debug("%s %s %r %s", address, method, path, status)
