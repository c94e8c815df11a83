"""Rate limit per client address, and what /healthz says of the store."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from sidecar.certificates.serial import new_serial
from sidecar.store.engine import make_engine
from tests.verify_site.conftest import AddCert, MakeApp, health_clock


def test_rate_limit_answers_429_after_n_requests_from_one_address(
    make_app: MakeApp, add_cert: AddCert
) -> None:
    cert = add_cert()
    client = make_app(rate_limit_per_minute=5).test_client()
    one = {"REMOTE_ADDR": "203.0.113.7"}
    urls = [f"/c/{cert.serial}", f"/c/{cert.serial}.page.json", f"/c/{new_serial()}", "/", "/"]
    for url in urls:
        response = client.get(url, environ_base=one)
        assert response.status_code in (200, 404)
        assert "Retry-After" not in response.headers
    limited = client.get(f"/c/{cert.serial}", environ_base=one)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    body = limited.get_data(as_text=True)
    assert "Too many requests" in body and "Traceback" not in body
    assert limited.headers["Cache-Control"] == "no-store"
    assert (
        client.get(f"/c/{cert.serial}.page.json", environ_base=one).mimetype == "application/json"
    )

    other = {"REMOTE_ADDR": "198.51.100.9"}
    assert client.get(f"/c/{cert.serial}", environ_base=other).status_code == 200


def test_rate_limit_ignores_forwarded_for_by_default(make_app: MakeApp) -> None:
    client = make_app(rate_limit_per_minute=2).test_client()
    one = {"REMOTE_ADDR": "203.0.113.7"}
    for n in range(3):
        forged = {"X-Forwarded-For": f"10.0.0.{n}"}
        response = client.get("/", environ_base=one, headers=forged)
    assert response.status_code == 429


def test_trust_proxy_limits_by_forwarded_address(make_app: MakeApp) -> None:
    client = make_app(rate_limit_per_minute=2, trust_proxy=1).test_client()
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for n in range(3):
        response = client.get("/", environ_base=proxy, headers={"X-Forwarded-For": f"10.0.0.{n}"})
        assert response.status_code == 200


def test_static_files_are_not_rate_limited(make_app: MakeApp) -> None:
    # /healthz is limited like the pages (tests/verify_site/test_health.py); the stylesheet is not.
    client = make_app(rate_limit_per_minute=1).test_client()
    for _ in range(5):
        assert client.get("/static/site.css").status_code == 200


def test_healthz_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_503_when_the_store_is_unreachable(make_app: MakeApp, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder-not-a-database"
    folder.mkdir()
    client = make_app(store_url=f"sqlite:///{folder}").test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    page = client.get(f"/c/{new_serial()}")
    assert page.status_code == 503
    assert "cannot be read right now" in page.get_data(as_text=True)


def test_healthz_503_when_the_store_has_no_schema(make_app: MakeApp, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    client = make_app(store_url=url).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "db upgrade" in response.get_json()["reason"]
    assert client.get(f"/c/{new_serial()}.json").status_code == 503
    assert not _tables(url)  # the site never creates or migrates anything


def test_healthz_503_when_the_schema_is_behind(
    make_app: MakeApp, engine: Engine, store_url: str
) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    client = make_app().test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "0001" in response.get_json()["reason"]
    assert client.get(f"/c/{new_serial()}").status_code == 503


def test_healthz_503_when_the_certificates_table_is_gone(make_app: MakeApp, engine: Engine) -> None:
    app = make_app()
    clock = health_clock(app)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    with engine.begin() as connection:
        connection.execute(text("PRAGMA foreign_keys=OFF"))
        connection.execute(text("DROP TABLE certificates"))
    clock.advance(1.0)  # past the cached answer
    response = client.get("/healthz")
    assert response.status_code == 503
    assert client.get(f"/c/{new_serial()}").status_code == 503


def _tables(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
            return [row[0] for row in rows]
    finally:
        engine.dispose()


def test_a_store_upgraded_by_a_newer_sidecar_keeps_the_site_answering(
    make_app: MakeApp, engine: Engine
) -> None:
    # Rolling upgrade: the store is migrated by a newer version first; this site must not go dark.
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    client = make_app().test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get(f"/c/{new_serial()}").status_code == 404
