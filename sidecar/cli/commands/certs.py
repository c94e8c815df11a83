"""`ojt-sidecar issue`, `keys`, `cert …`, `verify-pdf`: certificates from the operator's side."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sidecar.certificates.serial import check, normalize
from sidecar.certificates.status import certificate_status
from sidecar.cli.commands.jobs_at_hand import job_context
from sidecar.cli.output import table
from sidecar.config import Config
from sidecar.store.models import Certificate, OutboxMessage, utcnow

if TYPE_CHECKING:
    pass

Echo = Callable[[str], None]


class UsageProblem(Exception):
    """Something the operator typed is wrong: one sentence, exit 2."""


class Conflict(Exception):
    """The store has moved on since the command was typed (someone else re-issued the
    certificate first, say): one sentence, exit 1."""


def run_issue_command(cfg: Config, *, dry_run: bool, wait: bool, echo: Echo) -> int:
    from jobs.issue.runner import IssueJob

    with job_context(cfg, "issue", dry_run=dry_run, wait=wait) as (ctx, rehearsal):
        signer = rehearsal.signer() if rehearsal is not None else None
        report = IssueJob(ctx, signer=signer).run()
    dry = rehearsal is not None
    would = "Dry run: would " if dry else ""
    for name in report.batches_closed:
        echo(f"{would}{'close' if dry else 'closed'} batch {name}")
    for name in report.batches_cancelled:
        echo(f"{would}{'cancel' if dry else 'cancelled'} batch {name} (its event was cancelled)")
    for serial, name, program in report.issued:
        # a rehearsal's serials are thrown away with it
        what = "a certificate" if dry else serial
        echo(f"{would}{'issue' if dry else 'issued'} {what} to {name} ({program})")
    for old, new, name in report.renewed:
        echo(f"{would}{'renew' if dry else 'renewed'} {old} as {new} for {name}")
    for name, program, reasons in report.flagged:
        echo(f"{would}{'flag' if dry else 'flagged'} {name} ({program}) for review: {reasons}")
    if rehearsal is not None:
        for line in rehearsal.lines():
            echo(f"  would write to Odoo: {line}")
        echo(
            f"Dry run: {len(report.issued)} certificate(s) to issue, "
            f"{len(report.flagged)} review(s), {report.waiting} trainee(s) not ready; "
            f"{len(rehearsal.writes)} Odoo write(s) would be made, none made"
        )
        return 0
    summary = (
        f"{len(report.issued)} certificate(s) issued, "
        f"{len(report.flagged)} review(s), {report.waiting} trainee(s) not ready"
    )
    if report.delivery is not None:
        d = report.delivery
        summary += (
            f"; delivery: {d.delivered} written to Odoo, {d.adopted} found from earlier attempts, "
            f"{d.retrying} to retry, {d.failed} failed; {report.certified} certified"
        )
        for error in d.errors:
            echo(f"warning: {error}")
    echo(summary)
    return 1 if report.delivery is not None and report.delivery.failed else 0


def keys_generate(cfg: Config, *, rotate: bool, echo: Echo) -> None:
    from sidecar.certificates.signing import generate_key, public_keys_path

    path = cfg.certificates.signing_key
    kid = generate_key(path, rotate=rotate)
    echo(f"{'rotated to' if rotate else 'created'} signing key {kid} at {path}")
    echo(f"public keys: {public_keys_path(path)} (published at /.well-known/ojt-sidecar/keys.json)")


def _session(cfg: Config) -> Any:
    from sidecar.store.bootstrap import open_store

    return open_store(cfg, reconcile=False)


def _find(session: Session, text: str) -> Certificate:
    serial = normalize(text)
    if serial is None:
        raise UsageProblem(f"{text!r} is not a certificate serial (like ABCD-EFGH-JKMN-PQRS-T)")
    if check(serial) == "typo":
        raise UsageProblem(f"{serial} has a wrong check character: a typo?")
    cert = session.scalar(select(Certificate).where(Certificate.serial == serial))
    if cert is None:
        raise UsageProblem(f"no certificate with serial {serial}")
    return cert


def _row(cert: Certificate, today: date) -> dict[str, Any]:
    status = certificate_status(cert, today)
    return {
        "serial": cert.serial,
        "participant": cert.participant_name,
        "program": cert.program_name,
        "batch": cert.batch_name,
        "issue_date": cert.issue_date.isoformat(),
        "expires_on": cert.expires_on.isoformat() if cert.expires_on else None,
        "total_assignments": cert.total_assignments,
        "average_score": cert.average_score,
        "issuer": cert.issuer,
        "status": {
            "state": status.state,
            "since": status.since.isoformat() if status.since else None,
            "reason": status.reason,
        },
        "delivered": cert.delivered_at is not None,
        "verify_url": cert.verify_url,
        "pdf": cert.pdf_path,
        "key_id": cert.key_id,
        "odoo_partner_id": cert.odoo_partner_id,
        "generation": cert.generation,
    }


def cert_list(cfg: Config, *, program: str | None, as_json: bool, echo: Echo) -> None:
    store = _session(cfg)
    today = utcnow().date()
    try:
        with store.sessions() as session:
            stmt = select(Certificate).order_by(Certificate.issued_at, Certificate.id)
            certs = [_row(c, today) for c in session.scalars(stmt)]
    finally:
        store.close()
    if program is not None:
        certs = [c for c in certs if c["program"] == program or c["pdf"].startswith(f"{program}/")]
    if as_json:
        echo(json.dumps(certs, indent=2, ensure_ascii=False))
        return
    if not certs:
        echo("no certificates yet")
        return
    echo(
        table(
            ("serial", "participant", "program", "issued", "status", "delivered"),
            [
                (
                    c["serial"],
                    c["participant"],
                    c["program"],
                    c["issue_date"],
                    c["status"]["state"],
                    "yes" if c["delivered"] else "pending",
                )
                for c in certs
            ],
        )
    )


def cert_show(cfg: Config, serial: str, *, as_json: bool, echo: Echo) -> None:
    store = _session(cfg)
    try:
        with store.sessions() as session:
            cert = _find(session, serial)
            row = _row(cert, utcnow().date())
            deliveries = [
                {"what": m.summary, "state": m.state, "attempts": m.attempts, "error": m.last_error}
                for m in session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.subject == f"certificate:{cert.serial}")
                    .order_by(OutboxMessage.id)
                )
            ]
    finally:
        store.close()
    row["deliveries"] = deliveries
    if as_json:
        echo(json.dumps(row, indent=2, ensure_ascii=False))
        return
    status = row["status"]
    state = status["state"] + (f" since {status['since']}" if status["since"] else "")
    if status["reason"]:
        state += f" ({status['reason']})"
    for label, value in (
        ("serial", row["serial"]),
        ("participant", row["participant"]),
        ("program", row["program"]),
        ("batch", row["batch"] or "—"),
        ("issued", row["issue_date"]),
        ("expires", row["expires_on"] or "never"),
        ("status", state),
        ("verify at", row["verify_url"]),
        ("PDF", str(cfg.certificates.output_dir / row["pdf"])),
    ):
        echo(f"{label:>12}: {value}")
    for d in deliveries:
        error = f" ({d['error']})" if d["error"] else ""
        echo(f"{'delivery':>12}: {d['what']} — {d['state']}{error}")


def cert_revoke(cfg: Config, serial: str, *, reason: str, echo: Echo) -> None:
    if not reason.strip():
        raise UsageProblem("--reason must say why the certificate is revoked")
    from jobs.issue.revocation import revoke
    from sidecar.certificates.status_publishing import publish_status_list

    store = _session(cfg)
    try:
        with store.sessions() as session:
            cert = _find(session, serial)
            if cert.revoked_at is not None:
                echo(f"{cert.serial} was already revoked on {cert.revoked_at.date()}")
                return
            # The contact's note goes with the next deliver run (this command needs no Odoo); the
            # status list is signed again here and now, as this side holds the key.
            revoke(session, cert, reason, utcnow())
            session.commit()
            publish_status_list(cfg, session, utcnow())
            echo(f"revoked {cert.serial} ({cert.participant_name}): {cert.revoked_reason}")
            echo(f"the verification page says so now: {cert.verify_url}")
            echo("a note for the contact in Odoo is queued (delivered by the next deliver run)")
    finally:
        store.close()


def cert_reissue(cfg: Config, serial: str, *, wait: bool, echo: Echo, renew: bool = False) -> None:
    """A new certificate from the student's current figures; the old one is superseded, in the
    store and so on the verification page at once, whatever the service is doing (the store's
    uniqueness of a generation keeps two re-issues from both landing). Delivering it writes to
    Odoo, so that takes the issue job's leases: here when they are free (with `wait`, once they
    are), else it is left to whoever holds them, the service's next issue or deliver run."""
    from dataclasses import replace

    from sqlalchemy.exc import IntegrityError, PendingRollbackError

    from jobs.issue.runner import IssueJob
    from jobs.service.by_hand import LeaseBusy, holding

    with job_context(cfg, "issue", hold=False) as (ctx, _):
        with ctx.sessions() as session:
            old = _find(session, serial)
            if old.superseded_at is not None:
                raise Conflict(f"{old.serial} was already re-issued; re-issue the newest")
            if renew and old.revoked_at is not None:
                raise Conflict(f"{old.serial} is revoked, and a revoked certificate is not renewed")
            try:
                new = IssueJob(ctx).reissue(session, old)
                session.commit()
            except (IntegrityError, PendingRollbackError):
                # Two re-issues at once: the store's unique generation lets one land.
                raise Conflict(f"{old.serial} was re-issued by someone else just now") from None
            until = f", valid until {new.expires_on}" if new.expires_on else ""
            done = "renewed" if renew else "re-issued"
            echo(f"{done} {old.serial} as {new.serial} for {new.participant_name}{until}")
            echo(f"the verification page says so now: {new.verify_url}")
        try:
            with holding(ctx.sessions, "issue", cfg.service.lease, wait=wait) as keeper:
                job = IssueJob(replace(ctx, should_stop=keeper.should_stop))
                delivery = job.deliver()
                job.finish_delivered()
        except LeaseBusy as exc:
            echo(f"its delivery to Odoo is queued: {exc}, and delivers it when done")
            return
        echo(
            f"delivery: {delivery.delivered} written to Odoo, {delivery.retrying} to retry, "
            f"{delivery.failed} failed"
        )
