"""/healthz: a job is unhealthy once it has not succeeded within N of its intervals."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from jobs.service.ops_site import OpsApp, make_ops_app, serve_ops
from jobs.service.web import ThreadedServer
from sidecar.config import Config
from tests.ops.conftest import NOW, add_run

ALL_JOBS = ("enroll", "sync", "issue", "notify", "deliver", "reconcile")


def app_for(cfg: Config, sessions: Any, *, started_ago: timedelta = timedelta(days=30)) -> OpsApp:
    return make_ops_app(
        cfg,
        sessions,
        registry=CollectorRegistry(),
        clock=lambda: NOW,
        started_at=NOW - started_ago,
    )


def get(app: OpsApp, path: str) -> tuple[str, dict[str, str], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, start_response))
    return seen["status"], seen["headers"], body


def health(app: OpsApp) -> tuple[int, dict[str, Any]]:
    status, headers, body = get(app, "/healthz")
    assert headers["Content-Type"] == "application/json"
    return int(status.split()[0]), json.loads(body)


def all_recent(sessions: sessionmaker[Session], *but: str) -> None:
    """A success a minute ago for every job except `but`."""
    for job in ALL_JOBS:
        if job not in but:
            add_run(sessions, job, ago=timedelta(minutes=1))


def test_every_job_recently_successful_is_200_ok(cfg: Config, sessions: Any) -> None:
    all_recent(sessions)
    code, body = health(app_for(cfg, sessions))
    assert code == 200
    assert body["status"] == "ok" and body["reason"] is None
    assert set(body["jobs"]) == set(ALL_JOBS)
    sync = body["jobs"]["sync"]
    assert sync["healthy"] is True and sync["last_status"] == "ok"
    assert sync["last_success"] == (NOW - timedelta(minutes=1, seconds=-2)).isoformat()


def test_a_job_without_success_for_more_than_n_intervals_is_503(cfg: Config, sessions: Any) -> None:
    all_recent(sessions, "sync", "issue")
    # sync runs every 5 min and N is 3: its success 16 min ago is too old despite a later try;
    # issue runs every 15 min: its success 44 min ago is still within 45 min.
    add_run(sessions, "sync", ago=timedelta(minutes=16))
    add_run(sessions, "sync", ago=timedelta(minutes=2), status="failed", error="Odoo: down\nmore")
    add_run(sessions, "issue", ago=timedelta(minutes=44))
    code, body = health(app_for(cfg, sessions))
    assert code == 503
    assert body["status"] == "unhealthy"
    assert "sync" in body["reason"] and "issue" not in body["reason"]
    sync = body["jobs"]["sync"]
    assert sync["healthy"] is False and sync["last_status"] == "failed"
    assert "last run failed: Odoo: down" in sync["reason"] and "\n" not in sync["reason"]
    assert body["jobs"]["issue"]["healthy"] is True


def test_a_job_never_run_is_healthy_during_its_first_intervals_only(
    cfg: Config, sessions: Any
) -> None:
    all_recent(sessions, "deliver")
    # deliver runs every minute: given 3 minutes from the service's start.
    code, body = health(app_for(cfg, sessions, started_ago=timedelta(minutes=2)))
    assert code == 200
    assert body["jobs"]["deliver"]["last_run"] is None
    code, body = health(app_for(cfg, sessions, started_ago=timedelta(minutes=4)))
    assert code == 503
    assert body["jobs"]["deliver"]["healthy"] is False
    assert "service started" in body["jobs"]["deliver"]["reason"]


def test_a_cron_job_is_healthy_until_n_fire_times_passed(cfg: Config, sessions: Any) -> None:
    # reconcile fires daily ("0 3 * * *"): three fire times after a success come 2 to 3 days
    # later, whatever the machine's time zone.
    all_recent(sessions, "reconcile")
    add_run(sessions, "reconcile", ago=timedelta(days=1, hours=23))
    assert health(app_for(cfg, sessions))[0] == 200


def test_a_cron_job_without_success_for_n_fire_times_is_503(cfg: Config, sessions: Any) -> None:
    all_recent(sessions, "reconcile")
    add_run(sessions, "reconcile", ago=timedelta(days=3, hours=2))
    add_run(sessions, "reconcile", ago=timedelta(days=1), status="failed", error="Odoo: down")
    code, body = health(app_for(cfg, sessions))
    assert code == 503
    assert body["jobs"]["reconcile"]["healthy"] is False


def test_store_unreachable_is_503_with_the_reason(cfg: Config) -> None:
    engine = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    try:
        app = app_for(cfg, engine)
        code, body = health(app)
        assert code == 503
        assert body["status"] == "unhealthy"
        assert body["reason"].startswith("the sidecar's store cannot be read")
        assert "\n" not in body["reason"]
        status, _, text = get(app, "/metrics")  # metrics still answer, saying the store is down
        assert status.startswith("200")
        assert b"ojt_sidecar_store_up 0.0" in text
    finally:
        engine.dispose()


def test_other_paths_and_methods_are_refused(cfg: Config, sessions: Any) -> None:
    app = app_for(cfg, sessions)
    assert get(app, "/")[0].startswith("404")
    seen: dict[str, str] = {}
    app(
        {"PATH_INFO": "/healthz", "REQUEST_METHOD": "POST"},
        lambda status, headers: seen.update(status=status),
    )
    assert seen["status"].startswith("405")


def test_served_by_waitress_on_the_loopback(cfg: Config, sessions: Any) -> None:
    all_recent(sessions)
    # Served the way the service serves it: waitress in its own thread, closed between polls
    # (closing a waitress loop from another thread mid-select races with it).
    server = ThreadedServer(
        lambda: serve_ops(cfg, app_for(cfg, sessions), port=0),
        host="127.0.0.1",
        port=0,
        what="ops endpoint",
        in_use_hint="test",
    )
    server.start()
    try:
        ((_, port),) = server.addresses
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200
            assert json.loads(response.read())["status"] == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            assert response.headers["Content-Type"].startswith("text/plain; version=")
            assert b"ojt_sidecar_store_up 1.0" in response.read()
    finally:
        server.close()
