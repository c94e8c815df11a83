"""One run of a job under its leases: the service's unit of work, scheduled or `run --once`.

A run takes this process's lock for each of the job's leases, then the leases themselves in the
store (the job's own, then the shared ones of `work.SHARED_LEASES`); records a `job_runs` row;
renews the leases while the job's body runs; records how it ended and releases the leases; and
tells `jobs.service.metrics` about it. A run that cannot take a lease is skipped (None), a job's
failure is recorded on its run, never raised. A store that fails (a full disk, PostgreSQL going
away) fails the run with one log line and is reported to the `StoreWatch` behind `/healthz`; the
next run tries the store afresh, so the service resumes by itself once the store is back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from connectors import OdooClient, OdooError
from jobs.context import JobContext
from jobs.service import runs
from jobs.service.leases import LeaseKeeper, release, try_acquire
from jobs.service.store_watch import StoreWatch
from jobs.service.work import BODIES, ServiceRun, leases_for
from sidecar.certificates.signing import KeyFileError
from sidecar.config import Config

log = logging.getLogger("ojt_sidecar.service")

Clock = Callable[[], datetime]
ClientFactory = Callable[[Config], OdooClient]
Sessions = sessionmaker[Session]


@dataclass(frozen=True)
class RunOutcome:
    job: str
    status: str  # ok | failed | interrupted
    summary: str | None
    error: str | None
    seconds: float
    run_id: int


class JobExecutor:
    """Runs jobs for the replica `holder`; `stopping` is the service's stop request."""

    def __init__(
        self,
        cfg: Config,
        holder: str,
        clock: Clock,
        client_factory: ClientFactory,
        stopping: threading.Event,
        watch: StoreWatch | None = None,
    ) -> None:
        self.cfg = cfg
        self.watch = watch or StoreWatch()
        self.holder = holder
        self.clock = clock
        self.client_factory = client_factory
        self._stopping = stopping
        # One run per lease name in this process; the database lease does it across processes.
        self._local = {name: threading.Lock() for job in BODIES for name in leases_for(job)}

    def local_lock(self, lease: str) -> threading.Lock:
        """This process's lock for `lease`, taken before the lease in the store: for work of
        this process outside the jobs that must not overlap them (the hinted re-reads)."""
        return self._local[lease]

    def execute(self, sessions: Sessions, job: str, once: bool) -> RunOutcome | None:
        """Run `job` once if its leases are free; None when skipped."""
        names = leases_for(job)
        local = self._take_local(names)
        if local is None:
            return None
        try:
            return self._execute(sessions, job, names, once)
        finally:
            for lock in local:
                lock.release()

    def _execute(
        self, sessions: Sessions, job: str, names: tuple[str, ...], once: bool
    ) -> RunOutcome | None:
        try:
            tokens = self._acquire(sessions, job, names)
            if tokens is None:
                return None
            with sessions() as session, session.begin():
                now = self.clock()
                if runs.abandon_stale(session, job, now):
                    log.warning("%s: a run by a replica that stopped was marked abandoned", job)
                run_id = runs.start_run(session, job, self.holder, now)
        except SQLAlchemyError as exc:
            cause = one_line(exc)
            self.watch.failed(job, cause, self.clock())
            log.error("%s failed: the store cannot be used: %s", job, cause)
            _observe(job, ok=False, seconds=0.0, result=None, stats=None)
            return None
        ttl = self.cfg.service.lease
        keeper = LeaseKeeper(sessions, tokens, self.holder, ttl, clock=self.clock).start()

        def should_stop() -> bool:
            return self._stopping.is_set() or keeper.should_stop()

        started = time.monotonic()
        client: OdooClient | None = None
        result: object | None = None
        summary: str | None = None
        error: str | None = None
        try:
            client = self.client_factory(self.cfg)
            ctx = JobContext(self.cfg, sessions, client, should_stop=should_stop)
            done = BODIES[job](ServiceRun(ctx, once))
            result, summary = done.result, done.summary
            status = runs.INTERRUPTED if should_stop() else runs.OK
        except (OdooError, SQLAlchemyError, OSError, KeyFileError) as exc:
            status, error = runs.FAILED, one_line(exc)
            log.error("%s failed: %s", job, error)
        except Exception as exc:  # a job's bug must not end the service: recorded
            status, error = runs.FAILED, one_line(exc)
            log.exception("%s failed: %s", job, error)
        finally:
            keeper.stop()
            client_stats = client.stats if client is not None else None
            if client is not None:
                client.close()
        seconds = time.monotonic() - started
        self._finish(sessions, run_id, status, seconds, summary, error, tokens)
        if status != runs.FAILED:
            log.info("%s %s in %.1f s: %s", job, status, seconds, summary)
        _observe(job, ok=status == runs.OK, seconds=seconds, result=result, stats=client_stats)
        return RunOutcome(job, status, summary, error, seconds, run_id)

    def _take_local(self, names: tuple[str, ...]) -> list[threading.Lock] | None:
        """This process's locks for `names`: the job's own is only tried (a run of it is going
        on: skip); a shared one is waited for, so jobs sharing it take turns, not starve."""
        own, *shared = [self._local[n] for n in names]
        if not own.acquire(blocking=False):
            return None
        taken = [own]
        for lock in shared:
            while not lock.acquire(timeout=0.2):
                if self._stopping.is_set():
                    for held in taken:
                        held.release()
                    return None
            taken.append(lock)
        return taken

    def _acquire(
        self, sessions: Sessions, job: str, names: tuple[str, ...]
    ) -> dict[str, int] | None:
        """The job's lease, then the shared ones: None (and nothing held) when another replica
        runs this job, or keeps a shared lease for longer than a third of the lease time."""
        ttl = self.cfg.service.lease
        own, *shared = names
        with sessions() as session, session.begin():
            token = try_acquire(session, own, self.holder, ttl, self.clock())
        if token is None:
            log.debug("%s: another replica is running it; skipped", job)
            return None
        tokens = {own: token}
        deadline = time.monotonic() + ttl.total_seconds() / 3
        for name in shared:
            while True:
                with sessions() as session, session.begin():
                    token = try_acquire(session, name, self.holder, ttl, self.clock())
                if token is not None:
                    tokens[name] = token
                    break
                if self._stopping.is_set() or time.monotonic() > deadline:
                    with sessions() as session, session.begin():
                        for held, held_token in tokens.items():
                            release(session, held, self.holder, held_token)
                    log.debug("%s: another replica keeps the %s lease; skipped", job, name)
                    return None
                self._stopping.wait(0.2)
        return tokens

    def _finish(
        self,
        sessions: Sessions,
        run_id: int,
        status: str,
        seconds: float,
        summary: str | None,
        error: str | None,
        tokens: dict[str, int],
    ) -> None:
        try:
            with sessions() as session, session.begin():
                runs.finish_run(
                    session,
                    run_id,
                    status=status,
                    now=self.clock(),
                    seconds=seconds,
                    summary=summary,
                    error=error,
                )
                for name, token in tokens.items():
                    release(session, name, self.holder, token)
        except SQLAlchemyError as exc:  # the leases expire by themselves
            error = one_line(exc)
            # A failed run has had its one line already (a store failing mid-run fails the job).
            said = status == runs.FAILED
            self.watch.failed(f"run {run_id}", error, self.clock())
            (log.debug if said else log.error)(
                "could not record the end of run %s: %s", run_id, error
            )
            return
        self.watch.worked(self.clock())


def one_line(exc: BaseException) -> str:
    text_ = str(getattr(exc, "orig", None) or exc).strip()
    return text_.splitlines()[0] if text_ else exc.__class__.__name__


def _observe(job: str, *, ok: bool, seconds: float, result: object, stats: object) -> None:
    """Tell `jobs.service.metrics` about the run; metrics never stop a job."""
    from jobs.service.metrics import observe_job

    try:
        observe_job(job, ok=ok, seconds=seconds, result=result, client_stats=stats)
    except Exception as exc:  # observe_job promises not to raise; belt and braces
        log.warning("metrics for %s not recorded: %s", job, exc)
