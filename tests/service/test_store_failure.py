"""The service survives its store. While the store refuses writes (a full disk), every job run
fails with one plain log line and `/healthz` says why; once the store works again, every job
succeeds again and `/healthz` is healthy, with no restart. Before the schedule moved to memory,
APScheduler's own write of the next run time failed in its thread, which died for good."""

from __future__ import annotations

import json
import logging
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from jobs.service.runner import ServiceRunner
from jobs.service.work import ONCE_ORDER
from sidecar.config import load_config
from sidecar.emulator import OdooEmulator
from tests.service.servicing import count_ok, service_config, wait_until


class FullDisk:
    """While `full`, every statement but a SELECT fails as a full disk fails it."""

    def __init__(self, engine: Engine) -> None:
        self.full = False
        self.refused = 0
        self.dialect = engine.dialect.name
        event.listen(engine, "before_cursor_execute", self._refuse)

    def _refuse(self, *args: Any) -> None:
        statement: str = args[2]
        if self.full and not statement.lstrip().upper().startswith("SELECT"):
            self.refused += 1
            raise self._error()

    def _error(self) -> Exception:
        if self.dialect == "postgresql":
            import psycopg

            return psycopg.errors.DiskFull("could not extend file: No space left on device")
        return sqlite3.OperationalError("database or disk is full")


@pytest.fixture
def runner(tmp_path: Path, emu: OdooEmulator, db_url: str) -> Iterator[ServiceRunner]:
    cfg = load_config(service_config(tmp_path, emu, db_url, every="1s", reconcile="1h"))
    made = ServiceRunner(cfg, web=False)
    made.start()
    yield made
    made.stop(timeout=30)


def health(runner: ServiceRunner) -> tuple[int, dict[str, Any]]:
    url = f"http://127.0.0.1:{runner.cfg.service.ops_port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def metrics(runner: ServiceRunner) -> str:
    url = f"http://127.0.0.1:{runner.cfg.service.ops_port}/metrics"
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode())


def test_a_full_disk_fails_runs_in_one_line_each_and_the_service_resumes_by_itself(
    runner: ServiceRunner, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    assert runner.store is not None
    disk = FullDisk(runner.store.engine)
    for job in ONCE_ORDER[:-1]:  # reconcile runs hourly here
        wait_until(lambda job=job: count_ok(db_url, job) >= 1, f"an ok run of {job}")
    wait_until(lambda: health(runner)[0] == 200, "a healthy service")

    caplog.set_level(logging.INFO)
    disk.full = True
    store_failures = lambda: [  # noqa: E731
        r for r in caplog.records if "the store cannot be used" in r.getMessage()
    ]
    wait_until(lambda: len(store_failures()) >= 6, "runs failing on the full disk")
    status, body = health(runner)
    assert status == 503
    assert "database or disk is full" in body["store"]["error"] or "No space" in body["reason"]
    assert "ojt_sidecar_store_writable 0.0" in metrics(runner)
    outage = list(caplog.records)
    assert all(r.exc_info is None for r in outage), "a traceback was logged"
    assert all("\n" not in r.getMessage() for r in outage)

    ok_before = {job: count_ok(db_url, job) for job in ONCE_ORDER}
    disk.full = False
    for job in ONCE_ORDER[:-1]:
        wait_until(
            lambda job=job: count_ok(db_url, job) > ok_before[job], f"{job} succeeding again"
        )
    wait_until(lambda: health(runner)[0] == 200, "/healthz healthy again")
    assert "ojt_sidecar_store_writable 1.0" in metrics(runner)
    assert disk.refused > 0
    assert any("the store works again" in r.getMessage() for r in caplog.records)
