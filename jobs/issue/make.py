"""Make one certificate: fields, signature, PDF on disk, its row, and the outbox rows that deliver
it through Odoo — all recorded in the caller's transaction, so it exists whole or not at all."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html import escape
from pathlib import Path

from sqlalchemy.orm import Session

from jobs.issue.status_indexes import StatusIndexes
from jobs.odoo import mail
from jobs.odoo.contacts import PARTNER
from jobs.odoo.recruitment import APPLICANT
from sidecar import outbox
from sidecar.certificates.credential import (
    Award,
    CredentialIssuer,
    Replaced,
    credential_text,
    criteria_in_words,
    signed_credential,
)
from sidecar.certificates.document import CertificateFields, format_average
from sidecar.certificates.pdf import PdfStyle, render_certificate
from sidecar.certificates.serial import new_serial
from sidecar.certificates.sharing import holder_link
from sidecar.certificates.signing import SignedPayload, Signer
from sidecar.config import Config
from sidecar.config.models import CertificatesConfig
from sidecar.figures.assignments import assignment_figures
from sidecar.files import write_atomic
from sidecar.i18n import SOURCE, language_of, words
from sidecar.store.assignment_queries import batch_results
from sidecar.store.models import Batch, Certificate, Program, Student

# The config's shipped title and message: a certificate in another language translates them.
DEFAULT_TITLE = CertificatesConfig.model_fields["title"].default
DEFAULT_MESSAGE = CertificatesConfig.model_fields["message"].default


@dataclass(frozen=True)
class Issuing:
    """What every certificate of one cycle shares."""

    cfg: Config
    signer: Signer
    issuer: str
    today: date
    content_field: str = "datas"  # where Odoo takes an attachment's content
    # The status list's places taken, read once and shared by the certificates of a cycle.
    indexes: StatusIndexes = field(default_factory=StatusIndexes)


def subject_of(serial: str) -> str:
    return f"certificate:{serial}"


def pdf_relative_path(program_key: str, serial: str) -> str:
    return f"{program_key}/{serial}.pdf"


def certificate_fields(
    cfg: Config,
    issuer: str,
    today: date,
    student: Student,
    program: Program,
    batch: Batch | None,
    serial: str,
    totals: tuple[int, float | None] | None = None,
) -> CertificateFields:
    """What a certificate says. `totals`: (assignments, average score) when the program has
    assignments; otherwise its graded quizzes and certifications."""
    validity = cfg.certificates.validity_days
    return CertificateFields(
        serial=serial,
        participant=student.name.strip(),
        program=program.name,
        program_key=program.key,
        batch=batch.name if batch else None,
        issue_date=today,
        expires_on=today + timedelta(days=validity) if validity else None,
        total_assignments=totals[0] if totals else student.graded_total,
        average_score=totals[1] if totals else student.average_score,
        issuer=issuer,
        verify_url=cfg.certificates.verification_url(serial),
        batch_start=batch.start_date if batch else None,
        batch_end=batch.end_date if batch else None,
    )


def assignment_totals(
    session: Session, cfg: Config, student: Student, program: Program, batch: Batch | None
) -> tuple[int, float | None] | None:
    """The participant's assignments in their batch (how many, the weighted average), for a
    program that has assignments; None otherwise."""
    try:
        rules = cfg.program(program.key).assignments
    except KeyError:
        return None  # a program no longer configured: as it was
    if rules is None:
        return None
    if batch is None:
        return 0, None
    results = batch_results(session, batch.id, [student.id], rules.max_score)[student.id]
    found = assignment_figures(results, rules.unscored)
    return found.total, found.average


def pdf_style(cfg: Config, fields: CertificateFields, lang: str = SOURCE) -> PdfStyle:
    """How the PDF looks and what it says in `lang`: the configured title and message, or their
    translations when the config keeps the shipped English ones."""
    certs, w = cfg.certificates, words(lang)
    title = certs.title
    if title == DEFAULT_TITLE:
        title = w("Certificate of Completion")
    template = certs.message
    if template == DEFAULT_MESSAGE:
        template = w("Congratulations, {participant}! You completed {program}.")
    message = template.format(
        participant=fields.participant,
        program=fields.program,
        batch=fields.batch or "",
        issue_date=fields.issue_date.isoformat(),
        issuer=fields.issuer,
    )
    return PdfStyle(
        title=title,
        message=message,
        issuer_name=fields.issuer,
        logo_path=certs.issuer.logo,
        primary_color=certs.issuer.primary_color,
        accent_color=certs.issuer.accent_color,
        lang=w.lang,
    )


def make_certificate(
    session: Session,
    issuing: Issuing,
    student: Student,
    program: Program,
    batch: Batch | None,
    *,
    generation: int = 0,
    now: datetime,
    odoo_lang: str | None = None,
    replaces: Certificate | None = None,
) -> Certificate:
    """Sign, render and store a certificate, and queue its delivery. The caller commits; if the
    commit fails (another process issued it first), the PDF left on disk is harmless: no row
    points at it. `odoo_lang`: the trainee's language in Odoo ("fr_FR"), which picks the words
    of the PDF and of its page; `replaces`: the certificate a re-issue or renewal replaces, which
    the credential names."""
    serial = new_serial()
    lang = language_of(odoo_lang, issuing.cfg.certificates.default_language)
    totals = assignment_totals(session, issuing.cfg, student, program, batch)
    fields = certificate_fields(
        issuing.cfg, issuing.issuer, issuing.today, student, program, batch, serial, totals
    )
    signed = issuing.signer.sign(fields.to_payload())
    status_index = issuing.indexes.draw(session)
    award = credential_award(issuing, program, status_index, now, replaces)
    credential = credential_text(
        signed_credential(fields, credential_issuer(issuing), award, issuing.signer)
    )
    pdf = render_certificate(
        fields, signed, pdf_style(issuing.cfg, fields, lang), credential.encode("utf-8")
    )
    relative = pdf_relative_path(program.key, serial)
    # The file is on disk (written, synced, renamed) before this returns, so before the caller
    # commits; with PostgreSQL that happens beside the row work (see `_start_write`).
    written = _start_write(session, issuing.cfg.certificates.output_dir / relative, pdf)
    try:
        cert = _certificate_row(student, program, batch, fields, signed, relative, pdf)
        cert.generation, cert.issued_at = generation, now
        cert.status_index, cert.credential, cert.lang = status_index, credential, lang
        # The holder's key to their page's privacy; a replacement stays as private as before.
        cert.holder_token = secrets.token_urlsafe(24)
        cert.hidden_at = replaces.hidden_at if replaces is not None else None
        # The row and its outbox rows in one flush: the unique constraint speaks there, and
        # the transaction holds all of them or, rolled back, none. Their keys carry the new
        # serial, so none can be queued already: nothing to look up first.
        writes = delivery_writes(cert, fields, issuing.content_field)
        outbox.enqueue_new(session, writes, along=[cert])
    except BaseException:
        _wait_written(written)  # a failed write speaks first, as when it came before the rows
        raise
    _wait_written(written)
    return cert


def credential_issuer(issuing: Issuing) -> CredentialIssuer:
    """The credential's issuer: the verify site's did:web, and the issuer's name."""
    return CredentialIssuer.of_site(str(issuing.cfg.certificates.verify_base_url), issuing.issuer)


def credential_award(
    issuing: Issuing,
    program: Program,
    status_index: int,
    now: datetime,
    replaces: Certificate | None = None,
) -> Award:
    try:
        configured = issuing.cfg.program(program.key)
    except KeyError:
        configured = None  # a program no longer configured: its criteria are not known
    # One issued before credentials has none to name: the pages still link the two.
    replaced = (
        Replaced(f"{replaces.verify_url}.json", replaces.credential)
        if replaces is not None and replaces.credential
        else None
    )
    criteria = criteria_in_words(configured)
    return Award(issuing.cfg.certificates.title, criteria, status_index, now, replaced)


def _certificate_row(
    student: Student,
    program: Program,
    batch: Batch | None,
    fields: CertificateFields,
    signed: SignedPayload,
    relative: str,
    pdf: bytes,
) -> Certificate:
    """The store's row of a certificate; its generation and time of issue are the caller's."""
    return Certificate(
        serial=fields.serial,
        student_id=student.id,
        program_id=program.id,
        batch_id=batch.id if batch else None,
        batch_scope=batch.key if batch else "",
        odoo_partner_id=student.odoo_partner_id,
        odoo_applicant_id=student.odoo_applicant_id,
        participant_name=fields.participant,
        program_name=fields.program,
        batch_name=fields.batch,
        issuer=fields.issuer,
        issue_date=fields.issue_date,
        expires_on=fields.expires_on,
        total_assignments=fields.total_assignments,
        average_score=fields.average_score,
        verify_url=fields.verify_url,
        payload=signed.payload_bytes.decode("utf-8"),
        signature=signed.signature,
        key_id=signed.kid,
        pdf_path=relative,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
    )


def delivery_writes(
    cert: Certificate, fields: CertificateFields, content_field: str = "datas"
) -> list[outbox.Write]:
    """The Odoo writes that deliver a certificate: the PDF on the trainee's contact, a message
    there that e-mails it to them with the link, and the same on the applicant when known.

    Each is found again by what only it carries (the file name, the serial in the body), so an
    attempt whose answer was lost is adopted rather than repeated."""
    serial, partner = cert.serial, cert.odoo_partner_id
    subject = subject_of(serial)
    filename = f"certificate-{serial}.pdf"
    writes: list[outbox.Write] = []

    def attach(model: str, res_id: int, key: str) -> outbox.Write:
        return mail.attach_file(
            key,
            subject,
            model=model,
            res_id=res_id,
            filename=filename,
            path=cert.pdf_path,
            description=f"{fields.program} certificate {serial} (ojt-sidecar)",
            content_field=content_field,
        )

    def post(
        model: str, res_id: int, key: str, attachment_key: str, *, email: bool
    ) -> outbox.Write:
        # Only the trainee is e-mailed; the note on the applicant stays internal.
        return mail.post(
            key,
            subject,
            model=model,
            res_id=res_id,
            body_html=_message_body(fields, for_trainee=email, holder_token=cert.holder_token),
            found_by=(serial,),
            summary=("e-mail" if email else "note") + f" certificate {serial} on {model} {res_id}",
            attachment_keys=(attachment_key,),
            email_to=partner if email else None,
            email_subject=f"Your certificate: {fields.program}" if email else None,
        )

    base = f"cert:{serial}"
    writes.append(attach(PARTNER, partner, f"{base}:attach:partner"))
    writes.append(
        post(PARTNER, partner, f"{base}:message:partner", f"{base}:attach:partner", email=True)
    )
    if cert.odoo_applicant_id:
        applicant = cert.odoo_applicant_id
        writes.append(attach(APPLICANT, applicant, f"{base}:attach:applicant"))
        writes.append(
            post(
                APPLICANT,
                applicant,
                f"{base}:note:applicant",
                f"{base}:attach:applicant",
                email=False,
            )
        )
    return writes


def _message_body(
    fields: CertificateFields, *, for_trainee: bool, holder_token: str | None = None
) -> str:
    url = escape(fields.verify_url, quote=True)
    batch = f" ({escape(fields.batch)})" if fields.batch else ""
    lead = (
        f"Congratulations, {escape(fields.participant)}! You completed "
        f"<b>{escape(fields.program)}</b>{batch}."
        if for_trainee
        else f"Certificate issued to {escape(fields.participant)} for "
        f"<b>{escape(fields.program)}</b>{batch}."
    )
    body = (
        f"<p>{lead}</p>"
        f"<p>Certificate <b>{escape(fields.serial)}</b>, issued {fields.issue_date.isoformat()} "
        f"by {escape(fields.issuer)}. Assignments: {fields.total_assignments}; average score: "
        f"{escape(format_average(fields.average_score))}.</p>"
        f'<p>Anyone can check it at <a href="{url}">{url}</a>. The PDF is attached.</p>'
    )
    if for_trainee and holder_token:
        # The holder's own links (docs/credentials.md, "The holder's privacy")
        privacy = escape(holder_link(f"{fields.verify_url}/privacy", holder_token), quote=True)
        own = escape(holder_link(fields.verify_url, holder_token), quote=True)
        body += (
            f'<p>You decide who sees its details: <a href="{privacy}">hide or show them</a>. '
            f"Your own link shows them even while hidden; share it with whom you choose: "
            f'<a href="{own}">{own}</a></p>'
        )
    return body


def _write_file(path: Path, data: bytes) -> None:
    """Atomically, and readable by the service's user only (the verify site serves it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data, 0o600)


_pools: dict[int, ThreadPoolExecutor] = {}  # per process: a forked child starts its own
_pools_lock = threading.Lock()


def _writers() -> ThreadPoolExecutor:
    """The threads that write certificate files, started on first use."""
    with _pools_lock:
        pool = _pools.get(os.getpid())
        if pool is None:
            pool = _pools[os.getpid()] = ThreadPoolExecutor(2, "certificate-file")
        return pool


def _start_write(session: Session, path: Path, data: bytes) -> Future[None]:
    """Write the certificate's file: on PostgreSQL in a thread, while this one makes and flushes
    the rows (round trips to the server, during which the fsync goes on: 4-20 % more
    certificates per second, measured); on SQLite here and now, first, as the rows go to the
    same disk from this process (overlapping them gained nothing, and lost with a busy disk)."""
    if session.get_bind().dialect.name != "sqlite":
        return _writers().submit(_write_file, path, data)
    _write_file(path, data)
    done: Future[None] = Future()
    done.set_result(None)
    return done


def _wait_written(written: Future[None]) -> None:
    """Until the file is on disk; raises what writing it raised."""
    written.result()
