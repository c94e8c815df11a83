"""The cockpit's own state (docs/cockpit.md): signed-in sessions, sign-in failures per login
and one-time sign-in links. Who someone is and what they may see is read from Odoo at sign-in
and kept on the session, so no page asks Odoo; no password is ever stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sidecar.store.models.base import Base, utcnow


class AppSession(Base):
    """One sign-in. The browser holds a random token; the store holds only its SHA-256, so a
    copy of the store signs nobody in."""

    __tablename__ = "app_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)  # None: by a mailed link
    login: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300), default="")
    partner_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(10))  # admin | mentor | trainee
    # A mentor's reach: whole programs (JSON list of program ids) and single batches (ids).
    program_ids: Mapped[str] = mapped_column(Text, default="[]")
    batch_ids: Mapped[str] = mapped_column(Text, default="[]")
    # Why Odoo gives this role, in words (shown on the admin page).
    reasons: Mapped[str] = mapped_column(Text, default="[]")
    how: Mapped[str] = mapped_column(String(20), default="password")  # password | link
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class AppSigninFailure(Base):
    """Failed sign-ins of one login in the current spell; past the limit the login is locked
    until `locked_until`, whatever password comes next."""

    __tablename__ = "app_signin_failures"

    login: Mapped[str] = mapped_column(String(200), primary_key=True)  # as typed, lower case
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]


class AppSigninLink(Base):
    """A one-time sign-in link mailed to a trainee through Odoo: valid for a while, used
    once. Only the hash of its token is kept."""

    __tablename__ = "app_signin_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class MentorAction(Base):
    """What a mentor or admin did in the cockpit that Odoo must record: a score, a request for
    changes, a batch's mentor. The sync applies each one once (it reads what Odoo needs, then
    queues the writes in the outbox) and records the outcome."""

    __tablename__ = "mentor_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # score | changes | mentor
    batch_id: Mapped[int] = mapped_column(Integer, index=True)
    task_id: Mapped[int | None] = mapped_column(Integer)  # assignment_tasks.id
    values: Mapped[dict[str, Any]]  # score, max_score, feedback; or the mentor's login
    by_user_id: Mapped[int | None] = mapped_column(Integer)
    by_name: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(index=True)
    outcome: Mapped[str | None] = mapped_column(Text)


class Checkin(Base):
    """A trainee checked in to a batch's session (its event) by QR code: theirs scanned by a
    mentor, or the session's scanned by them. One per trainee and batch; the registration is
    marked attended in Odoo through the outbox."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("batch_id", "partner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(Integer)
    partner_id: Mapped[int] = mapped_column(Integer)
    registration_id: Mapped[int] = mapped_column(Integer)  # event.registration in Odoo
    how: Mapped[str] = mapped_column(String(20))  # session-code | trainee-code
    by_name: Mapped[str] = mapped_column(String(300), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
