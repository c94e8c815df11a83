"""The sidecar's own tables (SQLAlchemy 2.0, typed). Alembic owns the schema: see migrations/.

Three groups:
- from the config: programs, course integrations, batches (reconciled at start, archived not
  deleted);
- mirrors of Odoo rows, keyed by Odoo's id, written only by the sync: memberships, lesson
  progress, graded items, assessment results, attendance. A row Odoo deleted or archived is
  marked (`removed_at`), never deleted;
- what we compute and track: students (a partner in a program) and progress trackers (student ×
  course), plus the sync's own bookkeeping: cursors and runs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}  # noqa: RUF012


# --- from the config ---------------------------------------------------------------------------


class Program(Base):
    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    issue_on: Mapped[str] = mapped_column(String(20), default="completion")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Digest of the settings that move figures (courses, weights, requirements, batches): when
    # the config changes them, every student of the program is recomputed.
    settings_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    courses: Mapped[list[CourseIntegration]] = relationship(
        back_populates="program", order_by="CourseIntegration.position"
    )
    batches: Mapped[list[Batch]] = relationship(back_populates="program")


class CourseIntegration(Base):
    """A program ↔ `slide.channel` link as configured; `odoo_channel_id` once resolved."""

    __tablename__ = "course_integrations"
    __table_args__ = (UniqueConstraint("program_id", "course_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    course_ref: Mapped[str] = mapped_column(String(200))  # the config's name, or "#<id>"
    odoo_channel_id: Mapped[int | None] = mapped_column(Integer, index=True)
    course_name: Mapped[str | None] = mapped_column(String(200))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    completion_threshold: Mapped[int] = mapped_column(Integer, default=100)
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | archived
    archived_at: Mapped[datetime | None]

    program: Mapped[Program] = relationship(back_populates="courses")


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("program_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    event_ref: Mapped[str | None] = mapped_column(String(200))
    odoo_event_id: Mapped[int | None] = mapped_column(Integer, index=True)
    event_end: Mapped[str | None] = mapped_column(String(19))  # event.event date_end, UTC
    event_ended_at: Mapped[datetime | None]  # when the sync saw event_end pass
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | done | archived
    done_at: Mapped[datetime | None]

    program: Mapped[Program] = relationship(back_populates="batches")


# --- mirrors of Odoo rows ------------------------------------------------------------------------


class _Mirror:
    """Columns every mirror has: Odoo's id, its write_date string, and our removal mark."""

    odoo_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    write_date: Mapped[str] = mapped_column(String(19))
    removed_at: Mapped[datetime | None]  # deleted or archived in Odoo (found by reconcile)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseMembership(_Mirror, Base):
    """`slide.channel.partner`."""

    __tablename__ = "course_memberships"

    channel_id: Mapped[int] = mapped_column(Integer, index=True)
    partner_id: Mapped[int] = mapped_column(Integer, index=True)
    completion: Mapped[int] = mapped_column(Integer, default=0)
    member_status: Mapped[str | None] = mapped_column(String(20))
    completed_slides_count: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Odoo once reported this membership completed; stays True (docs/odoo-notes.md §14,
    # docs/product-rules.md §4).
    ever_completed: Mapped[bool] = mapped_column(Boolean, default=False)


class LessonProgress(_Mirror, Base):
    """`slide.slide.partner`."""

    __tablename__ = "lesson_progress"

    slide_id: Mapped[int] = mapped_column(Integer, index=True)
    channel_id: Mapped[int] = mapped_column(Integer, index=True)
    partner_id: Mapped[int] = mapped_column(Integer, index=True)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    quiz_attempts_count: Mapped[int] = mapped_column(Integer, default=0)


class GradedItem(_Mirror, Base):
    """A quiz or certification lesson (`slide.slide`) of a program's course."""

    __tablename__ = "graded_items"

    channel_id: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(20))  # quiz | certification
    survey_id: Mapped[int | None] = mapped_column(Integer)
    reward_1: Mapped[int] = mapped_column(Integer, default=0)
    reward_2: Mapped[int] = mapped_column(Integer, default=0)
    reward_3: Mapped[int] = mapped_column(Integer, default=0)
    reward_4: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AssessmentResult(_Mirror, Base):
    """A certification attempt (`survey.user_input` linked to a lesson)."""

    __tablename__ = "assessment_results"

    slide_id: Mapped[int] = mapped_column(Integer, index=True)
    partner_id: Mapped[int] = mapped_column(Integer, index=True)
    state: Mapped[str] = mapped_column(String(20))
    scoring_percentage: Mapped[float] = mapped_column(Float, default=0.0)
    scoring_success: Mapped[bool] = mapped_column(Boolean, default=False)


class AttendanceRecord(_Mirror, Base):
    """`event.registration` of a batch's event."""

    __tablename__ = "attendance"

    event_id: Mapped[int] = mapped_column(Integer, index=True)
    partner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    state: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


# --- computed and tracked -----------------------------------------------------------------------


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
    integration_status: Mapped[str] = mapped_column(String(20), default="not_integrated")
    elearning_pct: Mapped[float] = mapped_column(Float, default=0.0)
    attendance_pct: Mapped[float | None] = mapped_column(Float)
    average_score: Mapped[float | None] = mapped_column(Float)
    graded_total: Mapped[int] = mapped_column(Integer, default=0)
    graded_done: Mapped[int] = mapped_column(Integer, default=0)
    overall_pct: Mapped[float] = mapped_column(Float, default=0.0)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_at: Mapped[datetime | None]
    certified_at: Mapped[datetime | None]
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
    status: Mapped[str] = mapped_column(String(20), default="not_started")
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
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | ok | failed
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


# --- certificates, reviews and the outbox -------------------------------------------------------


class Certificate(Base):
    """A signed certificate. `generation` 0 is the one issuance may create; a re-issue adds the
    next generation and marks the previous one superseded, so history is kept and the database
    itself refuses a second automatic certificate for the same (student, program, batch)."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("student_id", "batch_scope", "generation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    # The batch key, or "" for none: NULLs never collide in a unique constraint.
    batch_scope: Mapped[str] = mapped_column(String(64), default="")
    generation: Mapped[int] = mapped_column(Integer, default=0)
    odoo_partner_id: Mapped[int] = mapped_column(Integer, index=True)
    odoo_applicant_id: Mapped[int | None] = mapped_column(Integer)
    participant_name: Mapped[str] = mapped_column(String(300))
    program_name: Mapped[str] = mapped_column(String(200))
    batch_name: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(300))
    issue_date: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    total_assignments: Mapped[int] = mapped_column(Integer, default=0)
    average_score: Mapped[float | None] = mapped_column(Float)
    verify_url: Mapped[str] = mapped_column(String(500))
    # Exactly the bytes that were signed (canonical JSON), their signature and the key's id.
    payload: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(64))
    pdf_path: Mapped[str] = mapped_column(String(500))  # relative to certificates.output_dir
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]  # every Odoo write of its delivery confirmed
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    superseded_at: Mapped[datetime | None]


class ReviewFlag(Base):
    """Something a person must look at in Odoo (a To-Do was queued for it), raised once per key."""

    __tablename__ = "review_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(
        String(200), unique=True
    )  # e.g. requirements/<student>/<batch>
    kind: Mapped[str] = mapped_column(String(40))  # requirements_not_met | not_eligible | ...
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"), index=True)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id"), index=True)
    odoo_partner_id: Mapped[int | None] = mapped_column(Integer)
    odoo_applicant_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """One write to Odoo, recorded in the transaction of the change that calls for it and
    delivered later by `jobs.deliver`. `key` is its idempotency key; `lookup` names the search
    that finds what an earlier, unconfirmed attempt already made, so nothing is written twice."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str | None] = mapped_column(String(200), index=True)  # e.g. certificate:SERIAL
    model: Mapped[str] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(100))
    # {"ids": [...] | None, "params": {...}}; rows written before 0.2 hold {"args", "kwargs"}
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    lookup: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"model":..,"domain":[..]}
    depends_on: Mapped[str | None] = mapped_column(String(200))  # key of a message it needs
    summary: Mapped[str] = mapped_column(String(300), default="")  # what a person reads
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    # pending | delivered | failed (gave up; needs a person) | cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    result_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


# --- recruitment ---------------------------------------------------------------------------------


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
    state: Mapped[str] = mapped_column(String(30), default="new", index=True)
    round: Mapped[int] = mapped_column(Integer, default=0)
    portal: Mapped[str | None] = mapped_column(String(20))  # invited | existing
    reason: Mapped[str | None] = mapped_column(Text)  # why it waits for review, or failed
    manual: Mapped[bool] = mapped_column(Boolean, default=False)  # approved by a person
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    enrolled_at: Mapped[datetime | None]


# --- the service: leases and job runs -----------------------------------------------------------


class JobLease(Base):
    """Which replica may run a job right now. A replica takes a lease whose `expires_at` has
    passed (or that it holds) with one conditional UPDATE, renews it while the job runs, and
    releases it at the end; a replica that dies simply lets it expire."""

    __tablename__ = "job_leases"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))  # host:pid:random of the replica
    acquired_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    fencing_token: Mapped[int] = mapped_column(BigInteger, default=0)  # +1 on every take-over


class JobRun(Base):
    """One run of a scheduled job, by whichever replica: what /healthz, /metrics and `status`
    read for "last successful run per job"."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64), index=True)
    holder: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    # running | ok | failed | interrupted (shutdown) | abandoned (holder died; found later)
    summary: Mapped[str | None] = mapped_column(Text)  # one line: what it did
    error: Mapped[str | None] = mapped_column(Text)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
