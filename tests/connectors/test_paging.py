"""The whole-second keyset pager, against an in-memory table that truncates like Odoo does.

The fake stores write_date with microseconds, compares and orders on the full value and returns
it cut to the second (docs/odoo-notes.md §7), so a naive keyset would loop here exactly as it
does on Odoo.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.paging import Cursor, iter_pages

T0 = datetime(2026, 11, 22, 3, 35, 44, 354392)


class TruncatingTable:
    def __init__(self, stamps: dict[int, datetime]) -> None:
        self.stamps = stamps
        self.calls = 0

    def fetch(self, domain: list[Any], order: str, limit: int) -> list[dict[str, Any]]:
        self.calls += 1
        rows = [(rid, ts) for rid, ts in self.stamps.items() if self._match(domain, rid, ts)]
        if order == "write_date asc, id asc":
            rows.sort(key=lambda r: (r[1], r[0]))
        elif order == "id asc":
            rows.sort()
        else:  # pragma: no cover - the pager only uses these two
            raise AssertionError(order)
        return [
            {"id": rid, "write_date": ts.strftime("%Y-%m-%d %H:%M:%S")} for rid, ts in rows[:limit]
        ]

    @staticmethod
    def _match(domain: list[Any], rid: int, ts: datetime) -> bool:
        for field, op, value in domain:
            left: Any = rid if field == "id" else ts
            right: Any = value if field == "id" else datetime.fromisoformat(value)
            ok = {">=": left >= right, "<": left < right, ">": left > right}[op]
            if not ok:
                return False
        return True


def collect(table: TruncatingTable, since: Cursor | None, page_size: int) -> list[int]:
    ids: list[int] = []
    for page in iter_pages(table.fetch, [], since=since, page_size=page_size):
        ids.extend(row["id"] for row in page.rows)
        assert len(ids) <= 10 * len(table.stamps) + 10, "the pager is looping"
    return ids


def test_many_rows_in_one_second_do_not_loop() -> None:
    # 44 demo partners share one transaction stamp: more rows than a page in one second.
    table = TruncatingTable({rid: T0 for rid in range(16, 60)})
    assert collect(table, None, page_size=3) == list(range(16, 60))


def test_rows_of_a_second_are_read_in_id_order_not_microsecond_order() -> None:
    # Later microseconds on lower ids: a keyset on id alone inside the second would skip them.
    stamps = {rid: T0 + timedelta(microseconds=100 - rid) for rid in range(1, 11)}
    table = TruncatingTable(stamps)
    assert sorted(collect(table, None, page_size=4)) == list(range(1, 11))


def test_unchanged_source_costs_one_call_from_a_bulk_cursor() -> None:
    table = TruncatingTable({1: T0})
    since = Cursor((T0 + timedelta(seconds=5)).strftime("%Y-%m-%d %H:%M:%S"))
    assert collect(table, since, page_size=100) == []
    assert table.calls == 1


def test_resuming_from_any_page_cursor_misses_nothing() -> None:
    stamps = {rid: T0 + timedelta(seconds=rid // 7, microseconds=rid % 3) for rid in range(1, 50)}
    table = TruncatingTable(stamps)
    pages = list(iter_pages(table.fetch, [], since=None, page_size=5))
    seen: list[int] = []
    for page in pages:
        seen.extend(row["id"] for row in page.rows)
        resumed = set(collect(TruncatingTable(stamps), page.cursor, page_size=5))
        assert set(stamps) - set(seen) <= resumed


def test_cursor_round_trips_through_json() -> None:
    cursor = Cursor("2026-11-22 03:35:44", 18)
    assert Cursor.from_json(cursor.to_json()) == cursor
    assert cursor.rewound(60) == Cursor("2026-11-22 03:34:44", None)


@settings(deadline=None)
@given(
    offsets=st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 999_999)), min_size=0, max_size=60
    ),
    page_size=st.integers(1, 12),
)
def test_one_pass_delivers_every_row_exactly_once(
    offsets: list[tuple[int, int]], page_size: int
) -> None:
    stamps = {
        rid: T0.replace(microsecond=0) + timedelta(seconds=sec, microseconds=us)
        for rid, (sec, us) in enumerate(offsets, start=1)
    }
    ids = collect(TruncatingTable(stamps), None, page_size)
    assert sorted(ids) == sorted(stamps)
