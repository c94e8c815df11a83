"""Each stream's sync state, stored with the rows it follows (same transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from connectors import Cursor
from sidecar.store.models import SyncCursor, utcnow


@dataclass(frozen=True)
class StreamState:
    polled_at: datetime | None  # start of the last complete pass
    pass_started_at: datetime | None  # start of the pass in progress, if one was interrupted
    position: Cursor | None  # where the pass in progress stopped
    restart: bool = False  # the domain changed: list everything again


def load_state(session: Session, stream: str, signature: str) -> StreamState | None:
    """The stream's state, or None when it never ran.

    When its domain changed (a course added to the config, say) the listing starts over from
    the beginning, but the last pass's start is kept: rows we already hold that were stamped
    near it may still have changed under the same stamp, and must be read again.
    """
    row = session.get(SyncCursor, stream)
    if row is None:
        return None
    if row.signature != signature:
        return StreamState(row.polled_at, None, None, restart=True)
    position = Cursor(row.second, row.after_id) if row.second else None
    return StreamState(row.polled_at, row.pass_started_at, position)


def save_position(
    session: Session, stream: str, signature: str, pass_started_at: datetime, position: Cursor
) -> None:
    """A page of the current pass is stored: resume after it if the pass is interrupted."""
    row = _row(session, stream, signature)
    row.pass_started_at = pass_started_at
    row.second, row.after_id = position.second, position.after_id
    row.updated_at = utcnow()


def finish_pass(session: Session, stream: str, signature: str, pass_started_at: datetime) -> None:
    """The pass is complete: the next one lists from its start minus the overlap."""
    row = _row(session, stream, signature)
    row.polled_at = pass_started_at
    row.pass_started_at = None
    row.second = row.after_id = None
    row.updated_at = utcnow()


def _row(session: Session, stream: str, signature: str) -> SyncCursor:
    row = session.get(SyncCursor, stream)
    if row is None:
        row = SyncCursor(stream=stream, signature=signature)
        session.add(row)
    elif row.signature != signature:  # keep polled_at: see load_state
        row.signature = signature
        row.pass_started_at = None
        row.second = row.after_id = None
    return row
