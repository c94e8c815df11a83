"""Run the verification site under waitress: `serve(config)` (wired to `ojt-sidecar serve`)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from waitress.server import create_server

from sidecar.config import Config
from verify_site.app import create_app

log = logging.getLogger(__name__)

THREADS = 8


def make_wsgi_app(config: Config) -> Flask:
    """The WSGI application for `config`, for any WSGI server."""
    return create_app(config)


def make_server(
    app: Flask, config: Config, *, host: str | None = None, port: int | None = None
) -> Any:
    """A waitress server for `app`, bound but not yet serving; `host` and `port` override
    `verify_site.host` / `.port`."""
    return create_server(
        app,
        host=host or config.verify_site.host,
        port=port if port is not None else config.verify_site.port,
        threads=THREADS,
        ident="ojt-sidecar",
        clear_untrusted_proxy_headers=True,
    )


def serve(config: Config, *, host: str | None = None, port: int | None = None) -> None:
    """Serve until Ctrl-C; `host` and `port` override `verify_site.host` / `.port`."""
    app = make_wsgi_app(config)
    server = make_server(app, config, host=host, port=port)
    for bound_host, bound_port in _addresses(server):
        log.info("verification site on http://%s:%s/", bound_host, bound_port)
    try:
        server.run()
    except KeyboardInterrupt:
        log.info("verification site stopped")
    finally:
        server.close()
        app.extensions["verify_site"].register.close()


def _addresses(server: object) -> list[tuple[str, int]]:
    """Where waitress listens: one socket, or several when a name resolves to IPv4 and IPv6."""
    listening = getattr(server, "effective_listen", None)
    if listening:
        return [(str(host), int(port)) for host, port in listening]
    return [(str(getattr(server, "effective_host", "")), int(getattr(server, "effective_port", 0)))]
