"""The public /healthz is cheap: one store check a second at most, whatever the request rate,
rate-limited like the pages, and a connection dropped by a restarted database is retried."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from tests.verify_site.conftest import AddCert, MakeApp, drop_site_connections, health_clock
from verify_site.health import TTL_SECONDS, CachedHealth


def statements(app: Flask) -> list[str]:
    """Every SQL statement the site's own engine sends from now on."""
    sent: list[str] = []

    @event.listens_for(app.extensions["verify_site"].register.engine, "before_cursor_execute")
    def _sent(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    return sent


def counted(app: Flask, before: Callable[[], None] = lambda: None) -> list[int]:
    """Count the store checks behind /healthz (`before` runs inside each, to slow it down)."""
    health: CachedHealth = app.extensions["verify_site"].health
    calls: list[int] = []
    check = health.check

    def counting() -> str | None:
        calls.append(1)
        before()
        return check()

    health.check = counting
    return calls


def test_many_requests_within_a_second_cost_one_store_check(make_app: MakeApp) -> None:
    app = make_app()
    clock = health_clock(app)
    sent = statements(app)
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    one_check = len(sent)
    assert one_check >= 2  # the schema's revision and the certificates table
    for _ in range(50):
        clock.advance((TTL_SECONDS - 0.01) / 50)
        assert client.get("/healthz").status_code == 200
    assert len(sent) == one_check
    clock.advance(0.01)
    assert client.get("/healthz").status_code == 200
    assert len(sent) == 2 * one_check
    assert client.get("/healthz").status_code == 200
    assert len(sent) == 2 * one_check


def test_the_cache_expires_in_real_time(make_app: MakeApp) -> None:
    app = make_app()
    checks = counted(app)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert len(checks) == 1
    time.sleep(TTL_SECONDS + 0.05)
    assert client.get("/healthz").status_code == 200
    assert len(checks) == 2


def test_a_change_of_health_shows_once_the_second_is_over(
    make_app: MakeApp, engine: Engine
) -> None:
    app = make_app()
    clock = health_clock(app)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert client.get("/healthz").status_code == 200  # the cached answer
    clock.advance(TTL_SECONDS)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "0001" in response.get_json()["reason"]


def test_concurrent_requests_share_one_check(make_app: MakeApp) -> None:
    app = make_app()
    checks = counted(app, before=lambda: time.sleep(0.2))
    start = threading.Barrier(16)
    statuses: list[int] = []

    def visit() -> None:
        client = app.test_client()
        start.wait()
        statuses.append(client.get("/healthz").status_code)

    threads = [threading.Thread(target=visit) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200] * 16
    assert len(checks) == 1


def test_while_a_check_runs_others_answer_the_last_result(make_app: MakeApp) -> None:
    app = make_app()
    clock = health_clock(app)
    inside, release = threading.Event(), threading.Event()
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    checks = counted(app, before=lambda: (inside.set(), release.wait(30)))
    clock.advance(TTL_SECONDS)
    slow = threading.Thread(target=lambda: app.test_client().get("/healthz"))
    slow.start()
    try:
        assert inside.wait(30)
        # The check is held open: these answer from the previous result, they do not queue.
        for _ in range(10):
            assert client.get("/healthz").get_json() == {"status": "ok"}
        assert not release.is_set() and len(checks) == 1
    finally:
        release.set()
        slow.join(timeout=30)
    assert len(checks) == 1


def test_healthz_is_rate_limited_like_the_pages(make_app: MakeApp, add_cert: AddCert) -> None:
    cert = add_cert()
    client = make_app(rate_limit_per_minute=5).test_client()
    one = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(5):
        assert client.get("/healthz", environ_base=one).status_code == 200
    limited = client.get("/healthz", environ_base=one)
    assert limited.status_code == 429
    assert limited.mimetype == "application/json"
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get(f"/c/{cert.serial}", environ_base=one).status_code == 429
    other = {"REMOTE_ADDR": "198.51.100.9"}
    assert client.get("/healthz", environ_base=other).status_code == 200


def test_pages_and_healthz_share_one_budget(make_app: MakeApp, add_cert: AddCert) -> None:
    cert = add_cert()
    client = make_app(rate_limit_per_minute=4).test_client()
    one = {"REMOTE_ADDR": "203.0.113.8"}
    for url in (f"/c/{cert.serial}", "/healthz", "/", "/healthz"):
        assert client.get(url, environ_base=one).status_code == 200
    assert client.get("/healthz", environ_base=one).status_code == 429


def test_healthz_is_answered_before_flask_with_the_security_headers(make_app: MakeApp) -> None:
    """Flask's request handling costs about what a certificate page does; a flood of /healthz
    or of its 429s must not pay it (the flood bench measures why)."""
    app = make_app(rate_limit_per_minute=3)
    reached: list[str] = []
    app.before_request(lambda: reached.append(str(app.name)) and None)
    client = app.test_client()
    one = {"REMOTE_ADDR": "203.0.113.9"}
    answers = [client.get("/healthz", environ_base=one) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert reached == []
    for answer in answers:
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Cache-Control"] == "no-store"
    assert client.head("/healthz").data == b""
    assert client.post("/healthz").status_code == 405  # other methods are Flask's
    assert len(reached) == 1


def test_a_dropped_connection_is_retried_once(make_app: MakeApp) -> None:
    """SQLite never drops a connection: one is made to look dropped, as SQLAlchemy reports a
    PostgreSQL restart (a DBAPI error it classes as a disconnect, the pool invalidated)."""
    app = make_app()
    clock = health_clock(app)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    engine = app.extensions["verify_site"].register.engine
    drops = inject_drops(engine, 1)
    clock.advance(TTL_SECONDS)
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert drops == []  # the one drop was met, and answered by the retry


def test_a_connection_dropped_twice_is_a_503(make_app: MakeApp) -> None:
    app = make_app()
    client = app.test_client()
    inject_drops(app.extensions["verify_site"].register.engine, 2)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["reason"] == "the store does not answer"


def inject_drops(engine: Engine, times: int) -> list[int]:
    """The next `times` statements fail as a dropped connection; returns what is left."""
    left = [1] * times

    @event.listens_for(engine, "before_cursor_execute")
    def _drop(*args: Any) -> None:
        if left:
            left.pop()
            raise sqlite3.OperationalError("injected: server closed the connection")

    @event.listens_for(engine, "handle_error")
    def _disconnect(context: Any) -> None:
        if "injected" in str(context.original_exception):
            context.is_disconnect = True

    return left


class TestOnPostgres:
    @pytest.fixture
    def store_url(self, postgres_url: str) -> str:
        """Dropped server connections are a PostgreSQL matter: this runs only there."""
        return postgres_url

    def test_healthz_survives_the_database_dropping_its_connections(
        self, make_app: MakeApp, engine: Engine
    ) -> None:
        app = make_app()
        clock = health_clock(app)
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        connects: list[int] = []
        event.listen(
            app.extensions["verify_site"].register.engine, "connect", lambda *a: connects.append(1)
        )
        drop_site_connections(engine)
        clock.advance(TTL_SECONDS)
        response = client.get("/healthz")
        assert response.get_json() == {"status": "ok"}
        assert response.status_code == 200
        assert connects  # the check ran, on a fresh connection
