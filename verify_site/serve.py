"""Run the verification site under waitress: `serve(config)` (wired to `ojt-sidecar serve`)."""

from __future__ import annotations

import logging

from flask import Flask
from waitress.server import create_server

from sidecar.config import Config
from verify_site.app import create_app

log = logging.getLogger(__name__)

THREADS = 8


def make_wsgi_app(config: Config) -> Flask:
    """The WSGI application for `config`, for any WSGI server."""
    return create_app(config)


def serve(config: Config, *, host: str | None = None, port: int | None = None) -> None:
    """Serve until Ctrl-C; `host` and `port` override `verify_site.host` / `.port`."""
    app = make_wsgi_app(config)
    server = create_server(
        app,
        host=host or config.verify_site.host,
        port=port if port is not None else config.verify_site.port,
        threads=THREADS,
        ident="ojt-sidecar",
        clear_untrusted_proxy_headers=True,
    )
    bound_host, bound_port = _address(server)
    log.info("verification site on http://%s:%s/", bound_host, bound_port)
    try:
        server.run()
    except KeyboardInterrupt:
        log.info("verification site stopped")
    finally:
        server.close()
        app.extensions["verify_site"].register.close()


def _address(server: object) -> tuple[str, int]:
    host = str(getattr(server, "effective_host", "127.0.0.1"))
    port = int(getattr(server, "effective_port", 0))
    return host, port
