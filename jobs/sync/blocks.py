"""A first or full pass, read in blocks of ids by one or more readers.

A pass that has nothing to compare stamps with reads every row anyway, so it need not follow
`write_date`: on Odoo that order costs a sort of what is left on every page (the column has no
index) and a second query for each second a page cuts, about a quarter of the read rate
(docs/benchmarks.md). Ids are the primary key. The id range of the stream's rows is cut into
blocks of `size` consecutive id values; `readers` threads (each with a client of its own: one
connection each, as Odoo serves one request per worker) read blocks ahead, and the blocks are
handed back in id order, so that one stored position says what is done: every id below it.
At most `readers + 1` blocks wait beyond the one being stored.

Rows written during the pass are not missed: the next pass lists from this one's start minus
the overlap, whatever their id (docs/architecture.md, "Incremental sync").
"""

from __future__ import annotations

import queue
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from connectors import Cursor, OdooClient, Page

BY_ID = "id"  # the stored position's `second` when the pass reads by id blocks


def by_id(position: Cursor | None) -> bool:
    return position is not None and position.second == BY_ID


class Readers:
    """The clients a cycle's blocks are read with: the sync's own for the first reader, one
    more (logged in on first use, kept for the cycle) for each further reader at work."""

    def __init__(self, main: OdooClient) -> None:
        self.main = main
        self.idle: queue.SimpleQueue[OdooClient] = queue.SimpleQueue()
        self.idle.put(main)
        self.made: list[OdooClient] = []

    def run(self, fn: Callable[[OdooClient], Any]) -> Any:
        try:
            client = self.idle.get_nowait()
        except queue.Empty:
            client = OdooClient(self.main.settings)
            self.made.append(client)
        try:
            return fn(client)
        finally:
            self.idle.put(client)

    def close(self) -> None:
        """Close the clients made here, their calls counted as the sync's own."""
        self.main.stats.calls += sum(client.stats.calls for client in self.made)
        for client in self.made:
            client.close()
        self.made.clear()


def id_blocks(
    readers: Readers,
    model: str,
    domain: list[Any],
    fields: list[str],
    *,
    after: Cursor | None,
    size: int,
    context: dict[str, Any] | None,
) -> Generator[Page, None, None]:
    """Pages of the rows matching `domain`, by blocks of ids in id order, each with the position
    to store once its rows are stored. `after`: a position of this kind to resume from."""
    start = (after.after_id or 0) + 1 if by_id(after) and after is not None else 0
    bounds = _bounds(readers.main, model, [*domain, ("id", ">=", start)], context)
    if bounds is None:
        return
    low, high = bounds
    count = readers.main.settings.parallel_reads
    wanted = list(dict.fromkeys([*fields, "id", "write_date"]))

    def read(block: int) -> Page:
        lo, hi = low + block * size, min(low + (block + 1) * size, high + 1)
        block_domain = [*domain, ("id", ">=", lo), ("id", "<", hi)]

        def fetch(reader: OdooClient) -> list[dict[str, Any]]:
            return reader.search_read_list(
                model, block_domain, wanted, order="id asc", names=False, context=context
            )

        return Page(readers.run(fetch), Cursor(BY_ID, hi - 1))

    blocks = range((high - low) // size + 1)
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="reader") as pool:
        yield from _in_order(pool, read, blocks, window=count + 1)


def _bounds(
    client: OdooClient, model: str, domain: list[Any], context: dict[str, Any] | None
) -> tuple[int, int] | None:
    ends = [
        client.search_read_list(model, domain, ["id"], order=order, limit=1, context=context)
        for order in ("id asc", "id desc")
    ]
    if not ends[0] or not ends[1]:
        return None
    return int(ends[0][0]["id"]), int(ends[1][0]["id"])


def _in_order(
    pool: ThreadPoolExecutor, fn: Callable[[int], Page], items: range, *, window: int
) -> Iterator[Page]:
    """fn(item) for each item, run ahead on the pool by up to `window`, yielded in order. A
    caller that stops early leaves the futures not yet started cancelled."""
    pending: deque[Future[Page]] = deque()
    upcoming = iter(items)
    try:
        for item in upcoming:
            pending.append(pool.submit(fn, item))
            if len(pending) >= window:
                break
        while pending:
            page = pending.popleft().result()
            following = next(upcoming, None)
            if following is not None:
                pending.append(pool.submit(fn, following))
            yield page
    finally:
        for future in pending:
            future.cancel()
