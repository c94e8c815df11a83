"""Mirrors of Odoo rows, keyed by Odoo's id and written only by the sync. A row Odoo deleted
or archived is marked (`removed_at`), never deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sidecar.store.models.base import Base, utcnow


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

    # Not indexed: nothing looks lessons up by slide (the recompute goes by partner).
    slide_id: Mapped[int] = mapped_column(Integer)
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
    barcode: Mapped[str | None] = mapped_column(String(64), index=True)  # 17.0+
