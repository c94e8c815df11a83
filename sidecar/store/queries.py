"""Read-side queries for `status`, `students` and (later) /healthz and the verify site."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sidecar.statuses import StudentStatus
from sidecar.store.models import Program, Student, SyncRun, utcnow

STATUSES = tuple(StudentStatus)


@dataclass(frozen=True)
class ProgramStatus:
    key: str
    name: str
    students: int
    by_status: dict[str, int]
    average_progress: float | None


@dataclass(frozen=True)
class LastSync:
    finished_at: datetime | None
    age_seconds: float | None
    rows_read: int
    changes: int
    status: str | None


@dataclass(frozen=True)
class StudentRow:
    partner_id: int
    name: str
    email: str | None
    status: str
    overall_pct: float
    elearning_pct: float
    attendance_pct: float | None
    average_score: float | None
    graded: str
    complete: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def program_statuses(session: Session) -> list[ProgramStatus]:
    result = []
    for program in session.scalars(
        select(Program).where(Program.active.is_(True)).order_by(Program.key)
    ):
        counts = dict(
            session.execute(
                select(Student.integration_status, func.count())
                .where(Student.program_id == program.id, Student.excluded.is_(None))
                .group_by(Student.integration_status)
            ).all()
        )
        average = session.scalar(
            select(func.avg(Student.overall_pct)).where(
                Student.program_id == program.id, Student.excluded.is_(None)
            )
        )
        result.append(
            ProgramStatus(
                key=program.key,
                name=program.name,
                students=sum(counts.values()),
                by_status={s: int(counts.get(s, 0)) for s in STATUSES},
                average_progress=None if average is None else round(float(average), 1),
            )
        )
    return result


def last_successful_sync(session: Session) -> LastSync:
    run = session.scalars(
        select(SyncRun).where(SyncRun.status == "ok").order_by(SyncRun.id.desc()).limit(1)
    ).first()
    if run is None or run.finished_at is None:
        return LastSync(None, None, 0, 0, None)
    return LastSync(
        finished_at=run.finished_at,
        age_seconds=(utcnow() - run.finished_at).total_seconds(),
        rows_read=run.rows_read,
        changes=run.rows_created + run.rows_updated + run.rows_removed,
        status=run.status,
    )


def students(session: Session, program_key: str, status: str | None = None) -> list[StudentRow]:
    program = session.scalars(select(Program).where(Program.key == program_key)).first()
    if program is None:
        raise LookupError(program_key)
    # Members who are no trainees (docs/product-rules.md §12) are left out.
    stmt = select(Student).where(Student.program_id == program.id, Student.excluded.is_(None))
    if status:
        stmt = stmt.where(Student.integration_status == status)
    rows = session.scalars(stmt.order_by(Student.name, Student.odoo_partner_id))
    return [
        StudentRow(
            partner_id=s.odoo_partner_id,
            name=s.name,
            email=s.email,
            status=s.integration_status,
            overall_pct=s.overall_pct,
            elearning_pct=s.elearning_pct,
            attendance_pct=s.attendance_pct,
            average_score=s.average_score,
            graded=f"{s.graded_done}/{s.graded_total}",
            complete=s.complete,
        )
        for s in rows
    ]


@dataclass(frozen=True)
class CertificateSummary:
    issued: int
    delivered: int
    revoked: int
    superseded: int
    reviews_open: int
    outbox: dict[str, int]


def certificate_summary(session: Session) -> CertificateSummary:
    """Certificates, review flags and the outbox at a glance, in four statements."""
    from sidecar.outbox import counts as outbox_counts
    from sidecar.store.models import Certificate, ReviewFlag

    issued, delivered, revoked, superseded = session.execute(
        select(
            func.count(Certificate.id),
            func.count(Certificate.delivered_at),
            func.count(Certificate.revoked_at),
            func.count(Certificate.superseded_at),
        )
    ).one()
    reviews = session.scalar(
        select(func.count(ReviewFlag.id)).where(
            ReviewFlag.resolved_at.is_(None), ReviewFlag.kind == "requirements_not_met"
        )
    )
    return CertificateSummary(
        issued=int(issued),
        delivered=int(delivered),
        revoked=int(revoked),
        superseded=int(superseded),
        reviews_open=int(reviews or 0),
        outbox=outbox_counts(session),
    )


@dataclass(frozen=True)
class LastRun:
    """The latest run of one scheduled job, and its latest successful one (from `job_runs`)."""

    job: str
    last_run: datetime | None  # when the latest run started
    last_finished: datetime | None  # when it ended; None while it runs
    last_status: str | None  # running | ok | failed | interrupted | abandoned
    last_error: str | None
    last_summary: str | None
    last_success: datetime | None  # when the latest successful run ended
    last_success_started: datetime | None  # when that run started


def last_runs(session: Session) -> dict[str, LastRun]:
    """Job name → its latest run and latest success, in two statements whatever the history."""
    from sidecar.store.models import JobRun

    latest_ids = select(func.max(JobRun.id)).group_by(JobRun.job).scalar_subquery()
    latest = {
        run.job: run for run in session.scalars(select(JobRun).where(JobRun.id.in_(latest_ids)))
    }
    ok_ids = (
        select(func.max(JobRun.id))
        .where(JobRun.status == "ok", JobRun.finished_at.is_not(None))
        .group_by(JobRun.job)
        .scalar_subquery()
    )
    success = {
        job: (started, finished)
        for job, started, finished in session.execute(
            select(JobRun.job, JobRun.started_at, JobRun.finished_at).where(JobRun.id.in_(ok_ids))
        )
    }
    result = {}
    for job in sorted(latest):
        run = latest[job]
        started, finished = success.get(job, (None, None))
        result[job] = LastRun(
            job=job,
            last_run=run.started_at,
            last_finished=run.finished_at,
            last_status=run.status,
            last_error=run.error,
            last_summary=run.summary,
            last_success=finished,
            last_success_started=started,
        )
    return result
