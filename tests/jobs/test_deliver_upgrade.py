"""A write queued by an older sidecar (positional `args`/`kwargs`) is delivered after an upgrade,
once, exactly as it was meant; one the table cannot name fails plainly."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from connectors import OdooClient
from jobs.context import JobContext
from jobs.deliver import deliver
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.outbox import DELIVERED, FAILED, PENDING
from sidecar.store.bootstrap import Store
from sidecar.store.models import OutboxMessage
from tests.jobs.syncing import write_config


@pytest.fixture
def cfg(tmp_path: Path, emu: OdooEmulator) -> Config:
    return write_config(tmp_path, emu, f"sqlite:///{tmp_path / 'store.db'}")


def _queue(store: Store, key: str, model: str, method: str, args: object, **extra: object) -> None:
    with store.sessions() as session, session.begin():
        session.add(
            OutboxMessage(
                key=key,
                model=model,
                method=method,
                args={"args": args, "kwargs": extra},
                lookup={"model": "res.partner", "domain": [["email", "=", "old@example.com"]]},
                summary=f"{model}.{method} queued by 0.1",
                state=PENDING,
            )
        )


def test_a_positional_row_from_before_the_upgrade_is_delivered_once(
    cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator, tmp_path: Path
) -> None:
    _queue(
        store, "old/create", "res.partner", "create", [{"name": "Old", "email": "old@example.com"}]
    )
    _queue(store, "old/write", "res.partner", "write", [[3], {"comment": "from 0.1"}])
    for _ in range(2):
        report = deliver(JobContext(cfg, store.sessions, odoo, files_root=tmp_path))
        assert report.failed == 0
    with store.sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.key)).all()
        assert [r.state for r in rows] == [DELIVERED, DELIVERED]
    made = emu.env.search("res.partner", [("email", "=", "old@example.com")])
    assert len(made) == 1
    assert odoo.read("res.partner", [3], ["comment"])[0]["comment"] == "from 0.1"


def test_a_positional_row_the_table_cannot_name_fails_with_a_reason(
    cfg: Config, store: Store, odoo: OdooClient, tmp_path: Path
) -> None:
    _queue(store, "old/odd", "res.partner", "write", [[3], {"comment": "x"}, "surplus"])
    report = deliver(JobContext(cfg, store.sessions, odoo, files_root=tmp_path))
    assert report.failed == 1
    with store.sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert row.state == FAILED
        assert "older ojt-sidecar" in (row.last_error or "")
