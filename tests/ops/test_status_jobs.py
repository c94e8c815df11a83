"""`ojt-sidecar status` shows the last run of every job, as /healthz judges them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from sidecar.cli import main
from sidecar.store.models import JobRun


def _run(sessions: Any, job: str, ago: timedelta, status: str, error: str | None = None) -> None:
    started = datetime.now(UTC) - ago
    with sessions() as session, session.begin():
        session.add(
            JobRun(
                job=job,
                holder="h",
                started_at=started,
                finished_at=started + timedelta(seconds=1),
                status=status,
                error=error,
                duration_seconds=1.0,
            )
        )


def test_status_lists_each_jobs_last_run(config_path: Path, sessions: Any) -> None:
    _run(sessions, "enroll", timedelta(minutes=2), "ok")
    _run(sessions, "sync", timedelta(hours=3), "ok")
    _run(sessions, "sync", timedelta(minutes=1), "failed", "Odoo: down")
    result = CliRunner().invoke(main, ["status", "-c", str(config_path)])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("Jobs (ojt-sidecar run):"))
    assert "enroll ok 2 min ago" in line
    assert "sync failed 1 min ago (last ok 3 h ago, overdue)" in line
    assert "issue never run" in line and "reconcile never run" in line
    assert "Last successful sync:" in result.stdout  # the existing lines stay


def test_status_json_has_the_jobs(config_path: Path, sessions: Any) -> None:
    _run(sessions, "deliver", timedelta(seconds=30), "ok")
    result = CliRunner().invoke(main, ["status", "-c", str(config_path), "--json"])
    assert result.exit_code == 0, result.output
    jobs = json.loads(result.stdout)["jobs"]
    assert set(jobs) == {"enroll", "sync", "issue", "notify", "deliver", "reconcile"}
    assert jobs["deliver"]["healthy"] is True and jobs["deliver"]["last_status"] == "ok"
    assert jobs["issue"]["last_run"] is None and jobs["issue"]["healthy"] is False
