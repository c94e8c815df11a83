"""What the cockpit's pages read from the store, and what a viewer may see of it. Plain SQL
over the store; never Odoo."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from sidecar.cockpit.accounts import Viewer
from sidecar.statuses import BatchStatus, CourseStatus
from sidecar.store.models import (
    Assignment,
    AssignmentTask,
    AttendanceRecord,
    Batch,
    Certificate,
    Checkin,
    CourseIntegration,
    LessonProgress,
    MentorAction,
    Program,
    ProgressTracker,
    Student,
)
from sidecar.store.reports.scope import (
    ReportFilter,
    ReportInputError,
    Scope,
    batch_students,
    rate,
    registered_batch_of_student,
    resolve,
    trainees,
)


def visible_programs(db: Session, viewer: Viewer) -> list[Program]:
    """The active programs the viewer sees something of, by key."""
    programs = db.scalars(select(Program).where(Program.active.is_(True)).order_by(Program.key))
    batch_programs = set(
        db.scalars(select(Batch.program_id).where(Batch.id.in_(sorted(viewer.batch_ids))))
    )
    return [p for p in programs if viewer.sees_program(p.id) or p.id in batch_programs]


def visible_batches(db: Session, viewer: Viewer) -> list[Batch]:
    """The batches (not archived) of active programs the viewer sees every trainee of."""
    rows = db.scalars(
        select(Batch)
        .join(Program, Program.id == Batch.program_id)
        .where(Program.active.is_(True), Batch.status != BatchStatus.ARCHIVED)
        .order_by(Batch.start_date.desc(), Batch.key)
    )
    return [b for b in rows if viewer.sees_batch(b.program_id, b.id)]


def dashboard_scope(db: Session, viewer: Viewer, wanted: ReportFilter) -> Scope:
    """The reports' scope for `wanted`, cut to what the viewer sees: the programs they see
    whole, and the trainees of their single batches. ReportInputError names what cannot be
    shown."""
    scope = resolve(db, wanted)
    if scope.batch is not None:
        if not viewer.sees_batch(scope.batch.program_id, scope.batch.id):
            raise ReportInputError(f"no batch {wanted.batch!r} among yours")
        return scope
    if viewer.admin:
        return scope
    partial: dict[int, list[int]] = {}
    for batch in visible_batches(db, viewer):
        if not viewer.sees_program(batch.program_id) and batch.program_id in scope.program_ids:
            partial.setdefault(batch.program_id, []).append(batch.id)
    programs = tuple(p for p in scope.programs if viewer.sees_program(p.id) or p.id in partial)
    if not programs:
        raise ReportInputError("none of your programs or batches is in this selection")
    return replace(
        scope,
        programs=programs,
        only_batches=tuple((p, tuple(sorted(b))) for p, b in sorted(partial.items())),
        members=batch_students(db, [b for batches in partial.values() for b in batches]),
    )


@dataclass(frozen=True)
class Card:
    program_key: str
    program_name: str
    enrolled: int
    active: int
    inactive: int
    completed: int
    certified: int

    @property
    def completion_rate(self) -> float | None:
        return rate(self.completed, self.enrolled)


def cards(db: Session, scope: Scope, inactive_days: int, now: datetime) -> list[Card]:
    """Per program: enrolled, active, inactive (no progress for `inactive_days` and not
    complete), completed, certified."""
    found = trainees(scope)
    since = (now - timedelta(days=inactive_days)).strftime("%Y-%m-%d %H:%M:%S")
    # who made progress in a program's courses lately: one pass over the recent lesson rows,
    # joined once, rather than a look-up per trainee
    recent = (
        select(LessonProgress.partner_id, CourseIntegration.program_id)
        .join(CourseIntegration, CourseIntegration.odoo_channel_id == LessonProgress.channel_id)
        .where(LessonProgress.removed_at.is_(None), LessonProgress.write_date >= since)
        .distinct()
        .subquery("recent")
    )
    lately = or_(
        recent.c.partner_id.is_not(None),
        found.c.created_at >= now - timedelta(days=inactive_days),
    )
    open_ = found.c.complete.is_(False)
    rows = db.execute(
        select(
            found.c.program_id,
            func.count(),
            func.count().filter(and_(open_, lately)),
            func.count().filter(and_(open_, ~lately)),
            func.count().filter(found.c.complete.is_(True)),
            func.count(found.c.certified_at),
        )
        .select_from(found)
        .outerjoin(
            recent,
            and_(
                recent.c.partner_id == found.c.odoo_partner_id,
                recent.c.program_id == found.c.program_id,
            ),
        )
        .group_by(found.c.program_id)
    )
    counts = {int(r[0]): [int(n) for n in r[1:]] for r in rows}
    return [Card(p.key, p.name, *counts.get(p.id, [0, 0, 0, 0, 0])) for p in scope.programs]


def values(db: Session, scope: Scope, column: str) -> list[float]:
    """One figure of every trainee in scope (None left out): `overall_pct`, `average_score`."""
    found = trainees(scope)
    return [float(v) for v in db.scalars(select(found.c[column])) if v is not None]


def completions_per_month(db: Session, scope: Scope) -> list[tuple[str, int]]:
    found = trainees(scope, dated="completed_at")
    months: dict[str, int] = {}
    for stamp in db.scalars(select(found.c.completed_at).where(found.c.complete.is_(True))):
        if stamp is not None:
            month = stamp.strftime("%Y-%m")
            months[month] = months.get(month, 0) + 1
    return sorted(months.items())


def student_batches(db: Session, students: list[Student]) -> dict[int, int | None]:
    """Student id → their batch: the one on their certificate, else the first one whose event
    they registered for (the reports' rule, docs/reports.md), looked up for these rows only."""
    if not students:
        return {}
    batch = func.coalesce(Student.batch_id, registered_batch_of_student())
    rows = db.execute(select(Student.id, batch).where(Student.id.in_([s.id for s in students])))
    return {int(student): found for student, found in rows}


@dataclass(frozen=True)
class Registration:
    """A trainee's registration for a batch's event: its state, and whether it has a ticket
    code (17.0+) to show for check-in."""

    batch: str
    state: str
    id: int
    ticket: bool


@dataclass
class TraineeView:
    partner_id: int
    name: str
    students: list[Student]
    batches: dict[int, Batch | None]
    programs: dict[int, Program]
    courses: dict[int, list[tuple[CourseIntegration, ProgressTracker | None]]]
    certificates: list[Certificate] = field(default_factory=list)
    attendance: list[Registration] = field(default_factory=list)


def trainee_view(db: Session, viewer: Viewer, partner_id: int) -> TraineeView | None:
    """What the viewer may see of the trainee: themself, every program of theirs for an admin,
    the programs and batches a mentor sees; None when that is nothing."""
    students = list(
        db.scalars(
            select(Student)
            .join(Program, Program.id == Student.program_id)
            .where(
                Student.odoo_partner_id == partner_id,
                Student.excluded.is_(None),
                Program.active.is_(True),
            )
            .order_by(Student.program_id)
        )
    )
    batch_ids = student_batches(db, students)
    if viewer.partner_id != partner_id or viewer.role.value != "trainee":
        students = [s for s in students if viewer.sees_batch(s.program_id, batch_ids[s.id])]
    if not students:
        return None
    return _fill(db, partner_id, students, batch_ids)


def _fill(
    db: Session, partner_id: int, students: list[Student], batch_ids: dict[int, int | None]
) -> TraineeView:
    programs = {
        p.id: p
        for p in db.scalars(select(Program).where(Program.id.in_([s.program_id for s in students])))
    }
    batches: dict[int, Batch | None] = {
        s.id: db.get(Batch, b) if (b := batch_ids[s.id]) is not None else None for s in students
    }
    courses: dict[int, list[tuple[CourseIntegration, ProgressTracker | None]]] = {}
    for s in students:
        trackers = {t.course_integration_id: t for t in s.trackers}
        courses[s.id] = [
            (c, trackers.get(c.id))
            for c in sorted(programs[s.program_id].courses, key=lambda c: c.position)
            if c.status == CourseStatus.ACTIVE
        ]
    certificates = list(
        db.scalars(
            select(Certificate)
            .where(
                Certificate.student_id.in_([s.id for s in students]),
                Certificate.superseded_at.is_(None),
            )
            .order_by(Certificate.issued_at.desc())
        )
    )
    events = {
        b.odoo_event_id: b.name for b in batches.values() if b is not None and b.odoo_event_id
    }
    attendance = [
        Registration(events[e], state, registration, bool(barcode))
        for e, state, registration, barcode in db.execute(
            select(
                AttendanceRecord.event_id,
                AttendanceRecord.state,
                AttendanceRecord.odoo_id,
                AttendanceRecord.barcode,
            ).where(
                AttendanceRecord.partner_id == partner_id,
                AttendanceRecord.event_id.in_(list(events) or [-1]),
                AttendanceRecord.removed_at.is_(None),
            )
        )
    ]
    return TraineeView(
        partner_id,
        students[0].name,
        students,
        batches,
        programs,
        courses,
        certificates,
        attendance,
    )


def certificate_for(db: Session, viewer: Viewer, serial: str) -> Certificate | None:
    """A certificate the viewer may download: their own, or a trainee's they see."""
    cert = db.scalar(select(Certificate).where(Certificate.serial == serial))
    if cert is None:
        return None
    if viewer.role.value == "trainee":
        return cert if cert.odoo_partner_id == viewer.partner_id else None
    return cert if viewer.sees_batch(cert.program_id, cert.batch_id) else None


def batch_participants(db: Session, batch: Batch) -> list[tuple[Student, Any]]:
    """The trainees whose batch this is, with their attendance state at its event."""
    ids = batch_students(db, [batch.id])
    mine = list(
        db.scalars(
            select(Student)
            .where(Student.id.in_(ids), Student.excluded.is_(None))
            .order_by(Student.name, Student.id)
        )
    )
    states: dict[int, str] = {}
    if batch.odoo_event_id is not None:
        states = {
            int(p or 0): str(st)
            for p, st in db.execute(
                select(AttendanceRecord.partner_id, AttendanceRecord.state).where(
                    AttendanceRecord.event_id == batch.odoo_event_id,
                    AttendanceRecord.removed_at.is_(None),
                    AttendanceRecord.partner_id.is_not(None),
                )
            )
        }
    return [(s, states.get(s.odoo_partner_id)) for s in mine]


def live_stamp(db: Session, viewer: Viewer) -> str:
    """What changes when a page of the viewer's would: the newest change to trainees' figures,
    assignment tasks, certificates and check-ins (a trainee's own only). Pages poll it
    (`/live.json`) and reload when it moves."""
    students = select(func.max(Student.updated_at), func.count(Student.id))
    tasks = select(func.max(AssignmentTask.updated_at))
    certificates = select(
        func.count(Certificate.id),
        func.max(Certificate.issued_at),
        func.max(Certificate.revoked_at),
    )
    checkins = select(func.count(Checkin.id), func.max(Checkin.id))
    if viewer.role.value == "trainee":
        checkins = checkins.where(Checkin.partner_id == viewer.partner_id)
        students = students.where(Student.odoo_partner_id == viewer.partner_id)
        tasks = tasks.where(AssignmentTask.odoo_partner_id == viewer.partner_id)
        certificates = certificates.where(Certificate.odoo_partner_id == viewer.partner_id)
    parts = [
        *db.execute(students).one(),
        db.scalar(tasks),
        *db.execute(certificates).one(),
        *db.execute(checkins).one(),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def batch_tasks(db: Session, batch_id: int) -> dict[tuple[int, str], int]:
    """(student id, assignment title) → the participant's task, for links from the matrix."""
    rows = db.execute(
        select(AssignmentTask.student_id, Assignment.title, AssignmentTask.id)
        .join(Assignment, Assignment.id == AssignmentTask.assignment_id)
        .where(Assignment.batch_id == batch_id, AssignmentTask.active.is_(True))
    )
    return {(int(s), str(t)): int(i) for s, t, i in rows}


def batch_actions(db: Session, batch_id: int) -> list[MentorAction]:
    """The batch's latest actions from the cockpit, newest first, with their outcome."""
    return list(
        db.scalars(
            select(MentorAction)
            .where(MentorAction.batch_id == batch_id)
            .order_by(MentorAction.id.desc())
            .limit(20)
        )
    )


def trainee_tasks(
    db: Session, student_ids: list[int]
) -> dict[int, list[tuple[AssignmentTask, Assignment]]]:
    """Student id → their assignment tasks (active ones), in the assignments' order."""
    found: dict[int, list[tuple[AssignmentTask, Assignment]]] = {}
    rows = db.execute(
        select(AssignmentTask, Assignment)
        .join(Assignment, Assignment.id == AssignmentTask.assignment_id)
        .where(
            AssignmentTask.student_id.in_(student_ids),
            AssignmentTask.active.is_(True),
            Assignment.active.is_(True),
        )
        .order_by(Assignment.position, Assignment.id)
    )
    for task, assignment in rows:
        found.setdefault(task.student_id, []).append((task, assignment))
    return found
