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
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connectors import OdooClient
from jobs.sync.cursors import load_cursor, save_cursor
from jobs.sync.loader import Counts, load_page
from jobs.sync.recompute import RecomputeResult, pending_partners, recompute
from jobs.sync.reconcile import ReconcileSummary, reconcile
from jobs.sync.scope import resolve_scope
from jobs.sync.streams import STREAMS, Scope, Stream
from sidecar.config import Config
from sidecar.store.models import SyncRun, utcnow

log = logging.getLogger("ojt_sidecar.sync")

DEFAULT_OVERLAP_SECONDS = 300.0  # the config's default `sync.overlap`
RECOMPUTE_BATCH = 500

# progress(stream_name, rows_read_so_far, total_or_None)
Progress = Callable[[str, int, int | None], None]


@dataclass
class StreamSummary:
    name: str
    model: str
    counts: Counts
    calls: int


@dataclass
class SyncSummary:
    streams: list[StreamSummary] = field(default_factory=list)
    recomputed: RecomputeResult = field(default_factory=RecomputeResult)
    problems: list[str] = field(default_factory=list)
    dry_run: bool = False
    duration_seconds: float = 0.0
    run_id: int | None = None

    @property
    def total(self) -> Counts:
        total = Counts()
        for stream in self.streams:
            total.add(stream.counts)
        return total


class SyncJob:
    def __init__(
        self,
        client: OdooClient,
        sessions: sessionmaker[Session],
        cfg: Config,
        *,
        overlap_seconds: float | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.client = client
        self.sessions = sessions
        self.cfg = cfg
        self.overlap_seconds = (
            cfg.sync.overlap.total_seconds() if overlap_seconds is None else overlap_seconds
        )
        self.progress = progress

    def run(self, *, full: bool = False, dry_run: bool = False) -> SyncSummary:
        started = time.monotonic()
        summary = SyncSummary(dry_run=dry_run)
        calls_before = self.client.stats.calls
        run_id = None if dry_run else self._start_run(full)
        summary.run_id = run_id
        try:
            self.client.authenticate()  # up front, so per-stream call counts are the stream's own
            with self.sessions() as session, session.begin():
                scope, summary.problems = resolve_scope(session, self.client)
                if dry_run:
                    session.rollback()
            for stream in STREAMS:
                if stream.applies(scope):
                    summary.streams.append(self._sync_stream(stream, scope, full, dry_run))
            if not dry_run:
                summary.recomputed = self._recompute()
        except Exception as exc:
            if run_id is not None:
                self._finish_run(run_id, summary, started, calls_before, error=exc)
            raise
        summary.duration_seconds = time.monotonic() - started
        if run_id is not None:
            self._finish_run(run_id, summary, started, calls_before)
        return summary

    # -- streams -------------------------------------------------------------------------------

    def _sync_stream(
        self, stream: Stream, scope: Scope, full: bool, dry_run: bool
    ) -> StreamSummary:
        calls_before = self.client.stats.calls
        signature = stream.signature(scope)
        with self.sessions() as session:
            cursor = None if full else load_cursor(session, stream.name, signature)
        since = cursor.rewound(self.overlap_seconds) if cursor is not None else None
        context = {"active_test": False} if stream.include_archived else None
        total = None
        if self.progress is not None and full:  # a count costs a call: only worth it on --full
            total = self.client.search_count(stream.model, stream.domain(scope), context=context)
        counts = Counts()
        pages = self.client.search_read(
            stream.model, stream.domain(scope), stream.fields, since=since, context=context
        )
        for page in pages:
            with self.sessions() as session, session.begin():
                page_counts = load_page(session, stream, page.rows)
                save_cursor(session, stream.name, signature, page.cursor)
                if dry_run:
                    session.rollback()
            counts.add(page_counts)
            if self.progress is not None:
                self.progress(stream.name, counts.read, total)
        if self.progress is not None:
            self.progress(stream.name, counts.read, counts.read)
        log.info(
            "%s: read %d, created %d, updated %d, unchanged %d",
            stream.name,
            counts.read,
            counts.created,
            counts.updated,
            counts.unchanged,
        )
        return StreamSummary(
            stream.name, stream.model, counts, self.client.stats.calls - calls_before
        )

    # -- recompute -----------------------------------------------------------------------------

    def _recompute(self) -> RecomputeResult:
        total = RecomputeResult()
        while True:
            with self.sessions() as session, session.begin():
                partners = pending_partners(session, RECOMPUTE_BATCH)
                if not partners:
                    return total
                result = recompute(session, self.cfg, partners, self._partner_info)
            total.partners += result.partners
            total.students_created += result.students_created
            total.students_updated += result.students_updated

    def reconcile_if_due(self, now: datetime | None = None) -> ReconcileSummary | None:
        """Run the reconcile pass when the config's `schedules.reconcile` says it is due (the
        scheduler of `ojt-sidecar run` calls it on that schedule; `sync` checks it too)."""
        now = now or utcnow()
        with self.sessions() as session:
            last = session.scalars(
                select(SyncRun.started_at)
                .where(SyncRun.kind == "reconcile", SyncRun.status == "ok")
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
        """Find rows deleted in Odoo, then recompute the partners they touched."""
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
            summary.recomputed = self._recompute()
        except Exception as exc:
            self._finish_run(run_id, summary, started, calls_before, error=exc)
            raise
        self._finish_run(run_id, summary, started, calls_before)
        return result

    def _partner_info(self, partner_ids: list[int]) -> dict[int, tuple[str, str | None]]:
        rows = self.client.read(
            "res.partner", partner_ids, ["name", "email"], context={"active_test": False}
        )
        return {
            row["id"]: (row.get("name") or f"Partner {row['id']}", row.get("email") or None)
            for row in rows
        }

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
        total = summary.total
        with self.sessions() as session, session.begin():
            run = session.get(SyncRun, run_id)
            assert run is not None
            run.finished_at = utcnow()
            run.status = "failed" if error else "ok"
            run.rows_read, run.rows_created = total.read, total.created
            run.rows_updated, run.rows_unchanged = total.updated, total.unchanged
            run.rows_removed = total.removed
            run.errors = 1 if error else 0
            run.error_text = str(error) if error else None
            run.odoo_calls = self.client.stats.calls - calls_before
            run.duration_seconds = time.monotonic() - started
            run.details = {
                "streams": {
                    s.name: {
                        "read": s.counts.read,
                        "created": s.counts.created,
                        "updated": s.counts.updated,
                        "calls": s.calls,
                    }
                    for s in summary.streams
                },
                "problems": summary.problems,
            }
