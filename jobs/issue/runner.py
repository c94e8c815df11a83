"""One issuance cycle: close batches, decide per trainee, make certificates and review To-Dos,
deliver them through Odoo, then mark the delivered ones certified.

Every step is safe to repeat: a batch stays done, the database refuses a second certificate for
a (student, program, batch), a review flag is keyed, and delivery goes through the outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jobs.context import JobContext
from jobs.deliver import DeliveryReport, deliver
from jobs.incremental import ShouldStop
from jobs.issue import renewal
from jobs.issue.facts import OdooFacts
from jobs.issue.make import (
    Issuing,
    make_certificate,
    subject_of,
)
from jobs.issue.removal import revoke_removed
from jobs.issue.status_indexes import StatusIndexes
from jobs.issue.trainees import Trainees, assignment_states
from jobs.odoo.contacts import PARTNER, languages, names_and_emails
from jobs.odoo.mail import todo_write
from jobs.odoo.profile import profile_of
from jobs.odoo.recruitment import APPLICANT
from sidecar import outbox
from sidecar.certificates.signing import Signer
from sidecar.config.programs import Program as ProgramConfig
from sidecar.issuance import Decision, batch_done, review_note, review_summary
from sidecar.statuses import BatchStatus, FlagKind, StudentStatus, TrackerStatus
from sidecar.store.models import (
    Batch,
    Certificate,
    Program,
    ProgressTracker,
    ReviewFlag,
    Student,
)
from sidecar.store.queue import queue_partners

log = logging.getLogger("ojt_sidecar.issue")

REVIEW_DEADLINE = timedelta(days=7)


@dataclass
class IssueReport:
    issued: list[tuple[str, str, str]] = field(default_factory=list)  # serial, name, program
    renewed: list[tuple[str, str, str]] = field(default_factory=list)  # old serial, new, name
    flagged: list[tuple[str, str, str]] = field(default_factory=list)  # name, program, reasons
    waiting: int = 0
    revoked: list[str] = field(default_factory=list)  # serials revoked on a course removal
    batches_closed: list[str] = field(default_factory=list)
    batches_cancelled: list[str] = field(default_factory=list)
    delivery: DeliveryReport | None = None
    certified: int = 0
    problems: list[str] = field(default_factory=list)


class IssueJob:
    def __init__(self, ctx: JobContext, *, signer: Signer | None = None) -> None:
        self.ctx = ctx
        self.cfg, self.sessions, self.client = ctx.cfg, ctx.sessions, ctx.client
        self.clock = ctx.clock
        self.should_stop: ShouldStop = ctx.should_stop
        self._signer = signer
        self._odoo = OdooFacts(ctx.client)
        self._indexes = StatusIndexes()

    def signer(self) -> Signer:
        if self._signer is None:
            self._signer = Signer.load(self.cfg.certificates.signing_key)
        return self._signer

    def _content_field(self) -> str:
        return profile_of(self.client).attachment_content

    # -- the cycle -------------------------------------------------------------------------------

    def run(self, *, deliver_now: bool = True) -> IssueReport:
        """One cycle. The context's `should_stop` is asked between trainees and deliveries: the
        cycle ends there, and the next one picks up the rest (each certificate commits on its
        own)."""
        report = IssueReport()
        today = self.clock().date()
        self._indexes = StatusIndexes()  # read afresh: other replicas issue too
        self._close_batches(report, today)
        for configured in self.cfg.programs:
            if self.should_stop():
                return report
            self._program(configured, report, today)
            self._renew(configured, report, today)
        if deliver_now and not self.should_stop():
            report.delivery = self.deliver()
            report.certified = self.finish_delivered()
        return report

    def deliver(self) -> DeliveryReport:
        return deliver(self.ctx)

    def finish_delivered(self) -> int:
        """Certificates whose every delivery write landed: stamp them, certify the student."""
        now = self.clock()
        with self.sessions() as session:
            open_ = list(
                session.scalars(select(Certificate).where(Certificate.delivered_at.is_(None)))
            )
            settled = outbox.settled_subjects(session, [subject_of(c.serial) for c in open_])
            done = [c for c in open_ if subject_of(c.serial) in settled]
            for cert in done:
                cert.delivered_at = now
                student = session.get(Student, cert.student_id)
                if student is not None and student.certified_at is None:
                    student.certified_at = now
                    student.integration_status = StudentStatus.CERTIFIED
                    student.updated_at = now
                    session.execute(
                        update(ProgressTracker)
                        .where(ProgressTracker.student_id == student.id)
                        .values(status=TrackerStatus.CERTIFIED, updated_at=now)
                    )
                    queue_partners(session, [student.odoo_partner_id])
            session.commit()
        return len(done)

    # -- batches ---------------------------------------------------------------------------------

    def _close_batches(self, report: IssueReport, today: date) -> None:
        keys = {p.key for p in self.cfg.programs}
        with self.sessions() as session:
            rows = session.execute(
                select(Batch, Program.key)
                .join(Program, Batch.program_id == Program.id)
                # a cancelled batch is looked at again: an event cancelled by mistake is
                # put back, and its batch with it
                .where(
                    Batch.status.in_([BatchStatus.OPEN, BatchStatus.CANCELLED]),
                    Program.active.is_(True),
                )
            ).all()
            for batch, program_key in rows:
                if program_key not in keys:
                    continue
                bound = batch.event_ref is not None
                in_end_stage = None
                if bound:
                    if batch.odoo_event_id is None:
                        continue  # not resolved yet: the sync resolves it
                    outcome = self._odoo.event_outcome(
                        batch.odoo_event_id, self.cfg.sync.cancelled_event_stages
                    )
                    if outcome.cancelled:  # no certificates; its participants are unplaced
                        if batch.status != BatchStatus.CANCELLED:
                            report.batches_cancelled.append(f"{program_key}/{batch.key}")
                            batch.status = BatchStatus.CANCELLED
                        continue
                    batch.status = BatchStatus.OPEN  # not (or no longer) cancelled
                    in_end_stage = outcome.ended
                if batch_done(
                    event_bound=bound,
                    event_in_end_stage=in_end_stage,
                    end=batch.end_date,
                    today=today,
                ):
                    report.batches_closed.append(f"{program_key}/{batch.key}")
                    batch.status, batch.done_at = BatchStatus.DONE, self.clock()
            session.commit()

    # -- per program -----------------------------------------------------------------------------

    def _program(self, configured: ProgramConfig, report: IssueReport, today: date) -> None:
        with self.sessions() as session:
            program = session.scalar(
                select(Program).where(Program.key == configured.key, Program.active.is_(True))
            )
            if program is None:
                return
            report.revoked += revoke_removed(session, program, configured, self.clock())
            session.commit()
            trainees = Trainees(session, program, configured)
            placed = [(student.id, trainees.batch_of(student)) for student in trainees.students]
            candidates = [
                (student_id, batch)
                for student_id, batch in placed
                if (student_id, _scope(batch)) not in trainees.certified
            ]
            handed = assignment_states(session, configured, candidates)
        decided = [
            (student_id, batch, trainees.decide(student_id, handed, batch_is_done=_done(batch)))
            for student_id, batch in candidates
        ]
        # The languages of those due a certificate, in one read: each is written in its own.
        partner_of = {student.id: student.odoo_partner_id for student in trainees.students}
        due = [partner_of[sid] for sid, _, decision in decided if decision.action == "issue"]
        langs = languages(self.client, due)
        for student_id, batch, decision in decided:
            if self.should_stop():
                return
            if decision.action == "wait":
                report.waiting += 1
            elif decision.action == "issue":
                lang = langs.get(partner_of[student_id])
                self._issue(student_id, program.id, batch, report, today, lang)
            else:
                self._review(student_id, program.id, batch, decision, report, today)

    def _renew(self, configured: ProgramConfig, report: IssueReport, today: date) -> None:
        """Re-issue the certificates the program's renewal rule renews today, each on its own
        (the store's unique generation lets one of two replicas renew it)."""
        if configured.renewal.rule == "none":
            return  # the usual case: no statement for it
        with self.sessions() as session:
            program = session.scalar(
                select(Program).where(Program.key == configured.key, Program.active.is_(True))
            )
            if program is None:
                return
            due = [c.id for c in renewal.due(session, program, configured, today)]
        for cert_id in due:
            if self.should_stop():
                return
            with self.sessions() as session:
                old = session.get(Certificate, cert_id)
                if old is None or old.superseded_at is not None or old.revoked_at is not None:
                    continue  # changed since: renewed or revoked by someone else
                try:
                    new = self.reissue(session, old)
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    continue
                report.renewed.append((old.serial, new.serial, new.participant_name))
                log.info("renewed %s as %s (%s)", old.serial, new.serial, configured.key)

    def _issue(
        self,
        student_id: int,
        program_id: int,
        batch: Batch | None,
        report: IssueReport,
        today: date,
        odoo_lang: str | None = None,
    ) -> None:
        with self.sessions() as session:
            student = session.get(Student, student_id)
            program = session.get(Program, program_id)
            if student is None or program is None:
                return  # removed since the decision: the next cycle decides again
            issuing = Issuing(
                self.cfg, self.signer(), self._issuer(), today, self._content_field(), self._indexes
            )
            try:
                cert = make_certificate(
                    session, issuing, student, program, batch, now=self.clock(), odoo_lang=odoo_lang
                )
                student.batch_id = batch.id if batch else student.batch_id
                _resolve_flags(session, student.id, _scope(batch), self.clock())
                session.commit()
            except IntegrityError:
                session.rollback()  # another process issued it first: that one stands
                log.info("certificate for student %s already issued elsewhere", student_id)
                return
            report.issued.append((cert.serial, cert.participant_name, cert.program_name))
            log.info("issued %s to %s (%s)", cert.serial, cert.participant_name, program.key)

    def _review(
        self,
        student_id: int,
        program_id: int,
        batch: Batch | None,
        decision: Decision,
        report: IssueReport,
        today: date,
    ) -> None:
        key = f"requirements:{student_id}:{_scope(batch)}"
        with self.sessions() as session:
            if session.scalar(select(ReviewFlag.id).where(ReviewFlag.key == key)) is not None:
                return  # raised once already
            student = session.get(Student, student_id)
            program = session.get(Program, program_id)
            if student is None or program is None:
                return  # removed since the decision: the next cycle decides again
            reasons = "; ".join(decision.reasons)
            report.flagged.append((student.name, program.name, reasons))
            write = self._review_todo(student, program, batch, decision, today, f"review:{key}")
            session.add(
                ReviewFlag(
                    key=key,
                    kind=FlagKind.REQUIREMENTS_NOT_MET,
                    program_id=program.id,
                    student_id=student.id,
                    odoo_partner_id=student.odoo_partner_id,
                    odoo_applicant_id=student.odoo_applicant_id,
                    reason=reasons,
                )
            )
            outbox.enqueue(session, write)
            session.commit()

    def _review_todo(
        self,
        student: Student,
        program: Program,
        batch: Batch | None,
        decision: Decision,
        today: date,
        key: str,
    ) -> outbox.Write:
        model, res_id = (
            (APPLICANT, student.odoo_applicant_id)
            if student.odoo_applicant_id
            else (PARTNER, student.odoo_partner_id)
        )
        configured = self.cfg.program(program.key)
        user_id = self._odoo.reviewer(configured.responsible_user, model, res_id)
        summary = review_summary(program.name, batch.name if batch else None)
        note = review_note(student.name, program.name, decision.reasons)
        return todo_write(
            key,
            f"review:{student.id}",
            model=model,
            model_id=self._odoo.model_id(model),
            res_id=res_id,
            summary=summary,
            note_html=note,
            deadline=today + REVIEW_DEADLINE,
            user_id=user_id,
        )

    def reissue(self, session: Session, old: Certificate) -> Certificate:
        """A new generation from the student's current figures and their name as Odoo has it
        now; the old one is kept, marked superseded and pointing at the new one. Delivered like
        any certificate."""
        student = session.get(Student, old.student_id)
        program = session.get(Program, old.program_id)
        batch = session.get(Batch, old.batch_id) if old.batch_id else None
        if student is None or program is None:
            raise LookupError(f"the student or program of {old.serial} is gone from the store")
        # The name as Odoo has it now: a re-issue is how a corrected name reaches a certificate,
        # and the sync reads a trainee's name only once.
        found = names_and_emails(self.client, [student.odoo_partner_id]).get(
            student.odoo_partner_id
        )
        if found is not None and (found[0], found[1]) != (student.name, student.email):
            student.name, student.email = found[0], found[1]
            student.updated_at = self.clock()
        odoo_lang = languages(self.client, [student.odoo_partner_id]).get(student.odoo_partner_id)
        latest = session.scalar(
            select(func.max(Certificate.generation)).where(
                Certificate.student_id == old.student_id,
                Certificate.batch_scope == old.batch_scope,
            )
        )
        now = self.clock()
        content = self._content_field()
        issuing = Issuing(
            self.cfg, self.signer(), self._issuer(), now.date(), content, self._indexes
        )
        new = make_certificate(
            session,
            issuing,
            student,
            program,
            batch,
            generation=(latest or 0) + 1,
            now=now,
            odoo_lang=odoo_lang,
            replaces=old,
        )
        old.superseded_at, old.superseded_by_id = now, new.id
        return new

    def _issuer(self) -> str:
        configured = self.cfg.certificates.issuer.name
        return configured if configured else self._odoo.company_name()


def _done(batch: Batch | None) -> bool:
    return batch is not None and batch.status == BatchStatus.DONE


def _scope(batch: Batch | None) -> str:
    return batch.key if batch else ""


def _resolve_flags(session: Session, student_id: int, scope: str, now: datetime) -> None:
    flag = session.scalar(
        select(ReviewFlag).where(ReviewFlag.key == f"requirements:{student_id}:{scope}")
    )
    if flag is not None and flag.resolved_at is None:
        flag.resolved_at = now
