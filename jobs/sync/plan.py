"""How one pass over a stream is planned: where its listing starts, and which listed rows must
be read by content (new, changed, or too recent to be final: docs/architecture.md,
"Incremental sync")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import Cursor
from jobs.incremental import odoo_text
from jobs.incremental.cursors import StreamState
from jobs.sync.streams import Stream
from sidecar.store.sql import among

# A listing page carries two fields per row, so it can be this many content pages long.
LISTING_FACTOR = 10
# A first or full pass reads content in pages this many times `odoo.page_size`: on a real Odoo
# 17, the best bare reads of 220k rows came in pages of 10,000 over both XML-RPC and JSON-RPC
# (each call costs Odoo ~10 ms whatever its size), and the sync read at 0.91x (JSON-RPC) with
# them against 0.84x with pages of 5,000 (docs/benchmarks.md, "Sync beside the bare reads").
CONTENT_FACTOR = 10


@dataclass(frozen=True)
class PassPlan:
    started_at: datetime
    since: Cursor | None  # where the listing starts
    unsettled_from: str | None  # rows stamped at or after this are re-read by content


def plan_pass(state: StreamState | None, now: datetime, overlap_seconds: float) -> PassPlan:
    """Resume an interrupted pass where it stopped, or start one from the previous pass's start
    minus the overlap window. A row stamped within the overlap before the previous pass began
    may have been rewritten since under the same second-truncated stamp, or committed late with
    an older stamp: its content is read again until it is older than that."""
    unsettled = None
    if state is not None and state.polled_at is not None:
        unsettled = odoo_text(state.polled_at - timedelta(seconds=overlap_seconds))
    if state is not None and state.position is not None and state.pass_started_at is not None:
        return PassPlan(state.pass_started_at, state.position, unsettled)
    since = Cursor(unsettled) if unsettled and not (state and state.restart) else None
    return PassPlan(now, since, unsettled)


def needs_content(
    listed: dict[str, Any], known: tuple[str, bool] | None, unsettled_from: str | None
) -> bool:
    if known is None:
        return True  # new to us
    write_date, removed = known
    stamp = str(listed["write_date"])[:19]
    if removed or write_date != stamp:
        return True
    return unsettled_from is not None and stamp >= unsettled_from


def known_write_dates(
    session: Session, stream: Stream, ids: list[int]
) -> dict[int, tuple[str, bool]]:
    table = stream.table
    rows = session.execute(
        select(table.odoo_id, table.write_date, table.removed_at).where(among(table.odoo_id, ids))
    )
    return {odoo_id: (write_date, removed is not None) for odoo_id, write_date, removed in rows}
