"""Certificates of trainees removed from a course (docs/product-rules.md §12).

With `removed_membership: drop` a course whose membership is archived (or deleted) in Odoo is
not completed, so a certificate not yet issued is not issued: the figures see to that. One
already issued stays valid unless the program also says `revoke_on_removal: true`; then it is
revoked here, the way `ojt-sidecar cert revoke` does it, with the course and the date as the
reason. Only a removal dated at or after the certificate's issue counts: a membership archived
before it was issued was known when it was issued (under `keep_completion`), and switching the
rule on must not revoke the past wholesale.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs.incremental import odoo_datetime
from jobs.issue.revocation import revoke
from jobs.issue.trainees import counted_courses_of
from sidecar.config.programs import Program as ProgramConfig
from sidecar.store.models import Certificate, CourseMembership, Program

log = logging.getLogger(__name__)


def revoke_removed(
    session: Session, program: Program, configured: ProgramConfig, now: datetime
) -> list[str]:
    """Revoke the live certificates of the program whose trainee left a counted course after
    they were issued; the serials revoked. The caller commits."""
    if configured.removed_membership != "drop" or not configured.revoke_on_removal:
        return []
    courses = {c.odoo_channel_id: c for c in counted_courses_of(session, program.id)}
    m, c = CourseMembership, Certificate
    rows = session.execute(
        select(c, m.channel_id, m.removed_at, m.write_date)
        .join(m, m.partner_id == c.odoo_partner_id)
        .where(
            c.program_id == program.id,
            c.revoked_at.is_(None),
            c.superseded_by_id.is_(None),
            m.channel_id.in_([channel for channel in courses if channel is not None] or [-1]),
            (m.active.is_(False)) | (m.removed_at.is_not(None)),
        )
        .order_by(c.id, m.channel_id)
    ).all()
    revoked: list[str] = []
    for cert, channel, removed_at, write_date in rows:
        # deleted in Odoo: when the sidecar found out; archived: Odoo's last write on it
        when = removed_at if removed_at is not None else odoo_datetime(write_date)
        # to the second: Odoo's write_date has no microseconds
        if cert.revoked_at is not None or when < cert.issued_at.replace(microsecond=0):
            continue
        course = courses[channel]
        name = course.course_name or course.course_ref
        revoke(session, cert, f"removed from course {name} on {when.date().isoformat()}", now)
        revoked.append(cert.serial)
        log.info("revoked %s: %s", cert.serial, cert.revoked_reason)
    return revoked
