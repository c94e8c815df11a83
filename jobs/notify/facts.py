"""What the notification rules look at, read from the store in a few statements per program:
the trainees and their figures, the courses they completed, when they last made progress, their
certificates, and what was already decided for them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sidecar.notifications import key
from sidecar.statuses import StudentStatus
from sidecar.store.models import (
    Batch,
    Certificate,
    CourseIntegration,
    LessonProgress,
    Notification,
    NotificationOptOut,
    Program,
    ProgressTracker,
    Student,
)
from sidecar.store.sql import among


@dataclass(frozen=True)
class Trainee:
    student_id: int
    partner_id: int
    name: str
    created_at: datetime
    percent: float
    complete: bool
    batch_id: int | None
    last_activity: datetime
    integrated: bool = True  # in at least one of the program's courses


@dataclass(frozen=True)
class Expiring:
    serial: str
    partner_id: int
    name: str
    expires_on: date
    verify_url: str


@dataclass
class Decided:
    """What was decided before, per partner: (kind, occasion) → when."""

    rows: dict[int, dict[tuple[str, str], datetime]] = field(
        default_factory=lambda: defaultdict(dict)
    )

    def has(self, partner: int, kind: str, occasion: str) -> bool:
        return (kind, occasion) in self.rows.get(partner, {})

    def occasions(self, partner: int, kind: str) -> dict[str, datetime]:
        return {occ: at for (k, occ), at in self.rows.get(partner, {}).items() if k == kind}


@dataclass
class ProgramFacts:
    program: Program
    trainees: list[Trainee]
    completed_courses: dict[int, set[int]]  # student id → course integration ids
    courses: list[CourseIntegration]
    expiring: list[Expiring]
    decided: Decided
    since: datetime | None  # notifications started after this program's trainees began
    batch_names: dict[int, str]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _stamp(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text[:19]).replace(tzinfo=UTC)  # Odoo's "%Y-%m-%d %H:%M:%S"
    except ValueError:
        return None  # an odd stamp says nothing about activity; the enrollment date stands


def program_facts(session: Session, program: Program) -> ProgramFacts:
    courses = list(
        session.scalars(
            select(CourseIntegration)
            .where(CourseIntegration.program_id == program.id)
            .order_by(CourseIntegration.position, CourseIntegration.id)
        )
    )
    channels = [c.odoo_channel_id for c in courses if c.odoo_channel_id is not None]
    students = session.execute(
        select(
            Student.id,
            Student.odoo_partner_id,
            Student.name,
            Student.created_at,
            Student.overall_pct,
            Student.complete,
            Student.batch_id,
            Student.integration_status,
        )
        # only trainees: not the internal users and course responsibles a program leaves out
        .where(Student.program_id == program.id, Student.excluded.is_(None))
        .order_by(Student.id)
    ).all()
    partners = [row.odoo_partner_id for row in students]
    last_seen = _last_activity(session, channels, partners)
    trainees = [
        Trainee(
            student_id=row.id,
            partner_id=row.odoo_partner_id,
            name=row.name,
            created_at=_aware(row.created_at),
            percent=row.overall_pct,
            complete=row.complete,
            batch_id=row.batch_id,
            integrated=row.integration_status != StudentStatus.NOT_INTEGRATED,
            last_activity=max(
                _aware(row.created_at), last_seen.get(row.odoo_partner_id, _aware(row.created_at))
            ),
        )
        for row in students
    ]
    return ProgramFacts(
        program=program,
        trainees=trainees,
        completed_courses=_completed_courses(session, program.id),
        courses=courses,
        expiring=_expiring(session, program.id),
        decided=_decided(session, program.id),
        since=_since(session, program.key),
        batch_names={
            batch_id: name
            for batch_id, name in session.execute(
                select(Batch.id, Batch.name).where(Batch.program_id == program.id)
            )
        },
    )


def _last_activity(
    session: Session, channels: list[int], partners: list[int]
) -> dict[int, datetime]:
    """The newest lesson-progress stamp per partner in the program's courses: Odoo stamps a
    slide.slide.partner row whenever a lesson is viewed, completed or quizzed."""
    if not channels or not partners:
        return {}
    rows = session.execute(
        select(LessonProgress.partner_id, func.max(LessonProgress.write_date))
        .where(among(LessonProgress.channel_id, channels), LessonProgress.removed_at.is_(None))
        .group_by(LessonProgress.partner_id)
    ).all()
    wanted = set(partners)
    found = {partner: _stamp(stamp) for partner, stamp in rows if partner in wanted}
    return {partner: at for partner, at in found.items() if at is not None}


def _completed_courses(session: Session, program_id: int) -> dict[int, set[int]]:
    done: dict[int, set[int]] = defaultdict(set)
    rows = session.execute(
        select(ProgressTracker.student_id, ProgressTracker.course_integration_id)
        .join(Student, Student.id == ProgressTracker.student_id)
        .where(Student.program_id == program_id, ProgressTracker.completed.is_(True))
    )
    for student_id, course_id in rows:
        done[student_id].add(course_id)
    return done


def _expiring(session: Session, program_id: int) -> list[Expiring]:
    """Certificates that will expire and still stand: not revoked, not replaced."""
    rows = session.execute(
        select(
            Certificate.serial,
            Certificate.odoo_partner_id,
            Certificate.participant_name,
            Certificate.expires_on,
            Certificate.verify_url,
        ).where(
            Certificate.program_id == program_id,
            Certificate.expires_on.is_not(None),
            Certificate.revoked_at.is_(None),
            Certificate.superseded_by_id.is_(None),
        )
    ).all()
    return [Expiring(r[0], r[1], r[2], r[3], r[4]) for r in rows if r[3] is not None]


def _decided(session: Session, program_id: int) -> Decided:
    decided = Decided()
    rows = session.execute(
        select(
            Notification.partner_id,
            Notification.kind,
            Notification.occasion,
            Notification.created_at,
        ).where(Notification.program_id == program_id)
    )
    for partner, kind, occasion, at in rows:
        decided.rows[partner][(kind, occasion)] = _aware(at)
    return decided


def _since(session: Session, program_key: str) -> datetime | None:
    """When notifications began for a program that had trainees before (the upgrade that
    brought them records it), so those trainees do not hear of what they reached long ago."""
    at = session.scalar(
        select(Notification.created_at).where(Notification.key == key("since", program_key))
    )
    return _aware(at) if at is not None else None


def opted_out(session: Session) -> set[int]:
    return set(session.scalars(select(NotificationOptOut.partner_id)))
