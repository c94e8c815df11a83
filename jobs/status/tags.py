"""A contact tag per program, `OJT <program>: <status>`, moved as the status changes.

The sidecar moves only the tag it put on itself, and only when the status it would show differs
from the one it showed last (`status_shown`): a tag a person removed is not put back until the
status changes again, and a tag a person added is left alone. A tag is looked up by name before
it is made (names are not unique: the oldest wins), and made once, through the outbox."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from jobs.odoo import contacts
from jobs.status.changed import Change
from sidecar import outbox
from sidecar.config.status import StatusInOdoo
from sidecar.store.models import StatusShown


def moving(changes: Sequence[Change]) -> list[Change]:
    """The changes whose tag must move (the others changed only their progress)."""
    return [c for c in changes if c.status != c.tag_shown]


def wanted_names(settings: StatusInOdoo, changes: Sequence[Change]) -> list[str]:
    """The tag names these changes put on, to look up in one call."""
    names = {settings.tag_name(c.program_name, c.status) for c in moving(changes) if c.status}
    return sorted(names)


def move_tags(
    session: Session,
    settings: StatusInOdoo,
    changes: Sequence[Change],
    shown: dict[int, StatusShown],
    existing: dict[str, int],
    read_at: datetime,
) -> int:
    """Queue one contact write per change whose status moved; returns how many. `existing`: the
    tags found by name at `read_at`."""
    made: dict[str, str] = {}  # tag name -> key of the write that makes it
    writes: list[outbox.Write] = []
    for change in moving(changes):
        row = shown[change.student_id]
        name = settings.tag_name(change.program_name, change.status) if change.status else None
        new_id = existing.get(name) if name else None
        new_key = None
        if name and new_id is None:
            new_id, new_key = _to_make(session, name, read_at, made)
        add: Any = new_id if new_id is not None else (outbox.ref(new_key) if new_key else None)
        remove = _old_tag(session, row)
        row.tag_changes += 1
        key = f"status-tag:{change.program_key}:{change.partner_id}:{row.tag_changes}"
        write = contacts.move_partner_tag(
            f"{key}:{change.status or 'none'}",
            change.partner_id,
            remove=None if remove == add else remove,
            add=add,
            subject=f"status:{change.program_key}:{change.partner_id}",
            what=f"{change.program_key} {change.tag_shown or 'none'} → {change.status or 'none'}",
        )
        writes.append(write)
        row.tag_status = change.status or None
        row.tag_id, row.tag_key = new_id, new_key
        row.tag_applied_at = read_at
    # One query and one flush for the chunk, not two statements a student; the tags made here
    # were queued first (`_to_make`), so their writes come before the moves that name them.
    outbox.enqueue_all(session, writes)
    return len(writes)


def _old_tag(session: Session, row: StatusShown) -> Any:
    """The tag the sidecar put on last: its id, a reference to the write still making it, or
    None (none, or its making failed: there is nothing to take off)."""
    if row.tag_id is not None or row.tag_key is None:
        return row.tag_id
    making = outbox.row_of(session, row.tag_key)
    if making is None or making.state in (outbox.FAILED, outbox.CANCELLED):
        return None
    if making.state == outbox.DELIVERED:
        return making.result_id
    return outbox.ref(row.tag_key)


def _to_make(
    session: Session, name: str, read_at: datetime, made: dict[str, str]
) -> tuple[int | None, str | None]:
    """(id, None) of a tag our outbox made after the look-up, else (None, key) of the write
    that makes it: one already queued, or a new one. A tag we made that the look-up no longer
    found (deleted or renamed in Odoo) is made again, under the next round's key."""
    if name in made:
        return None, made[name]
    prefix = f"status-tag-new:{hashlib.sha256(name.encode()).hexdigest()[:32]}:"
    last = outbox.latest_of_round(session, prefix)
    if last is not None and last.state == outbox.PENDING:
        made[name] = last.key
        return None, last.key
    delivered_late = last is not None and last.delivered_at and last.delivered_at >= read_at
    if last is not None and delivered_late and last.result_id is not None:
        return last.result_id, None
    key = f"{prefix}{outbox.next_round(session, prefix)}"
    outbox.enqueue(session, contacts.create_partner_tag(key, name))
    made[name] = key
    return None, key
