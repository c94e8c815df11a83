"""A program's trainees as issuance decides on them: read in a few statements, then detached, so
the decisions run without holding a session."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs.participants import Placement
from sidecar.certificates.layout import name_problem
from sidecar.config.programs import Program as ProgramConfig
from sidecar.figures import CourseState, Requirements, counted_courses
from sidecar.figures.assignments import AssignmentFigures, assignment_figures
from sidecar.issuance import Decision, TraineeState, decide
from sidecar.statuses import CourseStatus
from sidecar.store.assignment_queries import batch_results
from sidecar.store.models import (
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
        self._requirements = Requirements(**configured.requirements.model_dump())
        self._issue_on = configured.issue_on
        self.students = list(
            session.scalars(
                # members who are no trainees get nothing (docs/product-rules.md §12)
                select(Student)
                .where(Student.program_id == program.id, Student.excluded.is_(None))
                .order_by(Student.id)
            )
        )
        self.certified = _certified(session, program.id)
        self._courses_done = _courses_done(session, program.id)
        self._placement = Placement(session, program.id, configured.batch_approval)
        self.batches = self._placement.batches
        self._by_id = {s.id: s for s in self.students}
        for student in self.students:
            session.expunge(student)

    def batch_of(self, student: Student) -> Batch | None:
        """The student's cohort (`sidecar.issuance.cohort_of`)."""
        return self._placement.batch_of(student)

    def decide(
        self, student_id: int, handed: dict[int, AssignmentFigures], *, batch_is_done: bool
    ) -> Decision:
        """`sidecar.issuance.decide` for one of the students, with their assignments' figures
        (`assignment_states`) and the program's rules: for issuance and for renewal alike."""
        state = replace(self.state(student_id), assignments=handed.get(student_id))
        return decide(
            state, self._requirements, issue_on=self._issue_on, batch_is_done=batch_is_done
        )

    def state(self, student_id: int) -> TraineeState:
        student = self._by_id[student_id]
        return TraineeState(
            complete=student.complete,
            required_courses_done=student_id in self._courses_done,
            attendance_pct=student.attendance_pct,
            average_score=student.average_score,
            has_name=bool(student.name.strip()),
            # Measured only for someone otherwise ready: laying a name out costs more than
            # the rest of the rules (docs/product-rules.md §3).
            name_problem=name_problem(student.name)
            if student.complete and student.name.strip()
            else None,
        )


def _certified(session: Session, program_id: int) -> set[tuple[int, str]]:
    """(student, batch scope) pairs that already hold their automatic certificate."""
    rows = session.execute(
        select(Certificate.student_id, Certificate.batch_scope).where(
            Certificate.program_id == program_id, Certificate.generation == 0
        )
    )
    return {(student_id, scope) for student_id, scope in rows}


def counted_courses_of(session: Session, program_id: int) -> list[CourseIntegration]:
    """The program's counted courses: the rule the figures use
    (`sidecar.figures.counted_courses`: the required ones, else all) on its active courses."""
    courses = list(
        session.scalars(
            select(CourseIntegration).where(
                CourseIntegration.program_id == program_id,
                CourseIntegration.status == CourseStatus.ACTIVE,
            )
        )
    )
    states = (CourseState(c.id, required=c.required) for c in courses)
    counted = {state.course_id for state in counted_courses(states)}
    return [c for c in courses if c.id in counted]


def _courses_done(session: Session, program_id: int) -> set[int]:
    """Students who completed every counted course (the required ones, else all)."""
    counted = [c.id for c in counted_courses_of(session, program_id)]
    done: dict[int, set[int]] = {}
    for student_id, course_id in session.execute(
        select(ProgressTracker.student_id, ProgressTracker.course_integration_id).where(
            ProgressTracker.course_integration_id.in_(counted or [-1]),
            ProgressTracker.completed.is_(True),
        )
    ):
        done.setdefault(student_id, set()).add(course_id)
    return {sid for sid, ids in done.items() if counted and set(counted) <= ids}


def assignment_states(
    session: Session, configured: ProgramConfig, placed: list[tuple[int, Batch | None]]
) -> dict[int, AssignmentFigures]:
    """Each candidate's assignment figures in their batch (none placed: none handed in), for a
    program with assignments; empty otherwise."""
    rules = configured.assignments
    if rules is None:
        return {}
    figures = {sid: assignment_figures([], rules.unscored) for sid, _ in placed}
    by_batch: dict[int, list[int]] = {}
    for student_id, batch in placed:
        if batch is not None:
            by_batch.setdefault(batch.id, []).append(student_id)
    for batch_id, students in by_batch.items():
        for student_id, results in batch_results(
            session, batch_id, students, rules.max_score
        ).items():
            figures[student_id] = assignment_figures(results, rules.unscored)
    return figures
