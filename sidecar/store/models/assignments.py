"""Assignments in Odoo's Project app: the batch's project, its assignments (the project's
top-level tasks) and each participant's own task, with what the sync last read of it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sidecar.store.models.base import Base, utcnow


class Assignment(Base):
    """A top-level task of a batch's project: what every participant is asked to do."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("batch_id", "odoo_task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    odoo_project_id: Mapped[int] = mapped_column(Integer)
    odoo_task_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)  # Odoo's HTML, as the task has it
    deadline: Mapped[date | None] = mapped_column(Date)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    max_score: Mapped[float | None] = mapped_column(Float)  # None: the program's default
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    tasks: Mapped[list[AssignmentTask]] = relationship(back_populates="assignment")


class AssignmentTask(Base):
    """One participant's task for one assignment (a subtask the trainee alone follows). The
    link to the trainee is kept here, not in the task's customer field (which would stop the
    trainee from posting on 16.0 and 17.0)."""

    __tablename__ = "assignment_tasks"
    __table_args__ = (UniqueConstraint("assignment_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    odoo_partner_id: Mapped[int] = mapped_column(Integer, index=True)
    outbox_key: Mapped[str] = mapped_column(String(200))  # the create's; its result is the task
    odoo_task_id: Mapped[int | None] = mapped_column(Integer, index=True)
    stage: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime | None]  # first seen handed in
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    feedback: Mapped[str | None] = mapped_column(Text)
    # "odoo": read from the task's properties; "import": `ojt-sidecar scores import`
    score_source: Mapped[str | None] = mapped_column(String(10))
    scored_at: Mapped[datetime | None]
    told: Mapped[str | None] = mapped_column(String(64))  # digest of the score last told
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: withdrawn, archived
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="tasks")
