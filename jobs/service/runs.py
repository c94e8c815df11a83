"""Job runs (rows of `job_runs`): one per execution of a scheduled job, by whichever replica.

A run is inserted `running` once its leases are held and finished with one conditional UPDATE
(`WHERE status = 'running'`), so a run already marked `abandoned` by the replica that took its
job over, or `interrupted` by a shutdown that stopped waiting, keeps that verdict.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from sidecar.statuses import RunStatus
from sidecar.store.models import JobRun

RUNNING, OK, FAILED = RunStatus.RUNNING, RunStatus.OK, RunStatus.FAILED
INTERRUPTED = RunStatus.INTERRUPTED  # the replica was asked to stop during the run
ABANDONED = RunStatus.ABANDONED  # its replica died or stalled: found by the next holder


def abandon_stale(session: Session, job: str, now: datetime) -> int:
    """Mark `job`'s runs still `running` as abandoned. Called by the holder of the job's lease
    before its own run starts: whoever ran them no longer holds the lease, so they are over."""
    result = session.execute(
        update(JobRun)
        .where(JobRun.job == job, JobRun.status == RUNNING)
        .values(status=ABANDONED, finished_at=now, error="its replica stopped without finishing it")
    )
    return int(getattr(result, "rowcount", 0))


def start_run(session: Session, job: str, holder: str, now: datetime) -> int:
    run = JobRun(job=job, holder=holder, started_at=now, status=RUNNING)
    session.add(run)
    session.flush()
    return run.id


def finish_run(
    session: Session,
    run_id: int,
    *,
    status: str,
    now: datetime,
    seconds: float,
    summary: str | None = None,
    error: str | None = None,
) -> bool:
    """Record how a run ended; False when it had already been marked over by someone else."""
    result = session.execute(
        update(JobRun)
        .where(JobRun.id == run_id, JobRun.status == RUNNING)
        .values(
            status=status,
            finished_at=now,
            duration_seconds=seconds,
            summary=summary,
            error=error,
        )
    )
    return int(getattr(result, "rowcount", 0)) == 1


def interrupt_unfinished(session: Session, holder: str, now: datetime) -> int:
    """On shutdown: runs of this replica still going (a job that did not stop in time)."""
    result = session.execute(
        update(JobRun)
        .where(JobRun.holder == holder, JobRun.status == RUNNING)
        .values(
            status=INTERRUPTED,
            finished_at=now,
            error="the service stopped before the run reached a stopping point",
        )
    )
    return int(getattr(result, "rowcount", 0))
