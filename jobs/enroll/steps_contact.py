"""The enrollment steps up to portal access: decide (or ask for a review), find or make the
contact, and grant portal access through Odoo's wizard."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from jobs.enroll import writes
from jobs.enroll.context import ProgramInfo
from jobs.enroll.step import Step, fail, queue, waiting_on
from jobs.odoo import contacts, recruitment
from jobs.odoo.recruitment import Applicant
from sidecar import enrollment as rules
from sidecar.outbox import CANCELLED, made_by, ref
from sidecar.outbox import row_of as outbox
from sidecar.statuses import EnrollmentState
from sidecar.store.models import Enrollment


def new(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    if app is None or step.ctx.applicant_model_id is None:
        # An applicant row from when a program listed jobs; none does now (or it vanished).
        return fail(step, row, "no program enrolls applicants from Recruitment any more")
    rule = program.eligibility
    decision = rules.decide(
        email=app.email,
        require_email=rule.require_email,
        matches_domain=step.domain_ok.get(app.id, True),
        auto_enroll=rule.auto_enroll,
    )
    if decision.enroll:
        row.state, row.reason = EnrollmentState.APPROVED, None
        return True
    reason = " ".join(decision.reasons)
    summary = rules.todo_summary(program.name)
    note = rules.todo_note(
        decision.reasons, rule.criteria, f"ojt-sidecar enroll --applicant {app.id}"
    )
    key = writes.todo_key(row.subject)
    earlier = outbox(session, key)
    if earlier is not None and earlier.state == CANCELLED:
        key = f"{key}/r{row.round}"  # withdrawn when it left the stage unsent: ask again now
    queue(
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
    if row.state != EnrollmentState.AWAITING_REVIEW or row.reason != reason:
        step.outcome.awaiting_review.append(row.subject)
    row.state, row.reason = EnrollmentState.AWAITING_REVIEW, reason
    return False


def approved(
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
            queue(step, session, contacts.create_partner(key, row.subject, row.name, email))
            partner = ref(key)
        if row.odoo_applicant_id is not None:
            link = writes.step_key(row.subject, row.round, "link_partner")
            queue(
                step,
                session,
                recruitment.link_partner(
                    link,
                    row.subject,
                    row.odoo_applicant_id,
                    partner,
                    app.candidate_id if app else None,
                ),
            )
        if found is None:
            row.state = EnrollmentState.PARTNER
            return True
    if row.odoo_partner_id is None:
        return fail(step, row, "the applicant has neither a contact nor a valid e-mail address")
    row.state = EnrollmentState.PORTAL
    return True


def partner(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    key = writes.step_key(row.subject, row.round, "partner")
    if waiting_on(step, session, row, [key]) is not None:
        return False
    made = made_by(session, key)
    if made is None:
        return fail(step, row, f"Odoo did not say which contact {key} made")
    row.odoo_partner_id = made
    row.state = EnrollmentState.PORTAL
    return True


def portal(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    partner = row.odoo_partner_id
    if partner is None:
        return fail(step, row, "there is no contact to give portal access to")
    if contacts.has_user(step.client, partner):
        row.portal, row.state = "existing", EnrollmentState.COURSES
        return True
    found = contacts.partner(step.client, partner)
    if found is None or not rules.valid_email(found.get("email")):
        return fail(step, row, f"contact {partner} has no valid e-mail, so no portal access")
    key = writes.step_key(row.subject, row.round, "portal_wizard")
    queue(step, session, contacts.portal_wizard(key, row.subject, partner))
    row.state = EnrollmentState.PORTAL_WIZARD
    return True


def portal_wizard(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    key = writes.step_key(row.subject, row.round, "portal_wizard")
    if waiting_on(step, session, row, [key]) is not None:
        return False
    wizard = made_by(session, key)
    if wizard is None or row.odoo_partner_id is None:
        return fail(step, row, f"Odoo did not say which portal wizard {key} made")
    line = contacts.portal_line(step.client, wizard, row.odoo_partner_id)
    if line is None:
        return fail(step, row, f"portal wizard {wizard} has no line for the contact")
    grant = writes.step_key(row.subject, row.round, "portal_grant")
    queue(step, session, contacts.portal_grant(grant, row.subject, line, row.odoo_partner_id))
    row.state = EnrollmentState.PORTAL_GRANT
    return True


def portal_grant(
    step: Step, session: Session, row: Enrollment, program: ProgramInfo, app: Applicant | None
) -> bool:
    if waiting_on(step, session, row, [writes.step_key(row.subject, row.round, "portal_grant")]):
        return False
    row.portal, row.state = "invited", EnrollmentState.COURSES
    return True
