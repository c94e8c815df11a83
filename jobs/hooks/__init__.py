"""Odoo's webhook notifications as hints: the listener, its bounded queue and the worker that
reads the hinted records through the sync's path (docs/webhooks.md). `ojt-sidecar run` hosts
them when `hooks.enabled` is set; the poll stays on as the safety net."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from jobs.hooks.listener import PREFIX, HookApp
from jobs.hooks.queue import HintQueue
from jobs.hooks.worker import ClientFactory, HintWorker
from jobs.service.web import hooks_server
from jobs.sync.hinted import HintedResult, hinted_models
from sidecar.config import Config

SWITCH_INTERVAL = 0.001  # seconds

__all__ = ["PREFIX", "HintQueue", "HintWorker", "HookApp", "Hooks"]


class Hooks:
    """The listener and its worker as the service hosts them: binds at construction (a port in
    use raises `jobs.service.web.PortInUse`), serves after `start()`, stops on `close()`."""

    def __init__(
        self,
        cfg: Config,
        sessions: sessionmaker[Session],
        client_factory: ClientFactory,
        holder: str,
        *,
        local_lock: threading.Lock | None = None,
        host: str | None = None,
        port: int | None = None,
        on_read: Callable[[HintedResult, float], None] | None = None,
    ) -> None:
        secret = cfg.hooks.secret
        if secret is None:  # pragma: no cover - the config refuses hooks enabled without one
            raise ValueError("hooks.secret is not set")
        self.queue = HintQueue(cfg.hooks.queue_size)
        self.app = HookApp(secret.get_secret_value(), hinted_models(), self.queue)
        self.worker = HintWorker(
            cfg,
            sessions,
            self.queue,
            client_factory,
            holder,
            local_lock=local_lock,
            on_read=on_read,
        )
        self.server = hooks_server(cfg, self.app, host=host, port=port)

    @property
    def address(self) -> tuple[str, int]:
        return self.server.addresses[0]

    def start(self) -> None:
        # Odoo's save waits for the listener's answer: let its threads in quickly while the
        # worker (or a job) computes, rather than after Python's default 5 ms turns.
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        self.worker.start()
        self.server.start()

    def close(self) -> None:
        self.server.close()
        self.worker.stop()
