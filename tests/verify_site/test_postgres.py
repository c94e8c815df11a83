"""The site on a PostgreSQL store: a restarted database costs no failed page."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.verify_site.conftest import AddCert, MakeApp


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
    # What a server restart does to the site's pooled connection (it is not pre-pinged).
    with engine.connect() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    assert killed >= 1
    response = client.get(f"/c/{cert.serial}")
    assert response.status_code == 200
    assert "Valid certificate" in response.get_data(as_text=True)
