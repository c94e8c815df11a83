"""The verification site inside the service: waitress in a thread that can be stopped.

`verify_site.serve.serve` blocks until Ctrl-C; the service needs to close the site on SIGTERM
with everything else, so it runs waitress's loop itself, a second at a time.
"""

from __future__ import annotations

import errno
import logging
import threading
from typing import Any

from sidecar.config import Config

log = logging.getLogger("ojt_sidecar.service")


class PortInUse(Exception):
    """The verification site's address is taken; the message is one plain sentence."""


class SiteServer:
    """Binds at construction (so a port in use is known before anything starts), serves in a
    daemon thread after `start()`, and stops within about a second on `close()`."""

    def __init__(self, cfg: Config, *, host: str | None = None, port: int | None = None) -> None:
        from waitress.server import create_server

        from verify_site.serve import THREADS, make_wsgi_app

        self.host = host or cfg.verify_site.host
        self.port = cfg.verify_site.port if port is None else port
        self._app = make_wsgi_app(cfg)
        try:
            self._server: Any = create_server(
                self._app,
                host=self.host,
                port=self.port,
                threads=THREADS,
                ident="ojt-sidecar",
                clear_untrusted_proxy_headers=True,
            )
        except OSError as exc:
            self._close_app()
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(
                    f"the verification site cannot listen on {self.host}:{self.port}: "
                    "the port is in use (set verify_site.port, or use --no-web)"
                ) from None
            raise
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="verify-site", daemon=True)

    @property
    def addresses(self) -> list[tuple[str, int]]:
        listening = getattr(self._server, "effective_listen", None)
        if listening:
            return [(str(h), int(p)) for h, p in listening]
        return [(str(self._server.effective_host), int(self._server.effective_port))]

    def start(self) -> None:
        for host, port in self.addresses:
            log.info("verification site on http://%s:%s/", host, port)
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
        from waitress import wasyncore

        adj = self._server.adj
        while not self._closing.is_set() and self._map:
            wasyncore.loop(timeout=1.0, map=self._map, use_poll=adj.asyncore_use_poll, count=1)

    def _close_app(self) -> None:
        state = self._app.extensions.get("verify_site")
        register = getattr(state, "register", None)
        if register is not None:
            register.close()
