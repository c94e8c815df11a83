"""Prometheus metrics of the service, in a registry of our own (not the library's global one).

Two kinds:
- **counted as jobs run** (this module): `observe_job` is called by the scheduler after every
  job run with the job's report; it counts runs, durations, rows synced, Odoo calls, deliveries,
  certificates and enrollments. These are per process: with several replicas, sum them.
- **read from the store at scrape time** (`StoreCollector`): outbox depth, certificate totals,
  sync lag per stream, last success and health per job. The same in every replica.

`observe_job` never raises: a metric that cannot be counted is logged and skipped, so metrics
can never fail a job. Reports are recognised by their attributes (duck typing), which keeps
`sidecar` free of imports from `jobs`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from sidecar.outbox import CANCELLED, DELIVERED, FAILED, PENDING

log = logging.getLogger("ojt_jobs.service.metrics")

PREFIX = "ojt_sidecar"
ROW_CHANGES = ("read", "created", "updated", "unchanged", "removed", "skipped")
DELIVERY_RESULTS = ("delivered", "adopted", "retrying", "failed")
ENROLL_OUTCOMES = ("started", "enrolled", "awaiting_review", "left_stage", "refused", "failed")
OUTBOX_STATES = (PENDING, DELIVERED, FAILED, CANCELLED)
CERTIFICATE_STATES = ("issued", "delivered", "revoked", "superseded")
# Jobs take from well under a second (an idle deliver) to many minutes (a first full sync).
DURATION_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)


# The counters `observe_job` feeds: attribute and metric name (after the prefix) -> help, labels.
COUNTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "job_runs": (
        "Scheduled job runs by this process, by job and outcome (ok or failed).",
        ("job", "outcome"),
    ),
    "sync_rows": (
        "Odoo rows handled by sync and reconcile passes, by job, stream, model and change "
        "(read, created, updated, unchanged, removed, skipped).",
        ("job", "stream", "model", "change"),
    ),
    "odoo_calls": ("Calls sent to Odoo, by job and method.", ("job", "method")),
    "odoo_errors": ("Calls to Odoo that failed (after retries), by job.", ("job",)),
    "odoo_retries": ("Calls to Odoo sent again after a transient error, by job.", ("job",)),
    "outbox_deliveries": (
        "Outbox rows handled, by job and result (delivered; adopted: found in Odoo from an "
        "earlier attempt; retrying: will be tried again; failed: needs a person).",
        ("job", "result"),
    ),
    "certificates_issued": ("Certificates issued by this process, by program.", ("program",)),
    "certificate_reviews": (
        "Trainees flagged for a certificate review (requirements not met), by program.",
        ("program",),
    ),
    "enrollments": (
        "Applicant enrollments by outcome (started, enrolled, awaiting_review, left_stage, "
        "refused, failed).",
        ("outcome",),
    ),
    "applicants_listed": (
        "Applicants read from Odoo by the enrollment listing, by job.",
        ("job",),
    ),
}


class Metrics:
    """The counters `observe_job` feeds, registered in `registry`."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.job_runs = self._counter("job_runs")
        self.job_duration = Histogram(
            f"{PREFIX}_job_duration_seconds",
            "Duration of job runs in seconds, by job and outcome.",
            ["job", "outcome"],
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.sync_rows = self._counter("sync_rows")
        self.odoo_calls = self._counter("odoo_calls")
        self.odoo_errors = self._counter("odoo_errors")
        self.odoo_retries = self._counter("odoo_retries")
        self.outbox_deliveries = self._counter("outbox_deliveries")
        self.certificates_issued = self._counter("certificates_issued")
        self.certificate_reviews = self._counter("certificate_reviews")
        self.enrollments = self._counter("enrollments")
        self.applicants_listed = self._counter("applicants_listed")
        self._seen_stats: dict[int, tuple[weakref.ref[Any], _Snapshot]] = {}
        self._lock = threading.Lock()

    def _counter(self, name: str) -> Counter:
        documentation, labels = COUNTERS[name]
        return Counter(f"{PREFIX}_{name}", documentation, labels, registry=self.registry)

    def reset(self) -> None:
        """Forget every value (for tests sharing the module's registry)."""
        for metric in (
            self.job_runs,
            self.job_duration,
            self.sync_rows,
            self.odoo_calls,
            self.odoo_errors,
            self.odoo_retries,
            self.outbox_deliveries,
            self.certificates_issued,
            self.certificate_reviews,
            self.enrollments,
            self.applicants_listed,
        ):
            metric.clear()
        self._seen_stats.clear()

    def observe_job(
        self,
        job: str,
        *,
        ok: bool,
        seconds: float,
        result: object | None = None,
        client_stats: object | None = None,
    ) -> None:
        """Count one job run; never raises (a failure to count is logged)."""
        outcome = "ok" if ok else "failed"
        for part, fn in (
            ("run", lambda: self._count_run(job, outcome, seconds)),
            ("odoo calls", lambda: self._count_calls(job, client_stats)),
            ("report", lambda: self._count_report(job, result)),
        ):
            try:
                fn()
            except Exception:  # deliberately broad: counting must never fail a job
                log.warning(
                    "could not count the %s of job %s for /metrics", part, job, exc_info=True
                )

    # --- parts ---------------------------------------------------------------------------------

    def _count_run(self, job: str, outcome: str, seconds: float) -> None:
        self.job_runs.labels(job, outcome).inc()
        self.job_duration.labels(job, outcome).observe(max(0.0, float(seconds)))

    def _count_calls(self, job: str, stats: object | None) -> None:
        if stats is None or not hasattr(stats, "calls"):
            return
        now = _Snapshot.of(stats)
        with self._lock:
            # Counted by client, not by job: a client shared by several jobs, or one client per
            # run, both give each run what it did since that client was last looked at. A client
            # seen for the first time (or whose counters went down) counts all it did.
            seen = self._seen_stats.get(id(stats))
            before = seen[1] if seen is not None and seen[0]() is stats else _Snapshot()
            delta = now.minus(before)
            if delta is None:
                delta = now
            self._seen_stats = {k: v for k, v in self._seen_stats.items() if v[0]() is not None}
            # An object without weak references is simply counted whole each time.
            with contextlib.suppress(TypeError):
                self._seen_stats[id(stats)] = (weakref.ref(stats), now)
        for method, count in delta.by_method.items():
            if count > 0:
                self.odoo_calls.labels(job, method).inc(count)
        if not delta.by_method and delta.calls > 0:
            self.odoo_calls.labels(job, "").inc(delta.calls)
        self.odoo_errors.labels(job).inc(delta.errors)
        self.odoo_retries.labels(job).inc(delta.retries)

    def _count_report(self, job: str, result: object | None) -> None:
        if result is None:
            return
        streams = getattr(result, "streams", None)
        if isinstance(streams, list):  # SyncSummary: StreamSummary(name, model, counts)
            for stream in streams:
                self._count_rows(job, stream.name, getattr(stream, "model", ""), stream.counts)
        elif isinstance(streams, Mapping):  # ReconcileSummary: stream name -> Counts
            for name, counts in streams.items():
                self._count_rows(job, str(name), "", counts)
        if _is_delivery(result):
            self._count_delivery(job, result)
        delivery = getattr(result, "delivery", None)
        if delivery is not None and _is_delivery(delivery):  # IssueReport.delivery
            self._count_delivery(job, delivery)
        issued = getattr(result, "issued", None)
        if isinstance(issued, list):  # IssueReport: (serial, name, program)
            for entry in issued:
                self.certificates_issued.labels(str(entry[2])).inc()
            for entry in getattr(result, "flagged", None) or []:
                self.certificate_reviews.labels(str(entry[1])).inc()
        if hasattr(result, "listed") and hasattr(result, "started"):  # EnrollReport
            self._count_enroll(job, result)

    def _count_rows(self, job: str, stream: str, model: str, counts: object) -> None:
        for change in ROW_CHANGES:
            value = int(getattr(counts, change, 0) or 0)
            if value:
                self.sync_rows.labels(job, stream, model or "", change).inc(value)

    def _count_delivery(self, job: str, report: object) -> None:
        for name in DELIVERY_RESULTS:
            value = int(getattr(report, name, 0) or 0)
            if value:
                self.outbox_deliveries.labels(job, name).inc(value)

    def _count_enroll(self, job: str, report: Any) -> None:
        self.applicants_listed.labels(job).inc(int(report.listed or 0))
        for outcome in ENROLL_OUTCOMES:
            count = len(getattr(report, outcome, None) or [])
            if count:
                self.enrollments.labels(outcome).inc(count)
        # Its deliveries are counted as plain numbers (delivered includes adopted).
        adopted = int(getattr(report, "adopted", 0) or 0)
        delivered = int(getattr(report, "delivered", 0) or 0) - adopted
        if delivered > 0:
            self.outbox_deliveries.labels(job, "delivered").inc(delivered)
        if adopted > 0:
            self.outbox_deliveries.labels(job, "adopted").inc(adopted)


def _is_delivery(report: object) -> bool:
    return all(hasattr(report, name) for name in (*DELIVERY_RESULTS, "waiting"))


@dataclass(frozen=True)
class _Snapshot:
    calls: int = 0
    errors: int = 0
    retries: int = 0
    by_method: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, stats: Any) -> _Snapshot:
        return cls(
            int(stats.calls),
            int(getattr(stats, "errors", 0)),
            int(getattr(stats, "retries", 0)),
            {str(k): int(v) for k, v in (getattr(stats, "by_method", None) or {}).items()},
        )

    def minus(self, before: _Snapshot) -> _Snapshot | None:
        """What happened since `before`, or None when the counters went down (a reset)."""
        methods = {m: n - before.by_method.get(m, 0) for m, n in self.by_method.items()}
        delta = _Snapshot(
            self.calls - before.calls,
            self.errors - before.errors,
            self.retries - before.retries,
            {m: n for m, n in methods.items() if n},
        )
        if min(delta.calls, delta.errors, delta.retries, *methods.values(), 0) < 0:
            return None
        return delta


REGISTRY = CollectorRegistry()
METRICS = Metrics(REGISTRY)


def observe_job(
    job: str,
    *,
    ok: bool,
    seconds: float,
    result: object | None,
    client_stats: object | None,
) -> None:
    """Count one run of `job` in the module's registry (see `Metrics.observe_job`)."""
    METRICS.observe_job(job, ok=ok, seconds=seconds, result=result, client_stats=client_stats)


def reset_for_tests() -> None:
    """Forget every value counted in the module's registry."""
    METRICS.reset()


# --- read from the store at scrape time ---------------------------------------------------------


@dataclass(frozen=True)
class StoreFigures:
    """What the store says at one moment; built by `jobs.service.ops_site.read_store_figures`."""

    outbox: Mapping[str, int]
    oldest_pending_age: float | None
    certificates: Mapping[str, int]
    sync_passes: Mapping[str, datetime | None]  # stream -> start of its last complete pass
    jobs: Mapping[str, tuple[datetime | None, bool]]  # job -> (last success, healthy)
    now: datetime


class StoreCollector(Collector):
    """Gauges read from the store on every scrape; `ojt_sidecar_store_up` 0 when it cannot be
    read (the reason is logged)."""

    def __init__(self, read: Callable[[], StoreFigures]) -> None:
        self._read = read

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            f"{PREFIX}_store_up", "1 when the sidecar's store answered this scrape, else 0."
        )
        try:
            figures = self._read()
        except SQLAlchemyError as exc:  # a scrape reports the store down, never fails
            log.warning("/metrics: the store cannot be read: %s", _first_line(exc))
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from _store_families(figures)


def _store_families(f: StoreFigures) -> Iterable[Metric]:
    outbox = GaugeMetricFamily(
        f"{PREFIX}_outbox_messages",
        "Outbox rows (writes to Odoo) by state: pending is the depth, failed needs a person.",
        labels=["state"],
    )
    for state in sorted(set(OUTBOX_STATES) | set(f.outbox)):
        outbox.add_metric([state], f.outbox.get(state, 0))
    yield outbox
    oldest = GaugeMetricFamily(
        f"{PREFIX}_outbox_oldest_pending_age_seconds",
        "Age of the oldest pending outbox row in seconds (0 when none is pending).",
    )
    oldest.add_metric([], f.oldest_pending_age or 0.0)
    yield oldest
    certs = GaugeMetricFamily(
        f"{PREFIX}_certificates",
        "Certificates in the store: issued (all), and of those delivered, revoked, superseded.",
        labels=["state"],
    )
    for state in CERTIFICATE_STATES:
        certs.add_metric([state], f.certificates.get(state, 0))
    yield certs
    lag = GaugeMetricFamily(
        f"{PREFIX}_sync_lag_seconds",
        "Seconds since the last complete sync pass of each stream began (what Odoo changed "
        "since then is not in the store yet).",
        labels=["stream"],
    )
    passed = GaugeMetricFamily(
        f"{PREFIX}_sync_last_pass_timestamp_seconds",
        "Unix time at which the last complete sync pass of each stream began.",
        labels=["stream"],
    )
    for stream, at in sorted(f.sync_passes.items()):
        if at is not None:
            lag.add_metric([stream], max(0.0, (f.now - at).total_seconds()))
            passed.add_metric([stream], at.timestamp())
    yield lag
    yield passed
    success = GaugeMetricFamily(
        f"{PREFIX}_job_last_success_timestamp_seconds",
        "Unix time at which the latest successful run of each job ended (any replica).",
        labels=["job"],
    )
    healthy = GaugeMetricFamily(
        f"{PREFIX}_job_healthy",
        "1 when the job succeeded recently enough (the /healthz rule), else 0.",
        labels=["job"],
    )
    for job, (at, ok) in sorted(f.jobs.items()):
        if at is not None:
            success.add_metric([job], at.timestamp())
        healthy.add_metric([job], 1 if ok else 0)
    yield success
    yield healthy


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__
