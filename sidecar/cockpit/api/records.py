"""What the API reads per trainee and course, registration, task and certificate: the same
rules as `queries` (active programs, counted trainees, keyset pages by a stable id)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from sidecar.certificates.status import certificate_status
from sidecar.cockpit.api import models as out
from sidecar.cockpit.api.params import BatchRowArgs, ProgressArgs
from sidecar.cockpit.api.queries import keyset, page, scope_of
from sidecar.statuses import CourseStatus
from sidecar.store.assignment_queries import max_score_of
from sidecar.store.models import (
    Assignment,
    AssignmentTask,
    AttendanceRecord,
    Batch,
    Certificate,
    CourseIntegration,
    Program,
    ProgressTracker,
    Student,
)

COUNTED = Student.excluded.is_(None)  # members who are no trainees (product-rules §12)


def progress_page(db: Session, args: ProgressArgs) -> out.ProgressPage:
    scope = scope_of(db, args.program, None)
    query = (
        select(ProgressTracker, CourseIntegration, Student, Program.key)
        .join(Student, Student.id == ProgressTracker.student_id)
        .join(CourseIntegration, CourseIntegration.id == ProgressTracker.course_integration_id)
        .join(Program, Program.id == Student.program_id)
        .where(
            Program.id.in_(scope.program_ids),
            COUNTED,
            CourseIntegration.status == CourseStatus.ACTIVE,
            *keyset([ProgressTracker.id], args.cursor),
        )
        .order_by(ProgressTracker.id)
    )
    if args.partner is not None:
        query = query.where(Student.odoo_partner_id == args.partner)
    data, following = page(db, query, args.limit, lambda r: (r[0].id,), _progress)
    return out.ProgressPage(data=data, next_cursor=following)


def _progress(row: Any) -> out.CourseProgress:
    tracker, course, student, program = row
    return out.CourseProgress(
        partner_id=student.odoo_partner_id,
        trainee=student.name,
        program=program,
        course=course.course_name or course.course_ref,
        odoo_channel_id=course.odoo_channel_id,
        required=course.required,
        enrolled=tracker.enrolled,
        completion=tracker.completion,
        completed=tracker.completed,
        lessons_completed=tracker.lessons_completed,
        status=tracker.status,
        updated_at=tracker.updated_at,
    )


def attendance_page(db: Session, args: BatchRowArgs) -> out.AttendancePage:
    """Registrations for the batches' events of their program's counted trainees. An event
    may be the batch of two programs: a registration is a row per batch, hence the tiebreak."""
    scope = scope_of(db, args.program, args.batch)
    order = [AttendanceRecord.odoo_id, Batch.id]
    query = (
        select(AttendanceRecord, Batch.key, Batch.id, Program.key, Student.name)
        .join(Batch, Batch.odoo_event_id == AttendanceRecord.event_id)
        .join(Program, Program.id == Batch.program_id)
        .join(
            Student,
            and_(
                Student.program_id == Batch.program_id,
                Student.odoo_partner_id == AttendanceRecord.partner_id,
            ),
        )
        .where(
            Program.id.in_(scope.program_ids),
            COUNTED,
            AttendanceRecord.removed_at.is_(None),
            AttendanceRecord.active.is_(True),
            *keyset(order, args.cursor),
        )
        .order_by(*order)
    )
    if scope.batch is not None:
        query = query.where(Batch.id == scope.batch.id)
    if args.partner is not None:
        query = query.where(AttendanceRecord.partner_id == args.partner)
    data, following = page(db, query, args.limit, lambda r: (r[0].odoo_id, r[2]), _attendance)
    return out.AttendancePage(data=data, next_cursor=following)


def _attendance(row: Any) -> out.Attendance:
    record, batch, _, program, trainee = row
    return out.Attendance(
        registration_id=record.odoo_id,
        partner_id=record.partner_id,
        trainee=trainee,
        program=program,
        batch=batch,
        odoo_event_id=record.event_id,
        state=record.state,
    )


def score_page(
    db: Session, args: BatchRowArgs, default_max: Callable[[str], float]
) -> out.ScorePage:
    """Each counted trainee's task per active assignment; `default_max` is the program's
    maximum for a task and assignment that give none."""
    scope = scope_of(db, args.program, args.batch)
    query = (
        select(AssignmentTask, Assignment, Batch.key, Program.key, Student.name)
        .join(Assignment, Assignment.id == AssignmentTask.assignment_id)
        .join(Batch, Batch.id == Assignment.batch_id)
        .join(Program, Program.id == Batch.program_id)
        .join(Student, Student.id == AssignmentTask.student_id)
        .where(
            Program.id.in_(scope.program_ids),
            COUNTED,
            AssignmentTask.active.is_(True),
            Assignment.active.is_(True),
            *keyset([AssignmentTask.id], args.cursor),
        )
        .order_by(AssignmentTask.id)
    )
    if scope.batch is not None:
        query = query.where(Batch.id == scope.batch.id)
    if args.partner is not None:
        query = query.where(AssignmentTask.odoo_partner_id == args.partner)

    def build(row: Any) -> out.Score:
        task, assignment, batch, program, trainee = row
        return out.Score(
            assignment=assignment.title,
            odoo_task_id=task.odoo_task_id,
            partner_id=task.odoo_partner_id,
            trainee=trainee,
            program=program,
            batch=batch,
            submitted_at=task.submitted_at,
            late=task.late,
            score=task.score,
            max_score=max_score_of(task, assignment, default_max(program)),
        )

    data, following = page(db, query, args.limit, lambda r: (r[0].id,), build)
    return out.ScorePage(data=data, next_cursor=following)


def certificate_page(db: Session, args: BatchRowArgs, today: date) -> out.CertificatePage:
    """Every certificate of counted trainees, superseded and revoked ones too, with the status
    the verify site shows on `today`. Never the signature, the payload or the PDF's path."""
    scope = scope_of(db, args.program, args.batch)
    query = (
        select(Certificate, Program.key, Batch.key)
        .join(Program, Program.id == Certificate.program_id)
        .join(Student, Student.id == Certificate.student_id)
        .outerjoin(Batch, Batch.id == Certificate.batch_id)
        .where(
            Program.id.in_(scope.program_ids),
            COUNTED,
            *keyset([Certificate.id], args.cursor),
        )
        .order_by(Certificate.id)
    )
    if scope.batch is not None:
        query = query.where(Certificate.batch_id == scope.batch.id)
    if args.partner is not None:
        query = query.where(Certificate.odoo_partner_id == args.partner)

    def build(row: Any) -> out.Certificate:
        cert, program, batch = row
        return out.Certificate(
            serial=cert.serial,
            program=program,
            program_name=cert.program_name,
            batch=batch,
            batch_name=cert.batch_name,
            participant=cert.participant_name,
            partner_id=cert.odoo_partner_id,
            issue_date=cert.issue_date,
            expires_on=cert.expires_on,
            status=certificate_status(cert, today).state,
            verify_url=cert.verify_url,
            issued_at=cert.issued_at,
        )

    data, following = page(db, query, args.limit, lambda r: (r[0].id,), build)
    return out.CertificatePage(data=data, next_cursor=following)
