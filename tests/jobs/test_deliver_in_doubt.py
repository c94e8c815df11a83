"""A write Odoo applies after the sidecar stopped waiting for it is adopted, never sent twice:
while the first attempt may still be running inside Odoo (`odoo.longest_request_seconds`), a
lookup that finds nothing does not lead to a second send."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors import OdooClient
from jobs.context import JobContext
from jobs.deliver import deliver
from sidecar.config import Config
from sidecar.emulator import FaultRule, OdooEmulator
from sidecar.outbox import DELIVERED, PENDING
from sidecar.store.bootstrap import Store
from sidecar.store.models import OutboxMessage, utcnow
from tests.jobs.enrolling import client_for
from tests.jobs.syncing import write_config

HOLD = 1.5  # seconds Odoo takes to apply the create
EMAIL = "late@example.com"


@pytest.fixture
def cfg(tmp_path: Path, emu: OdooEmulator) -> Config:
    loaded = write_config(tmp_path, emu, f"sqlite:///{tmp_path / 'store.db'}")
    odoo = loaded.odoo.model_copy(update={"longest_request_seconds": HOLD + 1.5})
    return loaded.model_copy(update={"odoo": odoo})


@pytest.fixture
def impatient(emu: OdooEmulator) -> OdooClient:
    return client_for(emu, timeout_seconds=0.5)


def creates(emu: OdooEmulator) -> int:
    return sum(1 for c in emu.calls if c.model == "res.partner" and c.model_method == "create")


def due_now(store: Store) -> None:
    with store.sessions() as session, session.begin():
        for row in session.scalars(select(OutboxMessage)):
            row.next_attempt_at = utcnow()


def test_a_write_applied_after_the_timeout_is_adopted_not_sent_again(
    cfg: Config, store: Store, impatient: OdooClient, emu: OdooEmulator, tmp_path: Path
) -> None:
    with store.sessions() as session, session.begin():
        session.add(
            OutboxMessage(
                key="late/create",
                model="res.partner",
                method="create",
                args={"ids": None, "params": {"vals_list": [{"name": "Late", "email": EMAIL}]}},
                lookup={"model": "res.partner", "domain": [["email", "=", EMAIL]]},
                summary="a contact Odoo is slow to make",
                state=PENDING,
            )
        )
    emu.faults.add(
        FaultRule("latency", model="res.partner", method="create", seconds=HOLD, times=1)
    )
    ctx = JobContext(cfg, store.sessions, impatient, files_root=tmp_path)
    sent = time.monotonic()

    assert deliver(ctx).retrying == 1  # the answer did not come in time
    due_now(store)  # as a retry would be, were the backoff shorter than Odoo's slowness
    assert deliver(ctx).retrying == 1  # not found yet, and still in doubt: not sent again
    assert creates(emu) == 1
    with store.sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert row.state == PENDING and row.in_doubt_until is not None
        assert row.next_attempt_at == row.in_doubt_until
        assert row.in_doubt_until - row.last_attempt_at == timedelta(seconds=HOLD + 1.5)

    time.sleep(max(0.0, sent + HOLD + 0.3 - time.monotonic()))  # Odoo has applied it now
    due_now(store)
    report = deliver(ctx)
    assert (report.adopted, report.delivered) == (1, 0)
    assert creates(emu) == 1
    assert len(emu.env.search("res.partner", [("email", "=", EMAIL)])) == 1
    with store.sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert row.state == DELIVERED and row.in_doubt_until is None


def test_a_write_refused_before_it_was_applied_is_sent_again_at_once(
    cfg: Config, store: Store, impatient: OdooClient, emu: OdooEmulator, tmp_path: Path
) -> None:
    """A 503 means Odoo applied nothing: no doubt, no wait beyond the backoff."""
    with store.sessions() as session, session.begin():
        session.add(
            OutboxMessage(
                key="refused/create",
                model="res.partner",
                method="create",
                args={"ids": None, "params": {"vals_list": [{"name": "Once", "email": EMAIL}]}},
                lookup={"model": "res.partner", "domain": [["email", "=", EMAIL]]},
                summary="a contact",
                state=PENDING,
            )
        )
    emu.faults.add(FaultRule("http_status", model="res.partner", method="create", status=503))
    ctx = JobContext(cfg, store.sessions, impatient, files_root=tmp_path)
    assert deliver(ctx).retrying == 1
    with store.sessions() as session:
        assert session.scalars(select(OutboxMessage)).one().in_doubt_until is None
    emu.faults.clear()
    due_now(store)
    assert deliver(ctx).delivered == 1
    assert len(emu.env.search("res.partner", [("email", "=", EMAIL)])) == 1
