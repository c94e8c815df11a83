"""The site on a PostgreSQL store: a restarted database costs no failed page."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from tests.verify_site.conftest import AddCert, MakeApp, drop_site_connections


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
