"""`--dry-run`: the writes an enrollment would make, read from Odoo but neither stored nor sent.

Steps that need an id Odoo has not made yet (the new contact, the portal wizard's line) show the
outbox placeholder `{'$ref': KEY}` for it, KEY being the write that would make it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connectors import OdooClient
from jobs.enroll import writes
from jobs.enroll.context import EnrollContext, ProgramInfo
from jobs.enroll.report import EnrollReport
from jobs.odoo import contacts, elearning, recruitment
from jobs.odoo.recruitment import Applicant
from sidecar import enrollment as rules
from sidecar.outbox import PENDING, Write, ref
from sidecar.statuses import EnrollmentState
from sidecar.store.models import Enrollment, OutboxMessage, ReviewFlag

STARTABLE = (
    EnrollmentState.NEW,
    EnrollmentState.LEFT_STAGE,
    EnrollmentState.REFUSED,
    EnrollmentState.FAILED,
)


def plan_cycle(
    ctx: EnrollContext,
    sessions: sessionmaker[Session],
    client: OdooClient,
    report: EnrollReport,
    *,
    today: date,
) -> None:
    """Every applicant in the OJT stage not yet being enrolled, and the writes queued earlier."""
    apps = [
        a for a in recruitment.applicants_in_stages(client, sorted(ctx.stages)) if ctx.in_ojt(a)
    ]
    with sessions() as session:
        rows = {r.subject: r for r in session.scalars(select(Enrollment))}
        flagged = set(session.scalars(select(ReviewFlag.key)))
        todos = set(session.scalars(select(OutboxMessage.key)))
        for message in session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.state == PENDING, OutboxMessage.key.like("enroll/%")
            )
        ):
            report.planned.append(f"queued earlier: {message.summary or message.key}")
    for app in apps:
        subject = f"applicant:{app.id}"
        report.listed += 1
        program = ctx.by_job.get(app.job_id or 0)
        if program is None:
            if f"no_program/{subject}" not in flagged:
                report.without_program.append(f"applicant {app.id}: its job leads to no program")
            continue
        row = rows.get(subject)
        if row is not None and row.state not in STARTABLE:
            continue
        rule = program.eligibility
        matches = True
        if rule.domain:
            domain = [list(t) if isinstance(t, tuple) else t for t in rule.domain]
            matches = bool(recruitment.applicants_matching(client, [app.id], domain))
        decision = rules.decide(
            email=app.email,
            require_email=rule.require_email,
            matches_domain=matches,
            auto_enroll=rule.auto_enroll,
        )
        round_ = (row.round + (row.state != EnrollmentState.NEW)) if row is not None else 0
        if decision.enroll:
            planned = _enrollment(ctx, client, subject, round_, program, app, None)
        elif writes.todo_key(subject) in todos:
            continue
        else:
            planned = [_todo(ctx, subject, program, app, decision, today)]
        report.started.append(subject)
        _add(report, planned)


def plan_one(
    ctx: EnrollContext,
    sessions: sessionmaker[Session],
    client: OdooClient,
    report: EnrollReport,
    app: Applicant | None,
    program: ProgramInfo,
    *,
    today: date,
    partner: dict[str, Any] | None = None,
) -> None:
    """A hand enrollment: what it would write."""
    subject = f"applicant:{app.id}" if app else f"partner:{partner and partner['id']}:{program.key}"
    with sessions() as session:
        row = session.scalar(select(Enrollment).where(Enrollment.subject == subject))
    if row is not None and row.state == EnrollmentState.ENROLLED:
        report.already.append(subject)
        return
    round_ = (row.round + (row.state in STARTABLE[1:])) if row is not None else 0
    report.started.append(subject)
    _add(report, _enrollment(ctx, client, subject, round_, program, app, partner))


def _add(report: EnrollReport, planned: list[Write]) -> None:
    for write in planned:
        report.planned.append(f"{write.summary}\n    {write.describe()}")


def _todo(
    ctx: EnrollContext,
    subject: str,
    program: ProgramInfo,
    app: Applicant,
    decision: rules.Decision,
    today: date,
) -> Write:
    return writes.review_todo(
        writes.todo_key(subject),
        subject,
        applicant_id=app.id,
        model_id=ctx.applicant_model_id or 0,  # planned only while applicants are enrolled
        type_id=ctx.todo_type_id,
        user_id=app.recruiter_id or program.responsible_user_id,
        summary=rules.todo_summary(program.name),
        note=rules.todo_note(
            decision.reasons,
            program.eligibility.criteria,
            f"ojt-sidecar enroll --applicant {app.id}",
        ),
        today=today,
    )


def _enrollment(
    ctx: EnrollContext,
    client: OdooClient,
    subject: str,
    round_: int,
    program: ProgramInfo,
    app: Applicant | None,
    partner: dict[str, Any] | None,
) -> list[Write]:
    planned: list[Write] = []

    def key(step: str) -> str:
        return writes.step_key(subject, round_, step)

    partner_id: Any = partner["id"] if partner else (app.partner_id if app else None)
    email = str((partner or {}).get("email") or (app.email if app else "") or "").strip()
    if partner_id is None and email:
        partner_id = contacts.partner_by_email(client, email)
        if partner_id is None:
            name = app.name if app and app.name else email
            planned.append(contacts.create_partner(key("partner"), subject, name, email))
            partner_id = ref(key("partner"))
        if app is not None:
            planned.append(
                recruitment.link_partner(key("link_partner"), subject, app.id, partner_id)
            )
    known = isinstance(partner_id, int)
    portal = "invited"
    if known and contacts.has_user(client, partner_id):
        portal = "existing"
    else:
        planned.append(contacts.portal_wizard(key("portal_wizard"), subject, partner_id))
        # the wizard's line for the contact is read once the wizard exists
        line = ref(key("portal_wizard"))
        planned.append(contacts.portal_grant(key("portal_grant"), subject, line, partner_id))
    channels = [c.channel_id for c in program.courses]
    joined = elearning.joined_courses(client, partner_id, channels) if known else set()
    for course in program.courses:
        if course.channel_id in joined:
            continue
        context = elearning.enroll_context(client, course.channel_id)
        wizard = key(f"course{course.channel_id}/wizard")
        invite = key(f"course{course.channel_id}/invite")
        planned.append(
            elearning.course_wizard(wizard, subject, course.channel_id, partner_id, context)
        )
        planned.append(
            elearning.course_invite(
                invite, subject, wizard, course.channel_id, course.name, partner_id, context
            )
        )
    if app is not None:
        text = rules.enrolled_note(program.name, [c.name for c in program.courses], portal)
        planned.append(recruitment.enrolled_note(key("note"), subject, app.id, program.name, text))
    return planned
