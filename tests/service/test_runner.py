"""The service in this process: jobs on schedule, the pipeline end to end, a restart neither
repeats nor postpones a run, failures are recorded without stopping the scheduler, leases held by
another replica are respected, and a dead replica's run is marked abandoned."""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.orm import Session

from jobs.service.runner import ServiceRunner
from jobs.service.work import ONCE_ORDER
from sidecar.cli.demo.runner import simulate_completions
from sidecar.config import Config, load_config
from sidecar.emulator import OdooEmulator
from sidecar.store.models import Certificate, JobLease, JobRun, utcnow
from tests.jobs.syncing import client_for
from tests.service.servicing import count_ok, job_runs, service_config, wait_until


@pytest.fixture
def runners() -> Iterator[list[ServiceRunner]]:
    made: list[ServiceRunner] = []
    yield made
    for runner in made:
        runner.stop(timeout=30)


def config(tmp_path: Path, emu: OdooEmulator, db_url: str, **kwargs: str) -> Config:
    return load_config(service_config(tmp_path, emu, db_url, **kwargs))


def started(runners: list[ServiceRunner], cfg: Config, **kwargs: object) -> ServiceRunner:
    runner = ServiceRunner(cfg, web=bool(kwargs.pop("web", False)))
    runners.append(runner)
    runner.start()
    return runner


def test_every_job_runs_on_its_schedule_and_a_completed_trainee_gets_certified(
    tmp_path: Path, emu: OdooEmulator, db_url: str, runners: list[ServiceRunner]
) -> None:
    cfg = config(tmp_path, emu, db_url, every="1s", reconcile="2s")
    runner = started(runners, cfg)
    for job in ONCE_ORDER:
        wait_until(lambda job=job: count_ok(db_url, job) >= 2, f"two ok runs of {job}")
    with client_for(emu) as odoo:
        simulate_completions(odoo, "gardening", cfg, count=1)

    def delivered() -> bool:
        assert runner.store is not None
        with runner.store.sessions() as session:
            return session.scalar(select(Certificate.delivered_at)) is not None

    wait_until(delivered, "a certificate issued and delivered by the scheduled jobs")
    assert runner.stop(timeout=30)
    assert not [r for r in job_runs(db_url) if r.status not in ("ok", "interrupted")]


def test_run_once_runs_every_job_in_order_one_after_the_other(
    tmp_path: Path, emu: OdooEmulator, db_url: str
) -> None:
    cfg = config(tmp_path, emu, db_url)
    outcomes = ServiceRunner(cfg, web=False).run_once()
    assert [job for job, _ in outcomes] == list(ONCE_ORDER)
    assert all(o is not None and o.status == "ok" for _, o in outcomes), outcomes
    runs = job_runs(db_url)
    assert [r.job for r in runs] == list(ONCE_ORDER)
    for before, after in itertools.pairwise(runs):
        assert before.finished_at is not None and before.finished_at <= after.started_at


def next_runs(runner: ServiceRunner) -> dict[str, datetime]:
    scheduler = runner._scheduler
    assert scheduler is not None
    return {job.id: job.next_run_time for job in scheduler.get_jobs()}


def test_a_restart_neither_repeats_nor_postpones_a_run(
    tmp_path: Path, emu: OdooEmulator, db_url: str, runners: list[ServiceRunner]
) -> None:
    cfg = config(tmp_path, emu, db_url, every="1h", reconcile="1d")
    first = started(runners, cfg)
    for job in ONCE_ORDER:  # a new schedule runs at once, then every hour
        wait_until(lambda job=job: count_ok(db_url, job) == 1, f"the first run of {job}")
    wait_until(
        lambda: all(
            t > datetime.now(UTC) + timedelta(minutes=30) for t in next_runs(first).values()
        ),
        "next runs an hour ahead",
    )
    before = next_runs(first)
    assert first.stop(timeout=30)

    again = started(runners, config(tmp_path, emu, db_url, every="1h", reconcile="1d"))
    after = next_runs(again)
    assert sorted(after) == sorted(ONCE_ORDER)
    for job, when in after.items():  # due when the first run would have been, give or take
        assert abs((when - before[job]).total_seconds()) < 5, (job, when, before[job])
    assert all(count_ok(db_url, job) == 1 for job in ONCE_ORDER)


def test_the_schedule_keeps_no_row_in_the_store(
    tmp_path: Path, emu: OdooEmulator, db_url: str, runners: list[ServiceRunner]
) -> None:
    started(runners, config(tmp_path, emu, db_url, every="1h", reconcile="1d"))
    engine = create_engine(db_url)
    try:
        assert not inspect(engine).has_table("apscheduler_jobs")
    finally:
        engine.dispose()


def test_a_failing_job_is_recorded_in_one_line_and_the_scheduler_goes_on(
    tmp_path: Path, emu: OdooEmulator, db_url: str, runners: list[ServiceRunner]
) -> None:
    cfg = config(tmp_path, emu, db_url, every="1s")
    cfg.certificates.signing_key.unlink()  # the issue job cannot sign
    with client_for(emu) as odoo:
        simulate_completions(odoo, "gardening", cfg, count=1)  # someone to certify

    def failures() -> list[str]:
        return [
            r.error or "" for r in job_runs(db_url) if r.job == "issue" and r.status == "failed"
        ]

    started(runners, cfg)
    wait_until(lambda: len(failures()) >= 2, "the issue job failing twice")
    wait_until(lambda: count_ok(db_url, "sync") >= 2, "the sync going on")
    assert all(error and "\n" not in error for error in failures())


def test_a_job_whose_lease_another_replica_holds_is_skipped_without_a_run(
    tmp_path: Path, emu: OdooEmulator, db_url: str
) -> None:
    cfg = config(tmp_path, emu, db_url)
    runner = ServiceRunner(cfg, web=False)
    runner.run_once()  # creates the store
    engine = create_engine(db_url)
    with Session(engine) as session, session.begin():
        lease = session.get(JobLease, "sync")
        assert lease is not None
        lease.holder, lease.expires_at = "elsewhere:1:abc", utcnow() + timedelta(hours=1)
    engine.dispose()
    outcomes = dict(ServiceRunner(cfg, web=False).run_once())
    assert outcomes["sync"] is None
    assert outcomes["enroll"] is not None and outcomes["enroll"].status == "ok"
    assert [r.job for r in job_runs(db_url)].count("sync") == 1


def test_a_run_left_running_by_a_dead_replica_is_marked_abandoned_by_the_next_holder(
    tmp_path: Path, emu: OdooEmulator, db_url: str
) -> None:
    cfg = config(tmp_path, emu, db_url)
    ServiceRunner(cfg, web=False).run_once()
    engine = create_engine(db_url)
    with Session(engine) as session, session.begin():
        lease = session.get(JobLease, "deliver")
        assert lease is not None
        lease.holder, lease.expires_at = "dead:1:abc", utcnow() - timedelta(seconds=1)
        session.add(JobRun(job="deliver", holder="dead:1:abc", status="running"))
    engine.dispose()
    outcomes = dict(ServiceRunner(cfg, web=False).run_once())
    deliver_runs = [r for r in job_runs(db_url) if r.job == "deliver"]
    assert [r.status for r in deliver_runs] == ["ok", "abandoned", "ok"]
    assert outcomes["deliver"] is not None


def test_the_verify_site_is_served_while_running_and_closed_on_stop(
    tmp_path: Path, emu: OdooEmulator, db_url: str, runners: list[ServiceRunner]
) -> None:
    cfg = config(tmp_path, emu, db_url, every="1h", reconcile="1d")
    runner = started(runners, cfg, web=True)
    url = f"http://127.0.0.1:{cfg.verify_site.port}/healthz"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
    assert runner.stop(timeout=30)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=10)


def test_metrics_and_healthz_are_served_while_running_and_closed_on_stop(
    tmp_path: Path, emu: OdooEmulator, db_url: str, runners: list[ServiceRunner]
) -> None:
    cfg = config(tmp_path, emu, db_url, every="1s", reconcile="1h")
    runner = started(runners, cfg)
    wait_until(lambda: count_ok(db_url, "sync") >= 1, "an ok sync run")
    base = f"http://127.0.0.1:{cfg.service.ops_port}"
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
        metrics = response.read().decode()
    assert 'ojt_sidecar_job_runs_total{job="sync",outcome="ok"}' in metrics
    assert "ojt_sidecar_store_up 1.0" in metrics
    answers: list[tuple[int, dict[str, Any]]] = []

    def healthz() -> bool:
        # Every job runs each second here: on a busy machine one may be a moment late, which
        # healthz rightly reports (503) until it has run again.
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:
                answers.append((response.status, json.loads(response.read())))
        except urllib.error.HTTPError as exc:
            answers.append((exc.code, json.loads(exc.read())))
        return answers[-1][0] == 200

    wait_until(healthz, "healthz to answer 200")
    health = answers[-1][1]
    assert health["status"] == "ok" and health["jobs"]["sync"]["last_success"] is not None
    assert all(code in (200, 503) for code, _ in answers), answers  # never anything else
    assert runner.stop(timeout=30)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{base}/healthz", timeout=10)
