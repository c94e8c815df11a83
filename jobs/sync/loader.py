"""Land one page of Odoo rows in its mirror table: insert, update or leave alone.

Comparing before writing is what makes a re-run against an unchanged Odoo write nothing. Every
partner whose rows changed is queued for recompute in the same transaction.

A page costs a handful of statements whatever its size, with no ORM object per row: the rows
already stored are read as plain tuples (only the compared columns), new rows go in with one
executemany INSERT, changed rows with one executemany UPDATE by primary key, and the recompute
queue with one executemany INSERT … ON CONFLICT DO NOTHING.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from jobs.sync.streams import OddRow, Row, Stream
from sidecar.store.models import (
    CourseMembership,
    utcnow,
)
from sidecar.store.queue import program_partners, programs_of_channels, queue_partners
from sidecar.store.sql import among

log = logging.getLogger("ojt_sidecar.sync")

# Mirror columns the loader never compares: the key, and our own bookkeeping.
_NOT_COMPARED = frozenset({"odoo_id", "removed_at", "synced_at"})


@dataclass
class Counts:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: int = 0  # rows Odoo gave with a required link empty
    partners: set[int] = field(default_factory=set)
    channels: set[int] = field(default_factory=set)

    def add(self, other: Counts) -> None:
        self.read += other.read
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.removed += other.removed
        self.skipped += other.skipped
        # Not the partners and channels: they are queued with their page (`queue_affected`),
        # and keeping them for a whole pass held ints made by the XML-RPC parser in arenas that
        # could then never be given back, so memory grew with rows.

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


def load_page(session: Session, stream: Stream, rows: Sequence[Row]) -> Counts:
    page = _Page(session, stream, rows)
    for row in rows:
        page.land(row)
    page.write()
    return page.counts


class _Page:
    """One page being landed: the stored rows it is compared with, and the inserts and updates
    it collects for one executemany each."""

    def __init__(self, session: Session, stream: Stream, rows: Sequence[Row]) -> None:
        self.session, self.stream = session, stream
        self.core: Table = stream.table.__table__
        self.counts = Counts(read=len(rows))
        self.sticky = issubclass(stream.table, CourseMembership)  # ever_completed stays True
        compared = [c for c in self.core.columns if c.name not in _NOT_COMPARED]
        self.names = [c.name for c in compared]
        self.position = {name: i + 2 for i, name in enumerate(self.names)}  # after id, removed
        # The session's pending changes first, so that the tuples read below are the truth.
        session.flush()
        ids = [int(row["id"]) for row in rows]
        self.existing: dict[int, Any] = {}
        if ids and _may_hold(session, self.core, min(ids)):
            stored = select(self.core.c.odoo_id, self.core.c.removed_at, *compared).where(
                among(self.core.c.odoo_id, ids)
            )
            self.existing = {r[0]: r for r in session.execute(stored)}
        self.now = utcnow()
        self.inserts: dict[int, dict[str, Any]] = {}
        self.updates: dict[int, dict[str, Any]] = {}

    def land(self, row: Row) -> None:
        try:
            columns = self.stream.to_columns(row)
        except OddRow as exc:
            log.warning("%s: %s %s; skipped", self.stream.name, self.stream.model, exc)
            self.counts.skipped += 1
            return
        odoo_id = int(row["id"])
        columns["write_date"] = str(row["write_date"])[:19]
        pending = self.inserts.get(odoo_id)
        if pending is not None:  # the same id twice in a page: the later read wins
            self._again(pending, columns)
            return
        old = self.existing.get(odoo_id)
        if old is None:
            self._insert(odoo_id, columns)
        else:
            self._update(odoo_id, old, columns)

    def _again(self, pending: dict[str, Any], columns: dict[str, Any]) -> None:
        if self.sticky and columns["member_status"] == "completed":
            columns["ever_completed"] = True
        if all(pending[k] == v for k, v in columns.items()):  # pending has more keys
            self.counts.unchanged += 1
            return
        touch(self.counts, self.stream, pending)
        pending.update(columns)
        self.counts.updated += 1
        touch(self.counts, self.stream, columns)

    def _insert(self, odoo_id: int, columns: dict[str, Any]) -> None:
        if self.sticky:
            columns["ever_completed"] = columns["member_status"] == "completed"
        columns["odoo_id"] = odoo_id
        columns["synced_at"] = self.now
        self.inserts[odoo_id] = columns
        self.counts.created += 1
        touch(self.counts, self.stream, columns)

    def _update(self, odoo_id: int, old: Any, columns: dict[str, Any]) -> None:
        position = self.position
        before = {name: old[position[name]] for name in columns}
        if self.sticky and columns["member_status"] == "completed":
            columns["ever_completed"] = True
        changed = any(old[position[k]] != v for k, v in columns.items())
        if not changed and old[1] is None:
            self.counts.unchanged += 1
            return
        # A changed row, or one that was gone and came back: write every compared column (the
        # same set for every row, so the page's updates are one executemany).
        values = {name: old[position[name]] for name in self.names}
        values.update(columns)
        values["b_odoo_id"] = odoo_id
        values["removed_at"] = None
        values["synced_at"] = self.now
        self.counts.updated += 1
        self.updates[odoo_id] = values
        self.existing[odoo_id] = (odoo_id, None, *(values[name] for name in self.names))
        touch(self.counts, self.stream, columns)
        touch(self.counts, self.stream, before)  # a row that moved to another partner: both

    def write(self) -> None:
        if self.inserts:
            insert_many(self.session, self.core, list(self.inserts.values()))
        if self.updates:
            self.session.execute(_update_by_id(self.core), list(self.updates.values()))
            _expire(self.session, self.stream.table, self.updates)
        queue_affected(self.session, self.counts)


def _may_hold(session: Session, core: Table, lowest: int) -> bool:
    """Whether the table may hold ids at or above `lowest`: a first pass, reading by id into an
    empty or shorter table, has nothing stored to compare its pages with (one look-up at the
    key's end rather than one for each id)."""
    top = session.scalar(select(func.max(core.c.odoo_id)))
    return top is not None and top >= lowest


def insert_many(session: Session, core: Table, rows: list[dict[str, Any]]) -> None:
    """`INSERT` of `rows` (all with the same keys), one executemany.

    On SQLite the parameters go to the driver as SQLAlchemy would send them, each column's bind
    processing done here once per distinct value object rather than once per row: a page shares
    one `synced_at` and two booleans, and SQLAlchemy's per-row processing cost as much as the
    insert itself. Elsewhere (PostgreSQL batches rows into multi-row statements) SQLAlchemy
    sends it."""
    conn = session.connection()
    dialect = conn.dialect
    keys = rows[0].keys()
    compiled = insert(core).compile(dialect=dialect, column_keys=list(keys))
    order = list(compiled.positiontup or ())
    plain = dialect.name == "sqlite" and len(order) > 1 and sorted(order) == sorted(keys)
    if not plain or any(row.keys() != keys for row in rows):
        session.execute(insert(core), rows)
        return
    try:
        params = _driver_params(core, dialect, order, rows)
    except Exception:  # a value a column refuses: SQLAlchemy says so, as it always has
        session.execute(insert(core), rows)
        return
    conn.exec_driver_sql(compiled.string, params)


def _driver_params(
    core: Table, dialect: Dialect, order: list[str], rows: list[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """Each row's values in the statement's order, bound as SQLAlchemy binds them."""
    values = operator.itemgetter(*order)
    binders = [
        (i, _Binder(process))
        for i, key in enumerate(order)
        if (process := core.c[key].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    params: list[tuple[Any, ...]] = []
    for row in rows:
        bound = values(row)
        if binders:
            listed = list(bound)
            for i, binder in binders:
                listed[i] = binder(listed[i])
            bound = tuple(listed)
        params.append(bound)
    return params


class _Binder:
    """A column's bind processing, once per distinct value object (processing is a function of
    the value alone)."""

    def __init__(self, process: Callable[[Any], Any]) -> None:
        self.process = process
        self.done: dict[int, tuple[Any, Any]] = {}  # id(value) -> (value, processed)

    def __call__(self, value: Any) -> Any:
        known = self.done.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        processed = self.process(value)
        self.done[id(value)] = (value, processed)
        return processed


def _update_by_id(core: Table) -> Any:
    """UPDATE … WHERE odoo_id = :b_odoo_id; SET takes the other keys of the parameter sets."""
    key: Column[Any] = core.c.odoo_id
    return update(core).where(key == bindparam("b_odoo_id"))


def _expire(session: Session, table: type[Any], ids: Iterable[int]) -> None:
    """Objects of rows updated here that the caller's session holds are stale: expire them."""
    if not session.identity_map:
        return
    for odoo_id in ids:
        obj = session.identity_map.get(session.identity_key(table, odoo_id))
        if obj is not None:
            session.expire(obj)


def touch(counts: Counts, stream: Stream, columns: Mapping[str, Any]) -> None:
    """Note what a changed row affects: its partner, and for a graded item its course."""
    partner = columns.get("partner_id")
    if partner:
        counts.partners.add(int(partner))
    if stream.name == "graded_items" and columns.get("channel_id"):
        counts.channels.add(int(columns["channel_id"]))


def queue_affected(session: Session, counts: Counts) -> None:
    """Queue the partners whose figures `counts`' changes can move: the rows' own partners, and
    for a graded item (a lesson, no partner) every student of every program containing its
    course — graded items count across all of a program's courses."""
    partners = set(counts.partners)
    if counts.channels:
        partners |= program_partners(session, programs_of_channels(session, counts.channels))
    queue_partners(session, partners)
