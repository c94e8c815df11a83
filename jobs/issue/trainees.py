"""A program's trainees as issuance decides on them: read in a few statements, then detached, so
the decisions run without holding a session."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.config.programs import Program as ProgramConfig
from sidecar.figures import CourseState, counted_courses
from sidecar.issuance import Cohort, TraineeState, cohort_of
from sidecar.statuses import BatchStatus, CourseStatus
from sidecar.store.models import (
    AttendanceRecord,
    Batch,
    Certificate,
    CourseIntegration,
    Program,
    ProgressTracker,
    Student,
)


class Trainees:
    """A program's students with what the rules need, read in a few statements."""

    def __init__(self, session: Session, program: Program, configured: ProgramConfig) -> None:
        self.program = program
        self.students = list(
            session.scalars(
                select(Student).where(Student.program_id == program.id).order_by(Student.id)
            )
        )
        self.certified = _certified(session, program.id)
        self._courses_done = _courses_done(session, program.id)
        self.batches = list(
            session.scalars(
                select(Batch)
                .where(
                    Batch.program_id == program.id,
                    Batch.status.not_in([BatchStatus.ARCHIVED, BatchStatus.CANCELLED]),
                )
                .order_by(Batch.id)
            )
        )
        self._registered = _registered(session, self.batches, configured.batch_approval)
        self._cohorts = [
            Cohort(b.id, b.odoo_event_id, b.event_ref is not None, b.start_date, b.end_date)
            for b in self.batches
        ]
        self._by_id = {s.id: s for s in self.students}
        for student in self.students:
            session.expunge(student)
        for batch in self.batches:
            session.expunge(batch)

    def batch_of(self, student: Student) -> Batch | None:
        """The student's cohort (`sidecar.issuance.cohort_of`)."""
        found = cohort_of(
            self._cohorts,
            partner_id=student.odoo_partner_id,
            joined=student.created_at.date(),
            registered=self._registered,
            recorded=student.batch_id,
        )
        return next((b for b in self.batches if b.id == found), None)

    def state(self, student_id: int) -> TraineeState:
        student = self._by_id[student_id]
        return TraineeState(
            complete=student.complete,
            required_courses_done=student_id in self._courses_done,
            attendance_pct=student.attendance_pct,
            average_score=student.average_score,
            has_name=bool(student.name.strip()),
        )


def _certified(session: Session, program_id: int) -> set[tuple[int, str]]:
    """(student, batch scope) pairs that already hold their automatic certificate."""
    rows = session.execute(
        select(Certificate.student_id, Certificate.batch_scope).where(
            Certificate.program_id == program_id, Certificate.generation == 0
        )
    )
    return {(student_id, scope) for student_id, scope in rows}


def _courses_done(session: Session, program_id: int) -> set[int]:
    """Students who completed every counted course (the required ones, else all)."""
    courses = list(
        session.scalars(
            select(CourseIntegration).where(
                CourseIntegration.program_id == program_id,
                CourseIntegration.status == CourseStatus.ACTIVE,
            )
        )
    )
    # The rule the figures use (`sidecar.figures.counted_courses`), on the active courses.
    states = (CourseState(c.id, required=c.required) for c in courses)
    counted = [state.course_id for state in counted_courses(states)]
    done: dict[int, set[int]] = {}
    for student_id, course_id in session.execute(
        select(ProgressTracker.student_id, ProgressTracker.course_integration_id).where(
            ProgressTracker.course_integration_id.in_(counted or [-1]),
            ProgressTracker.completed.is_(True),
        )
    ):
        done.setdefault(student_id, set()).add(course_id)
    return {sid for sid, ids in done.items() if counted and set(counted) <= ids}


def _registered(session: Session, batches: list[Batch], approval: bool) -> dict[int, set[int]]:
    """Partners registered (not cancelled, not archived) per batch event; with `approval`
    (`programs[].batch_approval`), only those a mentor confirmed (or who attended)."""
    events = [b.odoo_event_id for b in batches if b.odoo_event_id is not None]
    registered: dict[int, set[int]] = {}
    if not events:
        return registered
    for event_id, partner_id in session.execute(
        select(AttendanceRecord.event_id, AttendanceRecord.partner_id).where(
            AttendanceRecord.event_id.in_(events),
            AttendanceRecord.state.not_in(["cancel", "draft"] if approval else ["cancel"]),
            AttendanceRecord.active.is_(True),
            AttendanceRecord.removed_at.is_(None),
        )
    ):
        if partner_id is not None:
            registered.setdefault(event_id, set()).add(partner_id)
    return registered
