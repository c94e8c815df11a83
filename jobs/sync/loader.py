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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    Table,
    bindparam,
    insert,
    select,
    update,
)
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
    table = stream.table
    core: Table = table.__table__
    counts = Counts(read=len(rows))
    sticky = issubclass(table, CourseMembership)  # ever_completed never goes back to False
    compared = [c for c in core.columns if c.name not in _NOT_COMPARED]
    names = [c.name for c in compared]
    position = {name: i + 2 for i, name in enumerate(names)}  # after odoo_id, removed_at

    # The session's pending changes first, so that the tuples read below are the truth.
    session.flush()
    ids = [int(row["id"]) for row in rows]
    existing: dict[int, Any] = {}
    if ids:
        stored = select(core.c.odoo_id, core.c.removed_at, *compared).where(
            among(core.c.odoo_id, ids)
        )
        existing = {r[0]: r for r in session.execute(stored)}

    now = utcnow()
    inserts: dict[int, dict[str, Any]] = {}
    updates: dict[int, dict[str, Any]] = {}
    for row in rows:
        try:
            columns = stream.to_columns(row)
        except OddRow as exc:
            log.warning("%s: %s %s; skipped", stream.name, stream.model, exc)
            counts.skipped += 1
            continue
        odoo_id = int(row["id"])
        columns["write_date"] = str(row["write_date"])[:19]
        pending = inserts.get(odoo_id)
        if pending is not None:  # the same id twice in a page: the later read wins
            if sticky and columns["member_status"] == "completed":
                columns["ever_completed"] = True
            if all(pending[k] == v for k, v in columns.items()):  # pending has more keys
                counts.unchanged += 1
                continue
            touch(counts, stream, pending)
            pending.update(columns)
            counts.updated += 1
            touch(counts, stream, columns)
            continue
        old = existing.get(odoo_id)
        if old is None:
            if sticky:
                columns["ever_completed"] = columns["member_status"] == "completed"
            columns["odoo_id"] = odoo_id
            columns["synced_at"] = now
            inserts[odoo_id] = columns
            counts.created += 1
            touch(counts, stream, columns)
            continue
        before = {name: old[position[name]] for name in columns}
        if sticky and columns["member_status"] == "completed":
            columns["ever_completed"] = True
        changed = any(old[position[k]] != v for k, v in columns.items())
        if not changed and old[1] is None:
            counts.unchanged += 1
            continue
        # A changed row, or one that was gone and came back: write every compared column (the
        # same set for every row, so the page's updates are one executemany).
        values = {name: old[position[name]] for name in names}
        values.update(columns)
        values["b_odoo_id"] = odoo_id
        values["removed_at"] = None
        values["synced_at"] = now
        counts.updated += 1
        updates[odoo_id] = values
        existing[odoo_id] = (odoo_id, None, *(values[name] for name in names))
        touch(counts, stream, columns)
        touch(counts, stream, before)  # a row that moved to another partner affects both

    if inserts:
        session.execute(insert(core), list(inserts.values()))
    if updates:
        session.execute(_update_by_id(core), list(updates.values()))
        _expire(session, table, updates)
    queue_affected(session, counts)
    return counts


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
