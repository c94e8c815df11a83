"""What the sidecar last showed of each student in Odoo (docs/status-in-odoo.md): the status tag
it put on the contact, and the values it wrote into the applicant's properties.

The sidecar writes only when what it would show differs from what it showed last, never because
Odoo differs from it: so a tag a person removed stays removed until the status changes again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sidecar.store.models.base import Base


class StatusShown(Base):
    """A student (a partner in a program) as last shown in Odoo."""

    __tablename__ = "status_shown"

    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id"), primary_key=True, autoincrement=False
    )
    # The status whose tag was put on the contact; None: no tag (not integrated, or never).
    tag_status: Mapped[str | None] = mapped_column(String(20))
    # That tag: its id, or, while the outbox is still making it, the key of the write that does.
    tag_id: Mapped[int | None] = mapped_column(Integer)
    tag_key: Mapped[str | None] = mapped_column(String(200))
    tag_changes: Mapped[int] = mapped_column(Integer, default=0)  # makes each move's key unique
    tag_applied_at: Mapped[datetime | None]
    # The applicant whose `OJT progress %` and `OJT status` were written, and what they say.
    applicant_id: Mapped[int | None] = mapped_column(Integer)
    property_status: Mapped[str | None] = mapped_column(String(20))
    property_pct: Mapped[float | None] = mapped_column(Float)
    property_changes: Mapped[int] = mapped_column(Integer, default=0)
    properties_applied_at: Mapped[datetime | None]
