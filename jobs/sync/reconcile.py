"""The reconcile pass: find what incremental reads cannot see.

Odoo leaves no trace of a deleted row, so comparing ids is the only way to notice it. For each
stream we list the ids Odoo has (archived included where the stream reads them), mark our mirror
rows that are gone (`removed_at`, never deleted), un-mark rows that came back, and load any row
the incremental reads missed. Affected partners are queued for recompute.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connectors import OdooClient
from jobs.incremental.scope import resolve_scope
from jobs.odoo.profile import profile_of
from jobs.sync.loader import Counts, load_page, queue_affected, touch
from jobs.sync.streams import Stream, streams_for
from sidecar.store.models import utcnow

ID_PAGE = 50_000
TOUCHED = ("partner_id", "channel_id")


@dataclass
class ReconcileSummary:
    streams: dict[str, Counts]


def reconcile(client: OdooClient, sessions: sessionmaker[Session]) -> ReconcileSummary:
    with sessions() as session, session.begin():
        scope, _ = resolve_scope(session, client, reread_responsibles=True)
    summary = ReconcileSummary({})
    for stream in streams_for(profile_of(client)):
        if not stream.applies(scope):
            continue
        context = stream.context
        domain = stream.domain(scope)
        remote = set(_all_ids(client, stream, domain, context))
        counts = Counts()
        with sessions() as session, session.begin():
            table = stream.table
            local = {
                row.odoo_id: row
                for row in session.scalars(select(table).where(stream.local_scope(scope)))
            }
            for odoo_id, row in local.items():
                gone = odoo_id not in remote
                if gone == (row.removed_at is not None):
                    continue
                row.removed_at = utcnow() if gone else None
                if gone:
                    counts.removed += 1
                else:
                    counts.updated += 1
                touch(counts, stream, {c: getattr(row, c, None) for c in TOUCHED})
            missing = sorted(remote - set(local))
            if missing:
                rows = client.read(
                    stream.model,
                    missing,
                    stream.content_fields,
                    names=False,
                    context=context,
                )
                counts.add(load_page(session, stream, rows))
            queue_affected(session, counts)
        summary.streams[stream.name] = counts
    return summary


def _all_ids(
    client: OdooClient, stream: Stream, domain: list[Any], context: dict[str, Any] | None
) -> list[int]:
    ids: list[int] = []
    last = 0
    while True:
        page = client.search(
            stream.model,
            [*domain, ("id", ">", last)],
            order="id asc",
            limit=ID_PAGE,
            context=context,
        )
        ids.extend(page)
        if len(page) < ID_PAGE:
            return ids
        last = page[-1]
