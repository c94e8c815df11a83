"""Headers on every answer, and error handlers so no default page or traceback reaches anyone."""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from verify_site.pages import problem

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
    return response


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
