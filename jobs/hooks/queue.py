"""The hints waiting to be read: one entry per (model, id), bounded, each with when it is due.

Odoo posts the same record several times for one change (two identical POSTs for a create, one
per recompute step for a membership); those coalesce into one entry. A record already waiting
takes a new hint without growing the queue; a new record is refused once `size` records wait,
and the listener then answers 503 (the poll catches up). A record read too early (Odoo 17 and
18 post before their commit) is put back with a delay: a new hint for it makes it due at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Key = tuple[str, int]  # (model, id)


@dataclass
class Entry:
    due: float  # monotonic time
    attempt: int  # reads already made of this record since its last hint


class HintQueue:
    def __init__(self, size: int, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.monotonic = monotonic
        self._entries: dict[Key, Entry] = {}
        self._changed = threading.Condition()
        self.accepted = 0  # hints taken (coalesced ones included)
        self.refused = 0  # hints refused because the queue was full

    def __len__(self) -> int:
        with self._changed:
            return len(self._entries)

    def offer(self, model: str, rid: int) -> bool:
        """A hint from the listener: due at once. False when the queue is full."""
        key = (model, rid)
        with self._changed:
            if key not in self._entries and len(self._entries) >= self.size:
                self.refused += 1
                return False
            self._entries[key] = Entry(self.monotonic(), 0)
            self.accepted += 1
            self._changed.notify()
            return True

    def later(self, attempts: Mapping[Key, int], delay: float) -> None:
        """Put records back to be read again after `delay` with their attempt counts (unless a
        fresh hint came meanwhile); never refused: they were counted when they came in."""
        due = self.monotonic() + delay
        with self._changed:
            for key, attempt in attempts.items():
                if key not in self._entries:
                    self._entries[key] = Entry(due, attempt)
            self._changed.notify()

    def take(self, limit: int, timeout: float) -> dict[Key, int]:
        """The records due now (at most `limit`) with their attempt counts, removed from the
        queue; waits up to `timeout` seconds for one to be due, then answers {} ."""
        deadline = self.monotonic() + timeout
        with self._changed:
            while True:
                now = self.monotonic()
                due = [key for key, entry in self._entries.items() if entry.due <= now]
                if due:
                    taken = due[:limit]
                    return {key: self._entries.pop(key).attempt for key in taken}
                if now >= deadline:
                    return {}
                upcoming = min((e.due for e in self._entries.values()), default=deadline)
                self._changed.wait(max(0.001, min(deadline, upcoming) - now))

    def wake(self) -> None:
        """Wake a waiting `take` (used on shutdown)."""
        with self._changed:
            self._changed.notify_all()
