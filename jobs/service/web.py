"""The verification site inside the service: waitress in a thread that can be stopped.

`verify_site.serve.serve` blocks until Ctrl-C; the service needs to close the site on SIGTERM
with everything else, so it runs waitress's loop itself, a second at a time.
"""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Callable
from typing import Any

from sidecar import quickserve
from sidecar.config import Config

log = logging.getLogger("ojt_sidecar.service")


class PortInUse(Exception):
    """The verification site's address is taken; the message is one plain sentence."""


class ThreadedServer:
    """A WSGI app under waitress: binds at construction (so a port in use is known before
    anything starts), serves in a daemon thread after `start()`, and stops within about a second
    on `close()`."""

    def __init__(
        self,
        bind: Callable[[], Any],
        *,
        host: str,
        port: int,
        what: str,
        in_use_hint: str,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.host, self.port, self.what = host, port, what
        self._on_close = on_close
        try:
            self._server: Any = bind()
        except OSError as exc:
            self._close_app()
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(
                    f"the {what} cannot listen on {host}:{port}: the port is in use ({in_use_hint})"
                ) from None
            raise
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=what, daemon=True)

    @property
    def addresses(self) -> list[tuple[str, int]]:
        listening = getattr(self._server, "effective_listen", None)
        if listening:
            return [(str(h), int(p)) for h, p in listening]
        return [(str(self._server.effective_host), int(self._server.effective_port))]

    def start(self) -> None:
        for host, port in self.addresses:
            log.info("%s on http://%s:%s/", self.what, host, port)
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        from waitress import wasyncore

        self._closing.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._server.task_dispatcher.shutdown()
        wasyncore.close_all(self._map)
        self._close_app()

    @property
    def _map(self) -> dict[Any, Any]:
        server = self._server
        return server.map if hasattr(server, "map") else server._map

    def _loop(self) -> None:
        quickserve.loop(self._server, until=self._closing.is_set)

    def _close_app(self) -> None:
        if self._on_close is not None:
            self._on_close()


def site_server(cfg: Config, *, host: str | None = None, port: int | None = None) -> ThreadedServer:
    """The public verification site, hosted in the service's process. `verify_site` itself
    imports only `sidecar`; this is the one place the service reaches for it."""
    from verify_site.serve import make_server, make_wsgi_app

    app = make_wsgi_app(cfg)

    def close_register() -> None:
        register = getattr(app.extensions.get("verify_site"), "register", None)
        if register is not None:
            register.close()

    return ThreadedServer(
        lambda: make_server(app, cfg, host=host, port=port),
        host=host or cfg.verify_site.host,
        port=cfg.verify_site.port if port is None else port,
        what="verification site",
        in_use_hint="set verify_site.port, or use --no-web",
        on_close=close_register,
    )


def ops_server(cfg: Config, sessions: Any, started_at: Any, watch: Any = None) -> ThreadedServer:
    """/metrics and /healthz on `service.ops_host:ops_port`; `watch` is the service's
    `StoreWatch`, what its job runs learned about the store."""
    from jobs.service.ops_site import make_ops_app, serve_ops

    app = make_ops_app(cfg, sessions, started_at=started_at, watch=watch)
    return ThreadedServer(
        lambda: serve_ops(cfg, app),
        host=cfg.service.ops_host,
        port=cfg.service.ops_port,
        what="operations endpoint",
        in_use_hint="set service.ops_port",
    )


def hooks_server(
    cfg: Config, app: Any, *, host: str | None = None, port: int | None = None
) -> ThreadedServer:
    """The webhook listener (`jobs.hooks`) on `hooks.host:port`, apart from the other sites.
    Every hook is answered at once, before any read, so waitress's loop thread answers them all
    itself (sidecar/quickserve.py); its one worker serves only a client that stops reading."""
    from waitress import create_server

    host = host or cfg.hooks.host
    port = cfg.hooks.port if port is None else port

    def bind() -> Any:
        every_hook = quickserve.QuickFirst(lambda request: True, threads=1)
        return create_server(app, host=host, port=port, ident="ojt-sidecar", _dispatcher=every_hook)

    return ThreadedServer(
        bind,
        host=host,
        port=port,
        what="webhook listener",
        in_use_hint="set hooks.port",
    )


def cockpit_app(cfg: Config, sessions: Any) -> Any:
    """The cockpit (sidecar.cockpit) with Odoo sign-in (jobs.signin) wired in."""
    from jobs.checkin import queue_attended
    from jobs.signin import OdooSignIn, queue_signin_link
    from sidecar.cockpit.app import create_app

    return create_app(
        cfg,
        sessions,
        OdooSignIn(cfg).identify,
        mail_link=queue_signin_link,
        attend=queue_attended,
    )


def cockpit_server(cfg: Config, sessions: Any) -> ThreadedServer:
    """The cockpit on `app.host:port`, apart from the public site."""
    from waitress import create_server

    app = cockpit_app(cfg, sessions)
    return ThreadedServer(
        lambda: create_server(app, host=cfg.app.host, port=cfg.app.port, threads=8),
        host=cfg.app.host,
        port=cfg.app.port,
        what="cockpit",
        in_use_hint="set app.port",
    )
