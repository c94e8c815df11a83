"""One enrollment cycle: notice applicants who reached the OJT stage, decide, and drive each
enrollment's steps through the outbox until they are done or must wait.

Applicants are listed incrementally by `(write_date, id)`, whole seconds at a time, from the
previous pass's start minus the overlap window (a late commit carries an older stamp): the same
listing as the progress sync (`connectors.paging`, `jobs.sync.cursors`). Every row listed is
noted in the store with the listing's position, in one transaction per page, so a crash resumes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import Cursor, OdooClient
from jobs.context import JobContext
from jobs.deliver import deliver
from jobs.enroll.context import EnrollContext, ProgramInfo, resolve_context
from jobs.enroll.flow import OPEN, advance
from jobs.enroll.report import EnrollInputError, EnrollReport
from jobs.enroll.step import Outcome, Step
from jobs.incremental import odoo_text
from jobs.incremental.cursors import finish_pass, load_state, save_position
from jobs.odoo import contacts, recruitment
from jobs.odoo.recruitment import Applicant
from sidecar.statuses import EnrollmentState, FlagKind
from sidecar.store.models import Enrollment, ReviewFlag, utcnow

log = logging.getLogger("ojt_sidecar.enroll")

STREAM = f"enroll:{recruitment.APPLICANT}"
MAX_ROUNDS = 10  # step / deliver rounds per cycle: a full enrollment needs five
RESTARTABLE = (EnrollmentState.LEFT_STAGE, EnrollmentState.REFUSED, EnrollmentState.FAILED)
Clock = Callable[[], datetime]


def run_enroll_cycle(job: JobContext, *, overlap_seconds: float | None = None) -> EnrollReport:
    """List changed applicants, start enrollments for those in the OJT stage, and drive every
    open enrollment as far as Odoo allows (a dry run rehearses this: `jobs.rehearsal`). The
    context's
    `should_stop` is asked after each stored page, applicant step and delivery: the cycle ends
    there, and the next one resumes (the listing's position and each enrollment's state are
    stored as they go)."""
    report = EnrollReport()
    odoo = _context(job, report)
    report.idle = odoo.paused
    cfg = job.cfg
    overlap = cfg.sync.overlap.total_seconds() if overlap_seconds is None else overlap_seconds
    if not odoo.paused and not _poll(job, odoo, report, overlap):
        return report
    _drive(job, odoo, report)
    return report


def enroll_applicant(job: JobContext, applicant_id: int) -> EnrollReport:
    """Enroll one applicant by hand (a person reviewed it): eligibility and stage no longer
    decide, but a refused applicant is still not enrolled."""
    report = EnrollReport()
    odoo = _context(job, report)
    if odoo.paused:
        raise EnrollInputError(f"Applicant {applicant_id} is not enrolled now: {odoo.paused}.")
    found = recruitment.applicants(job.client, [applicant_id])
    if not found:
        raise EnrollInputError(f"Odoo has no applicant {applicant_id}.")
    app = found[0]
    if not app.open:
        raise EnrollInputError(
            f"Applicant {applicant_id} ({app.name}) is refused "
            "or archived in Odoo, so it is not enrolled."
        )
    program = odoo.by_job.get(app.job_id or 0)
    if program is None:
        raise EnrollInputError(
            f"Applicant {applicant_id}'s job ({app.job_name or 'none'}) leads to no program: "
            "list it under programs[].jobs, or use --partner with --program."
        )
    subject = f"applicant:{applicant_id}"
    with job.sessions() as session, session.begin():
        row = _row_for(session, subject, program, app)
        _approve(row, report)
    _drive(job, odoo, report, [subject])
    return report


def enroll_partner(job: JobContext, partner_id: int, program_key: str) -> EnrollReport:
    """Enroll a contact in a program by hand, without an applicant (no note is posted)."""
    report = EnrollReport()
    programs = job.cfg.programs
    if program_key not in {p.key for p in programs}:
        known = ", ".join(p.key for p in programs)
        raise EnrollInputError(f"There is no program {program_key!r} in the config ({known}).")
    odoo = _context(job, report)
    program = odoo.by_key[program_key]
    partner = contacts.partner(job.client, partner_id)
    if partner is None:
        raise EnrollInputError(f"Odoo has no contact {partner_id}.")
    subject = f"partner:{partner_id}:{program_key}"
    with job.sessions() as session, session.begin():
        row = session.scalar(select(Enrollment).where(Enrollment.subject == subject))
        if row is None:
            row = Enrollment(
                subject=subject,
                program_id=program.id,
                odoo_partner_id=partner_id,
                name=partner.get("name") or "",
                email=partner.get("email") or None,
                state=EnrollmentState.NEW,
                round=0,
            )
            session.add(row)
        _approve(row, report)
    _drive(job, odoo, report, [subject])
    return report


# --- internals ----------------------------------------------------------------------------------


def _context(job: JobContext, report: EnrollReport) -> EnrollContext:
    with job.sessions() as session, session.begin():
        odoo = resolve_context(session, job.client, job.cfg)
    report.problems.extend(odoo.problems)
    return odoo


def _approve(row: Enrollment, report: EnrollReport) -> None:
    if row.state == EnrollmentState.ENROLLED:
        report.already.append(row.subject)
        return
    row.manual = True
    if row.state in RESTARTABLE:
        row.round += 1
    if row.state in (*RESTARTABLE, EnrollmentState.NEW, EnrollmentState.AWAITING_REVIEW):
        row.state, row.reason = EnrollmentState.APPROVED, None
        report.started.append(row.subject)


def _row_for(session: Session, subject: str, program: ProgramInfo, app: Applicant) -> Enrollment:
    row = session.scalar(select(Enrollment).where(Enrollment.subject == subject))
    if row is None:
        row = Enrollment(
            subject=subject,
            program_id=program.id,
            odoo_applicant_id=app.id,
            name=app.name,
            email=app.email,
            odoo_user_id=app.recruiter_id,
            state=EnrollmentState.NEW,
            round=0,
        )
        session.add(row)
        session.flush()
    else:
        row.email = app.email or row.email
        row.name = app.name or row.name
        row.odoo_user_id = app.recruiter_id
    return row


def _poll(job: JobContext, ctx: EnrollContext, report: EnrollReport, overlap: float) -> bool:
    """Note the listed applicants; False when stopped before the listing's end (the position of
    the last stored page is kept, and the pass is not finished)."""
    signature = ctx.signature
    with job.sessions() as session:
        state = load_state(session, STREAM, signature)
    pass_start = job.clock()
    since: Cursor | None = None
    if state is not None and not state.restart:
        if state.position is not None and state.pass_started_at is not None:
            since, pass_start = state.position, state.pass_started_at
        elif state.polled_at is not None:
            since = Cursor(odoo_text(state.polled_at)).rewound(overlap)
    for page, cursor in recruitment.applicant_pages(job.client, since):
        with job.sessions() as session, session.begin():
            for app in page:
                report.listed += 1
                _note(session, ctx, app, report)
            save_position(session, STREAM, signature, pass_start, cursor)
        if job.should_stop():
            return False
    with job.sessions() as session, session.begin():
        finish_pass(session, STREAM, signature, pass_start)
    return True


def _note(session: Session, ctx: EnrollContext, app: Applicant, report: EnrollReport) -> None:
    """Start (or restart) the enrollment of an applicant now in the OJT stage."""
    if not ctx.in_ojt(app):
        return  # an open enrollment notices it left when its next step runs
    aid = app.id
    subject = f"applicant:{aid}"
    program = ctx.by_job.get(app.job_id or 0)
    flag_key = f"no_program/{subject}"
    flag = session.scalar(select(ReviewFlag).where(ReviewFlag.key == flag_key))
    if program is None:
        if flag is None:
            reason = (
                f"Applicant {aid} ({app.name}) is in the OJT "
                f"stage, but its job ({app.job_name or 'none'}) leads to no program."
            )
            session.add(
                ReviewFlag(
                    key=flag_key, kind=FlagKind.NO_PROGRAM, odoo_applicant_id=aid, reason=reason
                )
            )
            report.without_program.append(reason)
            log.warning("%s", reason)
        return
    if flag is not None and flag.resolved_at is None:
        flag.resolved_at = utcnow()
    existing = session.scalar(select(Enrollment).where(Enrollment.subject == subject))
    row = _row_for(session, subject, program, app)
    if existing is None:
        report.started.append(subject)
    elif row.program_id != program.id and row.state in (
        EnrollmentState.NEW,
        EnrollmentState.AWAITING_REVIEW,
        *RESTARTABLE,
    ):
        row.program_id = program.id  # the job changed before anything was enrolled
        row.round += 1
        row.state = EnrollmentState.NEW
    elif row.state in RESTARTABLE:
        row.round += 1
        row.state = EnrollmentState.NEW
        report.started.append(subject)
    elif row.state == EnrollmentState.AWAITING_REVIEW and not row.manual:
        # The applicant changed: decide again (its To-Do is not repeated).
        row.state = EnrollmentState.NEW


def _drive(
    job: JobContext,
    ctx: EnrollContext,
    report: EnrollReport,
    subjects: Iterable[str] | None = None,
) -> None:
    only = set(subjects) if subjects is not None else None
    outcome = Outcome()
    for _ in range(MAX_ROUNDS):
        if job.should_stop():
            break
        moved = _advance_all(job, ctx, outcome, only)
        delivery = deliver(job)
        report.delivered += delivery.delivered + delivery.adopted
        report.adopted += delivery.adopted
        report.delivery_errors.extend(delivery.errors)
        if not moved and delivery.touched == 0:
            break
    report.absorb(outcome)
    with job.sessions() as session:
        report.waiting = [
            f"{r.subject}: {r.state}"
            for r in session.scalars(select(Enrollment).where(Enrollment.state.in_(OPEN)))
            if r.state != EnrollmentState.AWAITING_REVIEW and (only is None or r.subject in only)
        ]


def _advance_all(
    job: JobContext, ctx: EnrollContext, outcome: Outcome, only: set[str] | None
) -> bool:
    with job.sessions() as session:
        rows = [
            (r.id, r.subject, r.odoo_applicant_id, r.state, r.program_id)
            for r in session.scalars(
                select(Enrollment).where(Enrollment.state.in_(OPEN)).order_by(Enrollment.id)
            )
            if only is None or r.subject in only
        ]
    if not rows:
        return False
    app_ids = sorted({a for _, _, a, _, _ in rows if a is not None})
    apps = {a.id: a for a in recruitment.applicants(job.client, app_ids)}
    matches = _domain_matches(ctx, job.client, rows, apps)
    step = Step(job.client, ctx, job.clock().date(), outcome, matches)
    moved = False
    for row_id, *_ in rows:
        if job.should_stop():
            break
        for _ in range(12):
            with job.sessions() as session, session.begin():
                row = session.get(Enrollment, row_id)
                if row is None:  # a person deleted it meanwhile
                    break
                app = apps.get(row.odoo_applicant_id) if row.odoo_applicant_id else None
                before = (row.state, row.round)
                advance(step, session, row, app)
                changed = (row.state, row.round) != before
            moved = moved or changed
            if not changed:
                break
    return moved


def _domain_matches(
    ctx: EnrollContext,
    client: OdooClient,
    rows: list[tuple[int, str, int | None, str, int]],
    apps: dict[int, Applicant],
) -> dict[int, bool]:
    """For applicants about to be decided: does each match its program's domain (one search per
    program with a domain)?"""
    result: dict[int, bool] = {}
    by_program: dict[int, list[int]] = {}
    for _, _, aid, state, program_id in rows:
        if state == EnrollmentState.NEW and aid is not None and aid in apps:
            by_program.setdefault(program_id, []).append(aid)
    for program in ctx.by_key.values():
        ids = by_program.get(program.id)
        if not ids or not program.eligibility.domain:
            continue
        domain = _as_lists(program.eligibility.domain)
        matched = recruitment.applicants_matching(client, ids, domain)
        result.update({aid: aid in matched for aid in ids})
    return result


def _as_lists(domain: Iterable[Any]) -> list[Any]:
    return [list(term) if isinstance(term, tuple) else term for term in domain]
