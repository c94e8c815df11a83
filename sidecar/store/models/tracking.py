"""What the sidecar computes and tracks (students, progress trackers) and the sync's own
bookkeeping (cursors, the recompute queue, runs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sidecar.statuses import RunStatus, StudentStatus, TrackerStatus
from sidecar.store.models.base import Base, utcnow


class Student(Base):
    """A partner in a program."""

    __tablename__ = "students"
    __table_args__ = (UniqueConstraint("program_id", "odoo_partner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    odoo_partner_id: Mapped[int] = mapped_column(Integer, index=True)
    odoo_applicant_id: Mapped[int | None] = mapped_column(Integer)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    name: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str | None] = mapped_column(String(300))
    integration_status: Mapped[str] = mapped_column(
        String(20), default=StudentStatus.NOT_INTEGRATED
    )
    elearning_pct: Mapped[float] = mapped_column(Float, default=0.0)
    attendance_pct: Mapped[float | None] = mapped_column(Float)
    average_score: Mapped[float | None] = mapped_column(Float)
    graded_total: Mapped[int] = mapped_column(Integer, default=0)
    graded_done: Mapped[int] = mapped_column(Integer, default=0)
    # the weighted 0-100 average of the assignments of their batch (programs[].assignments)
    assignment_average: Mapped[float | None] = mapped_column(Float)
    overall_pct: Mapped[float] = mapped_column(Float, default=0.0)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_at: Mapped[datetime | None]
    certified_at: Mapped[datetime | None]
    # Odoo's partner_share was False when last read (an internal user); None: not read yet.
    internal_user: Mapped[bool | None] = mapped_column(Boolean)
    # Why this partner is not counted as a trainee (`Exclusion`), or None: a trainee. Kept, not
    # deleted, so that a config change brings them back with their history.
    excluded: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    trackers: Mapped[list[ProgressTracker]] = relationship(back_populates="student")


class ProgressTracker(Base):
    """Student × course: what the mentor sees per course."""

    __tablename__ = "progress_trackers"
    __table_args__ = (UniqueConstraint("student_id", "course_integration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    course_integration_id: Mapped[int] = mapped_column(ForeignKey("course_integrations.id"))
    odoo_membership_id: Mapped[int | None] = mapped_column(BigInteger)
    enrolled: Mapped[bool] = mapped_column(Boolean, default=False)
    completion: Mapped[int] = mapped_column(Integer, default=0)
    member_status: Mapped[str | None] = mapped_column(String(20))
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    lessons_completed: Mapped[int] = mapped_column(Integer, default=0)
    submissions: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=TrackerStatus.NOT_STARTED)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    student: Mapped[Student] = relationship(back_populates="trackers")


# --- sync bookkeeping ---------------------------------------------------------------------------


class SyncCursor(Base):
    """A stream's sync state; committed in the same transaction as the rows it follows.

    `polled_at` is when the last complete pass started (the next pass lists from there minus the
    overlap window); `pass_started_at`, `second` and `after_id` locate a pass in progress, so an
    interrupted pass resumes where it stopped.
    """

    __tablename__ = "sync_cursors"

    stream: Mapped[str] = mapped_column(String(100), primary_key=True)
    signature: Mapped[str] = mapped_column(Text)  # the domain it belongs to; a change restarts
    polled_at: Mapped[datetime | None]
    pass_started_at: Mapped[datetime | None]
    second: Mapped[str | None] = mapped_column(String(19))
    after_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PendingRecompute(Base):
    """A partner whose figures must be recomputed: queued with the rows that changed them, so a
    crash between loading and recomputing loses nothing."""

    __tablename__ = "pending_recompute"

    partner_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="sync")  # sync | full | reconcile
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.RUNNING)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_created: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_removed: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    error_text: Mapped[str | None] = mapped_column(Text)
    odoo_calls: Mapped[int] = mapped_column(Integer, default=0)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
