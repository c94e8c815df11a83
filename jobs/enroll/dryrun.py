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
from jobs.enroll.context import APPLICANT, APPLICANT_FIELDS, EnrollContext, ProgramInfo, m2o
from jobs.enroll.report import EnrollReport
from sidecar import enrollment as rules
from sidecar.outbox import PENDING, Write, ref
from sidecar.store.models import Enrollment, OutboxMessage, ReviewFlag

STARTABLE = ("new", "left_stage", "refused", "failed")


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
        a
        for a in client.search_read_list(
            APPLICANT, [("stage_id", "in", sorted(ctx.stages))], APPLICANT_FIELDS, order="id asc"
        )
        if ctx.in_ojt(a)
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
        subject = f"applicant:{app['id']}"
        report.listed += 1
        program = ctx.by_job.get(m2o(app.get("job_id")) or 0)
        if program is None:
            if f"no_program/{subject}" not in flagged:
                report.without_program.append(f"applicant {app['id']}: its job leads to no program")
            continue
        row = rows.get(subject)
        if row is not None and row.state not in STARTABLE:
            continue
        rule = program.eligibility
        matches = True
        if rule.domain:
            domain = [
                ("id", "=", app["id"]),
                *[list(t) if isinstance(t, tuple) else t for t in rule.domain],
            ]
            matches = bool(client.search(APPLICANT, domain))
        decision = rules.decide(
            email=app.get("email_from"),
            require_email=rule.require_email,
            matches_domain=matches,
            auto_enroll=rule.auto_enroll,
        )
        round_ = (row.round + (row.state != "new")) if row is not None else 0
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
    app: dict[str, Any] | None,
    program: ProgramInfo,
    *,
    today: date,
    partner: dict[str, Any] | None = None,
) -> None:
    """A hand enrollment: what it would write."""
    subject = (
        f"applicant:{app['id']}" if app else f"partner:{partner and partner['id']}:{program.key}"
    )
    with sessions() as session:
        row = session.scalar(select(Enrollment).where(Enrollment.subject == subject))
    if row is not None and row.state == "enrolled":
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
    app: dict[str, Any],
    decision: rules.Decision,
    today: date,
) -> Write:
    return writes.review_todo(
        writes.todo_key(subject),
        subject,
        applicant_id=int(app["id"]),
        model_id=ctx.applicant_model_id,
        type_id=ctx.todo_type_id,
        user_id=m2o(app.get("user_id")) or program.responsible_user_id,
        summary=rules.todo_summary(program.name),
        note=rules.todo_note(
            decision.reasons,
            program.eligibility.criteria,
            f"ojt-sidecar enroll --applicant {app['id']}",
        ),
        today=today,
    )


def _enrollment(
    ctx: EnrollContext,
    client: OdooClient,
    subject: str,
    round_: int,
    program: ProgramInfo,
    app: dict[str, Any] | None,
    partner: dict[str, Any] | None,
) -> list[Write]:
    planned: list[Write] = []

    def key(step: str) -> str:
        return writes.step_key(subject, round_, step)

    partner_id: Any = partner["id"] if partner else m2o((app or {}).get("partner_id"))
    email = str((partner or {}).get("email") or (app or {}).get("email_from") or "").strip()
    if partner_id is None and email:
        found = client.search("res.partner", [("email", "=ilike", email)], limit=1)
        partner_id = found[0] if found else None
        if not found:
            name = str((app or {}).get("partner_name") or email)
            planned.append(writes.create_partner(key("partner"), subject, name, email))
            partner_id = ref(key("partner"))
        if app is not None:
            planned.append(
                writes.link_partner(key("link_partner"), subject, int(app["id"]), partner_id)
            )
    known = isinstance(partner_id, int)
    portal = "invited"
    if known and client.search("res.users", [("partner_id", "=", partner_id)], limit=1):
        portal = "existing"
    else:
        planned.append(writes.portal_wizard(key("portal_wizard"), subject, partner_id))
        # the wizard's line for the contact is read once the wizard exists
        line = ref(key("portal_wizard"))
        planned.append(writes.portal_grant(key("portal_grant"), subject, line, partner_id))
    joined: set[int | None] = set()
    if known:
        joined = {
            m2o(m.get("channel_id"))
            for m in client.search_read_list(
                "slide.channel.partner",
                [
                    ("partner_id", "=", partner_id),
                    ("channel_id", "in", [c.channel_id for c in program.courses]),
                ],
                ["channel_id", "member_status"],
                names=False,
            )
            if m.get("member_status") != "invited"
        }
    for course in program.courses:
        if course.channel_id in joined:
            continue
        action = client.call("slide.channel", "action_channel_enroll", ids=[course.channel_id])
        context = dict((action or {}).get("context") or {})
        wizard = key(f"course{course.channel_id}/wizard")
        invite = key(f"course{course.channel_id}/invite")
        planned.append(
            writes.course_wizard(wizard, subject, course.channel_id, partner_id, context)
        )
        planned.append(
            writes.course_invite(
                invite, subject, wizard, course.channel_id, course.name, partner_id, context
            )
        )
    if app is not None:
        text = rules.enrolled_note(program.name, [c.name for c in program.courses], portal)
        planned.append(
            writes.applicant_note(key("note"), subject, int(app["id"]), program.name, text)
        )
    return planned
