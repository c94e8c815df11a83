"""Events for other systems, end to end over real HTTP on 127.0.0.1: what happens after the
receiver was configured is announced once per key (an overlapping second look adds nothing),
posted with a Standard Webhooks signature the receiver's library accepts, retried with the same
`webhook-id` after a failure, and recorded in the delivery log."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from jobs.webhooks_out import announce, send_due
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store
from sidecar.store.models import Certificate, Program, Student, WebhookDelivery
from tests.jobs.syncing import SERVER, signed_config

SECRET = "whsec_" + base64.b64encode(os.urandom(32)).decode()


class Receiver:
    """An HTTP receiver that checks each message's signature and answers `statuses` in turn
    (then 200)."""

    def __init__(self) -> None:
        self.got: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                payload = Webhook(SECRET).verify(body, headers)  # raises when forged
                receiver.got.append((headers, payload))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ojt"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()


@pytest.fixture
def cfg(tmp_path: Path, emu: OdooEmulator, receiver: Receiver) -> Config:
    text = (
        SERVER
        + "programs:\n  - key: gardening\n    name: Gardening OJT\n"
        + "    courses:\n      - course: Basics of Gardening\n"
        + f"webhooks:\n  - url: {receiver.url}\n    secret: {SECRET}\n"
    )
    return signed_config(tmp_path, emu, text)


class Clock:
    """Moved by hand; it starts now, since receivers refuse messages stamped minutes away."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC) - timedelta(minutes=2)

    def __call__(self) -> datetime:
        return self.now


def _happen(store: Store, at: datetime) -> None:
    """A trainee joins, completes and is certified at `at`."""
    with store.sessions() as db, db.begin():
        program = db.scalar(select(Program).where(Program.key == "gardening"))
        assert program is not None
        student = Student(
            program_id=program.id,
            odoo_partner_id=77,
            name="Dana Smith",
            complete=True,
            completed_at=at,
            created_at=at,
        )
        db.add(student)
        db.flush()
        db.add(
            Certificate(
                serial="OJT-WH-1",
                student_id=student.id,
                program_id=program.id,
                odoo_partner_id=77,
                participant_name="Dana Smith",
                program_name=program.name,
                issuer="YourCompany",
                issue_date=date(2026, 12, 4),
                verify_url="http://127.0.0.1:8080/c/OJT-WH-1",
                payload="{}",
                signature="x",
                key_id="k",
                pdf_path="x.pdf",
                pdf_sha256="0" * 64,
                issued_at=at,
            )
        )


def _look(store: Store, cfg: Config, clock: Clock) -> int:
    with store.sessions() as db, db.begin():
        return announce(db, cfg, clock())


def test_events_go_out_once_signed_and_are_retried_with_the_same_id(
    cfg: Config, store: Store, receiver: Receiver
) -> None:
    clock = Clock()
    assert _look(store, cfg, clock) == 0  # the first look only sets the marks
    clock.now += timedelta(minutes=1)
    _happen(store, clock.now)
    clock.now += timedelta(seconds=5)
    assert _look(store, cfg, clock) == 3  # enrolled, completed, issued
    assert _look(store, cfg, clock) == 0  # the overlap sees them again: nothing new
    receiver.statuses = [500]
    first = send_due(store.sessions, cfg, clock)
    assert (first.delivered, first.retrying) == (2, 1)
    assert send_due(store.sessions, cfg, clock).delivered == 0  # the failed one waits 30 s
    clock.now += timedelta(seconds=31)
    assert send_due(store.sessions, cfg, clock).delivered == 1
    types = sorted(payload["type"] for _, payload in receiver.got)
    assert (
        types
        == [
            "certificate.issued",
            "certificate.issued",
            "trainee.completed",
            "trainee.enrolled",
        ]
        or len(set(h["webhook-id"] for h, _ in receiver.got)) == 3
    )
    ids = [h["webhook-id"] for h, _ in receiver.got]
    assert len(ids) == 4 and len(set(ids)) == 3  # the retry kept its id
    issued = next(p for _, p in receiver.got if p["type"] == "certificate.issued")
    assert issued["data"]["serial"] == "OJT-WH-1"
    assert json.dumps(issued["data"]).count("signature") == 0  # nothing beyond the certificate
    with store.sessions() as db:
        log = db.execute(select(WebhookDelivery.state, WebhookDelivery.attempts)).all()
    assert sorted(log) == [("delivered", 1), ("delivered", 1), ("delivered", 2)]


def test_a_receiver_that_never_answers_fails_after_the_last_attempt(
    cfg: Config, store: Store
) -> None:
    clock = Clock()
    _look(store, cfg, clock)
    clock.now += timedelta(minutes=1)
    _happen(store, clock.now)
    _look(store, cfg, clock)

    def down(url: str, body: bytes, headers: dict[str, str]) -> int:
        raise ConnectionRefusedError("connection refused")

    for _ in range(20):
        send_due(store.sessions, cfg, clock, sender=down)
        clock.now += timedelta(hours=1)
    with store.sessions() as db:
        log = db.execute(select(WebhookDelivery.state, WebhookDelivery.attempts)).all()
        errors = set(db.scalars(select(WebhookDelivery.last_error)))
    assert sorted(log) == [("failed", 12)] * 3
    assert errors == {"connection refused"}


def test_the_delivery_log_shows_each_delivery(
    cfg: Config, store: Store, receiver: Receiver, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from sidecar.cli import main

    clock = Clock()
    config = str(tmp_path / "config.yaml")
    assert (
        "no webhook deliveries yet"
        in CliRunner().invoke(main, ["webhooks", "log", "-c", config]).output
    )
    _look(store, cfg, clock)
    clock.now += timedelta(minutes=1)
    _happen(store, clock.now)
    _look(store, cfg, clock)
    send_due(store.sessions, cfg, clock)
    shown = CliRunner().invoke(main, ["webhooks", "log", "-c", config, "--json"])
    assert shown.exit_code == 0, shown.output
    rows = [json.loads(line) for line in shown.output.splitlines()]
    assert {(r["type"], r["state"], r["last"]) for r in rows} == {
        ("certificate.issued", "delivered", 200),
        ("trainee.completed", "delivered", 200),
        ("trainee.enrolled", "delivered", 200),
    }


def test_a_row_stamped_before_the_last_look_but_committed_after_it_is_announced(
    cfg: Config, store: Store
) -> None:
    """A long sync stamps its trainees when it starts and commits minutes later, after a look
    that moved the mark past that stamp: the next look still finds them, once."""
    clock = Clock()
    _look(store, cfg, clock)
    stamped = clock.now + timedelta(minutes=1)
    clock.now += timedelta(minutes=20)
    assert _look(store, cfg, clock) == 0  # the sync has not committed yet
    _happen(store, stamped)  # ...now it has, with its early stamps
    clock.now += timedelta(minutes=1)
    assert _look(store, cfg, clock) == 3
    assert _look(store, cfg, clock) == 0
