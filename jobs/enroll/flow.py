"""The enrollment state machine. One step at a time: a step reads what it needs from Odoo, then,
in one store transaction, queues its writes in the outbox and moves the row on. A step whose
writes are not all delivered yet waits; the next cycle (or the next round of this one) goes on.

    new ──(not eligible / manual program)──▶ awaiting_review   (one To-Do, ever)
     │ eligible, auto                            │ `ojt-sidecar enroll` (a person approved)
     ▼                                           ▼
    approved ─▶ partner* ─▶ portal ─▶ portal_wizard* ─▶ portal_grant* ─▶ courses ─▶ courses_wait*
                  (found: skipped)      (has a user: straight to courses)                │
                                                                        note_wait* ◀─────┘
                                                                            ▼
                                                                         enrolled
    * waits for its outbox rows. Up to and including `courses`, an applicant who left the stage
      goes to left_stage, a refused one to refused, and the writes not yet attempted are
      cancelled; once the course writes are queued the enrollment completes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connectors import OdooClient
from jobs.enroll import writes
from jobs.enroll.context import EnrollContext, ProgramInfo
from jobs.odoo import contacts, elearning, recruitment
from jobs.odoo.recruitment import Applicant
from sidecar import enrollment as rules
from sidecar.outbox import CANCELLED, DELIVERED, PENDING, Write, enqueue, ref
from sidecar.store.models import (
    Enrollment,
    OutboxMessage,
    ProgressTracker,
    Student,
    utcnow,
)

log = logging.getLogger("ojt_sidecar.enroll")

WAITING = ("partner", "portal_wizard", "portal_grant", "courses_wait", "note_wait")
STOPPABLE = (
    "new",
    "awaiting_review",
    "approved",
    "partner",
    "portal",
    "portal_wizard",
    "portal_grant",
    "courses",
)
OPEN = (*STOPPABLE, "courses_wait", "note_wait")


@dataclass
class Outcome:
    """What the steps did, for the cycle's report."""

    enrolled: list[str] = field(default_factory=list)
    awaiting_review: list[str] = field(default_factory=list)
    left_stage: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    queued: list[Write] = field(default_factory=list)


@dataclass
class Step:
    """Everything a step needs besides the row: Odoo, the resolved config, today's date."""

    client: OdooClient
    ctx: EnrollContext
    today: date
    outcome: Outcome
    domain_ok: dict[int, bool] = field(default_factory=dict)  # applicant -> matches the rule


def program_of(ctx: EnrollContext, row: Enrollment) -> ProgramInfo | None:
    return next((p for p in ctx.by_key.values() if p.id == row.program_id), None)


def advance(step: Step, session: Session, row: Enrollment, app: Applicant | None) -> bool:
    """Run the row's current step; True when it moved on (call again), False when it waits."""
    program = program_of(step.ctx, row)
    if program is None:
        return False  # its program left the config: nothing to do until it comes back
    if row.state in STOPPABLE and row.odoo_applicant_id is not None:
        stop = _stop_reason(step.ctx, row, app)
        if stop is not None:
            _stop(session, row, stop, step.outcome)
            return False
    handler = _HANDLERS.get(row.state)
    return handler(step, session, row, program, app) if handler else False


def _stop_reason(ctx: EnrollContext, row: Enrollment, app: Applicant | None) -> str | None:
    if app is None or not app.open:
        return "refused"
    if row.manual:
        return None  # a person approved it: the stage no longer decides
    if not ctx.in_ojt(app):
        return "left_stage"
    return None


def _stop(session: Session, row: Enrollment, state: str, outcome: Outcome) -> None:
    # Writes never sent are withdrawn; one that was sent may have applied and is left to settle.
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.subject == row.subject,
            OutboxMessage.state == PENDING,
            OutboxMessage.attempts == 0,
        )
        .values(state=CANCELLED)
    )
    row.state = state
    (outcome.left_stage if state == "left_stage" else outcome.refused).append(row.subject)
    log.info("%s: %s before enrollment, stopped", row.subject, state.replace("_", " "))


def _queue(step: Step, session: Session, write: Write) -> OutboxMessage:
    message = enqueue(session, write)
    step.outcome.queued.append(write)
    return message


def _outbox(session: Session, key: str) -> OutboxMessage | None:
    return session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))


def _made_by(session: Session, key: str) -> int | None:
    """The id of the record a delivered write made."""
    message = _outbox(session, key)
    return message.result_id if message is not None else None


def _waiting_on(step: Step, session: Session, row: Enrollment, keys: list[str]) -> str | None:
    """'wait' while a row is pending, 'failed' (with the row's reason) when one gave up, or
    None when all are delivered."""
    for key in keys:
        message = _outbox(session, key)
        if message is None or message.state == PENDING:
            return "wait"
        if message.state != DELIVERED:
            _fail(step, row, f"{message.summary or key}: {message.last_error or message.state}")
            return "failed"
    return None


def _fail(step: Step, row: Enrollment, reason: str) -> bool:
    row.state, row.reason = "failed", reason
    step.outcome.failed.append(f"{row.subject}: {reason}")
    log.error("%s: enrollment failed: %s", row.subject, reason)
    return False


# --- the steps ----------------------------------------------------------------------------------


def _new(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    if app is None or step.ctx.applicant_model_id is None:
        # An applicant row from when a program listed jobs; none does now (or it vanished).
        return _fail(step, row, "no program enrolls applicants from Recruitment any more")
    rule = program.eligibility
    decision = rules.decide(
        email=app.email,
        require_email=rule.require_email,
        matches_domain=step.domain_ok.get(app.id, True),
        auto_enroll=rule.auto_enroll,
    )
    if decision.enroll:
        row.state, row.reason = "approved", None
        return True
    reason = " ".join(decision.reasons)
    summary = rules.todo_summary(program.name)
    note = rules.todo_note(
        decision.reasons, rule.criteria, f"ojt-sidecar enroll --applicant {app.id}"
    )
    key = writes.todo_key(row.subject)
    earlier = _outbox(session, key)
    if earlier is not None and earlier.state == CANCELLED:
        key = f"{key}/r{row.round}"  # withdrawn when it left the stage unsent: ask again now
    _queue(
        step,
        session,
        writes.review_todo(
            key,
            row.subject,
            applicant_id=app.id,
            model_id=step.ctx.applicant_model_id,
            type_id=step.ctx.todo_type_id,
            user_id=app.recruiter_id or program.responsible_user_id,
            summary=summary,
            note=note,
            today=step.today,
        ),
    )
    if row.state != "awaiting_review" or row.reason != reason:
        step.outcome.awaiting_review.append(row.subject)
    row.state, row.reason = "awaiting_review", reason
    return False


def _approved(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    if row.odoo_partner_id is None and app is not None:
        row.odoo_partner_id = app.partner_id
    email = (row.email or "").strip()
    if row.odoo_partner_id is None and rules.valid_email(email):
        found = contacts.partner_by_email(step.client, email)
        row.odoo_partner_id = found
        partner: Any = found
        if found is None:
            key = writes.step_key(row.subject, row.round, "partner")
            _queue(step, session, contacts.create_partner(key, row.subject, row.name, email))
            partner = ref(key)
        if row.odoo_applicant_id is not None:
            link = writes.step_key(row.subject, row.round, "link_partner")
            _queue(
                step,
                session,
                recruitment.link_partner(link, row.subject, row.odoo_applicant_id, partner),
            )
        if found is None:
            row.state = "partner"
            return True
    if row.odoo_partner_id is None:
        return _fail(step, row, "the applicant has neither a contact nor a valid e-mail address")
    row.state = "portal"
    return True


def _partner(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    key = writes.step_key(row.subject, row.round, "partner")
    if _waiting_on(step, session, row, [key]) is not None:
        return False
    made = _made_by(session, key)
    if made is None:
        return _fail(step, row, f"Odoo did not say which contact {key} made")
    row.odoo_partner_id = made
    row.state = "portal"
    return True


def _portal(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    partner = row.odoo_partner_id
    if partner is None:
        return _fail(step, row, "there is no contact to give portal access to")
    if contacts.has_user(step.client, partner):
        row.portal, row.state = "existing", "courses"
        return True
    found = contacts.partner(step.client, partner)
    if found is None or not rules.valid_email(found.get("email")):
        return _fail(step, row, f"contact {partner} has no valid e-mail, so no portal access")
    key = writes.step_key(row.subject, row.round, "portal_wizard")
    _queue(step, session, contacts.portal_wizard(key, row.subject, partner))
    row.state = "portal_wizard"
    return True


def _portal_wizard(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    key = writes.step_key(row.subject, row.round, "portal_wizard")
    if _waiting_on(step, session, row, [key]) is not None:
        return False
    wizard = _made_by(session, key)
    if wizard is None or row.odoo_partner_id is None:
        return _fail(step, row, f"Odoo did not say which portal wizard {key} made")
    line = contacts.portal_line(step.client, wizard, row.odoo_partner_id)
    if line is None:
        return _fail(step, row, f"portal wizard {wizard} has no line for the contact")
    grant = writes.step_key(row.subject, row.round, "portal_grant")
    _queue(step, session, contacts.portal_grant(grant, row.subject, line, row.odoo_partner_id))
    row.state = "portal_grant"
    return True


def _portal_grant(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    if _waiting_on(step, session, row, [writes.step_key(row.subject, row.round, "portal_grant")]):
        return False
    row.portal, row.state = "invited", "courses"
    return True


def _course_keys(row: Enrollment, channel_id: int) -> tuple[str, str]:
    base = f"course{channel_id}"
    return (
        writes.step_key(row.subject, row.round, f"{base}/wizard"),
        writes.step_key(row.subject, row.round, f"{base}/invite"),
    )


def _courses(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    partner = row.odoo_partner_id
    channels = [c.channel_id for c in program.courses]
    if partner is None:
        return _fail(step, row, "there is no contact to enroll")
    joined = elearning.joined_courses(step.client, partner, channels)
    for course in program.courses:
        if course.channel_id in joined:
            continue
        context = elearning.enroll_context(step.client, course.channel_id)
        wizard_key, invite_key = _course_keys(row, course.channel_id)
        _queue(
            step,
            session,
            elearning.course_wizard(wizard_key, row.subject, course.channel_id, partner, context),
        )
        _queue(
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
            ),
        )
    row.state = "courses_wait"
    return True


def _courses_wait(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    keys = [k for c in program.courses for k in _course_keys(row, c.channel_id)]
    queued = [k for k in keys if _outbox(session, k) is not None]
    if _waiting_on(step, session, row, queued):
        return False
    if row.odoo_partner_id is None:
        return _fail(step, row, "there is no contact to record as a student")
    _record_student(session, row, row.odoo_partner_id, program)
    if row.odoo_applicant_id is None:
        return _enrolled(step, row)
    text = rules.enrolled_note(program.name, [c.name for c in program.courses], row.portal)
    key = writes.step_key(row.subject, row.round, "note")
    _queue(
        step,
        session,
        recruitment.enrolled_note(key, row.subject, row.odoo_applicant_id, program.name, text),
    )
    row.state = "note_wait"
    return True


def _note_wait(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    if _waiting_on(step, session, row, [writes.step_key(row.subject, row.round, "note")]):
        return False
    return _enrolled(step, row)


def _enrolled(step: Step, row: Enrollment) -> bool:
    row.state, row.reason, row.enrolled_at = "enrolled", None, utcnow()
    step.outcome.enrolled.append(row.subject)
    log.info("%s: enrolled", row.subject)
    return False


def _record_student(
    session: Session, row: Enrollment, partner_id: int, program: ProgramInfo
) -> None:
    """The student and a tracker per course; the progress sync fills in the figures."""
    student = session.scalar(
        select(Student).where(
            Student.program_id == program.id, Student.odoo_partner_id == partner_id
        )
    )
    if student is None:
        student = Student(
            program_id=program.id,
            odoo_partner_id=partner_id,
            name=row.name,
            email=row.email,
            integration_status="enrolled",
        )
        session.add(student)
        session.flush()
    if row.odoo_applicant_id is not None and student.odoo_applicant_id is None:
        student.odoo_applicant_id = row.odoo_applicant_id
    if student.integration_status == "not_integrated":
        student.integration_status = "enrolled"
    have = set(
        session.scalars(
            select(ProgressTracker.course_integration_id).where(
                ProgressTracker.student_id == student.id
            )
        )
    )
    for course in program.courses:
        if course.integration_id not in have:
            session.add(
                ProgressTracker(
                    student_id=student.id,
                    course_integration_id=course.integration_id,
                    enrolled=True,
                    member_status="joined",
                )
            )


def _awaiting(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    return False  # waits for a person (`ojt-sidecar enroll`) or a change to the applicant


_HANDLERS = {
    "new": _new,
    "awaiting_review": _awaiting,
    "approved": _approved,
    "partner": _partner,
    "portal": _portal,
    "portal_wizard": _portal_wizard,
    "portal_grant": _portal_grant,
    "courses": _courses,
    "courses_wait": _courses_wait,
    "note_wait": _note_wait,
}
