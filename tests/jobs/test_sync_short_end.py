"""One reader ends a long stream on a short page: the rows left are counted once after the
first page, and the page before the last stops a tenth of a page short of the end. Whatever
happens to the rows after that count, every row is read once and the pass ends on a page that
comes back shorter than its limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs.context import JobContext
from jobs.sync import blocks
from jobs.sync.blocks import TAIL_SHARE, next_limit
from jobs.sync.runner import SyncJob
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store
from tests.jobs.syncing import client_for, snapshot, write_config
from tests.jobs.test_sync import full_reread


class ListReads:
    """`blocks._Reads` over a list of ids; `after_count` changes the ids once they are counted."""

    def __init__(self, ids: list[int], after_count: Any = None) -> None:
        self.ids = ids
        self.after_count = after_count
        self.limits: list[int | None] = []
        self.returned: list[int] = []
        self.counts = 0

    def rows(self, lo: int, hi: int | None, limit: int | None) -> list[dict[str, Any]]:
        self.limits.append(limit)
        found = [i for i in sorted(self.ids) if i >= lo and (hi is None or i < hi)]
        self.returned.append(len(found[:limit]))
        return [{"id": i} for i in found[:limit]]

    def count(self, lo: int) -> int:
        self.counts += 1
        left = len([i for i in self.ids if i >= lo])
        if self.after_count is not None:
            self.after_count(self.ids)
        return left


def read_all(reads: ListReads, size: int) -> list[list[int]]:
    return [[row["id"] for row in page.rows] for page in blocks._one_by_one(reads, 1, size)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("total", "sizes"),
    [
        (0, []),
        (900, [900]),
        (1000, [1000]),  # full, then an empty page ends it
        (1050, [1000, 50]),  # what is left is already under a tenth
        (1600, [1000, 500, 100]),
        (2100, [1000, 1000, 100]),
        (3450, [1000, 1000, 1000, 350, 100]),
    ],
)
def test_the_last_page_of_a_long_stream_is_a_tenth_of_a_page(total: int, sizes: list[int]) -> None:
    reads = ListReads(list(range(1, total + 1)))
    pages = read_all(reads, 1000)
    assert [len(p) for p in pages] == sizes
    assert [i for page in pages for i in page] == list(range(1, total + 1))
    assert reads.counts == (1 if total >= 1000 else 0)  # a stream within one page: one call


def test_pages_under_the_threshold_are_never_counted() -> None:
    size = blocks.SHORT_END_FROM - 1
    reads = ListReads(list(range(1, 5 * size)))
    pages = read_all(reads, size)
    assert reads.counts == 0
    assert {len(p) for p in pages[:-1]} == {size}


@given(
    total=st.integers(min_value=0, max_value=4000),
    added=st.integers(min_value=0, max_value=1500),
    removed=st.integers(min_value=0, max_value=1500),
)
def test_rows_added_or_removed_after_the_count_are_read_exactly_once(
    total: int, added: int, removed: int
) -> None:
    def change(ids: list[int]) -> None:
        gone = set(ids[-removed:]) if removed else set()
        ids[:] = [i for i in ids if i not in gone] + list(range(10_000, 10_000 + added))

    reads = ListReads(list(range(1, total + 1)), after_count=change)
    pages = read_all(reads, 1000)
    got = [i for page in pages for i in page]
    if reads.counts:  # counted after the first page: the rest is what is there after the change
        first = pages[0]
        assert got == first + [i for i in sorted(reads.ids) if i > first[-1]]
    else:
        assert got == list(range(1, total + 1))
    assert reads.returned[-1] < (reads.limits[-1] or 0)  # it ended on a short page
    assert all(pages)  # no empty page handed over


def test_the_next_limit_only_shortens_the_page_before_the_last() -> None:
    size, tail = 1000, 1000 // TAIL_SHARE
    assert next_limit(size, None) == size
    assert next_limit(size, size + tail + 1) == size
    assert next_limit(size, size + tail) == size
    assert next_limit(size, tail + 1) == 1
    assert next_limit(size, tail) == size  # the last page: any limit above what is left


@pytest.fixture
def cfg(tmp_path: Path, emu: OdooEmulator, db_url: str) -> Config:
    return write_config(tmp_path, emu, db_url)


def test_a_first_pass_ends_each_long_stream_on_a_short_page_and_equals_a_full_read(
    tmp_path: Path, emu: OdooEmulator, cfg: Config, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pages of 10 (page size 1): the demo's 16 lesson rows read as 10, 5 and 1.
    monkeypatch.setattr(blocks, "SHORT_END_FROM", 10)
    sizes: dict[str, list[int]] = {}

    class Watched(SyncJob):
        def _store(self, stream: Any, page: Any, plan: Any, signature: str) -> Any:
            sizes.setdefault(stream.model, []).append(len(page.rows))
            return super()._store(stream, page, plan, signature)

    emu.reset_calls()
    summary = Watched(JobContext(cfg, store.sessions, client_for(emu, page_size=1))).run()
    assert not summary.interrupted
    assert sizes["slide.slide.partner"] == [10, 5, 1]
    counted = {c.model for c in emu.calls if c.model_method == "search_count"}
    assert "slide.slide.partner" in counted
    assert snapshot(store.sessions) == full_reread(tmp_path, emu)
