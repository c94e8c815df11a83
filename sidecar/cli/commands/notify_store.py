"""The store side of `ojt-sidecar notifications list|opt-out|opt-in`: what was decided, and who
asked for no reminders. Neither needs Odoo."""

from __future__ import annotations

from sqlalchemy import select

from sidecar.config import Config
from sidecar.store.bootstrap import open_store
from sidecar.store.models import (
    Notification,
    NotificationOptOut,
    OutboxMessage,
    Program,
    utcnow,
)

HIDDEN_KINDS = ("since", "seen")  # bookkeeping rows, not messages


def latest(cfg: Config, partner: int | None, limit: int) -> list[str]:
    """One line per notification, newest first: when, kind, whom, program, state."""
    store = open_store(cfg)
    try:
        with store.sessions() as session:
            query = (
                select(Notification, OutboxMessage.state, Program.key)
                .outerjoin(OutboxMessage, OutboxMessage.key == Notification.key)
                .outerjoin(Program, Program.id == Notification.program_id)
                .where(Notification.kind.not_in(HIDDEN_KINDS))
                .order_by(Notification.created_at.desc(), Notification.id.desc())
                .limit(limit)
            )
            if partner is not None:
                query = query.where(Notification.partner_id == partner)
            lines = []
            for note, state, program in session.execute(query):
                told = "covered by another message" if note.state == "covered" else state
                lines.append(
                    f"{note.created_at:%Y-%m-%d %H:%M}  {note.kind:<17} "
                    f"contact {note.partner_id:<7} {program or '-':<20} {told}"
                )
            return lines
    finally:
        store.close()


def set_opt_out(cfg: Config, partner: int, out: bool, note: str) -> bool:
    """Record (or lift) a contact's opt-out; False when it was already so."""
    store = open_store(cfg)
    try:
        with store.sessions() as session:
            row = session.get(NotificationOptOut, partner)
            if (row is not None) == out:
                return False
            if out:
                session.add(
                    NotificationOptOut(partner_id=partner, created_at=utcnow(), note=note or None)
                )
            else:
                session.delete(row)
            session.commit()
            return True
    finally:
        store.close()
