"""Revoking a certificate: its page says so at once, and a note on the trainee's contact tells
mentors in Odoo, through the outbox."""

from __future__ import annotations

from datetime import datetime
from html import escape

from sqlalchemy.orm import Session

from jobs.odoo import mail
from jobs.odoo.contacts import PARTNER
from sidecar import outbox
from sidecar.store.models import Certificate


def revoke(session: Session, cert: Certificate, reason: str, now: datetime) -> None:
    """Revoke `cert`: the verification page says so (and why) at once; mentors learn it in Odoo
    from a note on the contact, delivered by the next deliver run. `ojt-sidecar cert revoke`
    and a removal from a course (docs/product-rules.md §12) both come here."""
    cert.revoked_at = now
    cert.revoked_reason = reason.strip()
    outbox.enqueue(session, revocation_note(cert))


def revocation_note(cert: Certificate) -> outbox.Write:
    """An internal note on the trainee's contact saying the certificate was revoked and why, so
    mentors see it where they work; found again by the serial and the word "revoked"."""
    serial, partner = cert.serial, cert.odoo_partner_id
    body = (
        f"<p>Certificate <b>{escape(serial)}</b> ({escape(cert.program_name)}) was revoked"
        f" on {cert.revoked_at.date().isoformat() if cert.revoked_at else 'today'}.</p>"
        f"<p>Reason: {escape(cert.revoked_reason or '—')}</p>"
        f'<p>Its page now says so: <a href="{escape(cert.verify_url, quote=True)}">'
        f"{escape(cert.verify_url)}</a></p>"
    )
    return mail.post(
        f"cert:{serial}:revoked-note",
        f"revocation:{serial}",
        model=PARTNER,
        res_id=partner,
        body_html=body,
        found_by=(serial, "was revoked"),
        comments_only=False,
        summary=f"note on {PARTNER} {partner}: certificate {serial} revoked",
    )
