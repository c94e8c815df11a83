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
from collections.abc import Callable

from sqlalchemy import update
from sqlalchemy.orm import Session

from jobs.enroll import steps_contact, steps_courses
from jobs.enroll.context import EnrollContext, ProgramInfo
from jobs.enroll.step import Outcome, Step
from jobs.odoo.recruitment import Applicant
from sidecar.outbox import CANCELLED, PENDING
from sidecar.statuses import EnrollmentState
from sidecar.store.models import (
    Enrollment,
    OutboxMessage,
)

log = logging.getLogger("ojt_sidecar.enroll")

WAITING = (
    EnrollmentState.PARTNER,
    EnrollmentState.PORTAL_WIZARD,
    EnrollmentState.PORTAL_GRANT,
    EnrollmentState.COURSES_WAIT,
    EnrollmentState.NOTE_WAIT,
)
STOPPABLE = (
    EnrollmentState.NEW,
    EnrollmentState.AWAITING_REVIEW,
    EnrollmentState.APPROVED,
    EnrollmentState.PARTNER,
    EnrollmentState.PORTAL,
    EnrollmentState.PORTAL_WIZARD,
    EnrollmentState.PORTAL_GRANT,
    EnrollmentState.COURSES,
)
OPEN = (*STOPPABLE, EnrollmentState.COURSES_WAIT, EnrollmentState.NOTE_WAIT)


def program_of(ctx: EnrollContext, row: Enrollment) -> ProgramInfo | None:
    return next((p for p in ctx.by_key.values() if p.id == row.program_id), None)


def advance(step: Step, session: Session, row: Enrollment, app: Applicant | None) -> bool:
    """Run the row's current step; True when it moved on (call again), False when it waits."""
    program = program_of(step.ctx, row)
    if program is None:
        return False  # its program left the config: nothing to do until it comes back
    if row.odoo_applicant_id is not None and step.ctx.paused:
        return False  # enrollment from Recruitment is paused: the row waits as it is
    if row.state in STOPPABLE and row.odoo_applicant_id is not None:
        stop = _stop_reason(step.ctx, row, app)
        if stop is not None:
            _stop(session, row, stop, step.outcome)
            return False
    handler = _HANDLERS.get(row.state)
    return handler(step, session, row, program, app) if handler else False


def _stop_reason(ctx: EnrollContext, row: Enrollment, app: Applicant | None) -> str | None:
    if app is None or not app.open:
        return EnrollmentState.REFUSED
    if row.manual:
        return None  # a person approved it: the stage no longer decides
    if not ctx.in_ojt(app):
        return EnrollmentState.LEFT_STAGE
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
    (outcome.left_stage if state == EnrollmentState.LEFT_STAGE else outcome.refused).append(
        row.subject
    )
    log.info("%s: %s before enrollment, stopped", row.subject, state.replace("_", " "))


def _awaiting(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    return False  # waits for a person (`ojt-sidecar enroll`) or a change to the applicant


# A step: run the row's current state; True when it moved on (call again).
Handler = Callable[[Step, Session, Enrollment, ProgramInfo, Applicant | None], bool]

_HANDLERS: dict[str, Handler] = {
    EnrollmentState.NEW: steps_contact.new,
    EnrollmentState.AWAITING_REVIEW: _awaiting,
    EnrollmentState.APPROVED: steps_contact.approved,
    EnrollmentState.PARTNER: steps_contact.partner,
    EnrollmentState.PORTAL: steps_contact.portal,
    EnrollmentState.PORTAL_WIZARD: steps_contact.portal_wizard,
    EnrollmentState.PORTAL_GRANT: steps_contact.portal_grant,
    EnrollmentState.COURSES: steps_courses.courses,
    EnrollmentState.COURSES_WAIT: steps_courses.courses_wait,
    EnrollmentState.NOTE_WAIT: steps_courses.note_wait,
}
