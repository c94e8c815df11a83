"""The application factory: `create_app(config)` in production, keyword arguments in tests."""

from __future__ import annotations

import math
import time
from typing import Unpack

from flask import Flask, Response, request
from flask_limiter import Limiter
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from sidecar.config import Config
from verify_site import security
from verify_site.pages import problem
from verify_site.records import Register
from verify_site.settings import Overrides, SiteSettings, settings_from
from verify_site.views import SiteState, bp, health

WINDOW_SECONDS = 60


def create_app(config: Config | None = None, **given: Unpack[Overrides]) -> Flask:
    """The verification site for `config`; keyword arguments override (or, without a config,
    replace) its settings. `signing_key` is the key file whose `.public.json` list is published.
    `trust_proxy=True` takes the client address for rate limiting from one X-Forwarded-For hop:
    only behind a reverse proxy that sets it. One engine per app, one short session per look-up.
    """
    return build_app(settings_from(config, **given))


def build_app(settings: SiteSettings) -> Flask:
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=16 * 1024, JSON_SORT_KEYS=False)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if settings.trust_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # type: ignore[method-assign]
    app.extensions["verify_site"] = SiteState(settings, Register(settings.store_url))
    app.jinja_env.globals["site_title"] = _title(settings)

    limiter = Limiter(
        _client_address,
        app=app,
        # One budget per client address for the whole site, not per page.
        application_limits=[f"{settings.rate_limit_per_minute} per minute"],
        storage_uri="memory://",
        headers_enabled=False,  # Retry-After only on a 429 (below), no quota headers
        strategy="moving-window",
    )
    limiter.exempt(health)
    app.register_blueprint(bp)
    app.register_blueprint(health)
    security.install(app)
    app.register_error_handler(429, lambda exc: _too_many(limiter, exc))
    return app


def _too_many(limiter: Limiter, exc: HTTPException) -> Response:
    title, message = security.MESSAGES[429]
    response = problem(429, title, message)
    current = limiter.current_limit
    wait = current.reset_at - time.time() if current is not None else WINDOW_SECONDS
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _title(settings: SiteSettings) -> str:
    if settings.issuer_name:
        return f"{settings.issuer_name} · Certificate verification"
    return "Certificate verification"
