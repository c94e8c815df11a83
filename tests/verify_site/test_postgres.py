"""The site on a PostgreSQL store: a restarted database costs no failed page."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from tests.verify_site.conftest import AddCert, MakeApp, drop_site_connections
from verify_site.status_query import MANY


@pytest.fixture
def store_url(postgres_url: str) -> str:
    """Dropped server connections are a PostgreSQL matter: this runs only there."""
    return postgres_url


def test_a_page_survives_the_database_dropping_its_connections(
    make_app: MakeApp, add_cert: AddCert, engine: Engine
) -> None:
    cert = add_cert()
    client = make_app().test_client()
    assert client.get(f"/c/{cert.serial}").status_code == 200
    drop_site_connections(engine)
    response = client.get(f"/c/{cert.serial}")
    assert response.status_code == 200
    assert "Valid certificate" in response.get_data(as_text=True)


def test_statuses_read_together_come_back_by_serial_past_one_statement(
    make_app: MakeApp, add_cert: AddCert
) -> None:
    """More serials than one statement takes (`MANY`), some unknown: each known one once."""
    known = [add_cert().serial for _ in range(MANY + 3)]
    unknown = ["OJT-UNKNOWN-1", "OJT-UNKNOWN-2"]
    app = make_app()
    register = app.extensions["verify_site"].register
    try:
        rows = register._status_query.run_many(register.engine, [*known, *unknown, known[0]])
    finally:
        register.close()
    assert sorted(rows) == sorted(known)
    assert all(row.revoked_at is None for row in rows.values())
