"""The application factory: `create_app(config)` in production, keyword arguments in tests."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Unpack

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from sidecar.config import Config
from sidecar.i18n import SOURCE, words
from sidecar.ratelimit import RateLimiter
from verify_site import security
from verify_site.fastpage import SPENT, CertificatePages
from verify_site.health import CachedHealth, HealthEndpoint
from verify_site.pagecache import PageCache
from verify_site.pages import page_url, problem
from verify_site.privacy import bp as privacy_bp
from verify_site.records import Register
from verify_site.settings import Overrides, SiteSettings, settings_from
from verify_site.views import SiteState, bp

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

access = logging.getLogger("verify_site.access")


def create_app(config: Config | None = None, **given: Unpack[Overrides]) -> Flask:
    """The verification site for `config`; keyword arguments override (or, without a config,
    replace) its settings. `signing_key` is the key file whose `.public.json` list is published;
    the site never reads the private key itself.
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
    pages = PageCache()
    app.extensions["verify_site"] = SiteState(settings, register, health, pages)
    app.jinja_env.globals["site_title"] = _title(settings)
    app.jinja_env.globals["url_for"] = page_url
    # The site's own pages are in English; a certificate's page is in its holder's language.
    app.jinja_env.globals["_"] = words(SOURCE)

    # One budget per client address for the whole site, not per page: /healthz (answered by
    # HealthEndpoint from the same limiter), cached certificate pages and their 304s (answered by
    # CertificatePages, ditto) and unknown addresses included; static files not.
    limiter = RateLimiter(settings.rate_limit_per_minute)
    app.extensions["verify_site_limiter"] = limiter
    app.before_request(lambda: _within_budget(limiter))
    cached = CertificatePages(
        app.wsgi_app, register=register, pages=pages, spend=limiter.spend, today=settings.clock
    )
    wsgi: WSGIApplication = security.SecureHeaders(HealthEndpoint(cached, health, limiter.spend))
    if settings.trust_proxy:
        # Client address and scheme from the proxies' headers; never the host (x_host=0).
        hops = settings.trust_proxy
        wsgi = ProxyFix(wsgi, x_for=hops, x_proto=hops, x_host=0)
    app.wsgi_app = wsgi  # type: ignore[method-assign, assignment]
    app.register_blueprint(bp)
    app.register_blueprint(privacy_bp)
    security.install(app)
    app.after_request(_access_log)
    return app


def _within_budget(limiter: RateLimiter) -> Response | None:
    if request.endpoint == "static" or request.environ.get(SPENT):
        return None  # CertificatePages spent this request's budget before handing it over
    wait = limiter.spend(_client_address())
    if wait is None:
        return None
    title, message = security.MESSAGES[429]
    response = problem(429, title, message)
    response.headers["Retry-After"] = str(wait)
    return response


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
