"""A cycle's passes over its streams, planned together before any is read.

Consecutive passes that read content directly (first or full passes, docs/architecture.md,
"Incremental sync") are read as one chain by one read-ahead thread: the next stream's first
page is requested while the last page of the one before is still being stored, so that Odoo
does not wait on our store at each stream's end, and we do not wait on Odoo at the next one's
start. Incremental passes, which read by listing and then by id from the storing side, are
read one at a time as before.

The chain makes every Odoo call of its passes; the caller makes none while it runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from connectors import OdooClient, Page
from jobs.incremental.cursors import load_state
from jobs.sync.blocks import Readers, by_id, id_blocks
from jobs.sync.plan import CONTENT_FACTOR, PassPlan, plan_pass
from jobs.sync.streams import Scope, Stream


@dataclass(frozen=True)
class StreamPass:
    """One stream's pass of this cycle: where it starts, and how it reads."""

    stream: Stream
    signature: str
    plan: PassPlan
    domain: list[Any]  # the stream's domain, less rows without a write_date
    direct: bool  # reads content directly (by id blocks) rather than listing first
    total: int | None  # rows to read, when counted (for progress on a full sync)


def plan_passes(
    session: Session,
    streams: list[Stream],
    scope: Scope,
    *,
    full: bool,
    now: datetime,
    overlap_seconds: float,
) -> list[StreamPass]:
    """Each stream's pass, from its stored state (none on a full sync). All start at `now`, the
    cycle's start: a pass's start is where the next one lists from (less the overlap), and an
    earlier start only reads a little more."""
    passes = []
    for stream in streams:
        signature = stream.signature(scope)
        state = None if full else load_state(session, stream.name, signature)
        plan = plan_pass(state, now, overlap_seconds)
        # A row without write_date (written behind Odoo's back) cannot be placed in time: the
        # reconcile pass loads it instead of it stalling every pass.
        dated = [*stream.domain(scope), ("write_date", "!=", False)]
        direct = full or plan.unsettled_from is None or by_id(plan.since)
        passes.append(StreamPass(stream, signature, plan, dated, direct, None))
    return passes


def counted(client: OdooClient, passes: list[StreamPass]) -> list[StreamPass]:
    """The passes with their row counts (a call each: only worth it where progress is shown)."""
    return [
        replace(p, total=client.search_count(p.stream.model, p.domain, context=p.stream.context))
        for p in passes
    ]


def runs(passes: list[StreamPass]) -> Iterator[list[StreamPass]]:
    """The passes in order, consecutive direct ones together, each incremental one alone."""
    chain: list[StreamPass] = []
    for p in passes:
        if p.direct:
            chain.append(p)
            continue
        if chain:
            yield chain
            chain = []
        yield [p]
    if chain:
        yield chain


@dataclass(frozen=True)
class PassEnd:
    """Sent after a pass's last page: the Odoo calls its pages took on the chain's client."""

    calls: int


def chained(readers: Readers, chain: list[StreamPass]) -> Iterator[tuple[int, Page | PassEnd]]:
    """Each pass's pages in turn, as (its index in `chain`, page), each pass ended by a
    `PassEnd`."""
    client = readers.main
    for index, p in enumerate(chain):
        before = client.stats.calls
        pages = direct_pages(readers, p)
        try:
            for page in pages:
                yield index, page
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()
        yield index, PassEnd(client.stats.calls - before)


def direct_pages(readers: Readers, p: StreamPass) -> Iterator[Page]:
    """A direct pass's pages, by id blocks (jobs/sync/blocks.py); a pass stopped before this
    version, by write_date, goes on that way."""
    size = CONTENT_FACTOR * readers.main.settings.page_size
    if p.plan.since is not None and not by_id(p.plan.since):
        return readers.main.search_read(
            p.stream.model,
            p.domain,
            p.stream.content_fields,
            since=p.plan.since,
            page_size=size,
            names=False,
            context=p.stream.context,
        )
    return id_blocks(
        readers,
        p.stream.model,
        p.domain,
        p.stream.content_fields,
        after=p.plan.since,
        size=size,
        context=p.stream.context,
    )


class Lap:
    """Seconds since the last lap (or since made): a stream's time as the cycle spends it, from
    the previous stream's end to its own."""

    def __init__(self) -> None:
        self.mark = time.monotonic()

    def lap(self) -> float:
        now = time.monotonic()
        seconds, self.mark = now - self.mark, now
        return seconds
