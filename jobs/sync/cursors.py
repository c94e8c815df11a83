"""Where each stream resumes, stored with the rows it follows (same transaction)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from connectors import Cursor
from sidecar.store.models import SyncCursor, utcnow


def save_cursor(session: Session, stream: str, signature: str, cursor: Cursor) -> None:
    row = session.get(SyncCursor, stream)
    if row is None:
        session.add(
            SyncCursor(
                stream=stream, signature=signature, second=cursor.second, after_id=cursor.after_id
            )
        )
        return
    if (row.signature, row.second, row.after_id) != (signature, cursor.second, cursor.after_id):
        row.signature, row.second, row.after_id = signature, cursor.second, cursor.after_id
        row.updated_at = utcnow()


def load_cursor(session: Session, stream: str, signature: str) -> Cursor | None:
    row = session.get(SyncCursor, stream)
    if row is None or row.signature != signature:
        return None
    return Cursor(row.second, row.after_id)
