"""One sync cycle: resolve scope, read each stream incrementally, land pages, recompute.

Each page and its cursor commit in one transaction, so a crash or an Odoo outage at any point
loses nothing: the next cycle resumes at the last committed cursor (minus the overlap window,
which catches late commits that Odoo stamped before our last poll). Rows re-read are compared,
not rewritten, so a re-run against an unchanged Odoo writes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import Page
from connectors.prefetch import read_ahead
from jobs.actions import apply_actions
from jobs.context import JobContext
from jobs.incremental import ShouldStop
from jobs.incremental.cursors import finish_pass, save_position
from jobs.incremental.scope import resolve_scope
from jobs.odoo import contacts
from jobs.odoo.profile import profile_of
from jobs.status import show_statuses
from jobs.sync import batch_steps
from jobs.sync.blocks import Readers
from jobs.sync.loader import Counts, load_page
from jobs.sync.passes import Lap, PassEnd, StreamPass, chained, counted, plan_passes, runs
from jobs.sync.plan import (
    LISTING_FACTOR,
    PassPlan,
    known_write_dates,
    needs_content,
)
from jobs.sync.recompute import RecomputeResult, pending_partners, recompute
from jobs.sync.reconcile import ReconcileSummary, reconcile
from jobs.sync.streams import Scope, Stream, streams_for
from jobs.sync.summary import StreamSummary, SyncSummary, record_finish
from sidecar.statuses import RunStatus
from sidecar.store.models import Program, Student, SyncRun
from sidecar.store.queue import program_partners, queue_partners
from sidecar.store.sql import among

log = logging.getLogger("ojt_sidecar.sync")

DEFAULT_OVERLAP_SECONDS = 300.0  # the config's default `sync.overlap`
RECOMPUTE_BATCH = 500

# progress(stream_name, rows_read_so_far, total_or_None)
Progress = Callable[[str, int, int | None], None]


class SyncJob:
    def __init__(
        self,
        ctx: JobContext,
        *,
        overlap_seconds: float | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.ctx = ctx
        self.client, self.sessions, self.cfg = ctx.client, ctx.sessions, ctx.cfg
        self.overlap_seconds = (
            ctx.cfg.sync.overlap.total_seconds() if overlap_seconds is None else overlap_seconds
        )
        self.progress = progress
        self.should_stop: ShouldStop = ctx.should_stop
        self._readers = Readers(self.client)

    def run(self, *, full: bool = False) -> SyncSummary:
        """One cycle. The context's `should_stop` is asked after each stored page and recompute
        batch: when it says so, the cycle ends there (the stream's position stays stored and the
        recompute queue kept, so the next cycle resumes), and the summary and sync run say
        `interrupted`."""
        started = time.monotonic()
        summary = SyncSummary()
        calls_before = self.client.stats.calls
        run_id = self._start_run(full)
        summary.run_id = run_id
        try:
            # Log in up front (once per client: a login costs ~240 ms on Odoo 17), so that
            # per-stream call counts are the stream's own.
            _ = self.client.uid
            with self.sessions() as session, session.begin():
                # Batches tagged in Odoo first, so that their events are in the scope.
                found_batches = batch_steps.discover(session, self.client, self.cfg)
                scope, summary.problems = resolve_scope(session, self.client)
                summary.problems += found_batches
            summary.interrupted = not self._sync_streams(scope, full, summary.streams)
            if summary.interrupted:
                pass  # the recompute queue is stored: the next cycle (or run) works it off
            elif full:  # a full sync recomputes everyone, changed rows or not
                with self.sessions() as session, session.begin():
                    programs = session.scalars(select(Program.id).where(Program.active.is_(True)))
                    queue_partners(session, program_partners(session, list(programs)))
            if not summary.interrupted:
                summary.recomputed, finished = self.recompute_pending()
                summary.interrupted = not finished
            if not summary.interrupted:
                with self.sessions() as session, session.begin():
                    summary.assignments = batch_steps.assignments(
                        session, self.client, self.cfg, self.ctx.clock
                    )
                with self.sessions() as session, session.begin():
                    apply_actions(session, self.client, self.cfg, self.ctx.clock(), self.ctx.files)
                summary.problems += summary.assignments.problems if summary.assignments else []
                # after the recompute: the statuses it changed are shown in Odoo (tags, applicant)
                summary.status_in_odoo = show_statuses(self.ctx)
                summary.problems += summary.status_in_odoo.problems
        except BaseException as exc:  # recorded, then re-raised: Ctrl-C included
            self._readers.close()
            self._finish_run(run_id, summary, started, calls_before, error=exc)
            raise
        self._readers.close()
        summary.duration_seconds = time.monotonic() - started
        self._finish_run(run_id, summary, started, calls_before)
        return summary

    # -- streams -------------------------------------------------------------------------------

    def _sync_streams(self, scope: Scope, full: bool, done: list[StreamSummary]) -> bool:
        """A pass over each stream that applies (see docs/architecture.md, "Incremental sync"),
        its summary added to `done`; says whether all finished (False: stopped after a stored
        page, the pass's position kept for the next cycle)."""
        streams = [s for s in streams_for(profile_of(self.client)) if s.applies(scope)]
        with self.sessions() as session:
            passes = plan_passes(
                session,
                streams,
                scope,
                full=full,
                now=self.ctx.clock(),
                overlap_seconds=self.overlap_seconds,
            )
        if self.progress is not None and full:
            passes = counted(self.client, passes)
        clock = Lap()
        for run in runs(passes):
            finished = (
                self._sync_chain(run, clock, done)
                if run[0].direct
                else self._sync_listed(run[0], clock, done)
            )
            if not finished:
                return False
        return True

    def _sync_chain(self, chain: list[StreamPass], clock: Lap, done: list[StreamSummary]) -> bool:
        """Passes that read content directly, their pages read ahead as one chain while each is
        stored with its stream's position, in one transaction per page."""
        counts, calls_before = Counts(), self.client.stats.calls
        with read_ahead(chained(self._readers, chain)) as items:
            for index, item in items:
                p = chain[index]
                if isinstance(item, PassEnd):
                    done.append(self._finish(p, counts, item.calls, clock))
                    counts, calls_before = Counts(), self.client.stats.calls
                    continue
                counts.add(self._store(p.stream, item, p.plan, p.signature))
                if not self._went_on(p, counts):
                    calls = self.client.stats.calls - calls_before  # those read ahead too
                    done.append(self._stopped(p, counts, calls, clock))
                    return False
        return True

    def _sync_listed(self, p: StreamPass, clock: Lap, done: list[StreamSummary]) -> bool:
        """An incremental pass: list (id, write_date) of the rows changed since the last pass
        minus the overlap window, then read the content of those that are new, changed, or too
        recent to be final."""
        calls_before = self.client.stats.calls
        counts = Counts()
        listing = self.client.search_read(
            p.stream.model,
            p.domain,
            [],
            since=p.plan.since,
            page_size=LISTING_FACTOR * self.client.settings.page_size,
            context=p.stream.context,
        )
        for page in listing:
            counts.add(self._land(p.stream, page, p.plan, p.signature, p.stream.context))
            if not self._went_on(p, counts):
                calls = self.client.stats.calls - calls_before
                done.append(self._stopped(p, counts, calls, clock))
                return False
        done.append(self._finish(p, counts, self.client.stats.calls - calls_before, clock))
        return True

    def _went_on(self, p: StreamPass, counts: Counts) -> bool:
        """Report progress after a stored page; False when the cycle is to stop there."""
        if self.progress is not None:
            self.progress(p.stream.name, counts.read, p.total)
        return not self.should_stop()

    def _finish(self, p: StreamPass, counts: Counts, calls: int, clock: Lap) -> StreamSummary:
        with self.sessions() as session, session.begin():
            finish_pass(session, p.stream.name, p.signature, p.plan.started_at)
        if self.progress is not None:
            self.progress(p.stream.name, counts.read, counts.read)
        _log_counts(p.stream, counts)
        return StreamSummary(p.stream.name, p.stream.model, counts, calls, clock.lap())

    def _stopped(self, p: StreamPass, counts: Counts, calls: int, clock: Lap) -> StreamSummary:
        log.info(
            "%s: stopped after %d rows; the next cycle resumes there", p.stream.name, counts.read
        )
        _log_counts(p.stream, counts)
        return StreamSummary(p.stream.name, p.stream.model, counts, calls, clock.lap())

    def _store(self, stream: Stream, page: Page, plan: PassPlan, signature: str) -> Counts:
        """Store a page read by content with the stream's position, in one transaction."""
        with self.sessions() as session, session.begin():
            page_counts = load_page(session, stream, page.rows)
            save_position(session, stream.name, signature, plan.started_at, page.cursor)
        return page_counts

    def _land(
        self,
        stream: Stream,
        page: Page,
        plan: PassPlan,
        signature: str,
        context: dict[str, Any] | None,
    ) -> Counts:
        """Read what the listed page needs by content and store it with the stream's position,
        in one transaction."""
        with self.sessions() as session:
            known = known_write_dates(session, stream, [r["id"] for r in page.rows])
        wanted = [
            r["id"] for r in page.rows if needs_content(r, known.get(r["id"]), plan.unsettled_from)
        ]
        rows = self._read(stream, wanted, context)
        page_counts = self._store(stream, Page(rows, page.cursor), plan, signature)
        page_counts.read = len(page.rows)
        page_counts.unchanged += len(page.rows) - len(rows)
        return page_counts

    def _read(
        self, stream: Stream, ids: list[int], context: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        if not ids:
            return []
        return self.client.read(
            stream.model, ids, stream.content_fields, names=False, context=context
        )

    # -- recompute -----------------------------------------------------------------------------

    def recompute_pending(self) -> tuple[RecomputeResult, bool]:
        """Work off the recompute queue; also says whether it is empty (False: stopped)."""
        total = RecomputeResult()
        while True:
            if self.should_stop():
                return total, False
            # Names of partners new to us are read from Odoo before the write transaction opens,
            # so no Odoo call (with its retries) runs while SQLite's write lock is held.
            with self.sessions() as session:
                partners = pending_partners(session, RECOMPUTE_BATCH)
                if not partners:
                    return total, True
                known = _known_names(session, partners)
            fetched = self._partner_info([p for p in partners if p not in known])
            names = {**known, **fetched}
            with self.sessions() as session, session.begin():
                result = recompute(
                    session,
                    self.cfg,
                    partners,
                    partial(_pick, names),
                )
            total.partners += result.partners
            total.students_created += result.students_created
            total.students_updated += result.students_updated

    def reconcile_if_due(self, now: datetime | None = None) -> ReconcileSummary | None:
        """Run the reconcile pass when the config's `schedules.reconcile` says it is due (the
        scheduler of `ojt-sidecar run` runs `reconcile` on that schedule; `sync` and
        `run --once` check this)."""
        now = now or self.ctx.clock()
        with self.sessions() as session:
            last = session.scalars(
                select(SyncRun.started_at)
                .where(SyncRun.kind == "reconcile", SyncRun.status == RunStatus.OK)
                .order_by(SyncRun.id.desc())
                .limit(1)
            ).first()
        if last is not None:
            trigger = self.cfg.schedules.reconcile.trigger(timezone=UTC)
            due = trigger.get_next_fire_time(last, last)
            if due is None or due > now:
                return None
        return self.reconcile()

    def reconcile(self) -> ReconcileSummary:
        """Find rows deleted in Odoo, then recompute the partners they touched (`should_stop`
        is asked between recompute batches; the queue keeps the rest)."""
        started = time.monotonic()
        calls_before = self.client.stats.calls
        with self.sessions() as session, session.begin():
            run = SyncRun(kind="reconcile")
            session.add(run)
            session.flush()
            run_id = run.id
        summary = SyncSummary()
        try:
            result = reconcile(self.client, self.sessions)
            summary.streams = [
                StreamSummary(name, name, counts, 0) for name, counts in result.streams.items()
            ]
            summary.recomputed, finished = self.recompute_pending()
            summary.interrupted = not finished
        except BaseException as exc:  # recorded, then re-raised
            self._finish_run(run_id, summary, started, calls_before, error=exc)
            raise
        self._finish_run(run_id, summary, started, calls_before)
        return result

    def _partner_info(self, partner_ids: list[int]) -> dict[int, contacts.Contact]:
        if not partner_ids:
            return {}
        return contacts.names_and_emails(self.client, partner_ids)

    # -- audit ---------------------------------------------------------------------------------

    def _start_run(self, full: bool) -> int:
        with self.sessions() as session, session.begin():
            run = SyncRun(kind="full" if full else "sync")
            session.add(run)
            session.flush()
            return run.id

    def _finish_run(
        self,
        run_id: int,
        summary: SyncSummary,
        started: float,
        calls_before: int,
        error: BaseException | None = None,
    ) -> None:
        calls = self.client.stats.calls - calls_before
        with self.sessions() as session, session.begin():
            record_finish(session, run_id, summary, calls, time.monotonic() - started, error)


def _log_counts(stream: Stream, counts: Counts) -> None:
    log.info(
        "%s: listed %d, created %d, updated %d, unchanged %d",
        stream.name,
        counts.read,
        counts.created,
        counts.updated,
        counts.unchanged,
    )


def _known_names(session: Session, partners: list[int]) -> dict[int, contacts.Contact]:
    """Name, e-mail and internal-user standing of partners that are already students somewhere
    (no Odoo call needed); a row whose standing was never read (made before it was recorded, or
    by the enrollment) does not count as known."""
    rows = session.execute(
        select(Student.odoo_partner_id, Student.name, Student.email, Student.internal_user).where(
            among(Student.odoo_partner_id, partners), Student.internal_user.is_not(None)
        )
    )
    return {partner: (name, email, internal) for partner, name, email, internal in rows}


def _pick(names: dict[int, contacts.Contact], ids: list[int]) -> dict[int, contacts.Contact]:
    return {p: names[p] for p in ids if p in names}
