"""Events sent to other systems (docs/api.md): one row per event, made once under its key, and
one delivery per receiver, with its attempts: the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sidecar.store.models.base import Base, utcnow


class WebhookEvent(Base):
    """Something happened that receivers want: made once per `key` (certificate.issued:SERIAL,
    trainee.completed:STUDENT), whoever notices it first."""

    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # msg_…, the webhook-id
    key: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """One event to one receiver: pending until it answers 2xx, retried with a growing wait,
    failed after `MAX_ATTEMPTS`."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("webhook_events.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]


class WebhookMark(Base):
    """How far each kind of event has been looked for in the store."""

    __tablename__ = "webhook_marks"

    type: Mapped[str] = mapped_column(String(40), primary_key=True)
    stamp: Mapped[datetime]
