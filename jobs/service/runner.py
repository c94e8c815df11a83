"""`ojt-sidecar run`: the jobs on their schedules, and the verify site, in one process.

- **Schedules** (`schedule.py`) live in memory, built from the config at every start: one
  APScheduler job per job name (`enroll`, `sync`, `issue`, `notify`, `deliver`, `reconcile`),
  first due when its last success in `job_runs` says, so a restart neither repeats nor postpones
  a run. Each job is `coalesce`d, runs one instance at a time and is skipped when it missed its
  time by more than `service.misfire_grace`. Nothing of the schedule is written to the store, so
  a store that fails cannot stop the scheduler: it fails the job runs that need it, `/healthz`
  says so (`store_watch.py`), and the runs succeed again once it is back.
- **Replicas** coordinate through leases (`leases.py`), not through the job store: every
  replica schedules every job, and a run (`executor.py`) first takes its job's lease, plus a
  lease shared with the jobs it must not overlap (`work.SHARED_LEASES`); if another replica
  holds one, the run is skipped quietly. The lease is renewed while the job runs; a replica
  that dies lets it expire and the next replica to take the job marks the dead one's run
  `abandoned`.
- **Webhooks** (`hooks.enabled`): the hook listener on its own port and its worker thread
  (`jobs.hooks`), which reads hinted records under the `mirrors` lease, this process's lock
  included; closed first on shutdown.
- **Shutdown** (SIGTERM/SIGINT, or `stop()`): no new runs start, running jobs are asked to stop
  at their next page, row or delivery, the service waits up to `service.shutdown_timeout`,
  marks what is still running `interrupted`, releases its leases and closes the site.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from jobs.hooks import Hooks
from jobs.odoo_session import client_from_config
from jobs.service import runs
from jobs.service.executor import ClientFactory, Clock, JobExecutor, RunOutcome
from jobs.service.leases import release_all
from jobs.service.schedule import make_scheduler, schedule_jobs
from jobs.service.store_watch import StoreWatch
from jobs.service.web import (
    PortInUse,
    ThreadedServer,
    cockpit_server,
    ops_server,
    site_server,
)
from jobs.service.work import BODIES, ONCE_ORDER
from sidecar.config import Config
from sidecar.heap import freeze_startup
from sidecar.store.bootstrap import Store, open_store
from sidecar.store.models import utcnow

log = logging.getLogger("ojt_sidecar.service")

__all__ = ["RunOutcome", "ServiceRunner", "default_holder", "scheduled_job"]

_current: ServiceRunner | None = None
_current_lock = threading.Lock()


def scheduled_job(job: str) -> None:
    """What the scheduler calls: run `job` in this process's service."""
    runner = _current
    if runner is None:
        log.warning("%s: no service is running in this process; run skipped", job)
        return
    runner.execute(job)


def default_holder() -> str:
    """This replica's name in leases and job runs: host, process and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class ServiceRunner:
    """The service. `start()` returns at once; `stop()` ends it; `run_forever()` does both
    around SIGTERM/SIGINT; `run_once()` runs every job once, in order, without the scheduler."""

    def __init__(
        self,
        cfg: Config,
        *,
        web: bool = True,
        holder: str | None = None,
        clock: Clock = utcnow,
        host: str | None = None,
        port: int | None = None,
        client_factory: ClientFactory = client_from_config,
    ) -> None:
        self.cfg = cfg
        self.web = web
        self.holder = holder or default_holder()
        self.clock = clock
        self.host, self.port = host, port
        self.client_factory = client_factory
        self.store: Store | None = None
        self.site: ThreadedServer | None = None
        self.cockpit: ThreadedServer | None = None
        self.ops: ThreadedServer | None = None
        self.hooks: Hooks | None = None
        self._scheduler: Any = None
        self._stopping = threading.Event()
        self._activity = threading.Condition()
        self._active = 0
        self.watch = StoreWatch()
        self._runs = JobExecutor(
            cfg, self.holder, clock, client_factory, self._stopping, watch=self.watch
        )
        self.clean_stop = True

    # -- life cycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the store (migrating it), bind the verify site, schedule the jobs; returns at
        once. Raises `PortInUse` when the site's port is taken."""
        self._open()
        try:
            if self.web:
                self.site = site_server(self.cfg, host=self.host, port=self.port)
            self.ops = self._ops_endpoint()
            assert self.store is not None
            if self.web and self.cfg.app.enabled:
                self.cockpit = cockpit_server(self.cfg, self.store.sessions)
            if self.cfg.hooks.enabled:  # Odoo's webhooks: its own listener and hint worker
                self.hooks = Hooks(
                    self.cfg,
                    self.store.sessions,
                    self.client_factory,
                    self.holder,
                    local_lock=self._runs.local_lock("mirrors"),
                )
            self._scheduler = make_scheduler(self.cfg, workers=len(BODIES))
            self._scheduler.start(paused=True)
            schedule_jobs(
                self._scheduler, self.cfg, scheduled_job, self.store.sessions, datetime.now(UTC)
            )
            for server in (self.site, self.cockpit):
                if server is not None:
                    server.start()
            if self.ops is not None:
                self.ops.start()
            if self.hooks is not None:
                self.hooks.start()
            self._scheduler.resume()
        except BaseException:
            self._close()
            raise
        log.info("service %s started: %s", self.holder, self._describe_schedules())

    def _ops_endpoint(self) -> ThreadedServer | None:
        """/metrics and /healthz. Unlike the public site, a taken port does not stop the
        service (a second replica on one host, say): it runs without, and says so."""
        assert self.store is not None
        try:
            return ops_server(self.cfg, self.store.sessions, self.clock(), self.watch)
        except PortInUse as exc:
            log.warning("%s; running without /metrics and /healthz", exc)
            return None

    def stop(self, timeout: float | None = None) -> bool:
        """Stop: no new runs, running jobs asked to stop at their next page or row, waited for
        up to `timeout` (default `service.shutdown_timeout`). True when every job stopped in
        time; otherwise their runs are marked interrupted and left behind."""
        if timeout is None:
            timeout = self.cfg.service.shutdown_timeout.total_seconds()
        self._stopping.set()
        self._close_hooks()
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.pause()
        with self._activity:
            finished = self._activity.wait_for(lambda: self._active == 0, timeout)
        if not finished:
            log.warning("jobs still running after %.0f s; leaving them behind", timeout)
        self._release_everything()
        self.clean_stop = finished
        self._close(dispose=finished)
        return finished

    def run_forever(self) -> int:
        """Start, block until SIGTERM or SIGINT, stop; the exit code (0)."""
        requested = threading.Event()

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            log.info("%s received: stopping", signal.Signals(signum).name)
            requested.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            freeze_startup()  # this is the process's life: its start-up state stays
            while not requested.wait(0.5):
                pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stop()
        return 0

    def run_once(self) -> list[tuple[str, RunOutcome | None]]:
        """Every job once, in the order enroll, sync, issue, notify, deliver, reconcile (when
        due); None for a job another replica is running. SIGTERM/SIGINT stop it between pages."""
        previous = {}
        if threading.current_thread() is threading.main_thread():
            previous = {
                sig: signal.signal(sig, lambda *_: self._stopping.set())
                for sig in (signal.SIGTERM, signal.SIGINT)
            }
        self._open()
        try:
            done: list[tuple[str, RunOutcome | None]] = []
            for job in ONCE_ORDER:
                if self._stopping.is_set():
                    break
                done.append((job, self.execute(job, once=True)))
            return done
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._release_everything()
            self._close()

    # -- one run -------------------------------------------------------------------------------

    def execute(self, job: str, *, once: bool = False) -> RunOutcome | None:
        """Run `job` once if its leases are free: record a job run, renew the leases while it
        runs, release them after. None when skipped (another run holds a lease, or stopping).
        Never raises for the job's own failure: that is recorded on the run."""
        if self._stopping.is_set() or self.store is None:
            return None
        with self._activity:
            self._active += 1
        try:
            return self._runs.execute(self.store.sessions, job, once)
        finally:
            with self._activity:
                self._active -= 1
                self._activity.notify_all()

    # -- internals -----------------------------------------------------------------------------

    def _open(self) -> None:
        global _current
        with _current_lock:
            if _current is not None and _current is not self:
                raise RuntimeError("a service is already running in this process")
            _current = self
        if self.store is None:
            try:
                # Replicas starting together take turns inside (`migrate.take_turns`).
                self.store = open_store(self.cfg)
            except BaseException:
                self._close()
                raise

    def _close(self, *, dispose: bool = True) -> None:
        global _current
        if self._scheduler is not None:
            if self._scheduler.running:
                self._scheduler.shutdown(wait=False)
            self._scheduler = None
        self._close_hooks()
        for server in (self.site, self.cockpit, self.ops):
            if server is not None:
                server.close()
        self.site = self.cockpit = self.ops = None
        if self.store is not None and dispose:
            self.store.close()
        with _current_lock:
            if _current is self:
                _current = None

    def _close_hooks(self) -> None:
        hooks, self.hooks = self.hooks, None
        if hooks is not None:
            hooks.close()

    def _release_everything(self) -> None:
        if self.store is None:
            return
        try:
            with self.store.sessions() as session, session.begin():
                now = self.clock()
                if runs.interrupt_unfinished(session, self.holder, now):
                    log.warning("runs still going were marked interrupted")
                release_all(session, self.holder)
        except SQLAlchemyError as exc:
            log.error("could not release the leases (they expire by themselves): %s", exc)

    def _describe_schedules(self) -> str:
        return ", ".join(
            f"{name} {f'every {s.every}' if s.every is not None else f'cron {s.cron!r}'}"
            for name, s in self.cfg.schedules.jobs().items()
        )
