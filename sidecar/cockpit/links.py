"""One-time sign-in links for trainees (docs/cockpit.md): asked for with an e-mail address,
mailed through Odoo (an e-mail of its own, never a chatter message), valid for
`LINK_MINUTES`, used once. Opening the link shows a button: mail scanners that open links do
not use them up."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request
from sqlalchemy import func, select

from sidecar.cockpit import accounts
from sidecar.cockpit.auth import begin, form, reach_of, throttled
from sidecar.cockpit.context import db, now, state
from sidecar.roles import OdooPerson, SignInRefused, grant_for
from sidecar.store.models import Program, Student

bp = Blueprint("links", __name__)

LINK_MINUTES = 15
SENT = (
    "If this address belongs to a trainee here, a sign-in link is on its way. It works once, "
    f"within {LINK_MINUTES} minutes."
)
GONE = "This sign-in link has expired or was used already; ask for a new one below."
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}")


@bp.post("/signin/link")
def ask() -> Any:
    refused = throttled()
    if refused is not None:
        return refused
    email = (request.form.get("email") or "").strip()
    if not EMAIL.fullmatch(email):
        return form("Enter the e-mail address your training coordinator has for you.", 400)
    mail_link = state().mail_link
    if mail_link is None:
        return form("Sign-in links are not available here; sign in with your Odoo login.", 400)
    for partner_id, name in _trainees_with(email):
        token = accounts.new_link(db(), partner_id, now(), timedelta(minutes=LINK_MINUTES))
        url = f"{state().cfg.app.base_url()}/signin/link/{token}"
        mail_link(db(), partner_id, name, url, LINK_MINUTES, secrets.token_hex(5))
    db().commit()
    # The same answer whether or not anyone has this address: it tells no one who trains here.
    return form(SENT)


def _trainees_with(email: str) -> list[tuple[int, str]]:
    rows = db().execute(
        select(Student.odoo_partner_id, func.min(Student.name))
        .join(Program, Program.id == Student.program_id)
        .where(
            func.lower(Student.email) == email.lower(),
            Student.excluded.is_(None),
            Program.active.is_(True),
        )
        .group_by(Student.odoo_partner_id)
    )
    return [(int(p), str(n)) for p, n in rows]


@bp.get("/signin/link/<token>")
def confirm(token: str) -> Any:
    if accounts.link_partner(db(), token[:100], now()) is None:
        return form(GONE, 400)
    html = render_template("link.html", token=token)
    return Response(html, mimetype="text/html")


@bp.post("/signin/link/<token>")
def use(token: str) -> Any:
    partner_id = accounts.use_link(db(), token[:100], now())
    if partner_id is None:
        db().rollback()
        return form(GONE, 400)
    name = db().scalar(select(Student.name).where(Student.odoo_partner_id == partner_id))
    person = OdooPerson(
        user_id=0,
        login=f"link for contact {partner_id}",
        name=name or "",
        partner_id=partner_id,
        internal=False,
        admin_group=False,
        mentor_group=False,
    )
    try:
        grant = grant_for(person, reach_of(person))
    except SignInRefused as exc:
        db().commit()  # the link is used either way
        return form(str(exc), 403)
    begin(person, grant, "link")
    return redirect("/")
