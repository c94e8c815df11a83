"""A first or full pass, read in pages of ids by one or more readers.

A pass that has nothing to compare stamps with reads every row anyway, so it need not follow
`write_date`: on Odoo that order costs a sort of what is left on every page (the column has no
index) and a second query for each second a page cuts, about a quarter of the read rate
(docs/benchmarks.md). Ids are the primary key, and the pages are handed back in id order, so
that one stored position says what is done: every id up to it.

The first page is the first `size` rows by id from where the pass starts: a stream that fits in
it costs that one call, as a bare read would. After it, one reader (one connection, as Odoo serves
one request per worker) goes on the same way, each page from the last id of the one before; the
sync reads these pages ahead, on a thread of their own, while it stores the page it has
(`jobs/sync/passes.py`). With more readers
(`odoo.parallel_reads`, each with a client of its own) the rest of the id range, up to the
highest id (one more call), is cut into blocks of consecutive ids that the readers read ahead:
each spans as many ids as a page of rows did in the second half of the first page (at least
`size`, at most four times that; `block_width`). The further readers join only then. At most
`readers + 3` blocks wait beyond the one being stored: the readers' window of `readers + 1`, the
one the read-ahead thread hands over and the one it holds meanwhile.

Rows written during the pass are not missed: the next pass lists from this one's start minus
the overlap, whatever their id (docs/architecture.md, "Incremental sync").
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from connectors import Cursor, OdooClient, OdooError, Page

BY_ID = "id"  # the stored position's `second` when the pass reads by id
MAX_SPREAD = 4  # a block spans at most this many pages' worth of ids (`block_width`)


def by_id(position: Cursor | None) -> bool:
    return position is not None and position.second == BY_ID


class Readers:
    """The clients a cycle's pages are read with: the sync's own for the first reader, and for
    a pass with more readers one more each, made when the first such pass of the cycle proves
    longer than a page and kept for the cycle. They call as the sync's client logged in, where
    the transport has a uid to share: a login costs Odoo a slow password hash. Otherwise (JSON-2,
    or the sync's client not logged in yet) each logs in in the background."""

    def __init__(self, main: OdooClient) -> None:
        self.main = main
        self.idle: queue.SimpleQueue[OdooClient] = queue.SimpleQueue()
        self.idle.put(main)
        self.made: list[OdooClient] = []
        self._logins: list[threading.Thread] = []

    def prepare(self, count: int) -> None:
        """Have `count` readers, the further ones sharing the first one's login or logging in
        meanwhile; a reader taken before its login is over waits for it (and a failed login is
        tried again there, and raised)."""
        while len(self.made) + 1 < count:
            client = OdooClient(self.main.settings)
            self.made.append(client)
            if not client.share_login(self.main):
                login = threading.Thread(target=_log_in, args=(client,), name="reader-login")
                login.start()
                self._logins.append(login)
            self.idle.put(client)

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
        for login in self._logins:
            login.join()
        self._logins.clear()
        self.main.stats.calls += sum(client.stats.calls for client in self.made)
        for client in self.made:
            client.close()
        self.made.clear()


def _log_in(client: OdooClient) -> None:
    with contextlib.suppress(OdooError):  # raised again where the reader is used
        _ = client.uid


@dataclass(frozen=True)
class _Reads:
    """How one stream's rows are read: `rows(lo, hi, limit)` are those with lo <= id < hi (no
    upper end when hi is None), in id order, at most `limit` of them (all when None)."""

    readers: Readers
    model: str
    domain: list[Any]
    fields: list[str]
    context: dict[str, Any] | None

    def rows(self, lo: int, hi: int | None, limit: int | None) -> list[dict[str, Any]]:
        domain = [*self.domain, ("id", ">=", lo), *([("id", "<", hi)] if hi is not None else [])]

        def fetch(reader: OdooClient) -> list[dict[str, Any]]:
            return reader.search_read_list(
                self.model,
                domain,
                self.fields,
                order="id asc",
                limit=limit,
                names=False,
                context=self.context,
            )

        rows: list[dict[str, Any]] = self.readers.run(fetch)
        return rows

    def highest(self, lo: int) -> int:
        """The highest id at or above `lo`; `lo - 1` when there is none."""
        found = self.readers.main.search_read_list(
            self.model,
            [*self.domain, ("id", ">=", lo)],
            ["id"],
            order="id desc",
            limit=1,
            context=self.context,
        )
        return int(found[0]["id"]) if found else lo - 1


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
    """Pages of the rows matching `domain` in id order, each with the position to store once
    its rows are stored. `after`: a position of this kind to resume from."""
    start = (after.after_id or 0) + 1 if by_id(after) and after is not None else 0
    wanted = list(dict.fromkeys([*fields, "id", "write_date"]))
    reads = _Reads(readers, model, domain, wanted, context)
    count = readers.main.settings.parallel_reads
    if count <= 1:
        yield from _one_by_one(reads, start, size)
        return
    first = _page(reads.rows(start, None, size), start)
    if len(first.rows) < size:  # all of them
        if first.rows:
            yield first
        return
    # Only a stream longer than a page gets the other readers: a login costs Odoo a slow hash.
    readers.prepare(count)
    low = (first.cursor.after_id or 0) + 1
    high = reads.highest(low)
    width = block_width(first.rows, size)

    def read(block: int) -> Page:
        lo, hi = low + block * width, min(low + (block + 1) * width, high + 1)
        return Page(reads.rows(lo, hi, None), Cursor(BY_ID, hi - 1))

    blocks = range((high - low) // width + 1) if high >= low else range(0)
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="reader") as pool:
        yield from _in_order(pool, read, blocks, window=count + 1, first=first)


def block_width(first: list[dict[str, Any]], size: int) -> int:
    """How many consecutive ids a block spans: `size` ids for as many rows as the second half of
    the first (full) page, so that a block holds about a page of rows where the stream's rows
    are spread among other ids (the lessons of the courses followed, among those of every
    course); at least `size` ids, and at most MAX_SPREAD times that, so that a block stays a few
    pages of rows where they thicken. The second half, because rows deleted before the first
    ones leave a gap of ids that says nothing of the rest."""
    half = first[len(first) // 2 :]
    span = int(half[-1]["id"]) - int(half[0]["id"]) + 1
    return max(size, min(size * span // len(half), MAX_SPREAD * size))


def _page(rows: list[dict[str, Any]], start: int) -> Page:
    """A page read from `start` on: done up to its last row."""
    return Page(rows, Cursor(BY_ID, int(rows[-1]["id"]) if rows else start - 1))


def _one_by_one(reads: _Reads, start: int, size: int) -> Iterator[Page]:
    """Pages of `size` rows, each from the last id of the one before, until one comes short."""
    while True:
        page = _page(reads.rows(start, None, size), start)
        if page.rows:
            yield page
        if len(page.rows) < size:
            return
        start = (page.cursor.after_id or 0) + 1


def _in_order(
    pool: ThreadPoolExecutor,
    fn: Callable[[int], Page],
    items: range,
    *,
    window: int,
    first: Page,
) -> Iterator[Page]:
    """`first`, then fn(item) for each item, run ahead on the pool by up to `window` (started
    before `first` is handed over), yielded in order. A caller that stops early leaves the
    futures not yet started cancelled."""
    pending: deque[Future[Page]] = deque()
    upcoming = iter(items)
    try:
        for item in upcoming:
            pending.append(pool.submit(fn, item))
            if len(pending) >= window:
                break
        yield first
        while pending:
            page = pending.popleft().result()
            following = next(upcoming, None)
            if following is not None:
                pending.append(pool.submit(fn, following))
            yield page
    finally:
        for future in pending:
            future.cancel()
