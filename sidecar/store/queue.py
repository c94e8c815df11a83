"""The recompute queue: partners whose figures must be computed again.

Rows go in within the transaction of the change that moved the figures (synced rows, a config
change, an event that ended), so a crash before the recompute loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from sidecar.store.models import (
    CourseIntegration,
    CourseMembership,
    PendingRecompute,
    Student,
    utcnow,
)


def queue_partners(session: Session, partners: Iterable[int]) -> None:
    """Queue partners for recompute; an already queued partner stays queued once.

    One single-row statement run with many parameter sets: compiled once and cached, where a
    multi-row VALUES list would compile anew for every size (and could pass PostgreSQL's limit
    of bound parameters)."""
    now = utcnow()
    values = [{"partner_id": p, "queued_at": now} for p in sorted(set(partners))]
    if not values:
        return
    dialect = session.get_bind().dialect.name
    upsert = pg_insert if dialect == "postgresql" else sqlite_insert
    table: Table = PendingRecompute.__table__  # type: ignore[assignment]
    stmt = upsert(table).on_conflict_do_nothing(index_elements=["partner_id"])
    session.execute(stmt, values)


def program_partners(session: Session, program_ids: Iterable[int]) -> set[int]:
    """Every partner a program's figures concern: its students and its courses' members."""
    ids = list(program_ids)
    channels = select(CourseIntegration.odoo_channel_id).where(
        CourseIntegration.program_id.in_(ids)
    )
    members = session.scalars(
        select(CourseMembership.partner_id).where(CourseMembership.channel_id.in_(channels))
    )
    students = session.scalars(select(Student.odoo_partner_id).where(Student.program_id.in_(ids)))
    return set(members) | set(students)


def programs_of_channels(session: Session, channels: Iterable[int]) -> set[int]:
    return set(
        session.scalars(
            select(CourseIntegration.program_id).where(
                CourseIntegration.odoo_channel_id.in_(list(channels))
            )
        )
    )
