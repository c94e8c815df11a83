"""The loader's INSERT of a page's new rows stores what SQLAlchemy's own executemany stores."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, create_engine, insert, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from jobs.sync.loader import insert_many
from sidecar.store.models import LessonProgress
from sidecar.store.models.base import Base


def _rows(now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "odoo_id": i,
            "slide_id": 10 + i % 3,
            "channel_id": 2,
            "partner_id": 100 + i,
            "completed": i % 2 == 0,
            "quiz_attempts_count": i % 4,
            "write_date": f"2024-05-0{1 + i % 9} 10:00:0{i % 10}",
            "synced_at": now,
        }
        for i in range(1, 40)
    ]


def _stored(path: Path, fill: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(f"sqlite:///{path}")
    core: Table = LessonProgress.__table__  # type: ignore[assignment]
    Base.metadata.create_all(engine, tables=[core])
    with Session(engine) as session, session.begin():
        fill(session, core)
    with engine.connect() as conn:
        query = "SELECT *, typeof(completed), typeof(synced_at) FROM lesson_progress ORDER BY 1"
        return [tuple(row) for row in conn.execute(text(query))]


def test_insert_many_stores_what_sqlalchemy_stores(tmp_path: Path) -> None:
    now = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    ours = _stored(tmp_path / "a.db", lambda s, core: insert_many(s, core, _rows(now)))
    theirs = _stored(tmp_path / "b.db", lambda s, core: s.execute(insert(core), _rows(now)))
    assert ours == theirs
    assert len(ours) == 39


def test_rows_of_other_keys_are_refused_as_sqlalchemy_refuses_them(tmp_path: Path) -> None:
    rows = _rows(datetime(2024, 5, 6, tzinfo=UTC))
    del rows[-1]["quiz_attempts_count"]
    with pytest.raises(StatementError, match="quiz_attempts_count"):
        _stored(tmp_path / "a.db", lambda s, core: insert_many(s, core, rows))


def test_a_naive_datetime_is_refused_as_sqlalchemy_refuses_it(tmp_path: Path) -> None:
    rows = _rows(datetime(2024, 5, 6))
    with pytest.raises(StatementError, match="naive datetime"):
        _stored(tmp_path / "a.db", lambda s, core: insert_many(s, core, rows))
