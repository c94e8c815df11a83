"""Shared fixtures: a fresh Odoo emulator over real HTTP, and clients for both transports."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import settings

from connectors import OdooClient, OdooSettings, RetryPolicy
from sidecar.emulator import OdooEmulator
from sidecar.emulator.faults import CallRecord
from sidecar.emulator.versions import DEFAULT_VERSION

# Property tests: `quick` by default (a developer's run: half of Hypothesis' own default, to keep
# ./dev test within 2 minutes on 2 cores), `thorough` in CI (.ci/run sets it).
# Choose with HYPOTHESIS_PROFILE=quick|thorough; the sync state machine runs a fifth of the
# examples (each is several syncs over HTTP).
settings.register_profile("quick", max_examples=50, deadline=None)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

LIVE_VARS = ("ODOO_URL", "ODOO_DB", "ODOO_USER", "ODOO_PASSWORD")
FAST_RETRY = RetryPolicy(
    max_attempts=3, initial_backoff_seconds=0.01, max_backoff_seconds=0.05, jitter_seconds=0.0
)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: twice the cores, up to 16. Much of the suite waits (on servers over loopback,
    subprocesses, timers) rather than computes, so one worker per core leaves them idle."""
    return min(16, 2 * len(os.sched_getaffinity(0)))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if all(os.environ.get(name) for name in LIVE_VARS):
        return
    skip = pytest.mark.skip(reason=f"live Odoo tests need {', '.join(LIVE_VARS)}")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def version() -> str:
    """The emulated Odoo version of `emu`; a module or a test may parametrize it."""
    return DEFAULT_VERSION


@pytest.fixture
def emu(version: str) -> Iterator[OdooEmulator]:
    with OdooEmulator(demo=True, version=version) as emulator:
        yield emulator


def logins(emu: OdooEmulator) -> list[CallRecord]:
    """The logins the emulator has seen since its calls were last reset, on every transport."""
    return [c for c in list(emu.calls) if c.method in ("authenticate", "login")]


ClientFactory = Callable[..., OdooClient]


@pytest.fixture(params=["xmlrpc", "jsonrpc"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_client(emu: OdooEmulator, transport: str) -> Iterator[ClientFactory]:
    made: list[OdooClient] = []

    def factory(**overrides: Any) -> OdooClient:
        values: dict[str, Any] = {
            "url": emu.url,
            "database": emu.db,
            "username": "admin",
            "secret": "admin",
            "transport": transport,
            "timeout_seconds": 5.0,
            "retry": FAST_RETRY,
        }
        values.update(overrides)
        client = OdooClient(OdooSettings(**values))
        made.append(client)
        return client

    yield factory
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: ClientFactory) -> OdooClient:
    return make_client()


# --- the sidecar's store: SQLite always, PostgreSQL when OJT_TEST_POSTGRES_URL is set ---------

POSTGRES_ENV = "OJT_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"set {POSTGRES_ENV} to run the store tests on PostgreSQL")
    yield from _fresh_postgres_database(base)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database, for tests that only mean something there."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"needs PostgreSQL: set {POSTGRES_ENV}")
    yield from _fresh_postgres_database(base)


def _fresh_postgres_database(base: str) -> Iterator[str]:
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"ojt_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def live() -> Iterator[OdooClient]:
    """The real Odoo of the `live` tests (ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD): the
    test's own hands there, apart from the sidecar's client."""
    from tests.jobs.live import live_client

    yield from live_client()
