"""What `ojt-sidecar status` shows of enrollment: read from the store only (no Odoo call)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sidecar.statuses import EnrollmentState, FlagKind
from sidecar.store.models import Enrollment, Program, ReviewFlag


@dataclass
class WaitingApplicant:
    applicant_id: int | None
    subject: str
    program_key: str
    name: str
    state: str
    reason: str | None


@dataclass
class EnrollmentStatus:
    by_state: dict[str, int] = field(default_factory=dict)  # enrollments per state
    awaiting_review: list[WaitingApplicant] = field(default_factory=list)
    failed: list[WaitingApplicant] = field(default_factory=list)
    without_program: list[tuple[int | None, str]] = field(default_factory=list)  # (id, reason)


def enrollment_status(session: Session) -> EnrollmentStatus:
    status = EnrollmentStatus()
    for state, n in session.execute(
        select(Enrollment.state, func.count()).group_by(Enrollment.state)
    ):
        status.by_state[state] = int(n)
    keys = {pid: key for pid, key in session.execute(select(Program.id, Program.key))}
    for row in session.scalars(
        select(Enrollment)
        .where(Enrollment.state.in_((EnrollmentState.AWAITING_REVIEW, EnrollmentState.FAILED)))
        .order_by(Enrollment.id)
    ):
        item = WaitingApplicant(
            row.odoo_applicant_id,
            row.subject,
            keys.get(row.program_id, "?"),
            row.name,
            row.state,
            row.reason,
        )
        (
            status.awaiting_review
            if row.state == EnrollmentState.AWAITING_REVIEW
            else status.failed
        ).append(item)
    status.without_program = [
        (flag.odoo_applicant_id, flag.reason)
        for flag in session.scalars(
            select(ReviewFlag)
            .where(ReviewFlag.kind == FlagKind.NO_PROGRAM, ReviewFlag.resolved_at.is_(None))
            .order_by(ReviewFlag.odoo_applicant_id)
        )
    ]
    return status


def applicants_without_program(session: Session) -> list[ReviewFlag]:
    """Applicants seen in the OJT stage whose job leads to no program (for `status`)."""
    return list(
        session.scalars(
            select(ReviewFlag)
            .where(ReviewFlag.kind == FlagKind.NO_PROGRAM, ReviewFlag.resolved_at.is_(None))
            .order_by(ReviewFlag.odoo_applicant_id)
        )
    )
