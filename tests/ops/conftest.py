"""A config and a migrated store (SQLite, and PostgreSQL when configured) for the ops tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from sidecar.config import Config, load_config
from sidecar.store.engine import make_engine, make_sessionmaker
from sidecar.store.migrate import upgrade
from sidecar.store.models import JobRun
from tests.config.samples import MINIMAL

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)

SCHEDULES = {
    "enroll": {"every": "5m"},
    "sync": {"every": "5m"},
    "issue": {"every": "15m"},
    "notify": {"every": "15m"},
    "deliver": {"every": "1m"},
    "reconcile": {"cron": "0 3 * * *"},
}


def write_config(tmp_path: Path, store_url: str, **sections: Any) -> Path:
    data = {
        **MINIMAL,
        "store": {"url": store_url},
        "schedules": SCHEDULES,
        "service": {"unhealthy_after_intervals": 3},
        **sections,
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def config_path(tmp_path: Path, db_url: str) -> Path:
    return write_config(tmp_path, db_url)


@pytest.fixture
def cfg(config_path: Path) -> Config:
    return load_config(config_path)


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    upgrade(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def add_run(
    sessions: sessionmaker[Session],
    job: str,
    *,
    ago: timedelta,
    status: str = "ok",
    seconds: float = 2.0,
    error: str | None = None,
) -> None:
    """A finished run of `job` that started `ago` before NOW."""
    started = NOW - ago
    with sessions() as session, session.begin():
        session.add(
            JobRun(
                job=job,
                holder="test:1:abc",
                started_at=started,
                finished_at=started + timedelta(seconds=seconds),
                status=status,
                error=error,
                duration_seconds=seconds,
            )
        )
