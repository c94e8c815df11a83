"""Which expiring certificates a program's `renewal` rule renews (docs/product-rules.md §15).

- `requirements`: on its last valid day (or up to `window_days` later, when the service was
  down that day), when the trainee still meets the program's requirements today.
- `refresher`: when the trainee's membership of the refresher course is complete and Odoo last
  changed it on or after the window's first day (`window_days` before expiry), also after
  expiry: the course was done for this renewal, not the first time round.

The renewal itself is a re-issue (`IssueJob.reissue`): a new serial and expiry, the old one
pointing at it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs.issue.trainees import Trainees, assignment_states
from sidecar.config.programs import Program as ProgramConfig
from sidecar.store.models import Certificate, CourseIntegration, CourseMembership, Program
from sidecar.store.programs import course_ref


def due(
    session: Session, program: Program, configured: ProgramConfig, today: date
) -> list[Certificate]:
    """The program's current certificates that its rule renews today, oldest first."""
    rule = configured.renewal
    if rule.rule == "none":
        return []
    window = timedelta(days=rule.window_days)
    query = select(Certificate).where(
        Certificate.program_id == program.id,
        Certificate.superseded_at.is_(None),
        Certificate.revoked_at.is_(None),
        Certificate.expires_on.is_not(None),
    )
    if rule.rule == "requirements":
        query = query.where(
            Certificate.expires_on <= today, Certificate.expires_on >= today - window
        )
    else:
        query = query.where(Certificate.expires_on <= today + window)
    found = list(session.scalars(query.order_by(Certificate.expires_on, Certificate.id)))
    if not found:
        return []
    if rule.rule == "requirements":
        return _still_meeting(session, program, configured, found)
    assert rule.course is not None  # the config refuses a refresher rule without its course
    done = _refreshed_on(session, program, course_ref(rule.course))
    return [
        cert
        for cert in found
        if cert.expires_on is not None
        and (when := done.get(cert.odoo_partner_id)) is not None
        and when >= cert.expires_on - window
    ]


def _still_meeting(
    session: Session, program: Program, configured: ProgramConfig, certs: list[Certificate]
) -> list[Certificate]:
    trainees = Trainees(session, program, configured)
    due = {c.student_id for c in certs}
    # Only the due trainees' assignments are read: the rest of the program has nothing due.
    placed = [(s.id, trainees.batch_of(s)) for s in trainees.students if s.id in due]
    handed = assignment_states(session, configured, placed)
    known = {student_id for student_id, _ in placed}
    # No longer a trainee of the program: nothing to renew. The batch is over by now: only
    # the trainee's own figures decide.
    return [
        cert
        for cert in certs
        if cert.student_id in known
        and trainees.decide(cert.student_id, handed, batch_is_done=True).action == "issue"
    ]


def _refreshed_on(session: Session, program: Program, ref: str) -> dict[int, date]:
    """Partner → the day Odoo last changed their completed membership of the course."""
    channel = session.scalar(
        select(CourseIntegration.odoo_channel_id).where(
            CourseIntegration.program_id == program.id, CourseIntegration.course_ref == ref
        )
    )
    if channel is None:
        return {}  # not resolved in Odoo yet: the sync resolves it
    rows = session.execute(
        select(CourseMembership.partner_id, CourseMembership.write_date).where(
            CourseMembership.channel_id == channel,
            CourseMembership.ever_completed.is_(True),
            CourseMembership.removed_at.is_(None),
        )
    )
    return {partner: date.fromisoformat(stamp[:10]) for partner, stamp in rows}
