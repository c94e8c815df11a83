"""Reconcile the configured programs, courses and batches into the store at start.

The config is the source of truth for what exists; the store keeps history. A program or course
removed from the config is archived (its trackers and figures stay readable), never deleted; put
back, it is reactivated.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.config import Config
from sidecar.config import Program as ProgramConfig
from sidecar.store.models import Batch, CourseIntegration, Program, utcnow
from sidecar.store.queue import program_partners, queue_partners


@dataclass(frozen=True)
class ReconcileReport:
    created: int
    updated: int
    archived: int


def settings_digest(configured: ProgramConfig) -> str:
    """A digest of what moves a program's figures; a change means every student is recomputed."""
    settings = configured.model_dump(
        mode="json",
        include={
            "courses",
            "weights",
            "requirements",
            "batches",
            "issue_on",
            "batch_tag",
            "batch_approval",
            # who counts as a trainee (docs/product-rules.md §12); new in the store's 0009: the
            # digest changes once on upgrade, which recomputes every student under these rules
            "include_internal_users",
            "removed_membership",
        },
    )
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def course_ref(ref: int | str) -> str:
    """How a config course reference is stored: a name as is, an id as `#<id>`."""
    return f"#{ref}" if isinstance(ref, int) else ref


def reconcile_programs(session: Session, cfg: Config) -> ReconcileReport:
    created = updated = archived = 0
    by_key = {p.key: p for p in session.scalars(select(Program))}
    for configured in cfg.programs:
        program = by_key.pop(configured.key, None)
        if program is None:
            program = Program(key=configured.key, name=configured.name)
            session.add(program)
            session.flush()
            created += 1
        wanted = (configured.name, configured.issue_on, True, configured.batch_tag)
        if (program.name, program.issue_on, program.active, program.batch_tag) != wanted:
            program.name, program.issue_on, program.active, program.batch_tag = wanted
            updated += 1
        c, u, a = _reconcile_courses(session, program, configured)
        created, updated, archived = created + c, updated + u, archived + a
        c, u, a = _reconcile_batches(session, program, configured)
        created, updated, archived = created + c, updated + u, archived + a
        digest = settings_digest(configured)
        if program.settings_digest != digest:
            program.settings_digest = digest
            session.flush()
            queue_partners(session, program_partners(session, [program.id]))
    for program in by_key.values():  # no longer configured
        if program.active:
            program.active = False
            archived += 1
    return ReconcileReport(created, updated, archived)


def _reconcile_courses(
    session: Session, program: Program, configured: ProgramConfig
) -> tuple[int, int, int]:
    created = updated = archived = 0
    existing = {c.course_ref: c for c in program.courses}
    for position, course in enumerate(configured.courses):
        ref = course_ref(course.course)
        row = existing.pop(ref, None)
        if row is None:
            row = CourseIntegration(program=program, course_ref=ref)
            if isinstance(course.course, int):
                row.odoo_channel_id = course.course
            session.add(row)
            created += 1
        wanted = (course.required, round(course.completion_threshold), position, "active")
        if (row.required, row.completion_threshold, row.position, row.status) != wanted:
            row.required, row.completion_threshold, row.position, row.status = wanted
            row.archived_at = None
            updated += 1
    for row in existing.values():
        if row.status != "archived":
            row.status, row.archived_at = "archived", utcnow()
            archived += 1
    return created, updated, archived


def _reconcile_batches(
    session: Session, program: Program, configured: ProgramConfig
) -> tuple[int, int, int]:
    created = updated = archived = 0
    existing = {b.key: b for b in program.batches if b.origin == "config"}
    if configured.batch_tag is None:  # batches found by a tag the program no longer names
        for found in program.batches:
            if found.origin == "odoo" and found.status == "open":
                found.status = "archived"
                archived += 1
    for batch in configured.batches:
        row = existing.pop(batch.key, None)
        if row is None:
            row = Batch(program=program, key=batch.key, name=batch.name)
            session.add(row)
            created += 1
        event_ref = None if batch.event is None else course_ref(batch.event)
        wanted = (batch.name, batch.start, batch.end, event_ref)
        if (row.name, row.start_date, row.end_date, row.event_ref) != wanted:
            if row.event_ref != event_ref:  # another event: forget what we knew of the old one
                row.odoo_event_id = batch.event if isinstance(batch.event, int) else None
                row.event_end = None
                row.event_ended_at = None
            row.name, row.start_date, row.end_date, row.event_ref = wanted
            updated += 1
        if row.status == "archived":
            row.status = "open"
    for row in existing.values():
        if row.status != "archived":
            row.status = "archived"
            archived += 1
    return created, updated, archived
