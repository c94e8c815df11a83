"""What the sidecar has told people (docs/notifications.md): one row per notification and
occasion, and who asked for no reminders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sidecar.store.models.base import Base, utcnow


class Notification(Base):
    """A notification decided once: `key` is its outbox row's key (absent for one that was
    covered by another, such as the 25 % milestone of a trainee who went straight to 80 %)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"), index=True)
    partner_id: Mapped[int] = mapped_column(Integer, index=True)  # who it is for
    occasion: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(12), default="queued")  # queued | covered
    tz: Mapped[str | None] = mapped_column(String(64))  # the recipient's, for quiet hours
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationOptOut(Base):
    """A partner who asked for no reminders (inactivity, expiry, milestones)."""

    __tablename__ = "notification_opt_outs"

    partner_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
