"""The weekly digest for mentors (docs/notifications.md): per batch, who is behind, who is
inactive, hand-ins waiting for a score and deadlines coming up; one message per mentor.

A program's mentors are its `responsible_user` (every batch of the program) and the responsible
user of each batch's Odoo event (that batch). Who they are comes from Odoo once per digest run;
what they read comes from the store."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import escape

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jobs.notify.facts import ProgramFacts
from jobs.participants import Placement
from sidecar.config.notifications import NotificationsConfig
from sidecar.config.programs import Program as ProgramConfig
from sidecar.notifications import behind
from sidecar.store.models import Assignment, AssignmentTask, Batch

NO_BATCH = 0


@dataclass
class BatchDigest:
    program: str
    batch: str
    behind: list[str] = field(default_factory=list)
    inactive: list[str] = field(default_factory=list)
    unscored: int = 0
    upcoming: list[tuple[str, str]] = field(default_factory=list)  # (deadline, title)
    active: int = 0  # trainees not yet complete

    @property
    def quiet(self) -> bool:
        return self.active == 0


@dataclass
class ProgramDigest:
    """The digest sections of one program's batches, and which event each batch is."""

    sections: dict[int, BatchDigest]  # batch id (NO_BATCH: trainees without one)
    events: dict[int, int]  # batch id → Odoo event id


def program_digest(
    session: Session,
    facts: ProgramFacts,
    configured: ProgramConfig,
    settings: NotificationsConfig,
    now: datetime,
) -> ProgramDigest:
    placement = Placement(session, facts.program.id, configured.batch_approval)
    today = now.date()
    inactive_after = timedelta(days=settings.inactivity.after_days)
    sections: dict[int, BatchDigest] = {}
    batches: dict[int, Batch] = {b.id: b for b in placement.batches}
    for trainee in facts.trainees:
        batch = placement.batch_for(trainee.partner_id, trainee.created_at.date(), trainee.batch_id)
        batch_id = batch.id if batch is not None else NO_BATCH
        section = sections.setdefault(
            batch_id,
            BatchDigest(configured.name, batch.name if batch is not None else "no batch"),
        )
        if trainee.complete:
            continue
        section.active += 1
        start = batch.start_date if batch is not None else None
        end = batch.end_date if batch is not None else None
        if behind(trainee.percent, start, end, today, settings.digest.behind_by):
            section.behind.append(f"{trainee.name} ({trainee.percent:.0f} %)")
        if now - trainee.last_activity >= inactive_after:
            days = (now - trainee.last_activity).days
            section.inactive.append(f"{trainee.name} ({days} days)")
    _assignments(session, sections, today, today + timedelta(days=settings.digest.upcoming_days))
    events = {b.id: b.odoo_event_id for b in batches.values() if b.odoo_event_id is not None}
    return ProgramDigest(sections, events)


def _assignments(
    session: Session, sections: dict[int, BatchDigest], today: date, until: date
) -> None:
    ids = [batch_id for batch_id in sections if batch_id != NO_BATCH]
    if not ids:
        return
    unscored = session.execute(
        select(Assignment.batch_id, func.count(AssignmentTask.id))
        .join(AssignmentTask, AssignmentTask.assignment_id == Assignment.id)
        .where(
            Assignment.batch_id.in_(ids),
            Assignment.active.is_(True),
            AssignmentTask.active.is_(True),
            AssignmentTask.submitted_at.is_not(None),
            AssignmentTask.score.is_(None),
        )
        .group_by(Assignment.batch_id)
    )
    for batch_id, count in unscored:
        sections[batch_id].unscored = int(count)
    upcoming = session.execute(
        select(Assignment.batch_id, Assignment.deadline, Assignment.title)
        .where(
            Assignment.batch_id.in_(ids),
            Assignment.active.is_(True),
            Assignment.deadline.is_not(None),
            Assignment.deadline >= today,
            Assignment.deadline <= until,
        )
        .order_by(Assignment.deadline, Assignment.id)
    )
    for batch_id, deadline, title in upcoming:
        if deadline is not None:
            sections[batch_id].upcoming.append((deadline.isoformat(), title))


def sections_html(sections: list[BatchDigest]) -> str:
    """The generated part of a digest: a heading and four short lists per batch."""
    html: list[str] = []
    for section in sections:
        html.append(f"<h3>{escape(section.program)}: {escape(section.batch)}</h3><ul>")
        html.append(f"<li>{section.active} trainee(s) in progress</li>")
        html.append(_names("Behind", section.behind))
        html.append(_names("Inactive", section.inactive))
        if section.unscored:
            html.append(f"<li>Hand-ins waiting for a score: {section.unscored}</li>")
        if section.upcoming:
            due = ", ".join(f"{escape(title)} ({day})" for day, title in section.upcoming)
            html.append(f"<li>Deadlines coming up: {due}</li>")
        html.append("</ul>")
    return "".join(html)


def _names(label: str, names: list[str]) -> str:
    if not names:
        return f"<li>{label}: nobody</li>"
    return f"<li>{label} ({len(names)}): {escape(', '.join(sorted(names)))}</li>"


def mentors_of(
    responsible: int | None, digest: ProgramDigest, event_users: dict[int, int]
) -> dict[int, list[int]]:
    """User id → the batch ids of this program they get: the program's responsible every
    batch, an event's responsible that batch."""
    found: dict[int, list[int]] = defaultdict(list)
    for batch_id in sorted(digest.sections):
        if responsible is not None:
            found[responsible].append(batch_id)
        event = digest.events.get(batch_id)
        user = event_users.get(event) if event is not None else None
        if user is not None and user != responsible:
            found[user].append(batch_id)
    return dict(found)
