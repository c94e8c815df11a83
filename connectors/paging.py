"""Incremental reads ordered by (write_date, id) that survive Odoo's truncated write_date.

Odoo stores `write_date` with microseconds but returns it cut to the second and compares on the
full value (docs/odoo-notes.md §7), so `write_date = returned` never matches and a keyset on
(write_date, id) built from returned strings loops forever. We page instead by whole seconds:

1. Bulk page: `write_date >= S`, ordered `write_date asc, id asc`. Every second before the last
   one on a full page is complete (truncation keeps the order), so those rows are delivered.
2. The last second of a full page may continue beyond the page: it is read on its own, by
   `S <= write_date < S+1` and `id > last`, ordered by id, until exhausted.
3. Then the bulk page resumes at the next second.

A `Cursor` marks a resumable position and is only handed out with the page it follows, so a caller
that persists it together with the page's rows never skips a row. Resuming re-delivers the rows
of the cursor's second (Odoo may still add rows stamped with it): callers upsert idempotently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.errors import OdooProtocolError

ODOO_DATETIME = "%Y-%m-%d %H:%M:%S"
Domain = list[Any]
Row = dict[str, Any]
# fetch(domain, order, limit) -> rows; the client binds model, fields and context.
Fetch = Callable[[Domain, str, int], list[Row]]


@dataclass(frozen=True)
class Cursor:
    """Resume position: rows before `second` are done; within `second`, ids <= `after_id` are.

    `after_id is None` means nothing of `second` is done yet (resume with a bulk page).
    """

    second: str
    after_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"second": self.second, "after_id": self.after_id}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cursor:
        return cls(str(data["second"]), data.get("after_id"))

    def rewound(self, seconds: float) -> Cursor:
        """A bulk cursor `seconds` earlier: the overlap window for late commits."""
        start = _parse(self.second) - timedelta(seconds=seconds)
        return Cursor(start.strftime(ODOO_DATETIME), None)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    cursor: Cursor  # where to resume once `rows` are safely stored


def iter_pages(
    fetch: Fetch, domain: Sequence[Any], *, since: Cursor | None, page_size: int
) -> Iterator[Page]:
    """Every row matching `domain` with write_date at or after `since`, in pages."""
    base = list(domain)
    cursor = since
    while True:
        if cursor is not None and cursor.after_id is not None:
            yield from _finish_second(fetch, base, cursor, page_size)
            cursor = Cursor(_next_second(cursor.second), None)
        lower = [("write_date", ">=", cursor.second)] if cursor is not None else []
        rows = fetch(base + lower, "write_date asc, id asc", page_size)
        if len(rows) < page_size:
            if rows:
                yield Page(rows, Cursor(_second_of(rows[-1]), None))
            return
        last_second = _second_of(rows[-1])
        complete = [row for row in rows if _second_of(row) < last_second]
        if complete:
            yield Page(complete, Cursor(last_second, None))
        cursor = Cursor(last_second, 0)


def _finish_second(fetch: Fetch, base: Domain, cursor: Cursor, page_size: int) -> Iterator[Page]:
    window = [
        ("write_date", ">=", cursor.second),
        ("write_date", "<", _next_second(cursor.second)),
    ]
    after_id = cursor.after_id or 0
    while True:
        rows = fetch([*base, *window, ("id", ">", after_id)], "id asc", page_size)
        if rows:
            after_id = int(rows[-1]["id"])
            yield Page(rows, Cursor(cursor.second, after_id))
        if len(rows) < page_size:
            return


def _second_of(row: Row) -> str:
    value = row.get("write_date")
    if not isinstance(value, str):
        raise OdooProtocolError(f"record {row.get('id')} has no write_date ({value!r})")
    return value[:19]


def _parse(second: str) -> datetime:
    return datetime.strptime(second[:19], ODOO_DATETIME)


def _next_second(second: str) -> str:
    return (_parse(second) + timedelta(seconds=1)).strftime(ODOO_DATETIME)
