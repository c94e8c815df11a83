"""Enrollments of applicants and contacts (the enrollment state machine's rows)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sidecar.statuses import EnrollmentState
from sidecar.store.models.base import Base, utcnow


class Enrollment(Base):
    """An applicant (or a partner enrolled by hand) on the way into a program: the state of the
    multi-step Odoo flow (partner, portal access, courses, note). Each step's writes are outbox
    rows; the next step starts once they are delivered and what it needs has been read back.

    `subject` is `applicant:<id>` or `partner:<id>:<program key>`: one row per applicant, ever,
    so an applicant who leaves the stage and comes back is handled once. `round` goes up when a
    flow is started again after it was stopped, so that its outbox keys are new."""

    __tablename__ = "enrollments"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(100), unique=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    odoo_applicant_id: Mapped[int | None] = mapped_column(Integer, index=True)
    odoo_partner_id: Mapped[int | None] = mapped_column(Integer)
    odoo_user_id: Mapped[int | None] = mapped_column(Integer)  # the recruiter, for To-Dos
    name: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str | None] = mapped_column(String(300))
    # new | awaiting_review | approved | partner | portal | portal_wizard | portal_grant |
    # courses | courses_wait | note_wait | enrolled | left_stage | refused | failed
    state: Mapped[str] = mapped_column(String(30), default=EnrollmentState.NEW, index=True)
    round: Mapped[int] = mapped_column(Integer, default=0)
    portal: Mapped[str | None] = mapped_column(String(20))  # invited | existing
    reason: Mapped[str | None] = mapped_column(Text)  # why it waits for review, or failed
    manual: Mapped[bool] = mapped_column(Boolean, default=False)  # approved by a person
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    enrolled_at: Mapped[datetime | None]
