"""The operations endpoint of `ojt-sidecar run`: `/metrics` (Prometheus text) and `/healthz`.

A plain WSGI app served by waitress on `service.ops_host:ops_port`, apart from the public
verify site: keep it private. It reads the store only.

Health rule, per scheduled job: a job is healthy while its latest success is recent enough,
i.e. until `service.unhealthy_after_intervals` (N) of its scheduled runs have come after the
run that succeeded — N × `every` for an interval schedule; for a cron line, the time from the
start of that run to the N-th fire time after it (so "0 2 * * mon-fri" allows for the weekend).
A job that has never succeeded is healthy for the same span after the service started, then
unhealthy. The store not answering makes everything unhealthy (503), and so does a store that
answers reads but failed the service's latest job run (a full disk, say: `store_watch.py`),
until a run records its end again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from jobs.service.metrics import REGISTRY, StoreCollector, StoreFigures
from jobs.service.store_watch import StoreWatch, WatchCollector
from sidecar.config import Config
from sidecar.config.models import Schedule
from sidecar.store.models import utcnow
from sidecar.store.queries import LastRun, certificate_summary, last_runs

if TYPE_CHECKING:
    from waitress.server import BaseWSGIServer, MultiSocketServer

log = logging.getLogger("ojt_sidecar.ops")

Clock = Callable[[], datetime]
StartResponse = Callable[..., Any]


# --- health -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobHealth:
    job: str
    healthy: bool
    reason: str
    last_success: datetime | None
    last_run: datetime | None
    last_status: str | None
    due_by: datetime | None  # unhealthy from then on unless it succeeds again

    def to_json(self) -> dict[str, Any]:
        return {
            "last_success": _iso(self.last_success),
            "last_run": _iso(self.last_run),
            "last_status": self.last_status,
            "healthy": self.healthy,
            "reason": self.reason,
            "due_by": _iso(self.due_by),
        }


def span_of_runs(schedule: Schedule, start: datetime, runs: int) -> timedelta:
    """Time from `start` to the `runs`-th scheduled time after it."""
    if schedule.every is not None:
        return schedule.every * runs
    trigger = schedule.trigger()
    fire: datetime | None = None
    after = start + timedelta(microseconds=1)  # a run that started on its fire time owns it
    for _ in range(runs):
        following = trigger.get_next_fire_time(fire, fire or after)
        if following is None:  # pragma: no cover - crontab lines never end
            break
        fire = following
    return (fire - start) if fire is not None else timedelta(0)


def assess_jobs(
    schedules: Mapping[str, Schedule],
    runs: Mapping[str, LastRun],
    *,
    now: datetime,
    intervals: int,
    started_at: datetime | None,
) -> dict[str, JobHealth]:
    """Health of every scheduled job (see the module's docstring for the rule).

    `started_at` None (no service running, e.g. `status`): a job that never succeeded is
    unhealthy at once.
    """
    result = {}
    for job, schedule in schedules.items():
        run = runs.get(job)
        success = run.last_success if run else None
        if success is not None and run is not None:
            begun = run.last_success_started or success
            due: datetime | None = success + span_of_runs(schedule, begun, intervals)
            since = f"last success {_iso(success)}"
        elif started_at is not None:
            due = started_at + span_of_runs(schedule, started_at, intervals)
            since = f"no success since the service started {_iso(started_at)}"
        else:
            due = None
            since = "never succeeded"
        healthy = due is not None and now <= due
        if healthy:
            reason = f"{since}; due again by {_iso(due)}"
        else:
            reason = f"{since}, more than {intervals} scheduled run(s) ago" if due else since
            if run is not None and run.last_status not in (None, "ok"):
                detail = _one_line(run.last_error) if run.last_error else ""
                reason += f"; last run {run.last_status}" + (f": {detail}" if detail else "")
        result[job] = JobHealth(
            job=job,
            healthy=healthy,
            reason=reason,
            last_success=success,
            last_run=run.last_run if run else None,
            last_status=run.last_status if run else None,
            due_by=due,
        )
    return result


# --- the store at scrape time -------------------------------------------------------------------


def read_store_figures(
    session: Session, cfg: Config, *, now: datetime, started_at: datetime | None
) -> StoreFigures:
    """Everything `/metrics` reads from the store, in a handful of statements."""
    from sidecar.store.models import OutboxMessage, SyncCursor

    certs = certificate_summary(session)
    oldest = session.scalar(
        select(func.min(OutboxMessage.created_at)).where(OutboxMessage.state == "pending")
    )
    passes = {
        stream: polled
        for stream, polled in session.execute(select(SyncCursor.stream, SyncCursor.polled_at))
    }
    health = assess_jobs(
        cfg.schedules.jobs(),
        last_runs(session),
        now=now,
        intervals=cfg.service.unhealthy_after_intervals,
        started_at=started_at,
    )
    return StoreFigures(
        outbox=certs.outbox,
        oldest_pending_age=(now - oldest).total_seconds() if oldest is not None else None,
        certificates={
            "issued": certs.issued,
            "delivered": certs.delivered,
            "revoked": certs.revoked,
            "superseded": certs.superseded,
        },
        sync_passes=passes,
        jobs={job: (h.last_success, h.healthy) for job, h in health.items()},
        now=now,
    )


# --- the WSGI app -------------------------------------------------------------------------------


class OpsApp:
    """`GET /metrics` and `GET /healthz`; anything else is 404 (405 for other methods)."""

    def __init__(
        self,
        cfg: Config,
        sessions: sessionmaker[Session],
        *,
        registry: CollectorRegistry,
        clock: Clock,
        started_at: datetime,
        watch: StoreWatch | None = None,
    ) -> None:
        self.cfg = cfg
        self.watch = watch or StoreWatch()
        self.sessions = sessions
        self.registry = registry
        self.clock = clock
        self.started_at = started_at
        # The store's gauges live in a registry of this app's own, so that building a second
        # app (tests, a restart in-process) never registers them twice in the shared one.
        self.store_registry = CollectorRegistry()
        self.store_registry.register(StoreCollector(self._figures))
        self.store_registry.register(WatchCollector(self.watch))

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path not in ("/metrics", "/healthz"):
            return _reply(start_response, 404, "text/plain; charset=utf-8", b"not found\n")
        if method not in ("GET", "HEAD"):
            return _reply(start_response, 405, "text/plain; charset=utf-8", b"GET only\n")
        if path == "/metrics":
            body = generate_latest(self.registry) + generate_latest(self.store_registry)
            code = 200
            kind = CONTENT_TYPE_LATEST
        else:
            code, payload = self.health()
            body = (json.dumps(payload, indent=2) + "\n").encode()
            kind = "application/json"
        return _reply(start_response, code, kind, b"" if method == "HEAD" else body)

    def health(self) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON body) of /healthz."""
        try:
            with self.sessions() as session:
                runs = last_runs(session)
        except SQLAlchemyError as exc:
            cause = _one_line(str(getattr(exc, "orig", None) or exc))
            log.warning("/healthz: the store cannot be read: %s", cause)
            reason = f"the sidecar's store cannot be read: {cause}"
            return 503, {"status": "unhealthy", "reason": reason, "jobs": {}}
        jobs = assess_jobs(
            self.cfg.schedules.jobs(),
            runs,
            now=self.clock(),
            intervals=self.cfg.service.unhealthy_after_intervals,
            started_at=self.started_at,
        )
        unhealthy = [name for name, h in jobs.items() if not h.healthy]
        reasons = [f"not succeeding: {', '.join(unhealthy)}"] if unhealthy else []
        trouble = self.watch.trouble
        if trouble is not None:
            reasons.insert(0, f"the sidecar's store failed a job run: {trouble.error}")
        payload: dict[str, Any] = {
            "status": "unhealthy" if reasons else "ok",
            "reason": "; ".join(reasons) or None,
            "jobs": {name: h.to_json() for name, h in jobs.items()},
        }
        if trouble is not None:
            payload["store"] = {"error": trouble.error, "since": _iso(trouble.since)}
        return (503 if reasons else 200), payload

    def _figures(self) -> StoreFigures:
        with self.sessions() as session:
            return read_store_figures(
                session, self.cfg, now=self.clock(), started_at=self.started_at
            )


def make_ops_app(
    cfg: Config,
    sessions_or_engine: sessionmaker[Session] | Engine,
    *,
    registry: CollectorRegistry = REGISTRY,
    clock: Clock = utcnow,
    started_at: datetime | None = None,
    watch: StoreWatch | None = None,
) -> OpsApp:
    """The ops WSGI app. `started_at` (default: now) is when the service started: a job that
    has never succeeded is given its first intervals from then."""
    sessions = (
        sessionmaker(sessions_or_engine, expire_on_commit=False)
        if isinstance(sessions_or_engine, Engine)
        else sessions_or_engine
    )
    return OpsApp(
        cfg, sessions, registry=registry, clock=clock, started_at=started_at or clock(), watch=watch
    )


def serve_ops(
    cfg: Config, app: OpsApp, *, host: str | None = None, port: int | None = None
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server for `app`, bound but not yet serving: call `.run()` (in a thread) and
    `.close()` on shutdown. `port=0` picks a free port (`server.effective_port`)."""
    from waitress import create_server

    return create_server(
        app,
        host=host or cfg.service.ops_host,
        port=cfg.service.ops_port if port is None else port,
        threads=2,
        ident="ojt-sidecar",
    )


def _reply(start_response: StartResponse, code: int, kind: str, body: bytes) -> list[bytes]:
    reasons = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}
    start_response(
        f"{code} {reasons[code]}",
        [
            ("Content-Type", kind),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""
