"""/metrics: what observe_job counts from real reports, and what the store says at scrape time."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from connectors.client import CallStats
from jobs.deliver import DeliveryReport
from jobs.enroll.report import EnrollReport
from jobs.issue.runner import IssueReport
from jobs.service import metrics
from jobs.service.metrics import Metrics
from jobs.service.ops_site import make_ops_app
from jobs.sync.loader import Counts
from jobs.sync.reconcile import ReconcileSummary
from jobs.sync.runner import StreamSummary, SyncSummary
from sidecar.config import Config
from tests.ops.conftest import NOW, add_run


def samples(registry: CollectorRegistry) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = generate_latest(registry).decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: dict[Any, float], name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def m() -> Metrics:
    return Metrics(CollectorRegistry())


def test_a_sync_run_counts_rows_by_stream_and_change(m: Metrics) -> None:
    summary = SyncSummary(
        streams=[
            StreamSummary("memberships", "slide.channel.partner", Counts(10, 3, 2, 5), calls=2),
            StreamSummary("lessons", "slide.slide.partner", Counts(read=4, unchanged=4), calls=1),
        ]
    )
    m.observe_job("sync", ok=True, seconds=1.5, result=summary, client_stats=None)
    found = samples(m.registry)
    rows = "ojt_sidecar_sync_rows_total"
    key = {"job": "sync", "stream": "memberships", "model": "slide.channel.partner"}
    assert value(found, rows, **key, change="read") == 10
    assert value(found, rows, **key, change="created") == 3
    assert value(found, rows, **key, change="updated") == 2
    assert value(found, rows, **key, change="unchanged") == 5
    assert (
        value(found, rows, job="sync", stream="lessons", model="slide.slide.partner", change="read")
        == 4
    )
    assert value(found, "ojt_sidecar_job_runs_total", job="sync", outcome="ok") == 1
    assert value(found, "ojt_sidecar_job_duration_seconds_sum", job="sync", outcome="ok") == 1.5
    assert value(found, "ojt_sidecar_job_duration_seconds_count", job="sync", outcome="ok") == 1


def test_reconcile_counts_removed_rows(m: Metrics) -> None:
    result = ReconcileSummary({"memberships": Counts(read=20, removed=2)})
    m.observe_job("reconcile", ok=True, seconds=3, result=result, client_stats=None)
    found = samples(m.registry)
    labels = {"job": "reconcile", "stream": "memberships", "model": ""}
    assert value(found, "ojt_sidecar_sync_rows_total", **labels, change="removed") == 2


def test_odoo_calls_are_counted_as_deltas_of_one_client(m: Metrics) -> None:
    stats = CallStats(calls=7, errors=1, retries=2, by_method={"search_read": 5, "read": 2})
    m.observe_job("sync", ok=True, seconds=1, result=None, client_stats=stats)
    stats.calls, stats.retries, stats.by_method["read"] = 10, 3, 5
    m.observe_job("deliver", ok=False, seconds=1, result=None, client_stats=stats)
    found = samples(m.registry)
    calls = "ojt_sidecar_odoo_calls_total"
    assert value(found, calls, job="sync", method="search_read") == 5
    assert value(found, calls, job="sync", method="read") == 2
    assert value(found, calls, job="deliver", method="read") == 3
    assert value(found, calls, job="deliver", method="search_read") == 0
    assert value(found, "ojt_sidecar_odoo_errors_total", job="sync") == 1
    assert value(found, "ojt_sidecar_odoo_errors_total", job="deliver") == 0
    assert value(found, "ojt_sidecar_odoo_retries_total", job="deliver") == 1
    assert value(found, "ojt_sidecar_job_runs_total", job="deliver", outcome="failed") == 1


def test_a_new_client_is_counted_whole(m: Metrics) -> None:
    for _ in range(2):
        stats = CallStats(calls=3, by_method={"read": 3})
        m.observe_job("issue", ok=True, seconds=1, result=None, client_stats=stats)
    found = samples(m.registry)
    assert value(found, "ojt_sidecar_odoo_calls_total", job="issue", method="read") == 6


def test_issue_counts_certificates_reviews_and_deliveries(m: Metrics) -> None:
    report = IssueReport(
        issued=[("S1", "Ann", "junior-developers"), ("S2", "Bo", "junior-developers")],
        flagged=[("Cy", "woodworking", "average score 40 < 60")],
        delivery=DeliveryReport(delivered=4, adopted=1, retrying=1, failed=0),
    )
    m.observe_job("issue", ok=True, seconds=2, result=report, client_stats=None)
    found = samples(m.registry)
    issued = "ojt_sidecar_certificates_issued_total"
    assert value(found, issued, program="junior-developers") == 2
    assert value(found, "ojt_sidecar_certificate_reviews_total", program="woodworking") == 1
    deliveries = "ojt_sidecar_outbox_deliveries_total"
    assert value(found, deliveries, job="issue", result="delivered") == 4
    assert value(found, deliveries, job="issue", result="adopted") == 1
    assert value(found, deliveries, job="issue", result="retrying") == 1


def test_deliver_counts_its_results(m: Metrics) -> None:
    report = DeliveryReport(delivered=2, adopted=0, retrying=3, failed=1)
    m.observe_job("deliver", ok=True, seconds=0.4, result=report, client_stats=None)
    found = samples(m.registry)
    deliveries = "ojt_sidecar_outbox_deliveries_total"
    assert value(found, deliveries, job="deliver", result="failed") == 1
    assert value(found, deliveries, job="deliver", result="retrying") == 3


def test_enroll_counts_outcomes(m: Metrics) -> None:
    report = EnrollReport(
        listed=5,
        started=["a", "b", "c"],
        enrolled=["a", "b"],
        awaiting_review=["c"],
        failed=["d"],
        delivered=6,
        adopted=1,
    )
    m.observe_job("enroll", ok=True, seconds=1, result=report, client_stats=None)
    found = samples(m.registry)
    assert value(found, "ojt_sidecar_applicants_listed_total", job="enroll") == 5
    assert value(found, "ojt_sidecar_enrollments_total", outcome="enrolled") == 2
    assert value(found, "ojt_sidecar_enrollments_total", outcome="awaiting_review") == 1
    assert value(found, "ojt_sidecar_enrollments_total", outcome="failed") == 1
    deliveries = "ojt_sidecar_outbox_deliveries_total"
    assert value(found, deliveries, job="enroll", result="delivered") == 5
    assert value(found, deliveries, job="enroll", result="adopted") == 1


def test_a_report_it_cannot_read_is_logged_never_raised(
    m: Metrics, caplog: pytest.LogCaptureFixture
) -> None:
    class Odd:
        def __init__(self) -> None:
            self.streams = [object()]  # no name, no counts

    with caplog.at_level(logging.WARNING, logger="ojt_jobs.service.metrics"):
        m.observe_job("sync", ok=True, seconds=1, result=Odd(), client_stats=None)
    assert "could not count the report of job sync" in caplog.text
    assert value(samples(m.registry), "ojt_sidecar_job_runs_total", job="sync", outcome="ok") == 1


def test_the_module_registry_and_its_reset() -> None:
    metrics.reset_for_tests()
    metrics.observe_job("sync", ok=True, seconds=1, result=None, client_stats=None)
    found = samples(metrics.REGISTRY)
    assert value(found, "ojt_sidecar_job_runs_total", job="sync", outcome="ok") == 1
    metrics.reset_for_tests()
    found = samples(metrics.REGISTRY)
    assert value(found, "ojt_sidecar_job_runs_total", job="sync", outcome="ok") == 0


def test_scrape_reads_outbox_certificates_lag_and_jobs_from_the_store(
    cfg: Config, sessions: Any
) -> None:
    from sidecar.store.models import OutboxMessage, SyncCursor

    with sessions() as session, session.begin():
        for i, state in enumerate(["pending", "pending", "failed", "delivered"]):
            session.add(
                OutboxMessage(
                    key=f"k{i}",
                    model="mail.message",
                    method="create",
                    args={},
                    state=state,
                    created_at=NOW - timedelta(minutes=10 - i),
                )
            )
        session.add(SyncCursor(stream="memberships", signature="x", polled_at=NOW - timedelta(90)))
        session.add(SyncCursor(stream="attendance", signature="x", polled_at=None))
    add_run(sessions, "sync", ago=timedelta(minutes=1))
    registry = CollectorRegistry()
    Metrics(registry).observe_job("sync", ok=True, seconds=1, result=None, client_stats=None)
    app = make_ops_app(cfg, sessions, registry=registry, clock=lambda: NOW)
    seen: dict[str, Any] = {}
    body = b"".join(
        app(
            {"PATH_INFO": "/metrics", "REQUEST_METHOD": "GET"},
            lambda status, headers: seen.update(status=status, headers=dict(headers)),
        )
    )
    assert seen["status"].startswith("200")
    assert seen["headers"]["Content-Type"] == CONTENT_TYPE_LATEST
    found = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }
    assert value(found, "ojt_sidecar_store_up") == 1
    assert value(found, "ojt_sidecar_outbox_messages", state="pending") == 2
    assert value(found, "ojt_sidecar_outbox_messages", state="failed") == 1
    assert value(found, "ojt_sidecar_outbox_messages", state="cancelled") == 0
    assert value(found, "ojt_sidecar_outbox_oldest_pending_age_seconds") == 600
    assert value(found, "ojt_sidecar_certificates", state="issued") == 0
    assert value(found, "ojt_sidecar_sync_lag_seconds", stream="memberships") == 90 * 86400
    assert ("ojt_sidecar_sync_lag_seconds", (("stream", "attendance"),)) not in found
    success = NOW - timedelta(minutes=1) + timedelta(seconds=2)
    assert (
        value(found, "ojt_sidecar_job_last_success_timestamp_seconds", job="sync")
        == success.timestamp()
    )
    assert value(found, "ojt_sidecar_job_healthy", job="sync") == 1
    assert value(found, "ojt_sidecar_job_healthy", job="reconcile") == 1  # started just now
    assert value(found, "ojt_sidecar_job_runs_total", job="sync", outcome="ok") == 1
