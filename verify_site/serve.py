"""Run the verification site under waitress: `serve(config)` (wired to `ojt-sidecar serve`)."""

from __future__ import annotations

import errno
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

from sidecar import quickserve
from sidecar.config import Config
from sidecar.cores import keep_on_one_core
from sidecar.heap import freeze_startup
from verify_site.app import create_app
from verify_site.fastpage import held
from verify_site.security import with_headers

THREADS = 8


def make_wsgi_app(config: Config) -> Flask:
    """The WSGI application for `config`, for any WSGI server."""
    return create_app(config)


def make_server(
    app: Flask, config: Config, *, host: str | None = None, port: int | None = None
) -> Any:
    """A waitress server for `app`, bound but not yet serving (`sidecar.quickserve.loop` serves
    it); `host` and `port` override `verify_site.host` / `.port`. A certificate page the page
    cache holds is answered on waitress's loop thread, everything else by its `THREADS`
    workers (sidecar/quickserve.py says why). Proxy headers are left to the app
    (`verify_site.trust_proxy`, Werkzeug's ProxyFix), so waitress is not told of any trusted
    proxy; but when the app trusts some, waitress must not strip them first (it clears
    X-Forwarded-* from an untrusted peer)."""
    site = app.extensions.get("verify_site")
    trusts_proxies = bool(site is not None and site.settings.trust_proxy)
    sockets: dict[int, Any] = {}
    server = create_server(
        app,
        map=sockets,
        _dispatcher=_dispatcher(site),
        host=host or config.verify_site.host,
        port=port if port is not None else config.verify_site.port,
        threads=THREADS,
        ident="ojt-sidecar",
        clear_untrusted_proxy_headers=not trusts_proxies,
    )
    for listener in sockets.values():  # one per address a host name resolves to
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = SecureChannel
    _quiet_short_queues()
    return server


def _dispatcher(site: Any) -> quickserve.QuickFirst:
    """Where the site's requests run: a page its cache holds (verify_site/fastpage.py), answered
    after one status read, on waitress's loop; everything else on the `THREADS` workers. An app
    that is not the verification site's has every request served by the workers."""
    if site is None:
        return quickserve.QuickFirst(lambda request: False, THREADS)
    return quickserve.QuickFirst(
        lambda request: _held(site.pages, request) is not None,
        THREADS,
        together=_statuses_together(site),
    )


def _statuses_together(site: Any) -> quickserve.Together:
    """The statuses of a round's cached pages in one query (`Register.statuses_read_together`):
    on PostgreSQL each is a round trip, during which the loop would answer nothing."""

    def together(requests: list[Any]) -> AbstractContextManager[None]:
        serials = [serial for r in requests if (serial := _held(site.pages, r)) is not None]
        if len(serials) < 2:
            return nullcontext()
        return site.register.statuses_read_together(serials)

    return together


def _held(pages: Any, request: Any) -> str | None:
    host = request.headers.get("HOST")
    return held(pages, request.command, request.path, request.query, host)


class _BacklogOnly(logging.Filter):
    """waitress warns of a task queue whenever a request finds no idle worker, counting a worker
    that has started but not yet begun waiting as busy: a first request right after start-up logs
    "Task queue depth is 1" with every worker free. Only a backlog as deep as the pool is worth
    an operator's attention."""

    def filter(self, record: logging.LogRecord) -> bool:
        depth = record.args[0] if isinstance(record.args, tuple) and record.args else None
        return not isinstance(depth, int) or depth >= THREADS


def _quiet_short_queues() -> None:
    queue_log = logging.getLogger("waitress.queue")
    if not any(isinstance(f, _BacklogOnly) for f in queue_log.filters):
        queue_log.addFilter(_BacklogOnly())


class SecureErrorTask(ErrorTask):
    """waitress answers some requests itself, before the app sees them: a malformed request
    line, headers over `max_request_header_size`, a bad Content-Length or chunked body, and a
    500 should the app ever raise. Its plain-text page gets the site's security headers, and
    not waitress's detail, which quotes the visitor's request line or header back."""

    def execute(self) -> None:
        self.request.error.body = "The request could not be read."
        super().execute()

    def build_response_header(self) -> bytes:
        self.response_headers[:] = with_headers(list(self.response_headers))
        header: bytes = super().build_response_header()
        return header


class SecureChannel(HTTPChannel):
    error_task_class = SecureErrorTask


class CannotListen(OSError):
    """The site cannot bind its address. An `OSError` (with the original `errno`) whose
    `strerror` is one plain sentence naming the address, so the CLI shows it as it is."""


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def serve(
    config: Config,
    *,
    host: str | None = None,
    port: int | None = None,
    say: Callable[[str], None] = _stderr,
) -> None:
    """Serve until Ctrl-C; `host` and `port` override `verify_site.host` / `.port`.

    Says where it serves in one line through `say` (stderr by default), whatever the log level.
    An address it cannot listen on raises `CannotListen` (nothing is served)."""
    app = make_wsgi_app(config)
    register = app.extensions["verify_site"].register
    wanted_host = host or config.verify_site.host
    wanted_port = port if port is not None else config.verify_site.port
    try:
        server = make_server(app, config, host=host, port=port)
    except (OSError, ValueError) as exc:
        register.close()
        raise _cannot_listen(exc, wanted_host, wanted_port) from None
    urls = " and ".join(_url(h, p) for h, p in _addresses(server))
    say(f"verify site: serving on {urls} (Ctrl-C or SIGTERM stops)")
    if config.verify_site.one_core:
        _one_core(say)
    with _sigterm_as_interrupt():
        try:
            serve_forever(server)
        except KeyboardInterrupt:
            pass
        finally:
            server.task_dispatcher.shutdown()  # what waitress's own `run` does on Ctrl-C
            server.close()
            register.close()
    say("verify site: stopped")


def serve_forever(server: Any) -> None:
    """Serve a `make_server` server as `serve` does, until its sockets close: the process's
    start-up state frozen out of the collector's scans (sidecar/heap.py), then waitress's loop
    with the cached pages on it (sidecar/quickserve.py)."""
    freeze_startup()
    quickserve.loop(server)


def _one_core(say: Callable[[str], None]) -> None:
    core = keep_on_one_core()
    where = (
        f"on core {core}"
        if core is not None
        else "where it is (one core allowed, or no way to pin)"
    )
    say(f"verify site: kept {where} (verify_site.one_core)")


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (systemd, a container runtime) stops the site as Ctrl-C does: cleanly, exit 0.
    Only the main thread can install a handler; elsewhere (tests) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _cannot_listen(exc: OSError | ValueError, host: str, port: int) -> CannotListen:
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    code = getattr(exc, "errno", None)
    if code == errno.EADDRINUSE:
        why = "the address is already in use (another ojt-sidecar serve or run?)"
    elif code == errno.EACCES:
        why = "permission denied (a port below 1024 needs privileges; choose another port)"
    elif code == errno.EADDRNOTAVAIL:
        why = "the address is not one of this machine's (check --host or verify_site.host)"
    elif isinstance(exc, ValueError):  # waitress: a host name that does not resolve
        why = "no such host or address (check --host or verify_site.host)"
    else:
        why = (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).lower()
    return CannotListen(code or 0, f"cannot listen on {where}: {why}")


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _addresses(server: object) -> list[tuple[str, int]]:
    """Where waitress listens: one socket, or several when a name resolves to IPv4 and IPv6."""
    listening = getattr(server, "effective_listen", None)
    if listening:
        return [(str(host), int(port)) for host, port in listening]
    return [(str(getattr(server, "effective_host", "")), int(getattr(server, "effective_port", 0)))]
