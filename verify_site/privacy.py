"""The holder's choice to hide their certificate's page (docs/credentials.md, "The holder's
privacy").

`/c/<serial>/privacy?t=<holder token>`, the link in their certificate e-mail (and on their page
in the cockpit), shows the choice; its form POSTs the change. The token is the only key: no
cookie, no session, so no cross-site request can act without it, and a mail scanner that opens
the link changes nothing. A wrong or missing token answers as an unknown page does.

While hidden, the public page shows only whether the certificate holds, who issued it and when
(or a notice that it was revoked, expired or replaced); the PDF, the credential and the details
are withheld. The holder's own link, the page's address with `?t=`, still shows everything: it
is the link they share. This is the one thing the public site writes to the store."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Blueprint, Response, render_template, request, url_for
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response as BaseResponse

from sidecar.certificates import serial as serials
from sidecar.i18n import words
from sidecar.store.models import Certificate
from verify_site.pages import problem
from verify_site.records import Register, RegisterUnavailable, own_link
from verify_site.views import UNAVAILABLE, state

log = logging.getLogger(__name__)

bp = Blueprint("privacy", __name__)

_NOT_FOUND = ("Page not found", "There is no page at this address.")


@bp.route("/c/<serial>/privacy", methods=["GET", "POST"])
def privacy(serial: str) -> BaseResponse:
    token = request.values.get("t")
    site = state()
    if serials.check(serial) != "ok" or serials.normalize(serial) != serial:
        return problem(404, *_NOT_FOUND)
    try:
        cert = site.register.find(serial, site.settings.clock())
        if cert is None or not cert.opened_by(token):
            return problem(404, *_NOT_FOUND)
        changed = None
        if request.method == "POST":
            wanted = request.form.get("hide")
            if wanted not in ("yes", "no"):
                return problem(400, "Bad request", "The form could not be read.")
            _set_hidden(site.register, serial, wanted == "yes")
            changed = wanted == "yes"
            cert = site.register.find(serial, site.settings.clock()) or cert
    except RegisterUnavailable as exc:
        log.warning("privacy page unavailable: %s", exc.reason)
        return problem(503, "Temporarily unavailable", UNAVAILABLE)
    page = url_for("site.certificate", raw=serial)
    public = site.settings.public_url
    html = render_template(
        "privacy.html",
        cert=cert,
        changed=changed,
        page=page,
        own=own_link(f"{public}/c/{serial}" if public else page, cert),
        _=words(cert.lang or site.settings.default_language),
    )
    return Response(html, mimetype="text/html")


def _set_hidden(register: Register, serial: str, hidden: bool) -> None:
    """Hide or show the page's details; the page cache follows, as the status it is keyed by
    says `hidden` (verify_site/pagecache.py)."""
    try:
        with register.engine.begin() as connection:
            connection.execute(
                update(Certificate)
                .where(Certificate.serial == serial)
                .values(hidden_at=datetime.now(UTC) if hidden else None)
            )
    except SQLAlchemyError as exc:
        log.error("could not store a holder's privacy choice", exc_info=True)
        raise RegisterUnavailable("the store does not answer") from exc
