"""A page of trainees written straight to JSON (`fastjson`, over the driver's own rows) is, byte
for byte, what the answer's pydantic model writes over the rows SQLAlchemy converts: for the
store's rows on SQLite and PostgreSQL, and for any row the columns can hold."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from sidecar.cockpit.api import fastjson, people
from sidecar.cockpit.api import models as out
from sidecar.statuses import StudentStatus
from sidecar.store.engine import make_engine
from sidecar.store.migrate import upgrade
from sidecar.store.models import Program, Student


def by_the_model(rows: list[Any], next_cursor: str | None) -> bytes:
    data = [out.Trainee(**dict(zip(fastjson.TRAINEE_FIELDS, row, strict=True))) for row in rows]
    return out.TraineePage(data=data, next_cursor=next_cursor).model_dump_json().encode()


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    engine = make_engine(db_url)
    upgrade(engine)
    with Session(engine) as opened:
        yield opened
    engine.dispose()


def test_the_stores_rows_read_the_same_both_ways(session: Session) -> None:
    program = Program(key="welding", name="Welding", active=True)
    session.add(program)
    session.flush()
    stamp = datetime(2026, 4, 2, 12, 10, 24, 923888, tzinfo=UTC)
    for i, (pct, done) in enumerate([(0.0, None), (50, None), (100.0, stamp), (33.3333333, None)]):
        session.add(
            Student(
                program_id=program.id,
                odoo_partner_id=100 + i,
                name=f"Trainee {i} — Łódź 学生",
                email=None if i == 1 else f"t{i}@example.com",
                overall_pct=pct,
                elearning_pct=pct,
                attendance_pct=None if i % 2 else pct,
                complete=done is not None,
                integration_status=StudentStatus.COMPLETED if done else StudentStatus.ENROLLED,
                completed_at=done,
                updated_at=stamp.replace(microsecond=0) if i == 3 else stamp,
            )
        )
    session.commit()
    values = {"after": 0, "n": 10}
    statement = people._listing(False, False)
    converted = [tuple(r[1:]) for r in session.connection().execute(statement, values)]
    raw = [tuple(r[1:]) for r in people.listing(session, None, 0, 10, None)]
    assert len(raw) == 4
    assert fastjson.trainee_page(raw, "abc") == by_the_model(converted, "abc")
    assert fastjson.trainee_page([], None) == by_the_model([], None)
    # Each value sits under its own name (both sides above read the same columns).
    third = json.loads(fastjson.trainee_page(raw, None))["data"][2]
    assert third == {
        "partner_id": 102,
        "name": "Trainee 2 — Łódź 学生",
        "email": "t2@example.com",
        "program": "welding",
        "batch": None,
        "status": "completed",
        "overall_pct": 100.0,
        "elearning_pct": 100.0,
        "attendance_pct": 100.0,
        "average_score": None,
        "assignment_average": None,
        "complete": True,
        "completed_at": "2026-04-02T12:10:24.923888Z",
        "certified_at": None,
        "updated_at": "2026-04-02T12:10:24.923888Z",
    }


def test_the_fields_are_the_answers_in_its_order() -> None:
    assert tuple(out.Trainee.model_fields) == fastjson.TRAINEE_FIELDS


percents = st.floats(min_value=0, max_value=100, allow_nan=False) | st.integers(0, 100)
stamps = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
rows = st.tuples(
    st.integers(1, 2**62),
    st.text(max_size=40),
    st.none() | st.emails(),
    st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
    st.none() | st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
    st.sampled_from([s.value for s in StudentStatus]),
    percents,
    percents,
    st.none() | percents,
    st.none() | percents,
    st.none() | percents,
    st.booleans() | st.integers(0, 1),
    st.none() | stamps,
    st.none() | stamps,
    stamps,
)


def as_sqlite_returns(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The row as SQLite's driver gives it: timestamps as the stored text, in UTC."""
    return tuple(
        v.replace(tzinfo=None).isoformat(" ", "microseconds") if isinstance(v, datetime) else v
        for v in row
    )


@given(st.lists(rows, max_size=5), st.none() | st.text(max_size=10), st.booleans())
def test_any_rows_read_the_same_both_ways(
    found: list[tuple[Any, ...]], cursor: str | None, from_sqlite: bool
) -> None:
    raw = [as_sqlite_returns(r) for r in found] if from_sqlite else found
    assert fastjson.trainee_page(raw, cursor) == by_the_model(found, cursor)
