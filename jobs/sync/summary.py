"""What a sync cycle did, per stream and in all, and how its run row records it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from jobs.assignments import AssignmentReport
from jobs.status import StatusReport
from jobs.sync.loader import Counts
from jobs.sync.recompute import RecomputeResult
from sidecar.statuses import RunStatus
from sidecar.store.models import SyncRun, utcnow


@dataclass
class StreamSummary:
    name: str
    model: str
    counts: Counts
    calls: int
    seconds: float = 0.0  # from the previous stream's end (or the first stream's start) to its own


@dataclass
class SyncSummary:
    streams: list[StreamSummary] = field(default_factory=list)
    recomputed: RecomputeResult = field(default_factory=RecomputeResult)
    problems: list[str] = field(default_factory=list)
    duration_seconds: float = 0.0
    run_id: int | None = None
    interrupted: bool = False  # stopped between pages: the next cycle resumes where it stopped
    assignments: AssignmentReport | None = None  # None: no program has assignments
    status_in_odoo: StatusReport | None = None  # None: not run (the cycle stopped first)

    @property
    def total(self) -> Counts:
        total = Counts()
        for stream in self.streams:
            total.add(stream.counts)
        return total


def record_finish(
    session: Session,
    run_id: int,
    summary: SyncSummary,
    calls: int,
    duration_seconds: float,
    error: BaseException | None = None,
) -> None:
    """Stamp the sync run `run_id` with how it ended and what it did."""
    total = summary.total
    run = session.get(SyncRun, run_id)
    if run is None:  # its row was deleted by hand: nothing left to record into
        return
    run.finished_at = utcnow()
    run.status = (
        RunStatus.FAILED
        if error
        else RunStatus.INTERRUPTED
        if summary.interrupted
        else RunStatus.OK
    )
    run.rows_read, run.rows_created = total.read, total.created
    run.rows_updated, run.rows_unchanged = total.updated, total.unchanged
    run.rows_removed = total.removed
    run.errors = 1 if error else 0
    run.error_text = (str(error) or error.__class__.__name__) if error else None
    run.odoo_calls = calls
    run.duration_seconds = duration_seconds
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
