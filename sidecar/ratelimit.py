"""A per-address rate limit: `per_minute` requests over a sliding minute (the verification site
and the cockpit's sign-in).

Ours rather than Flask-Limiter's, for what it cost under load. Its in-memory storage keeps every
request of the last minute in a list per address and re-scans every address from a timer thread
a hundred times a second, so its cost grows with the number of addresses seen: a flood from a
few thousand addresses (`bench/healthz_flood_bench.py`) took a fifth of the server from the
certificate pages, although each flood request was answered from a cache.

This is the sliding-window counter (as `limits`' "sliding-window-counter" and Cloudflare use
it): one count per address for this clock minute and one for the minute before, the latter
weighted by how much of it the sliding minute still covers. Constant work per request, no
thread; the counts of older minutes are dropped as a new minute begins, so memory holds the
addresses seen in the last two minutes. A refused request does not count.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

WINDOW = 60.0  # seconds


class RateLimiter:
    """`spend(address)`: None when the request may go on, else the seconds to wait
    (Retry-After, at least 1)."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.time) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.enabled = True  # the certificate bench measures the site without it
        self._lock = threading.Lock()
        self._minute = math.floor(clock() / WINDOW)
        self._current: dict[str, int] = {}
        self._previous: dict[str, int] = {}

    def spend(self, address: str) -> int | None:
        if not self.enabled:
            return None
        now = self.clock()
        with self._lock:
            self._turn(math.floor(now / WINDOW))
            current = self._current.get(address, 0)
            previous = self._previous.get(address, 0)
            into = (now % WINDOW) / WINDOW  # how far into this minute, 0..1
            if previous * (1 - into) + current + 1 <= self.per_minute:
                self._current[address] = current + 1
                return None
        return _wait(self.per_minute, current, previous, into)

    def _turn(self, minute: int) -> None:
        if minute == self._minute:
            return
        self._previous = self._current if minute == self._minute + 1 else {}
        self._current = {}
        self._minute = minute


def _wait(limit: int, current: int, previous: int, into: float) -> int:
    """Seconds until one more request fits: later this minute, as the previous minute's weight
    falls, or else into the next minute, as this one's does."""
    left = 1 - into  # of this minute
    if current + 1 <= limit and previous > 0:
        # previous * (left - t / WINDOW) + current + 1 <= limit
        t = (left - (limit - current - 1) / previous) * WINDOW
        if t < left * WINDOW:
            return max(1, math.ceil(t))
    # In the next minute, at fraction y: current * (1 - y) + 1 <= limit
    y = max(0.0, 1 - (limit - 1) / current) if current else 0.0
    return max(1, math.ceil((left + y) * WINDOW))
