"""Land one page of Odoo rows in its mirror table: insert, update or leave alone.

Comparing before writing is what makes a re-run against an unchanged Odoo write nothing. Every
partner whose rows changed is queued for recompute in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from jobs.sync.streams import OddRow, Row, Stream
from sidecar.store.models import (
    CourseIntegration,
    CourseMembership,
    PendingRecompute,
    Student,
    utcnow,
)

log = logging.getLogger("ojt_sidecar.sync")


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
        self.partners |= other.partners
        self.channels |= other.channels

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


def load_page(session: Session, stream: Stream, rows: Sequence[Row]) -> Counts:
    table = stream.table
    counts = Counts(read=len(rows))
    ids = [int(row["id"]) for row in rows]
    existing = {
        obj.odoo_id: obj for obj in session.scalars(select(table).where(table.odoo_id.in_(ids)))
    }
    for row in rows:
        try:
            columns = stream.to_columns(row)
        except OddRow as exc:
            log.warning("%s: %s %s; skipped", stream.name, stream.model, exc)
            counts.skipped += 1
            continue
        columns["write_date"] = str(row["write_date"])[:19]
        obj = existing.get(int(row["id"]))
        if obj is None:
            obj = table(odoo_id=int(row["id"]), **columns)
            if isinstance(obj, CourseMembership):
                obj.ever_completed = columns["member_status"] == "completed"
            session.add(obj)
            counts.created += 1
            touch(counts, stream, columns)
            continue
        before = {name: getattr(obj, name) for name in columns}
        if isinstance(obj, CourseMembership) and columns["member_status"] == "completed":
            columns["ever_completed"] = True
        changed = {k: v for k, v in columns.items() if getattr(obj, k) != v}
        if obj.removed_at is not None:  # it was gone and came back
            obj.removed_at = None
            changed.setdefault("write_date", columns["write_date"])
        if not changed:
            counts.unchanged += 1
            continue
        for name, value in changed.items():
            setattr(obj, name, value)
        obj.synced_at = utcnow()
        counts.updated += 1
        touch(counts, stream, columns)
        touch(counts, stream, before)  # a row that moved to another partner affects both
    queue_affected(session, counts)
    return counts


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
        partners |= program_partners(session, counts.channels)
    queue_partners(session, partners)


def program_partners(session: Session, channels: Iterable[int]) -> set[int]:
    programs = select(CourseIntegration.program_id).where(
        CourseIntegration.odoo_channel_id.in_(list(channels))
    )
    program_channels = select(CourseIntegration.odoo_channel_id).where(
        CourseIntegration.program_id.in_(programs)
    )
    members = session.scalars(
        select(CourseMembership.partner_id).where(CourseMembership.channel_id.in_(program_channels))
    )
    students = session.scalars(
        select(Student.odoo_partner_id).where(Student.program_id.in_(programs))
    )
    return set(members) | set(students)


def queue_partners(session: Session, partners: Iterable[int]) -> None:
    """Queue partners for recompute; an already queued partner stays queued once."""
    values = [{"partner_id": p, "queued_at": utcnow()} for p in sorted(set(partners))]
    if not values:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(PendingRecompute)
        .values(values)
        .on_conflict_do_nothing(index_elements=["partner_id"])
    )
    session.execute(stmt)
