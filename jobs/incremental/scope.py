"""Resolve what the config names (courses, batch events) to Odoo ids, once and then cached.

A course given by name is looked up by exact name; one given by id is taken as is. Unresolved
references are reported (and `ojt-sidecar check` explains them) but do not stop the sync of the
rest. Resolution costs Odoo calls only while something is unresolved, plus one `event.event`
read per cycle while a batch's event has not ended (it may be rescheduled).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import OdooClient
from jobs.incremental import odoo_datetime
from jobs.odoo import contacts, elearning, events
from jobs.odoo.reads import Scope
from sidecar.statuses import BatchStatus, CourseStatus
from sidecar.store.models import AttendanceRecord, Batch, CourseIntegration, Program, utcnow
from sidecar.store.queue import queue_partners


def resolve_scope(
    session: Session, client: OdooClient, *, reread_responsibles: bool = False
) -> tuple[Scope, list[str]]:
    """The ids to sync, and a sentence per configured reference that matches nothing."""
    problems: list[str] = []
    active = select(Program.id).where(Program.active.is_(True))
    courses = session.scalars(
        select(CourseIntegration).where(CourseIntegration.program_id.in_(active))
    ).all()
    todo = [c for c in courses if c.odoo_channel_id is None]
    if todo:
        names = sorted({c.course_ref for c in todo})
        by_name = elearning.courses_named(client, names)
        for course in todo:
            ids = by_name.get(course.course_ref, [])
            if len(ids) == 1:
                course.odoo_channel_id, course.course_name = ids[0], course.course_ref
            else:
                problems.append(
                    f"course {course.course_ref!r}: "
                    + ("no such course in Odoo" if not ids else "several courses have this name")
                )
    _read_courses(session, client, courses, again=reread_responsibles)
    batches = session.scalars(
        select(Batch).where(Batch.program_id.in_(active), Batch.status != BatchStatus.ARCHIVED)
    ).all()
    # Events are read again until they end: an event can be rescheduled.
    pending = [b for b in batches if b.event_ref and b.event_ended_at is None]
    if pending:
        by_ref = {b.event_ref or "": b for b in pending}
        ids = [b.odoo_event_id for b in pending if b.odoo_event_id is not None]
        names = [r for r in by_ref if r and not r.startswith("#")]
        rows = events.events_named(client, ids, names)
        for batch in pending:
            match = [
                r
                for r in rows
                if r.id == batch.odoo_event_id
                or (batch.odoo_event_id is None and r.name == batch.event_ref)
            ]
            if len(match) == 1:
                batch.odoo_event_id = match[0].id
                batch.event_end = match[0].end
            else:
                problems.append(f"batch {batch.key}: event {batch.event_ref!r} not found in Odoo")
    _note_ended_events(session, batches)
    channel_ids = tuple(
        sorted(
            {
                c.odoo_channel_id
                for c in courses
                if c.odoo_channel_id and c.status == CourseStatus.ACTIVE
            }
        )
    )
    event_ids = tuple(sorted({b.odoo_event_id for b in batches if b.odoo_event_id}))
    return Scope(channel_ids, event_ids), problems


def _read_courses(
    session: Session, client: OdooClient, courses: Sequence[CourseIntegration], *, again: bool
) -> None:
    """What is shown and known of resolved courses: names, responsible users."""
    unnamed = {c.odoo_channel_id: c for c in courses if c.odoo_channel_id and not c.course_name}
    if unnamed:  # named by id in the config: the name shown to people is Odoo's
        for channel_id, name in elearning.course_names(client, sorted(unnamed)).items():
            unnamed[channel_id].course_name = name
    _read_responsibles(session, client, courses, again=again)


def _read_responsibles(
    session: Session, client: OdooClient, courses: Sequence[CourseIntegration], *, again: bool
) -> None:
    """The partner of each course's responsible user, who is no trainee of it (product-rules
    §12): two reads, only for courses not read yet, or all `again` (the reconcile asks for that).
    A change queues the old and the new responsible's partner, whose standing moves."""
    todo = [c for c in courses if c.odoo_channel_id and (again or c.responsible_read_at is None)]
    if not todo:
        return
    users = elearning.course_responsibles(client, sorted({c.odoo_channel_id or 0 for c in todo}))
    partners = contacts.user_partners(client, sorted({u for u in users.values() if u}))
    now, moved = utcnow(), set()
    for course in todo:
        user = users.get(course.odoo_channel_id or 0)
        partner = partners.get(user) if user else None
        if partner != course.responsible_partner_id:
            moved |= {p for p in (partner, course.responsible_partner_id) if p}
            course.responsible_partner_id = partner
        course.responsible_read_at = now
    queue_partners(session, sorted(moved))


def _note_ended_events(session: Session, batches: Sequence[Batch]) -> None:
    """When a batch's event ends, its attendance figure changes without any Odoo row changing
    (sessions that ended now count): recompute its participants, once."""
    now = utcnow()
    for batch in batches:
        if batch.event_ended_at is not None or not batch.event_end or batch.odoo_event_id is None:
            continue
        end = odoo_datetime(batch.event_end)
        if end > now:
            continue
        batch.event_ended_at = now
        participants = session.scalars(
            select(AttendanceRecord.partner_id).where(
                AttendanceRecord.event_id == batch.odoo_event_id
            )
        )
        queue_partners(session, [p for p in participants if p])
