"""A stream's first (or full) pass reads content directly, in blocks of ids read ahead, and
stores each block with its position; later passes list (id, write_date) and read only what they
need."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from connectors import OdooClient
from jobs.context import JobContext
from jobs.odoo.profile import profile_of
from jobs.sync import blocks
from jobs.sync.blocks import BY_ID, MAX_SPREAD, block_width
from jobs.sync.plan import CONTENT_FACTOR
from jobs.sync.runner import SyncJob
from jobs.sync.streams import streams_for
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store
from sidecar.store.models import SyncCursor
from tests.conftest import logins
from tests.jobs.syncing import MIRRORS, client_for, snapshot, sync_once, write_config
from tests.jobs.test_sync import full_reread


@pytest.fixture
def cfg(tmp_path: Path, emu: OdooEmulator, db_url: str) -> Config:
    return write_config(tmp_path, emu, db_url)


def stream_models(emu: OdooEmulator) -> set[str]:
    with client_for(emu) as client:
        return {stream.model for stream in streams_for(profile_of(client))}


def test_a_first_pass_reads_content_in_pages_and_never_calls_read(
    emu: OdooEmulator, cfg: Config, store: Store
) -> None:
    mirrored = stream_models(emu)
    emu.reset_calls()
    summary = sync_once(cfg, store, client_for(emu, page_size=7))
    methods = {c.model_method for c in emu.calls if c.model in mirrored}
    assert "search_read" in methods and "read" not in methods
    assert summary.total.read > 7  # several pages
    assert not summary.interrupted


def test_a_full_pass_also_reads_directly_and_the_next_one_lists(
    emu: OdooEmulator, cfg: Config, store: Store
) -> None:
    mirrored = stream_models(emu)
    odoo = client_for(emu, page_size=1000)
    sync_once(cfg, store, odoo)
    emu.reset_calls()
    sync_once(cfg, store, odoo, full=True)
    methods = {c.model_method for c in emu.calls if c.model in mirrored}
    assert "search_read" in methods and "read" not in methods
    emu.reset_calls()
    again = sync_once(cfg, store, odoo)
    listings = [c for c in emu.calls if c.model in mirrored]
    assert len(listings) == len(again.streams)  # one listing call per stream, nothing read
    assert again.total.created == again.total.updated == 0


def test_a_first_pass_stopped_after_a_page_resumes_there_and_ends_equal_to_a_full_read(
    tmp_path: Path, emu: OdooEmulator, cfg: Config, store: Store
) -> None:
    pages = 0

    def after_two_pages() -> bool:
        nonlocal pages
        pages += 1
        return pages >= 2

    with client_for(emu, page_size=7) as odoo:
        first = SyncJob(JobContext(cfg, store.sessions, odoo, should_stop=after_two_pages)).run()
        assert first.interrupted
        # Two blocks of 5 x 7 ids at most; the blocks read ahead are not stored.
        assert 0 < first.total.read <= 2 * CONTENT_FACTOR * 7
        held = snapshot(store.sessions)
        assert sum(len(held[table.__tablename__]) for table in MIRRORS) == first.total.read
        second = sync_once(cfg, store, odoo)
    assert not second.interrupted
    assert snapshot(store.sessions) == full_reread(tmp_path, emu)


def test_two_readers_read_disjoint_blocks_into_the_same_store_as_one(
    tmp_path: Path, emu: OdooEmulator, cfg: Config, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Blocks of 10 ids: several per stream, so that the two readers overlap.
    helpers: list[OdooClient] = []

    class Helper(OdooClient):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            helpers.append(self)

    monkeypatch.setattr(blocks, "OdooClient", Helper)
    settings = replace(client_for(emu, page_size=1).settings, parallel_reads=2)
    emu.reset_calls()
    with OdooClient(settings) as odoo:
        summary = sync_once(cfg, store, odoo)
        calls = odoo.stats.calls
    assert len(logins(emu)) == 1  # the sync's client: the second reader calls as it logged in
    assert len(helpers) == 1 and helpers[0].stats.calls > 0  # it read blocks
    assert calls >= len([c for c in emu.calls if c.model])  # the second reader's counted too
    assert not summary.interrupted
    assert snapshot(store.sessions) == full_reread(tmp_path, emu)


def test_more_readers_log_in_only_for_a_stream_longer_than_a_page(
    emu: OdooEmulator, cfg: Config, store: Store
) -> None:
    # Every demo stream fits in a page of 10,000: a second login would cost Odoo a slow hash
    # for nothing.
    settings = replace(client_for(emu, page_size=1000).settings, parallel_reads=2)
    emu.reset_calls()
    with OdooClient(settings) as odoo:
        summary = sync_once(cfg, store, odoo)
    assert len(logins(emu)) == 1
    assert summary.total.read > 0 and not summary.interrupted


@pytest.mark.parametrize(
    ("first_ids", "width"),
    [
        ([*range(1, 11)], 10),  # dense: a block of `size` ids
        ([*range(1, 31, 3)], 26),  # a row in three ids: about a page of rows a block
        ([*range(1, 1001, 100)], 40),  # sparser still: at most MAX_SPREAD pages' worth of ids
        ([1, 2, 3, *range(500_000, 500_007)], 10),  # rows deleted before the rest: dense still
    ],
)
def test_a_block_spans_ids_for_about_a_page_of_rows(first_ids: list[int], width: int) -> None:
    assert MAX_SPREAD == 4
    assert block_width([{"id": i} for i in first_ids], 10) == width


def test_a_full_pass_stopped_midway_is_finished_by_the_next_ordinary_cycle(
    tmp_path: Path, emu: OdooEmulator, cfg: Config, store: Store
) -> None:
    with client_for(emu, page_size=7) as odoo:
        sync_once(cfg, store, odoo)
        stops = iter([False, True])
        job = SyncJob(JobContext(cfg, store.sessions, odoo, should_stop=lambda: next(stops, True)))
        assert job.run(full=True).interrupted
        with store.sessions() as session:
            positions = [row.second for row in session.scalars(select(SyncCursor))]
        assert BY_ID in positions
        again = sync_once(cfg, store, odoo)
    assert not again.interrupted
    assert snapshot(store.sessions) == full_reread(tmp_path, emu)


def test_a_first_pass_of_streams_that_fit_in_a_page_costs_one_read_each(
    emu: OdooEmulator, cfg: Config, store: Store
) -> None:
    # As a bare read: no call for the id range before the rows.
    mirrored = stream_models(emu)
    emu.reset_calls()
    summary = sync_once(cfg, store, client_for(emu, page_size=1000))
    reads = [c for c in emu.calls if c.model in mirrored and c.model_method != "fields_get"]
    assert {c.model_method for c in reads} == {"search_read"}
    assert len(reads) == len(summary.streams)
    assert summary.total.read > 0 and not summary.interrupted


def test_the_next_stream_is_read_while_the_last_page_of_the_one_before_is_stored(
    emu: OdooEmulator, cfg: Config, store: Store
) -> None:
    # The memberships fit in one page: while it is being stored, the lessons' first page must
    # already be asked for, not after the memberships' pass is finished.
    models = [s.model for s in streams_for(profile_of(client_for(emu)))]
    after = models[models.index("slide.channel.partner") + 1]
    asked_meanwhile: list[bool] = []

    class Watched(SyncJob):
        def _store(self, stream: Any, page: Any, plan: Any, signature: str) -> Any:
            if stream.model == "slide.channel.partner":
                asked_meanwhile.append(_seen_within(emu, after, seconds=10))
            return super()._store(stream, page, plan, signature)

    emu.reset_calls()
    summary = Watched(JobContext(cfg, store.sessions, client_for(emu, page_size=1000))).run()
    assert asked_meanwhile == [True]
    assert not summary.interrupted
    assert [s.name for s in summary.streams][:2] == ["graded_items", "memberships"]
    assert all(s.seconds > 0 for s in summary.streams)


def test_an_incremental_cycle_reads_no_stream_ahead(
    emu: OdooEmulator, cfg: Config, store: Store
) -> None:
    # Listing passes read content by id from the storing side: nothing may run beside them.
    odoo = client_for(emu, page_size=1000)
    sync_once(cfg, store, odoo)
    models = [s.model for s in streams_for(profile_of(odoo))]
    after = models[models.index("slide.channel.partner") + 1]
    asked_meanwhile: list[bool] = []

    class Watched(SyncJob):
        def _land(self, stream: Any, page: Any, *args: Any) -> Any:
            if stream.model == "slide.channel.partner":
                asked_meanwhile.append(_seen_within(emu, after, seconds=0.5))
            return super()._land(stream, page, *args)

    memberships = emu.env.search("slide.channel.partner", [])
    with emu.env.transaction(at=emu.clock()):
        emu.env.write("slide.channel.partner", memberships[:1], {"completion": 10})
    emu.reset_calls()
    summary = Watched(JobContext(cfg, store.sessions, odoo), overlap_seconds=300).run()
    assert asked_meanwhile and not any(asked_meanwhile)
    assert summary.total.updated >= 1


def _seen_within(emu: OdooEmulator, model: str, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(c.model == model for c in list(emu.calls)):
            return True
        time.sleep(0.01)
    return False


def test_a_full_sync_with_progress_reports_each_streams_count_from_the_start(
    emu: OdooEmulator, cfg: Config, store: Store
) -> None:
    odoo = client_for(emu, page_size=1000)
    sync_once(cfg, store, odoo)
    reported: list[tuple[str, int, int | None]] = []
    summary = SyncJob(
        JobContext(cfg, store.sessions, odoo), progress=lambda *a: reported.append(a)
    ).run(full=True)
    for stream in summary.streams:
        mine = [r for r in reported if r[0] == stream.name]
        assert mine[-1] == (stream.name, stream.counts.read, stream.counts.read)
        assert all(total == stream.counts.read for _, _, total in mine)
    assert sum(s.counts.read for s in summary.streams) > 0
