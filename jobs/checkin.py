"""A trainee's check-in, made Odoo's record (docs/cockpit.md): the registration marked
attended through the outbox. On 17.0+, where a registration has a `barcode`, with Odoo's own
check-in desk method `register_attendee(barcode, event_id)`, as the event app's scanner does;
on 16.0, which has neither, with the state write (docs/odoo-notes.md §17). Either way the
registration in state `done` is how the write is found again."""

from __future__ import annotations

from sqlalchemy.orm import Session

from jobs.odoo import events
from sidecar import outbox


def queue_attended(
    session: Session, registration_id: int, event_id: int, barcode: str | None
) -> None:
    """In the caller's transaction; once per registration (the key is the registration's)."""
    outbox.enqueue(session, events.mark_attended(registration_id, event_id, barcode))
