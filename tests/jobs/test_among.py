"""`among(column, ids)`: the IN filter every page of the sync runs, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.dialects import postgresql

from sidecar.store.engine import make_engine
from sidecar.store.migrate import upgrade
from sidecar.store.models import LessonProgress
from sidecar.store.sql import among


def test_on_sqlite_the_executed_text_does_not_depend_on_the_ids(tmp_path: Path) -> None:
    # sqlite3 keeps prepared statements by their text: a text per page kept every page's IN
    # list alive, and the sync's memory grew with rows.
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    texts: set[str] = set()
    event.listen(engine, "before_cursor_execute", lambda *a: texts.add(a[2]))
    with engine.connect() as connection:
        for ids in ([1], [3, 1, 2], list(range(5000))):
            connection.execute(
                select(LessonProgress.odoo_id).where(among(LessonProgress.odoo_id, ids))
            ).all()
    assert len(texts) == 1, texts
    engine.dispose()


def test_on_postgresql_the_ids_are_inline_not_one_parameter_each() -> None:
    stmt = select(LessonProgress.odoo_id).where(among(LessonProgress.odoo_id, [7, 3, 9]))
    compiled = stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    assert "IN (3, 7, 9)" in str(compiled)


@pytest.mark.parametrize("ids", [[], [5], [2, 9, 9, 4], list(range(1, 3001, 3))])
def test_it_selects_exactly_the_rows_with_those_ids(db_url: str, ids: list[int]) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    now = datetime.now(UTC)
    rows = [
        {
            "odoo_id": i,
            "write_date": "2026-01-01 00:00:00",
            "slide_id": 1,
            "channel_id": 1,
            "partner_id": i,
            "synced_at": now,
        }
        for i in range(1, 3001)
    ]
    with engine.begin() as connection:
        connection.execute(insert(LessonProgress), rows)
        found = connection.scalars(
            select(LessonProgress.odoo_id).where(among(LessonProgress.odoo_id, ids))
        ).all()
    assert sorted(found) == sorted(set(ids))
    engine.dispose()
