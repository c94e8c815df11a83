"""Batches made in Odoo: every event carrying a program's batch tag (`programs[].batch_tag`, in
the `sync.batch_tag_category` category) is a batch of that program.

Each cycle lists the tagged events (two small reads and one search) and keeps one `batches` row
per (program, event) with the event's name, dates and description. An event that loses the tag
or is archived archives its batch; tagged again, the batch reopens. Whether a batch is done or
cancelled is decided where every event-bound batch is closed: by the issue job, from the event's
stage. A tag or category missing in Odoo is created once, through the outbox.
"""

from __future__ import annotations

import hashlib
import html
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import OdooClient
from jobs.incremental import odoo_datetime
from jobs.odoo import events
from sidecar.outbox import enqueue, ref
from sidecar.statuses import BatchStatus
from sidecar.store.models import Batch, Program

DESCRIPTION_CHARS = 2000
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6])\s*>", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\f\v]+")


def discover_batches(session: Session, client: OdooClient, category: str) -> int:
    """Bring the tagged events of every active program into `batches`; returns the number of
    programs that name a tag."""
    programs = session.scalars(
        select(Program).where(Program.active.is_(True), Program.batch_tag.is_not(None))
    ).all()
    if not programs:
        return 0
    names = sorted({p.batch_tag for p in programs if p.batch_tag})
    category_id, tags = events.batch_tags(client, category, names)
    _create_missing(session, category, category_id, [n for n in names if n not in tags])
    tagged = events.events_tagged(client, sorted(set(tags.values())))
    for program in programs:
        tag_id = tags.get(program.batch_tag or "")
        carrying = [e for e in tagged if tag_id is not None and tag_id in e.tag_ids]
        _keep(session, program, carrying)
    return len(programs)


def batch_key(event_id: int) -> str:
    """A key no `programs[].batches` entry can have ('#' is not allowed there)."""
    return f"event#{event_id}"


def _keep(session: Session, program: Program, carrying: list[events.TaggedEvent]) -> None:
    rows = {b.odoo_event_id: b for b in program.batches if b.origin == "odoo"}
    for event in carrying:
        row = rows.pop(event.id, None)
        if row is None:
            row = Batch(
                program=program,
                key=batch_key(event.id),
                origin="odoo",
                name=event.name,
                event_ref=f"#{event.id}",
                odoo_event_id=event.id,
                status=BatchStatus.OPEN,
            )
            session.add(row)
        if row.event_end != event.end:  # rescheduled: its end is noticed again
            row.event_ended_at = None
        row.name = event.name[:200]
        row.start_date = odoo_datetime(event.begin).date() if event.begin else None
        row.end_date = odoo_datetime(event.end).date() if event.end else None
        row.event_end = event.end
        row.description = plain_text(event.description)[:DESCRIPTION_CHARS] or None
        if row.status == BatchStatus.ARCHIVED:
            row.status = BatchStatus.OPEN
    for row in rows.values():  # untagged, archived or deleted in Odoo
        if row.status == BatchStatus.OPEN:
            row.status = BatchStatus.ARCHIVED


def plain_text(value: str) -> str:
    """An event's HTML description as the text a certificate or a page may show."""
    text = html.unescape(_TAG.sub(" ", _BREAK.sub("\n", value)))
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _create_missing(
    session: Session, category: str, category_id: int | None, names: list[str]
) -> None:
    if not names:
        return
    category_key = _outbox_key("event-tag-category", category)
    if category_id is None:
        enqueue(session, events.create_tag_category(category_key, category))
    for name in names:
        made_in = category_id if category_id is not None else ref(category_key)
        key = _outbox_key("event-tag", category, name)
        enqueue(session, events.create_tag(key, name, category, made_in))


def _outbox_key(kind: str, *names: str) -> str:
    """Names are up to 200 characters each, the outbox's key column too: a digest of them."""
    digest = hashlib.sha256("\x00".join(names).encode()).hexdigest()[:32]
    return f"{kind}:{digest}"
