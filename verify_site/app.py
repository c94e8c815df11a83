"""The application factory: `create_app(config)` in production, keyword arguments in tests."""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING, Unpack

from flask import Flask, Response, request
from flask_limiter import Limiter
from limits import parse as parse_limit
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from sidecar.config import Config
from verify_site import security
from verify_site.health import CachedHealth, HealthEndpoint, Spend
from verify_site.pages import page_url, problem
from verify_site.records import Register
from verify_site.settings import Overrides, SiteSettings, settings_from
from verify_site.views import SiteState, bp

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

WINDOW_SECONDS = 60
access = logging.getLogger("verify_site.access")


def create_app(config: Config | None = None, **given: Unpack[Overrides]) -> Flask:
    """The verification site for `config`; keyword arguments override (or, without a config,
    replace) its settings. `signing_key` is the key file whose `.public.json` list is published.
    `trust_proxy=N` takes the client address (rate limit, logs) and scheme from the last N
    X-Forwarded-For / X-Forwarded-Proto hops: only behind N reverse proxies that set them.
    One engine per app, one short session per look-up.
    """
    return build_app(settings_from(config, **given))


def build_app(settings: SiteSettings) -> Flask:
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=16 * 1024, JSON_SORT_KEYS=False)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    register = Register(settings.store_url)
    health = CachedHealth(register.check_health)
    app.extensions["verify_site"] = SiteState(settings, register, health)
    app.jinja_env.globals["site_title"] = _title(settings)
    app.jinja_env.globals["url_for"] = page_url

    limiter = Limiter(
        _client_address,
        app=app,
        # One budget per client address for the whole site, not per page; /healthz included,
        # so a flood of it from one address is refused before it costs anything more.
        application_limits=[f"{settings.rate_limit_per_minute} per minute"],
        storage_uri="memory://",
        headers_enabled=False,  # Retry-After only on a 429 (below), no quota headers
        strategy="moving-window",
    )
    wsgi: WSGIApplication = security.SecureHeaders(
        HealthEndpoint(app.wsgi_app, health, _spender(limiter, settings.rate_limit_per_minute))
    )
    if settings.trust_proxy:
        # Client address and scheme from the proxies' headers; never the host (x_host=0).
        hops = settings.trust_proxy
        wsgi = ProxyFix(wsgi, x_for=hops, x_proto=hops, x_host=0)
    app.wsgi_app = wsgi  # type: ignore[method-assign, assignment]
    app.register_blueprint(bp)
    security.install(app)
    app.after_request(_access_log)
    app.register_error_handler(429, lambda exc: _too_many(limiter, exc))
    return app


def _too_many(limiter: Limiter, exc: HTTPException) -> Response:
    title, message = security.MESSAGES[429]
    response = problem(429, title, message)
    current = limiter.current_limit
    wait = current.reset_at - time.time() if current is not None else WINDOW_SECONDS
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def _spender(limiter: Limiter, per_minute: int) -> Spend:
    """Spend one request of a client address's budget, the very bucket the pages draw on: the
    limiter keys its application-wide limit by (address, "global")."""
    item = parse_limit(f"{per_minute} per minute")

    def spend(address: str) -> int | None:
        if limiter.limiter.hit(item, address, "global"):
            return None
        stats = limiter.limiter.get_window_stats(item, address, "global")
        return max(1, math.ceil(stats.reset_time - time.time()))

    return spend


def _access_log(response: Response) -> Response:
    # The client address is the proxy's unless `trust_proxy` names the hops (ProxyFix above).
    access.debug(
        "%s %s %r %s", _client_address(), request.method, request.path, response.status_code
    )
    return response


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _title(settings: SiteSettings) -> str:
    if settings.issuer_name:
        return f"{settings.issuer_name} · Certificate verification"
    return "Certificate verification"
