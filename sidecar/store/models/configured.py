"""Tables reconciled from the config at start: programs, their courses and batches
(archived, never deleted)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sidecar.statuses import BatchStatus, CourseStatus
from sidecar.store.models.base import Base, utcnow


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
    # programs[].batch_tag: every event.event carrying this tag is a batch of the program
    batch_tag: Mapped[str | None] = mapped_column(String(200))
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
    status: Mapped[str] = mapped_column(String(20), default=CourseStatus.ACTIVE)
    archived_at: Mapped[datetime | None]
    # The partner of the course's responsible user (slide.channel.user_id), who is not a trainee
    # of it; read from Odoo at `responsible_read_at` (None: not read yet).
    responsible_partner_id: Mapped[int | None] = mapped_column(Integer)
    responsible_read_at: Mapped[datetime | None]

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
    status: Mapped[str] = mapped_column(String(20), default=BatchStatus.OPEN)
    done_at: Mapped[datetime | None]
    # "config": written by the operator under programs[].batches; "odoo": an event that carries
    # the program's batch tag, found by the sync (its name, dates and description are Odoo's)
    origin: Mapped[str] = mapped_column(String(10), default="config", server_default="config")
    description: Mapped[str | None] = mapped_column(Text)
    # programs[].assignments: the outbox key of the copy of the template project, and the copy
    project_key: Mapped[str | None] = mapped_column(String(200))
    odoo_project_id: Mapped[int | None] = mapped_column(Integer)

    program: Mapped[Program] = relationship(back_populates="batches")
