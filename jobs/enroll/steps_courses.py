"""The enrollment steps from courses on: join each course through Odoo's invite wizard, record
the student, post the note on the applicant, done."""

from __future__ import annotations

import logging

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from jobs.enroll import writes
from jobs.enroll.context import ProgramInfo
from jobs.enroll.step import Step, fail, queue, waiting_on
from jobs.odoo import elearning, recruitment
from jobs.odoo.profile import profile_of
from jobs.odoo.recruitment import Applicant
from sidecar import enrollment as rules
from sidecar.outbox import row_of as outbox
from sidecar.statuses import EnrollmentState, StudentStatus
from sidecar.store.models import Enrollment, ProgressTracker, Student, utcnow
from sidecar.store.sql import insert_new

_STUDENTS: Table = Student.__table__  # type: ignore[assignment]
_TRACKERS: Table = ProgressTracker.__table__  # type: ignore[assignment]

log = logging.getLogger("ojt_sidecar.enroll")


def _course_keys(row: Enrollment, channel_id: int) -> tuple[str, str]:
    base = f"course{channel_id}"
    return (
        writes.step_key(row.subject, row.round, f"{base}/wizard"),
        writes.step_key(row.subject, row.round, f"{base}/invite"),
    )


def courses(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    partner = row.odoo_partner_id
    channels = [c.channel_id for c in program.courses]
    if partner is None:
        return fail(step, row, "there is no contact to enroll")
    joined = elearning.joined_courses(step.client, partner, channels)
    for course in program.courses:
        if course.channel_id in joined:
            continue
        context = elearning.enroll_context(step.client, course.channel_id)
        wizard_key, invite_key = _course_keys(row, course.channel_id)
        queue(
            step,
            session,
            elearning.course_wizard(wizard_key, row.subject, course.channel_id, partner, context),
        )
        queue(
            step,
            session,
            elearning.course_invite(
                invite_key,
                row.subject,
                wizard_key,
                course.channel_id,
                course.name,
                partner,
                context,
                profile_of(step.client),
            ),
        )
    row.state = EnrollmentState.COURSES_WAIT
    return True


def courses_wait(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    keys = [k for c in program.courses for k in _course_keys(row, c.channel_id)]
    queued = [k for k in keys if outbox(session, k) is not None]
    if waiting_on(step, session, row, queued):
        return False
    if row.odoo_partner_id is None:
        return fail(step, row, "there is no contact to record as a student")
    _record_student(session, row, row.odoo_partner_id, program)
    if row.odoo_applicant_id is None:
        return enrolled(step, row)
    text = rules.enrolled_note(program.name, [c.name for c in program.courses], row.portal)
    key = writes.step_key(row.subject, row.round, "note")
    queue(
        step,
        session,
        recruitment.enrolled_note(key, row.subject, row.odoo_applicant_id, program.name, text),
    )
    row.state = EnrollmentState.NOTE_WAIT
    return True


def note_wait(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    if waiting_on(step, session, row, [writes.step_key(row.subject, row.round, "note")]):
        return False
    return enrolled(step, row)


def enrolled(step: Step, row: Enrollment) -> bool:
    row.state, row.reason, row.enrolled_at = EnrollmentState.ENROLLED, None, utcnow()
    step.outcome.enrolled.append(row.subject)
    log.info("%s: enrolled", row.subject)
    return False


def _record_student(
    session: Session, row: Enrollment, partner_id: int, program: ProgramInfo
) -> None:
    """The student and a tracker per course; the progress sync fills in the figures. The sync
    makes students and trackers too, under its own lease: rows it made first are kept
    (`insert_new`), then read back."""
    session.execute(
        insert_new(session, _STUDENTS).values(
            program_id=program.id,
            odoo_partner_id=partner_id,
            name=row.name,
            email=row.email,
            integration_status=StudentStatus.ENROLLED,
        )
    )
    student = session.scalars(
        select(Student).where(
            Student.program_id == program.id, Student.odoo_partner_id == partner_id
        )
    ).one()
    if row.odoo_applicant_id is not None and student.odoo_applicant_id is None:
        student.odoo_applicant_id = row.odoo_applicant_id
    if student.integration_status == StudentStatus.NOT_INTEGRATED:
        student.integration_status = StudentStatus.ENROLLED
    trackers = [
        {
            "student_id": student.id,
            "course_integration_id": course.integration_id,
            "enrolled": True,
            "member_status": "joined",
        }
        for course in program.courses
    ]
    if trackers:
        session.execute(insert_new(session, _TRACKERS), trackers)
