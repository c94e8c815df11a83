"""SQL the store's callers share, written per dialect where the dialects differ."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    false,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import NullType


def among(column: Any, ids: Collection[int]) -> ColumnElement[bool]:
    """`column IN ids` for a batch of integer ids (a page, a batch of partners).

    PostgreSQL gets the ids inline (they are ints) rather than one bound parameter each, which
    spares SQLAlchemy, the driver and the server's bind casts hundreds of parameters. SQLite
    gets them as one JSON parameter read by `json_each`: inline ids would make every statement
    text unique, and Python's sqlite3 keeps up to 128 prepared statements per connection, each
    holding its whole compiled IN list — the sync's memory grew with every page
    (docs/benchmarks.md). The redundant range tells a planner without statistics yet (a store
    just filled by a first sync) that the filter is selective, so that it takes the index."""
    values = sorted({int(i) for i in ids})
    if not values:
        return false()
    return and_(column.between(values[0], values[-1]), _IdsIn(column, values))


class _IdsIn(ColumnElement[bool]):
    """`column IN (ids)`, written per dialect (see `among`)."""

    type: Any = NullType()  # Boolean would make SQLite compare the IN with "= 1"
    # The ids are part of the SQL on PostgreSQL: a cached statement must not be reused.
    inherit_cache = False

    def __init__(self, column: Any, values: list[int]) -> None:
        self.column = column
        self.values = values


@compiles(_IdsIn)
def _ids_inline(element: _IdsIn, compiler: Any, **kw: Any) -> str:
    listed: Any = bindparam(
        "ids", element.values, expanding=True, literal_execute=True, unique=True
    )
    return str(compiler.process(element.column.in_(listed), **kw))


@compiles(_IdsIn, "sqlite")
def _ids_json(element: _IdsIn, compiler: Any, **kw: Any) -> str:
    ids: Any = bindparam("ids_json", json.dumps(element.values), unique=True)
    values: Any = select(literal_column("value")).select_from(func.json_each(ids))
    return str(compiler.process(element.column.in_(values.scalar_subquery()), **kw))


def insert_new(session: Session, table: Table) -> Insert:
    """`INSERT … ON CONFLICT DO NOTHING`: rows that a concurrent writer made first are left as
    they are instead of failing the statement (two replicas making a lease's row; the sync and
    an enrollment, under different leases, making one student). Read the rows back after."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    return insert(table)  # pragma: no cover - SQLite and PostgreSQL only
