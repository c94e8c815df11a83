"""A temporary SQLite store with the real schema, certificate rows inserted directly, a signing
key, and the site built on them without a YAML file."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from sidecar.certificates.serial import new_serial
from sidecar.certificates.signing import Signer, generate_key
from sidecar.config import Config
from sidecar.store.engine import make_engine
from sidecar.store.migrate import upgrade
from sidecar.store.models import Certificate, Program, Student
from tests.stores import migrated_sqlite
from verify_site.app import create_app

TODAY = date(2025, 6, 1)
PDF_BYTES = b"%PDF-1.7\n% test certificate\n%%EOF\n"

AddCert = Callable[..., Certificate]
MakeApp = Callable[..., Flask]


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    # A copy of a store the real migrations made (tests/stores.py); `upgrade` finds it at head.
    engine = make_engine(migrated_sqlite(store_url))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def output_dir(tmp_path: Path) -> Path:
    path = tmp_path / "certificates"
    path.mkdir()
    return path


@pytest.fixture
def signing_key(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "signing.key"
    generate_key(path)
    return path


@pytest.fixture
def student(engine: Engine) -> tuple[int, int]:
    """(program id, student id) of one trainee."""
    with Session(engine) as session, session.begin():
        program = Program(key="welding", name="Welding Basics")
        session.add(program)
        session.flush()
        student = Student(program_id=program.id, odoo_partner_id=7, name="Jane Doe")
        session.add(student)
        session.flush()
        return program.id, student.id


@pytest.fixture
def add_cert(
    engine: Engine, student: tuple[int, int], output_dir: Path, signing_key: Path
) -> AddCert:
    """Insert a signed certificate row (and its PDF file unless `pdf=False`)."""
    signer = Signer.load(signing_key)
    generation = iter(range(100))

    def add(*, pdf: bool = True, **overrides: Any) -> Certificate:
        serial = overrides.pop("serial", None) or new_serial()
        values: dict[str, Any] = {
            "serial": serial,
            "participant_name": "Jane Doe",
            "program_name": "Welding Basics",
            "batch_name": "Spring 2025",
            "issuer": "Acme Training",
            "issue_date": date(2025, 3, 14),
            "expires_on": None,
            "total_assignments": 12,
            "average_score": 87.5,
        }
        values.update(overrides)
        signed = signer.sign({k: str(v) if isinstance(v, date) else v for k, v in values.items()})
        cert = Certificate(
            program_id=student[0],
            student_id=student[1],
            generation=next(generation),
            odoo_partner_id=7,
            verify_url=f"http://verify.example/c/{serial}",
            payload=signed.payload_bytes.decode("utf-8"),
            signature=signed.signature,
            key_id=signed.kid,
            pdf_path=f"{serial}.pdf",
            pdf_sha256="0" * 64,
            **values,
        )
        if pdf:
            (output_dir / cert.pdf_path).write_bytes(PDF_BYTES)
        with Session(engine, expire_on_commit=False) as session, session.begin():
            session.add(cert)
        return cert

    return add


@pytest.fixture
def update_cert(engine: Engine) -> Callable[..., None]:
    def update(cert: Certificate, **values: Any) -> None:
        with Session(engine) as session, session.begin():
            row = session.get(Certificate, cert.id)
            assert row is not None
            for key, value in values.items():
                setattr(row, key, value)

    return update


@pytest.fixture
def make_app(store_url: str, output_dir: Path, signing_key: Path, engine: Engine) -> MakeApp:
    def make(**overrides: Any) -> Flask:
        values: dict[str, Any] = {
            "store_url": store_url,
            "output_dir": output_dir,
            "signing_key": signing_key,
            "rate_limit_per_minute": 1000,
            "clock": lambda: TODAY,
        }
        values.update(overrides)
        return create_app(**values)

    return make


@pytest.fixture
def app(make_app: MakeApp) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


class Ticks:
    """A monotonic clock the test moves by hand, for /healthz's one-second cache."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def health_clock(app: Flask) -> Ticks:
    """Put the app's /healthz cache on a `Ticks` clock and return it."""
    ticks = Ticks()
    app.extensions["verify_site"].health.clock = ticks
    return ticks


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How many fuzz cases ran (tests/verify_site/test_fuzz.py records them), also under xdist:
    `user_properties` travel from the workers with each report."""
    counts: dict[str, int] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "fuzz_cases" and getattr(report, "when", "") == "call":
                    counts[report.nodeid] = int(value)
    if counts:
        terminalreporter.write_sep("-", f"verify site fuzz: {sum(counts.values())} cases")
        for nodeid, count in sorted(counts.items()):
            terminalreporter.write_line(f"{count:7d}  {nodeid}")


def drop_site_connections(engine: Engine) -> None:
    """What a PostgreSQL restart does to the site's pooled connections (they are not
    pre-pinged): every other backend of the database is terminated."""
    with engine.connect() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    assert killed is not None and killed >= 1


LOOP = "site loop"  # the name of the thread `serving` runs waitress's loop on


@contextmanager
def serving(app: Flask, config: Config) -> Iterator[int]:
    """`app` under waitress as `serve` binds and runs it, in a thread, on a free port of
    127.0.0.1."""
    from sidecar import quickserve
    from verify_site.serve import make_server

    server = make_server(app, config, host="127.0.0.1", port=0)
    thread = threading.Thread(target=quickserve.loop, args=(server,), name=LOOP, daemon=True)
    thread.start()
    try:
        yield int(server.effective_port)
    finally:
        server.close()
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()
        app.extensions["verify_site"].register.close()
