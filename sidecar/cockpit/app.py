"""The cockpit's application factory: `create_app(cfg, sessions, identify)`.

Flask with server-rendered pages. Sessions are Flask's signed cookie (HttpOnly, Secure,
SameSite=Lax) holding a random token whose hash the store keeps; every form carries a CSRF
token (Flask-WTF); every answer carries the security headers and a CSP without inline
scripts or styles."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from sidecar.certificates.sharing import holder_link, linkedin_add_url
from sidecar.cockpit import actions, auth, checkin, links, pages
from sidecar.cockpit.api import errors as api_errors
from sidecar.cockpit.api.views import bp as api_bp
from sidecar.cockpit.context import (
    Attend,
    CockpitState,
    Identify,
    MailLink,
    close_db,
    current_viewer,
    db,
    utc_now,
)
from sidecar.cockpit.reads import live_stamp
from sidecar.config import Config
from sidecar.ratelimit import RateLimiter

log = logging.getLogger("ojt_sidecar.cockpit")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "microphone=(), geolocation=()",
}
MESSAGES = {
    400: "The request could not be read.",
    401: "Please sign in first.",
    403: "Your role does not open this page.",
    404: "There is nothing here, or nothing you may see.",
    405: "This address does not answer that kind of request.",
    413: "That is more than this page accepts (a file handed in may be up to 10 MB).",
    429: "Too many requests; please wait a minute and try again.",
    500: "Something went wrong; please try again later.",
}


class BoundedInt(IntegerConverter):
    """`<int:…>` up to the largest id a database column holds."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


class CockpitNotConfigured(Exception):
    """The app cannot start: one sentence naming the setting."""


def create_app(
    cfg: Config,
    sessions: sessionmaker[Session],
    identify: Identify,
    *,
    mail_link: MailLink | None = None,
    attend: Attend | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Flask:
    """The cockpit over the store `sessions`; `identify` is Odoo's sign-in check and
    `mail_link` queues a trainee's sign-in link (None: no links), `attend` a check-in's write
    to Odoo (None: check-ins stay in the store)."""
    settings = cfg.app
    if settings.secret_key is None:
        raise CockpitNotConfigured(
            "app.secret_key is not set: set it, e.g. secret_key: ${OJT_APP_SECRET}"
        )
    app = Flask(__name__)
    # An id beyond what the store holds is no page (404), not a database error.
    app.url_map.converters["int"] = BoundedInt
    app.config.update(
        SECRET_KEY=settings.secret_key.get_secret_value(),
        SESSION_COOKIE_NAME="ojt_cockpit",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=settings.session_lifetime,
        MAX_CONTENT_LENGTH=11_000_000,  # a hand-in of up to 10 MB (actions.MAX_HANDIN_BYTES)
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    app.extensions["cockpit"] = CockpitState(cfg, sessions, identify, clock, mail_link, attend)
    app.extensions["cockpit_signin_limiter"] = RateLimiter(settings.signin_per_minute)
    csrf = CSRFProtect(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(links.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(actions.bp)
    app.register_blueprint(checkin.bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # bearer tokens, no cookies: nothing for a forged form to ride on
    app.teardown_appcontext(close_db)
    app.after_request(_headers)
    app.context_processor(_page_globals)
    app.jinja_env.filters["fromjson"] = json.loads
    app.jinja_env.globals["linkedin_add_url"] = linkedin_add_url
    app.jinja_env.globals["holder_link"] = holder_link
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    if settings.trust_proxy:
        hops = settings.trust_proxy
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]
    return app


def _page_globals() -> dict[str, Any]:
    viewer = current_viewer()
    stamp = live_stamp(db(), viewer) if viewer is not None else None
    return {"viewer": viewer, "live_stamp": stamp}


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _page(status: int, message: str) -> Response:
    html = render_template("problem.html", title=f"{status}", message=message)
    return Response(html, status=status, mimetype="text/html")


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _csrf_error(exc: CSRFError) -> Response:
    if _is_api():
        return api_errors.problem(400)
    return _page(400, "This form has expired or did not come from this site; reload and retry.")


def _http_error(exc: HTTPException) -> Response:
    if _is_api():
        return api_errors.from_http(exc)
    code = exc.code or 500
    return _page(code, MESSAGES.get(code, exc.description or MESSAGES[400]))


def _unexpected(exc: Exception) -> Any:
    if isinstance(exc, HTTPException):  # pragma: no cover - routed to _http_error by Flask
        return _http_error(exc)
    log.exception("cockpit: unexpected error on %s %s", request.method, request.path)
    return api_errors.problem(500) if _is_api() else _page(500, MESSAGES[500])
