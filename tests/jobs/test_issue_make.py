"""`make_certificate` on its own: the file is on disk before it returns (so before the caller
commits), a failed write or flush leaves nothing committed, and the certificate row and its
outbox rows go in one flush with the rows `outbox.enqueue` would have made one by one."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

import jobs.issue.make as make
from jobs.issue.make import Issuing, delivery_writes, make_certificate
from sidecar import outbox
from sidecar.certificates.signing import Signer, generate_key
from sidecar.config import Config, load_config
from sidecar.store.engine import make_engine, make_sessionmaker
from sidecar.store.migrate import upgrade
from sidecar.store.models import Batch, Certificate, OutboxMessage, Program, Student
from tests.stores import migrated_sqlite

CONFIG = """\
odoo: {{url: "http://127.0.0.1:9", database: none, username: u, password: p}}
store: {{url: "{store}"}}
programs:
  - key: forklift
    name: Forklift Operator
    courses: [{{course: Warehouse Safety Basics}}]
certificates:
  output_dir: {tmp}/certificates
  signing_key: {tmp}/keys/signing.key
  issuer: {{name: Test Training}}
  verify_base_url: https://verify.example.org
"""
ROW_COLUMNS = ("key", "subject", "model", "method", "args", "lookup", "depends_on", "summary")


@dataclass
class World:
    cfg: Config
    sessions: sessionmaker[Session]
    issuing: Issuing
    student_id: int
    program_id: int
    batch_id: int


@pytest.fixture
def world(tmp_path: Path, db_url: str) -> Iterator[World]:
    (tmp_path / "config.yaml").write_text(CONFIG.format(store=db_url, tmp=tmp_path))
    cfg = load_config(tmp_path / "config.yaml")
    generate_key(cfg.certificates.signing_key)
    engine = make_engine(migrated_sqlite(db_url))
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        program = Program(key="forklift", name="Forklift Operator")
        session.add(program)
        session.flush()
        batch = Batch(program_id=program.id, key="spring", name="Spring cohort")
        session.add(batch)
        session.flush()
        student = Student(
            program_id=program.id,
            odoo_partner_id=7,
            odoo_applicant_id=9,
            batch_id=batch.id,
            name="Maria José",
            email="maria@example.com",
        )
        session.add(student)
        session.commit()
        ids = student.id, program.id, batch.id
    signer = Signer.load(cfg.certificates.signing_key)
    yield World(cfg, sessions, Issuing(cfg, signer, "Test Training", date(2025, 5, 1)), *ids)
    engine.dispose()


def _make(world: World, session: Session, generation: int = 0) -> Certificate:
    student = session.get(Student, world.student_id)
    program = session.get(Program, world.program_id)
    batch = session.get(Batch, world.batch_id)
    assert student is not None and program is not None
    return make_certificate(
        session, world.issuing, student, program, batch, generation=generation, now=_now()
    )


def _now() -> datetime:
    return datetime(2025, 5, 1, 12, tzinfo=UTC)


def _count(world: World, model: type[Any]) -> int:
    with world.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_file_is_on_disk_when_it_returns_and_one_flush_holds_the_rows(world: World) -> None:
    with world.sessions() as session:
        flushes: list[int] = []
        event.listen(session, "after_flush", lambda s, _ctx: flushes.append(len(s.new)))
        cert = _make(world, session)
        path = world.cfg.certificates.output_dir / cert.pdf_path
        # Before the commit: the file is there, whole, readable by the service's user only.
        assert hashlib.sha256(path.read_bytes()).hexdigest() == cert.pdf_sha256
        assert path.stat().st_mode & 0o777 == 0o600
        assert len(flushes) == 1 and cert.id is not None
        session.commit()
    with world.sessions() as session:
        keys = list(session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.id)))
    base = f"cert:{cert.serial}"
    assert keys == [
        f"{base}:attach:partner",
        f"{base}:message:partner",
        f"{base}:attach:applicant",
        f"{base}:note:applicant",
    ]


def test_the_outbox_rows_are_those_enqueue_makes_one_by_one(world: World) -> None:
    with world.sessions() as session:
        cert = _make(world, session)
        session.commit()
        batched = _rows(session)
        fields = make.certificate_fields(
            world.cfg, "Test Training", world.issuing.today, *_owners(world, session), cert.serial
        )
        writes = delivery_writes(cert, fields)
        session.execute(OutboxMessage.__table__.delete())
        for write in writes:
            outbox.enqueue(session, write)
        assert _rows(session) == batched


def _owners(world: World, session: Session) -> tuple[Student, Program, Batch]:
    student = session.get(Student, world.student_id)
    program = session.get(Program, world.program_id)
    batch = session.get(Batch, world.batch_id)
    assert student is not None and program is not None and batch is not None
    return student, program, batch


def _rows(session: Session) -> list[tuple[Any, ...]]:
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [(*(getattr(r, c) for c in ROW_COLUMNS), r.state, r.attempts) for r in rows]


def test_enqueue_all_adopts_queued_keys_and_repeats_like_enqueue(world: World) -> None:
    with world.sessions() as session:
        cert = _make(world, session)
        session.commit()
        fields = make.certificate_fields(
            world.cfg, "Test Training", world.issuing.today, *_owners(world, session), cert.serial
        )
        first, second, *_ = delivery_writes(cert, fields)
        queued = outbox.row_of(session, first.key)
        assert queued is not None
        queued.state = outbox.CANCELLED  # adopted whatever its state, as `enqueue` does
        fresh = outbox.Write(key="x:new", model="res.partner", method="write", ids=[7])
        rows = outbox.enqueue_all(session, [first, fresh, second, fresh])
        assert rows[0] is queued and rows[1] is rows[3] and rows[1].key == "x:new"
        assert rows[2] is outbox.row_of(session, second.key)
        session.commit()
    assert _count(world, OutboxMessage) == 5


def test_a_failed_write_raises_and_nothing_is_committed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path, data: bytes, mode: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(make, "write_atomic", refuse)
    with world.sessions() as session, pytest.raises(OSError, match="No space"):
        _make(world, session)
    assert _count(world, Certificate) == 0 and _count(world, OutboxMessage) == 0


def test_a_second_certificate_is_refused_after_its_file_is_written(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world.sessions() as session:
        _make(world, session)
        session.commit()
    written: list[Path] = []
    real = make._write_file

    def track(path: Path, data: bytes) -> None:
        real(path, data)
        written.append(path)

    monkeypatch.setattr(make, "_write_file", track)  # what the writing thread runs
    with world.sessions() as session, pytest.raises(IntegrityError):
        _make(world, session)  # the same student, batch and generation
    # The flush refused it, and make_certificate waited for the file before raising: on disk
    # and harmless, as no row points at it.
    assert len(written) == 1 and written[0].exists()
    assert _count(world, Certificate) == 1 and _count(world, OutboxMessage) == 4


def test_enqueue_new_refuses_a_key_queued_before_at_the_flush(world: World) -> None:
    write = outbox.Write(key="x:once", model="res.partner", method="write", ids=[7])
    with world.sessions() as session:
        (row,) = outbox.enqueue_new(session, [write])
        assert row.id is not None and row.key == "x:once"
        session.commit()
    with world.sessions() as session, pytest.raises(IntegrityError):
        outbox.enqueue_new(session, [write])
    assert _count(world, OutboxMessage) == 1


def test_a_cycle_reads_the_status_list_once_and_never_draws_a_taken_place(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jobs.issue.status_indexes import StatusIndexes
    from sidecar.certificates import statuslist

    with world.sessions() as session:
        held = _make(world, session)
        session.commit()
    # The draws come out as: the place already held, then 5 twice, then 6.
    draws = iter([held.status_index, 5, 5, 6])
    monkeypatch.setattr(statuslist.secrets, "randbelow", lambda _n: next(draws))
    indexes, reads = StatusIndexes(), []
    with world.sessions() as session:
        event.listen(
            session.get_bind(),
            "before_cursor_execute",
            lambda *a: reads.append(a[2]) if "status_index" in a[2] else None,
        )
        assert [indexes.draw(session), indexes.draw(session)] == [5, 6]
    assert len(reads) == 1
