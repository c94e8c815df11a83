"""Migration 0013: certificates gain `status_index` (unique) and `credential`, and the signed
status lists get their table; a certificate issued before keeps its row, with neither; and the
step down removes them again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, MetaData, insert, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from sidecar.store.engine import make_engine
from sidecar.store.migrate import _config, current_revision, head_revision, upgrade


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _value(column: Any, n: int) -> Any:
    if isinstance(column.type, Boolean):
        return False
    if isinstance(column.type, Integer | Float):
        return n
    if isinstance(column.type, DateTime):
        return datetime(2025, 1, 1, tzinfo=UTC)
    if isinstance(column.type, Date):
        return date(2025, 1, 1)
    return f"v{n}"


def _insert(engine: Engine, table_name: str, **given: Any) -> int:
    """A row with `given` and a made-up value for every other required column."""
    table = MetaData()
    table.reflect(engine, only=[table_name])
    target = table.tables[table_name]
    values = dict(given)
    for n, column in enumerate(target.columns):
        if column.name in values or column.primary_key or column.nullable:
            continue
        values[column.name] = _value(column, n + len(given) * 100)
    with engine.begin() as connection:
        key = connection.execute(insert(target).values(values)).inserted_primary_key
        assert key is not None
        return int(key[0])


def _columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("certificates")}


def test_0013_adds_the_columns_and_keeps_older_certificates(engine: Engine) -> None:
    upgrade(engine, "0012")
    assert {"status_index", "credential"}.isdisjoint(_columns(engine))
    program = _insert(engine, "programs")
    student = _insert(engine, "students", program_id=program)
    _insert(engine, "certificates", program_id=program, student_id=student, serial="OLD")
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert {"status_index", "credential"} <= _columns(engine)
    certificates = MetaData()
    certificates.reflect(engine, only=["certificates"])
    table = certificates.tables["certificates"]
    with engine.connect() as connection:
        row = connection.execute(select(table).where(table.c.serial == "OLD")).one()
    assert row.status_index is None and row.credential is None
    # one bit per certificate; certificates without one (NULL) do not collide
    _insert(
        engine,
        "certificates",
        program_id=program,
        student_id=student,
        serial="A",
        generation=1,
        status_index=5,
    )
    _insert(
        engine, "certificates", program_id=program, student_id=student, serial="B", generation=2
    )
    with pytest.raises(IntegrityError):
        _insert(
            engine,
            "certificates",
            program_id=program,
            student_id=student,
            serial="C",
            generation=3,
            status_index=5,
        )


def test_0013_steps_down(engine: Engine) -> None:
    upgrade(engine)
    cfg = _config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0012")
    assert current_revision(engine) == "0012"
    assert {"status_index", "credential"}.isdisjoint(_columns(engine))
    assert "status_lists" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert {"status_index", "credential"} <= _columns(engine)
    assert "status_lists" in inspect(engine).get_table_names()


def test_0014_and_0015_give_older_certificates_a_holder_token_and_no_language(
    engine: Engine,
) -> None:
    upgrade(engine, "0013")
    program = _insert(engine, "programs")
    student = _insert(engine, "students", program_id=program)
    for n, serial in enumerate(("OLD1", "OLD2")):
        _insert(
            engine,
            "certificates",
            program_id=program,
            student_id=student,
            serial=serial,
            generation=n,
        )
    upgrade(engine)
    assert {"lang", "holder_token", "hidden_at"} <= _columns(engine)
    certificates = MetaData()
    certificates.reflect(engine, only=["certificates"])
    table = certificates.tables["certificates"]
    with engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c.serial)).all()
    # each its own random token, so each holder can choose; shown, in the default language
    tokens = [row.holder_token for row in rows]
    assert all(len(token) == 32 for token in tokens) and len(set(tokens)) == 2
    assert [(row.lang, row.hidden_at) for row in rows] == [(None, None), (None, None)]
    cfg = _config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0013")
    assert {"lang", "holder_token", "hidden_at"}.isdisjoint(_columns(engine))
