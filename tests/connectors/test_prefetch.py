"""Reading one page ahead: same items in the same order, at most `ahead` pages held beyond the
caller's, errors raised where the caller reads, and a caller that stops early stops the reader."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from connectors.prefetch import read_ahead


class Source:
    """Numbers 0..n-1; records how far it was pulled and whether it was closed."""

    def __init__(self, n: int, fail_at: int | None = None) -> None:
        self.n, self.fail_at = n, fail_at
        self.pulled = 0
        self.closed = threading.Event()
        self.thread: str | None = None

    def __iter__(self) -> Iterator[int]:
        return self.items()

    def items(self) -> Iterator[int]:
        self.thread = threading.current_thread().name
        try:
            for i in range(self.n):
                if i == self.fail_at:
                    raise ConnectionError(f"page {i} lost")
                self.pulled = i + 1
                yield i
        finally:
            self.closed.set()


def test_items_come_in_order_from_another_thread() -> None:
    source = Source(50)
    with read_ahead(source.items()) as pages:
        assert list(pages) == list(range(50))
    assert source.thread is not None and source.thread != threading.current_thread().name


def test_it_runs_at_most_one_page_ahead_of_the_caller() -> None:
    source = Source(20)
    seen = []
    with read_ahead(source.items(), ahead=1) as pages:
        for item in pages:
            seen.append(item)
            # the reader may hold one page in the queue and be yielding the next
            assert source.pulled <= item + 3
    assert seen == list(range(20))


def test_an_error_is_raised_where_the_caller_reads_after_the_pages_before_it() -> None:
    source = Source(10, fail_at=4)
    seen = []
    with pytest.raises(ConnectionError, match="page 4 lost"), read_ahead(source.items()) as pages:
        for item in pages:
            seen.append(item)
    assert seen == [0, 1, 2, 3]
    assert source.closed.is_set()


def test_a_caller_that_stops_early_stops_the_reader_and_closes_the_source() -> None:
    source = Source(1000)
    with read_ahead(source.items()) as pages:
        for item in pages:
            if item == 2:
                break
    assert source.closed.is_set()
    assert source.pulled < 10
