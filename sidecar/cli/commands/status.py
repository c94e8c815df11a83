"""`ojt-sidecar status` and `ojt-sidecar students`: read the store only (no Odoo call)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from sidecar.cli.output import age, table
from sidecar.config import Config
from sidecar.statuses import EnrollmentState, OutboxState, StudentStatus
from sidecar.store.models import utcnow

if TYPE_CHECKING:
    from jobs.enroll.status import EnrollmentStatus
    from jobs.service.ops_site import JobHealth
    from sidecar.store.queries import CertificateSummary, LastRun, LastSync, ProgramStatus

Echo = Callable[[str], None]


@dataclass(frozen=True)
class StatusReport:
    """What `ojt-sidecar status` shows, as read from the store."""

    programs: list[ProgramStatus]
    last_sync: LastSync
    certificates: CertificateSummary
    enrollment: EnrollmentStatus
    jobs: dict[str, JobHealth]


def status_command(cfg: Config, *, as_json: bool, echo: Echo) -> None:
    report = gather_status(cfg)
    if as_json:
        echo(json.dumps(status_json(report), indent=2))
        return
    for text in status_text(report, now=utcnow()):
        echo(text)


def gather_status(cfg: Config) -> StatusReport:
    """The store's programs, last sync, certificates, enrollments and job runs, in one session;
    the job runs judged as /healthz judges them."""
    from sidecar.store.bootstrap import open_store
    from sidecar.store.queries import (
        certificate_summary,
        last_runs,
        last_successful_sync,
        program_statuses,
    )

    store = open_store(cfg)
    try:
        with store.sessions() as session:
            programs = program_statuses(session)
            last = last_successful_sync(session)
            certs = certificate_summary(session)
            enrollment = _enrollment(session)
            runs = last_runs(session)
    finally:
        store.close()
    return StatusReport(programs, last, certs, enrollment, _jobs(cfg, runs))


def status_json(report: StatusReport) -> dict[str, Any]:
    """`status --json`: the report as plain JSON values."""
    last = report.last_sync
    return {
        "programs": [asdict(p) for p in report.programs],
        "last_successful_sync": {
            "finished_at": last.finished_at.isoformat() if last.finished_at else None,
            "age_seconds": last.age_seconds,
            "rows_read": last.rows_read,
            "changes": last.changes,
        },
        "certificates": asdict(report.certificates),
        "enrollment": asdict(report.enrollment),
        "jobs": {name: job.to_json() for name, job in report.jobs.items()},
    }


def status_text(report: StatusReport, *, now: datetime) -> list[str]:
    """`status`: the programs' table, then a line or a few for each of the other parts."""
    last = report.last_sync
    when = last.finished_at.strftime("%Y-%m-%d %H:%M:%S UTC") if last.finished_at else "never"
    return [
        _programs_table(report.programs),
        f"Last successful sync: {when} ({age(last.age_seconds)})",
        *_certificate_lines(report.certificates),
        *_enrollment_lines(report.enrollment),
        _jobs_line(report.jobs, now=now),
    ]


def _programs_table(programs: list[ProgramStatus]) -> str:
    rows = [
        (
            p.key,
            p.students,
            p.by_status[StudentStatus.ENROLLED],
            p.by_status[StudentStatus.IN_PROGRESS],
            p.by_status[StudentStatus.COMPLETED],
            p.by_status[StudentStatus.CERTIFIED],
            None if p.average_progress is None else f"{p.average_progress:.1f} %",
        )
        for p in programs
    ]
    return table(
        (
            "program",
            "students",
            "enrolled",
            "in progress",
            "completed",
            "certified",
            "avg progress",
        ),
        rows,
    )


def _certificate_lines(certs: CertificateSummary) -> list[str]:
    pending = certs.outbox.get(OutboxState.PENDING, 0)
    failed = certs.outbox.get(OutboxState.FAILED, 0)
    return [
        f"Certificates: {certs.issued} issued, {certs.delivered} delivered, "
        f"{certs.revoked} revoked, {certs.superseded} re-issued; "
        f"{certs.reviews_open} trainee(s) awaiting a certificate review",
        f"Odoo writes: {pending} waiting, {failed} failed"
        + (" (see `ojt-sidecar cert show` and the log)" if failed else ""),
    ]


def _enrollment_lines(enrollment: EnrollmentStatus) -> list[str]:
    states = enrollment.by_state
    waiting = states.get(EnrollmentState.AWAITING_REVIEW, 0)
    done = states.get(EnrollmentState.ENROLLED, 0)
    ended = (EnrollmentState.FAILED, EnrollmentState.LEFT_STAGE, EnrollmentState.REFUSED)
    stopped = sum(states.get(s, 0) for s in ended)
    lines = [
        f"Enrollment: {done} enrolled, {waiting} awaiting review, "
        f"{sum(states.values()) - done - waiting - stopped} in progress, "
        f"{states.get(EnrollmentState.FAILED, 0)} failed"
    ]
    if enrollment.awaiting_review or enrollment.failed:
        lines.append("Awaiting review or failed:")
        lines += [
            f"  applicant {item.applicant_id}  {item.program_key}  {item.name}: "
            f"{item.reason or item.state}"
            for item in [*enrollment.awaiting_review, *enrollment.failed]
        ]
    if enrollment.without_program:
        lines.append("In the OJT stage without a program:")
        lines += [f"  {reason}" for _, reason in enrollment.without_program]
    return lines


def _jobs(cfg: Config, runs: dict[str, LastRun]) -> dict[str, JobHealth]:
    from jobs.service.ops_site import assess_jobs

    return assess_jobs(
        cfg.schedules.jobs(),
        runs,
        now=utcnow(),
        intervals=cfg.service.unhealthy_after_intervals,
        started_at=None,
    )


def _jobs_line(jobs: dict[str, JobHealth], *, now: datetime) -> str:
    """`Jobs (ojt-sidecar run): enroll ok 2 min ago, sync failed 1 min ago (last ok 3 h ago,
    overdue), issue never run, …`"""
    parts = []
    for name, job in jobs.items():
        if job.last_run is None:
            parts.append(f"{name} never run")
            continue
        text = f"{name} {job.last_status} {age((now - job.last_run).total_seconds())}"
        notes = []
        if job.last_status != "ok":
            since = job.last_success
            notes.append(
                f"last ok {age((now - since).total_seconds())}" if since else "never succeeded"
            )
        if not job.healthy:
            notes.append("overdue")
        parts.append(text + (f" ({', '.join(notes)})" if notes else ""))
    return "Jobs (ojt-sidecar run): " + ", ".join(parts)


def _enrollment(session: Any) -> EnrollmentStatus:
    from jobs.enroll.status import enrollment_status

    return enrollment_status(session)


def students_command(
    cfg: Config, program_key: str, status: str | None, *, as_json: bool, echo: Echo
) -> None:
    from sidecar.store.bootstrap import open_store
    from sidecar.store.queries import students

    if program_key not in {p.key for p in cfg.programs}:
        known = ", ".join(p.key for p in cfg.programs)
        shown = program_key if len(program_key) <= 60 else program_key[:59] + "…"
        # An error goes to stderr whatever `echo` prints to: a script reads the table on stdout.
        click.echo(f"error: no program {shown!r} in the config (programs: {known})", err=True)
        sys.exit(2)
    store = open_store(cfg)
    try:
        with store.sessions() as session:
            rows = students(session, program_key, status)
    finally:
        store.close()
    if as_json:
        echo(json.dumps([r.to_json() for r in rows], indent=2))
        return
    echo(
        table(
            (
                "partner",
                "name",
                "status",
                "overall",
                "eLearning",
                "attendance",
                "avg score",
                "graded",
            ),
            [
                (
                    r.partner_id,
                    r.name,
                    r.status,
                    f"{r.overall_pct:.1f} %",
                    f"{r.elearning_pct:.1f} %",
                    r.attendance_pct,
                    r.average_score,
                    r.graded,
                )
                for r in rows
            ],
        )
    )
    echo(f"{len(rows)} student(s)")
