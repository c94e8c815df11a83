"""Headers on every answer, and error handlers so no default page or traceback reaches anyone."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from verify_site.pages import problem

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
    " base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

# Plain sentences for the errors a visitor can cause or meet.
MESSAGES = {
    400: ("Bad request", "The address or form could not be read."),
    404: ("Page not found", "There is no page at this address."),
    405: ("Method not allowed", "This site only answers GET requests at this address."),
    429: (
        "Too many requests",
        "You looked up many certificates in a short time. Please wait a minute and try again.",
    ),
    500: ("Something went wrong", "The site could not answer. Please try again later."),
    503: ("Temporarily unavailable", "The certificate register cannot be read right now."),
}


def install(app: Flask) -> None:
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    # Statuses must show a revocation at once: nothing dynamic is stored by browsers or proxies.
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    if response.location:
        response.location = relative_location(response.location)
        if 300 <= response.status_code < 400:
            # Werkzeug's redirect page repeats the target, Host and query included: say
            # nothing but where to go (the Location header, now a path on this site).
            response.set_data(REDIRECT_BODY)
            response.mimetype = "text/plain"
    return response


REDIRECT_BODY = b"This page has moved; your browser follows the Location header.\n"


def relative_location(location: str) -> str:
    """A redirect target as a path on this site: Werkzeug's own redirects (slashes merged, say)
    are absolute URLs built from the Host header, which anyone can set. A path starting with
    `//` would name another host, so leading slashes are folded into one."""
    if "://" in location.split("?", 1)[0]:
        # Werkzeug's `scheme://host/path`: drop up to the path whatever the scheme, since a
        # forwarded scheme (X-Forwarded-Proto, believed with trust_proxy) can be any text.
        after = location.split("://", 1)[1]
        location = "/" + after[after.index("/") :].lstrip("/\\") if "/" in after else "/"
    parts = urlsplit(location)
    path = "/" + parts.path.lstrip("/\\")
    return urlunsplit(("", "", path, parts.query, parts.fragment))


def _http_error(exc: HTTPException) -> Response:
    code = exc.code or 500
    title, message = MESSAGES.get(code, (exc.name, "The request could not be answered."))
    response = problem(code, title, message)
    if code == 405 and exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = exc.get_response().headers["Allow"]
    return response


def _unexpected(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):  # pragma: no cover - routed to _http_error by Flask
        return _http_error(exc)
    log.exception("unexpected error on %s %s", request.method, request.path)
    title, message = MESSAGES[500]
    return problem(500, title, message)


def with_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`headers` plus every security header (and `no-store`) it does not already have."""
    present = {name.lower() for name, _ in headers}
    wanted = [*HEADERS.items(), ("Cache-Control", "no-store")]
    return headers + [(name, value) for name, value in wanted if name.lower() not in present]


class SecureHeaders:
    """WSGI layer adding the security headers to any answer that lacks them, so even one that
    bypasses Flask's `after_request` (its last-resort 500, say) carries them."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, with_headers(headers), exc_info)

        return self.app(environ, start)
