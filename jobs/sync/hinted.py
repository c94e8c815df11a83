"""Read the records a webhook named, through the sync's own path, without moving its position.

A hint (`model`, `id`) only says "look at this record": nothing of what Odoo posted is believed.
For each stream whose model was hinted, the hinted ids are read by content within the stream's
own domain (so a record outside the configured scope is not read in; with helper clients, the
streams at once, one client each), landed by the loader like
any page (compare, then insert or update; the partners touched are queued), all in one
transaction, then the recompute queue is worked off. The streams' cursors are left alone: the
next poll lists and reads what it always would, so a hint lost, refused or forged changes
nothing the poll would not also find (docs/webhooks.md).

The answer says which hinted records came back with a stamp (`write_date`) other than the one
stored, and which did not (not found, out of scope, or unchanged): Odoo 17 and 18 post before
their transaction commits, so a record read at once may still be the old one, and the caller
reads those again a little later.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from connectors import OdooClient
from jobs.context import JobContext
from jobs.incremental.scope import resolve_scope
from jobs.odoo.profile import OdooProfile, profile_of
from jobs.sync.loader import Counts, load_page
from jobs.sync.plan import known_write_dates
from jobs.sync.recompute import RecomputeResult
from jobs.sync.runner import SyncJob
from jobs.sync.streams import STREAMS, Scope, Stream, streams_for

Key = tuple[str, int]  # (model, id)


@dataclass
class HintedResult:
    fresh: set[Key] = field(default_factory=set)  # read with a stamp other than the stored one
    stale: set[Key] = field(default_factory=set)  # not found, out of scope, or stamp unchanged
    counts: Counts = field(default_factory=Counts)
    recomputed: RecomputeResult = field(default_factory=RecomputeResult)
    calls: int = 0


def hinted_models(profile: OdooProfile | None = None) -> frozenset[str]:
    """The models a hint may name: those the sync mirrors."""
    streams = STREAMS if profile is None else streams_for(profile)
    return frozenset(stream.model for stream in streams)


def read_hinted(
    ctx: JobContext,
    hints: Mapping[str, Collection[int]],
    *,
    helpers: Sequence[OdooClient] = (),
) -> HintedResult:
    """Read and land the hinted records, then recompute. `hints`: ids by model. Only reads
    Odoo; the caller holds the lease the sync's mirror writes are under. With `helpers`
    (clients of their own), the hinted streams are read at once, one client each."""
    client = ctx.client
    result = HintedResult()
    clients = [client, *helpers]
    calls_before = sum(c.stats.calls for c in clients)
    with ctx.sessions() as session, session.begin():
        scope, _problems = resolve_scope(session, client)
    wanted: set[Key] = {(model, rid) for model, ids in hints.items() for rid in ids}
    todo = [
        (stream, sorted(set(hints.get(stream.model, ()))))
        for stream in streams_for(profile_of(client))
        if hints.get(stream.model) and stream.applies(scope)
    ]
    landed = list(zip([stream for stream, _ in todo], _read_all(clients, scope, todo), strict=True))
    with ctx.sessions() as session, session.begin():
        for stream, rows in landed:
            known = known_write_dates(session, stream, [row["id"] for row in rows])
            result.fresh.update(
                (stream.model, row["id"]) for row in rows if _is_new(row, known.get(row["id"]))
            )
            result.counts.add(load_page(session, stream, rows))
    result.stale = wanted - result.fresh
    result.recomputed, _finished = SyncJob(ctx).recompute_pending()
    result.calls = sum(c.stats.calls for c in clients) - calls_before
    return result


def _read_all(
    clients: Sequence[OdooClient], scope: Scope, todo: Sequence[tuple[Stream, list[int]]]
) -> list[list[dict[str, Any]]]:
    """Each stream's hinted rows, in `todo`'s order. Streams are dealt to the clients in turn
    and each client reads its share on a thread of its own: under load a call waits in Odoo's
    queue for a free worker, and two waits at once take half the time of two in a row."""
    if len(clients) < 2 or len(todo) < 2:
        return [_read(clients[0], stream, ids, scope=scope) for stream, ids in todo]
    shares = [list(range(k, len(todo), len(clients))) for k in range(len(clients))]

    def read_share(k: int) -> list[tuple[int, list[dict[str, Any]]]]:
        return [(i, _read(clients[k], *todo[i], scope=scope)) for i in shares[k]]

    rows: list[list[dict[str, Any]]] = [[] for _ in todo]
    with ThreadPoolExecutor(max_workers=len(clients), thread_name_prefix="hinted") as pool:
        for share in pool.map(read_share, [k for k in range(len(clients)) if shares[k]]):
            for i, got in share:
                rows[i] = got
    return rows


def _read(
    client: OdooClient, stream: Stream, ids: list[int], *, scope: Scope
) -> list[dict[str, Any]]:
    domain = [*stream.domain(scope), ("id", "in", ids)]
    return client.search_read_list(
        stream.model, domain, stream.content_fields, names=False, context=stream.context
    )


def _is_new(row: Mapping[str, Any], known: tuple[str, bool] | None) -> bool:
    if known is None:
        return True
    write_date, removed = known
    return removed or write_date != str(row.get("write_date"))[:19]
