"""The hint worker: reads hinted records through the sync's path without moving its cursors,
reads again after its delays when nothing new came, and waits while the sync holds the
mirrors lease (no hinted read lands rows at the same time as a sync)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from connectors import OdooClient
from jobs.hooks import HintQueue, HintWorker
from jobs.hooks.worker import BUSY_DELAY, LEASE, READERS, SPACING
from jobs.service.leases import release, try_acquire
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store, open_store
from sidecar.store.models import SyncCursor, utcnow
from tests.conftest import logins
from tests.hooks.hooking import SCP, SSP, hooks_config, lessons_done, new_member
from tests.jobs.syncing import client_for, sync_once

HOLDER = "here:1:abc"


@pytest.fixture
def setup(tmp_path: Path, emu: OdooEmulator) -> Iterator[tuple[HintWorker, Store, OdooEmulator]]:
    cfg = hooks_config(tmp_path, emu, f"sqlite:///{tmp_path / 'store.db'}")
    store = open_store(cfg)
    client = client_for(emu)
    worker = HintWorker(cfg, store.sessions, HintQueue(100), lambda _cfg: client_for(emu), HOLDER)
    sync_once(cfg, store, client)
    client.close()
    yield worker, store, emu
    worker.stop()
    store.close()


def cursors(store: Store) -> list[tuple[object, ...]]:
    with store.sessions() as session:
        return [
            (c.stream, c.polled_at, c.pass_started_at, c.second, c.after_id, c.updated_at)
            for c in session.scalars(select(SyncCursor))
        ]


def ssp_calls(emu: OdooEmulator) -> int:
    return sum(1 for c in emu.calls if c.model == SSP and c.model_method == "search_read")


def test_a_hinted_record_lands_without_moving_the_cursors(
    setup: tuple[HintWorker, Store, OdooEmulator],
) -> None:
    worker, store, emu = setup
    partner, membership, slides = new_member(emu)
    emu.advance(2)
    ssp = emu.env.create(SSP, {"slide_id": slides[0], "partner_id": partner, "completed": True})
    before = cursors(store)
    worker.handle({(SSP, ssp): 0, (SCP, membership): 0})
    assert cursors(store) == before
    assert lessons_done(str(store.engine.url), membership) == 1
    assert len(worker.queue) == 0  # both were new: nothing to read again


def test_a_record_found_unchanged_is_read_again_after_each_delay_then_left(
    setup: tuple[HintWorker, Store, OdooEmulator],
) -> None:
    worker, _store, _emu = setup
    now = [0.0]
    worker.queue = HintQueue(100, monotonic=lambda: now[0])
    worker.handle({(SSP, 999999): 0})  # not in Odoo (or not committed yet)
    for attempt, delay in enumerate(worker.retry_delays, start=1):
        assert worker.queue.take(10, 0) == {}
        now[0] += delay
        batch = worker.queue.take(10, 0)
        assert batch == {(SSP, 999999): attempt}
        worker.handle(batch)
    now[0] += 60
    assert worker.queue.take(10, 0) == {}
    assert worker.reads == 1 + len(worker.retry_delays)
    assert sum(worker.retry_delays[:-1]) < 2.0  # the last read within 2 s comes in time


def test_hints_wait_while_another_replica_syncs_the_mirrors(
    setup: tuple[HintWorker, Store, OdooEmulator],
) -> None:
    worker, store, emu = setup
    partner, _membership, slides = new_member(emu)
    ssp = emu.env.create(SSP, {"slide_id": slides[0], "partner_id": partner, "completed": True})
    with store.sessions() as session, session.begin():
        token = try_acquire(session, LEASE, "elsewhere:2:def", timedelta(minutes=1), utcnow())
    assert token is not None
    emu.reset_calls()
    worker.handle({(SSP, ssp): 0})
    assert ssp_calls(emu) == 0 and worker.reads == 0  # not read while the sync holds it
    assert worker.queue.take(10, BUSY_DELAY + 1) == {(SSP, ssp): 0}  # back, to try again
    with store.sessions() as session, session.begin():
        release(session, LEASE, "elsewhere:2:def", token)
    worker.handle({(SSP, ssp): 0})
    assert ssp_calls(emu) == 1 and worker.reads == 1


def test_hints_wait_for_this_process_sync(setup: tuple[HintWorker, Store, OdooEmulator]) -> None:
    worker, _store, emu = setup
    emu.reset_calls()
    with worker.local_lock:  # the executor's lock on `mirrors`: a sync runs in this process
        worker.handle({(SSP, 1): 0})
    assert ssp_calls(emu) == 0
    assert worker.queue.take(10, BUSY_DELAY + 1) == {(SSP, 1): 0}


def test_reads_start_at_least_the_spacing_apart_and_take_all_that_came_since(
    setup: tuple[HintWorker, Store, OdooEmulator],
) -> None:
    """Each read takes one of Odoo's workers from its users: hints coming every 20 ms are read
    a few at a time, never more often than every `SPACING`, and none is left out."""
    worker, _store, _emu = setup
    reads: list[tuple[float, set[int]]] = []

    def handle(batch: dict[tuple[str, int], int]) -> None:
        reads.append((time.monotonic(), {rid for _model, rid in batch}))

    worker.handle = handle  # type: ignore[method-assign]
    worker.start()
    for rid in range(1, 51):
        assert worker.queue.offer(SCP, rid)
        time.sleep(0.02)
    deadline = time.monotonic() + 5
    while sum(len(ids) for _, ids in reads) < 50 and time.monotonic() < deadline:
        time.sleep(0.05)
    starts = [at for at, _ in reads]
    assert set().union(*(ids for _, ids in reads)) == set(range(1, 51))
    assert all(later - earlier >= SPACING - 0.01 for earlier, later in pairwise(starts))
    assert len(reads) <= 1 + (starts[-1] - starts[0]) / SPACING + 0.01


def test_a_lesson_and_its_membership_are_read_at_once_on_two_connections(
    tmp_path: Path, emu: OdooEmulator
) -> None:
    """Under load each call waits in Odoo's queue for a free worker: the worker's connections
    each read their share at once. Every mirrored read here waits until the other connection's
    read has begun too, so reads made one after another would fail (the barrier breaks)."""
    meet = threading.Barrier(READERS)
    made: list[OdooClient] = []

    class Meeting(OdooClient):
        def search_read_list(self, model: str, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
            if model in (SSP, SCP):
                meet.wait(timeout=10)
            return super().search_read_list(model, *args, **kwargs)

    def meeting(_cfg: object) -> OdooClient:
        made.append(Meeting(client_for(emu).settings))
        return made[-1]

    cfg = hooks_config(tmp_path, emu, f"sqlite:///{tmp_path / 'store.db'}")
    store = open_store(cfg)
    try:
        with client_for(emu) as client:
            sync_once(cfg, store, client)
        worker = HintWorker(cfg, store.sessions, HintQueue(100), meeting, HOLDER)
        partner, membership, slides = new_member(emu)
        emu.advance(2)
        ssp = emu.env.create(SSP, {"slide_id": slides[0], "partner_id": partner, "completed": True})
        worker.handle({(SSP, ssp): 0, (SCP, membership): 0})
        assert (worker.reads, worker.failures) == (1, 0)
        assert len(made) == READERS
        assert lessons_done(str(store.engine.url), membership) == 1
        worker.stop()
    finally:
        store.close()


def test_a_started_worker_logs_its_connections_in_before_the_first_hint(
    setup: tuple[HintWorker, Store, OdooEmulator],
) -> None:
    # A password login costs Odoo a slow hash: the first change must not wait for two.
    worker, _store, emu = setup
    emu.reset_calls()
    worker.start()
    deadline = time.monotonic() + 10
    while len(logins(emu)) < READERS and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(logins(emu)) == READERS
    assert worker.reads == 0 and ssp_calls(emu) == 0
