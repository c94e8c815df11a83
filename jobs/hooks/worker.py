"""The hint worker: a thread that reads the hinted records (`jobs.sync.hinted`) as they come.

It takes what is due from the queue (at once for a fresh hint), and reads it under the same
lease the sync's mirror writes are under (`mirrors`: this process's lock, then the store's
lease), so a hinted read never lands rows while the sync or the reconcile pass lands the same
tables; when the sync holds it, the hints wait and are read right after. It only reads Odoo.

A record the first read finds unchanged is read again after `RETRY_DELAYS` (Odoo 17 and 18 post
before their commit; see docs/webhooks.md), then left to the poll. A read that fails (Odoo or
the store down) is tried again after `ERROR_DELAY`, counting as one of those reads.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from connectors import OdooClient, OdooError
from jobs.context import JobContext
from jobs.hooks.queue import HintQueue, Key
from jobs.service.leases import LeaseKeeper, release, try_acquire
from jobs.sync.hinted import HintedResult, read_hinted
from sidecar.config import Config
from sidecar.store.models import utcnow

log = logging.getLogger("ojt_sidecar.hooks")

# Seconds after each read to read a record again while it shows nothing new: Odoo 17/18 commit
# some 15-130 ms after posting, a busy one later. Reads at about 0.03, 0.28 (the first retry
# waits for `SPACING`), 0.68, 1.48 and 3.08 s after the hint: within 2 s while Odoo commits
# within 1.4 s; at most 5 reads for a hint.
RETRY_DELAYS: tuple[float, ...] = (0.2, 0.4, 0.8, 1.6)
ERROR_DELAY = 5.0
# After the first hint, wait this long for the rest of its burst (Odoo posts a lesson and each
# step of its membership's recompute within some 10-20 ms; 17/18 commit right after): one read.
GATHER = 0.03
# Reads start at least this far apart: while changes come faster, each read takes all that came
# since the last. Every read takes one of Odoo's workers from its users; reading once per change
# at 10 changes a second raised a real Odoo 19's save p95 by 33 ms (docs/benchmarks.md).
SPACING = 0.25
BUSY_DELAY = 0.25  # the sync holds the mirrors lease: look again after this
# Connections a read uses, each reading its share of the hinted models at once: a lesson
# completed names two (the lesson row, the membership). At 100 changes a second on a real
# two-worker Odoo each call waited some 0.4 s in Odoo's queue; two in a row put the latency's
# p95 at 1.7-1.9 s (docs/benchmarks.md).
READERS = 2
BATCH = 1000  # records per read
LEASE = "mirrors"  # the sync's and reconcile's shared lease (jobs.service.work.SHARED_LEASES)

ClientFactory = Callable[[Config], OdooClient]


class HintWorker:
    def __init__(
        self,
        cfg: Config,
        sessions: sessionmaker[Session],
        queue: HintQueue,
        client_factory: ClientFactory,
        holder: str,
        *,
        local_lock: threading.Lock | None = None,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        on_read: Callable[[HintedResult, float], None] | None = None,
    ) -> None:
        self.cfg, self.sessions, self.queue = cfg, sessions, queue
        self.client_factory = client_factory
        self.holder = holder
        self.local_lock = local_lock or threading.Lock()
        self.retry_delays = retry_delays
        self.on_read = on_read
        self.reads = 0
        self.failures = 0
        self._clients: list[OdooClient] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="hint worker", daemon=True)

    def start(self) -> HintWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop after the read under way; True when the thread ended within `timeout`."""
        self._stopping.set()
        self.queue.wake()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._close_clients()
        return not self._thread.is_alive()

    def _loop(self) -> None:
        self._log_in()
        last_read = -SPACING
        while not self._stopping.is_set():
            batch = self.queue.take(BATCH, timeout=0.5)
            if not batch:
                continue
            wait = max(GATHER, last_read + SPACING - time.monotonic())
            if self._stopping.wait(wait):
                return
            batch.update(self.queue.take(BATCH - len(batch), timeout=0))  # all that came since
            last_read = time.monotonic()
            self.handle(batch)

    def handle(self, batch: dict[Key, int]) -> None:
        """Read one batch (records → reads made so far) under the mirrors lease."""
        if not self.local_lock.acquire(timeout=0.05):
            self.queue.later(batch, BUSY_DELAY)
            return
        try:
            try:
                token = self._take_lease()
            except SQLAlchemyError as exc:
                log.warning("hinted read waits: the store cannot be used: %s", exc)
                self.queue.later(batch, ERROR_DELAY)
                return
            if token is None:
                self.queue.later(batch, BUSY_DELAY)
                return
            try:
                self._read(batch, token)
            finally:
                self._give_back(token)
        finally:
            self.local_lock.release()

    def _read(self, batch: dict[Key, int], token: int) -> None:
        hints: dict[str, list[int]] = defaultdict(list)
        for model, rid in batch:
            hints[model].append(rid)
        ttl = self.cfg.service.lease
        keeper = LeaseKeeper(self.sessions, {LEASE: token}, self.holder, ttl).start()
        started = time.monotonic()
        try:
            client, *helpers = self._connected()

            def should_stop() -> bool:
                return self._stopping.is_set() or keeper.should_stop()

            ctx = JobContext(self.cfg, self.sessions, client, should_stop=should_stop)
            result = read_hinted(ctx, hints, helpers=helpers)
        except (OdooError, SQLAlchemyError, OSError) as exc:
            self._failed(batch, exc)
            return
        except Exception as exc:  # a bug must not end the worker: the poll stays the net
            log.exception("hinted read failed")
            self._failed(batch, exc)
            return
        finally:
            keeper.stop()
        self.reads += 1
        self._again(batch, result.stale)
        if self.on_read is not None:
            self.on_read(result, time.monotonic() - started)
        log.debug(
            "hinted read of %d record(s): %d fresh, %d changed",
            len(batch),
            len(result.fresh),
            result.counts.changed,
        )

    def _again(self, batch: dict[Key, int], stale: set[Key]) -> None:
        by_delay: dict[float, dict[Key, int]] = defaultdict(dict)
        for key in stale:
            attempt = batch.get(key, len(self.retry_delays))
            if attempt < len(self.retry_delays):
                by_delay[self.retry_delays[attempt]][key] = attempt + 1
        for delay, attempts in by_delay.items():
            self.queue.later(attempts, delay)

    def _failed(self, batch: dict[Key, int], exc: BaseException) -> None:
        self.failures += 1
        log.warning("hinted read of %d record(s) failed: %s", len(batch), exc)
        self._close_clients()
        again = {k: a + 1 for k, a in batch.items() if a < len(self.retry_delays)}
        self.queue.later(again, ERROR_DELAY)

    def _connected(self) -> list[OdooClient]:
        while len(self._clients) < READERS:
            self._clients.append(self.client_factory(self.cfg))
        return self._clients

    def _log_in(self) -> None:
        """Log the connections in before the first hint comes, so that no change waits for a
        login (a password login costs Odoo a slow hash); one that fails logs in at the first
        read instead."""
        try:
            for client in self._connected():
                _ = client.uid
        except Exception as exc:  # Odoo down, or a bug: the worker must live on either way
            log.info("hint worker: not logged in to Odoo yet (%s); it will at the first read", exc)
            self._close_clients()

    def _close_clients(self) -> None:
        clients, self._clients = self._clients, []
        for client in clients:
            client.close()

    def _take_lease(self) -> int | None:
        with self.sessions() as session, session.begin():
            return try_acquire(session, LEASE, self.holder, self.cfg.service.lease, utcnow())

    def _give_back(self, token: int) -> None:
        try:
            with self.sessions() as session, session.begin():
                release(session, LEASE, self.holder, token)
        except SQLAlchemyError as exc:
            log.warning("could not release the %s lease (it expires by itself): %s", LEASE, exc)
