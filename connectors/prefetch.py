"""Read ahead: fetch the next page while the caller stores the one it has.

With one request in flight, Odoo waits while we store a page and we wait while Odoo reads the
next one. A reader thread that runs one page ahead overlaps the two. It holds at most `ahead`
pages beyond the caller's, so memory stays flat in rows, and it makes every call of the
iterator it drains: the caller must make no other call on the same client meanwhile.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")

_POLL_SECONDS = 0.1


class _Done:
    """Sent after the last item."""


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class _ReadAhead(Generic[T]):
    def __init__(self, source: Iterator[T], ahead: int) -> None:
        self._source = source
        self._queue: queue.Queue[T | _Done | _Failed] = queue.Queue(maxsize=ahead)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, name="read-ahead", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        try:
            for item in self._source:
                if not self._put(item):
                    return
            self._put(_Done())
        except BaseException as exc:  # handed to the caller, who raises it where it reads
            self._put(_Failed(exc))
        finally:
            close = getattr(self._source, "close", None)
            if close is not None:
                close()

    def _put(self, item: T | _Done | _Failed) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if isinstance(item, _Done):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item

    def stop(self) -> None:
        """Stop reading ahead; waits for the request in flight, whose page is dropped."""
        self._stop.set()
        self._thread.join()


@contextmanager
def read_ahead(source: Iterator[T], ahead: int = 1) -> Iterator[Iterator[T]]:
    """`source`'s items, fetched `ahead` items in advance by a thread of their own. Leaving the
    block (at the end, on a break, or on an error) stops the thread before returning."""
    reader = _ReadAhead(source, ahead)
    try:
        yield iter(reader)
    finally:
        reader.stop()
