"""Rendered certificate pages, kept in memory and keyed by what can change: the status.

A certificate row never changes after issue except for its status (revoked, superseded; expired
follows from the date), so a page rendered once is right for as long as the status it was
rendered with is the status the store gives now. The key is serial, status and script root; the
status is read from the store on every request (`Register.status_of`, one small query), so a
revocation shows on the very next request, never from a stale page. `TTL_SECONDS` only bounds
how long anything else a page shows could outlive a change made behind the sidecar's back (a row
edited by hand in the database): one minute. `MAX_PAGES` bounds the memory (~4 KB a page).

Superseded pages are not kept: they link to the newest certificate of the chain, which a later
re-issue moves without touching their row.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from sidecar.certificates.status import Status

TTL_SECONDS = 60.0
MAX_PAGES = 2048
MAX_HOSTS = 32

Variant = tuple[Status, str]  # the status a page was rendered with, and the site's script root


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    etag: str  # quoted, as sent in the ETag header
    stored: float


def etag_of(body: bytes) -> str:
    """A strong validator of the answer's bytes: the page says its status, so a new status is a
    new ETag. A digest of what anyone may read on the page, nothing more."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for it)."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


class PageCache:
    """A bounded, thread-safe LRU of rendered pages, by serial, that forgets each page `ttl`
    seconds after it was stored. Only Flask's certificate view stores pages, after it checked the
    serial, so a serial held here is a canonical, well-formed one (`holds`, no lock: a dict read).

    It also remembers (up to `MAX_HOSTS`) the Host headers that Flask served a certificate page
    for: only those are answered from the cache without Flask, so a Host that Flask refuses (a
    64-character label, say) still gets Flask's own answer."""

    def __init__(
        self,
        *,
        size: int = MAX_PAGES,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size = size
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        # serial -> {(status, script root): page}; one status at a time in practice
        self._pages: OrderedDict[str, dict[Variant, CachedPage]] = OrderedDict()
        self._hosts: set[str | None] = set()

    def holds(self, serial: str) -> bool:
        return serial in self._pages

    def knows_host(self, host: str | None) -> bool:
        return host in self._hosts

    def get(self, serial: str, status: Status, script_root: str) -> CachedPage | None:
        with self._lock:
            variants = self._pages.get(serial)
            page = None if variants is None else variants.get((status, script_root))
            if variants is None or page is None:
                return None
            if self.clock() - page.stored >= self.ttl:
                del self._pages[serial]
                return None
            self._pages.move_to_end(serial)
            return page

    def put(
        self, serial: str, status: Status, script_root: str, body: bytes, *, host: str | None
    ) -> CachedPage:
        """The page with its ETag, stored unless its certificate is superseded (its page links
        to the newest certificate of the chain, which a later re-issue moves without touching
        this row). A superseded certificate's older pages are dropped too, so that the serial is
        no longer held: its requests go to Flask on a worker, not to the server's loop
        (verify_site/serve.py), which answers only held pages."""
        page = CachedPage(body, etag_of(body), self.clock())
        if status.state == "superseded":
            with self._lock:
                self._pages.pop(serial, None)
            return page
        with self._lock:
            variants = self._pages.get(serial)
            if variants is None or any(s != status for s, _ in variants):
                variants = self._pages[serial] = {}  # a new status: the old pages are dead
            variants[(status, script_root)] = page
            self._pages.move_to_end(serial)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
            if len(self._hosts) < MAX_HOSTS:
                self._hosts.add(host)
        return page

    def __len__(self) -> int:
        return len(self._pages)
