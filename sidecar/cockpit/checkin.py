"""QR check-in to a batch's session (docs/cockpit.md). A session is the batch's Odoo event;
check-in is open from `app.checkin_margin` before its first day to that long after its end.

Both ways land in one place (`_check_in`): a `checkins` row and the registration marked
attended in Odoo through the outbox.
- **The trainee scans the session's code.** The mentor's screen shows a QR code that changes
  every `STEP` seconds: the URL of a signed token of (batch, time step), valid for the current
  and the previous step, so a photo of it forwarded to someone else fails within a minute.
- **The mentor scans the trainee's code**, the barcode of their event registration (shown on
  their page), with the phone's camera (jsQR, served from this site) or by typing it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sidecar.cockpit.context import allow, db, now, state, viewer_required
from sidecar.cockpit.qr import qr_svg
from sidecar.roles import Role
from sidecar.store.models import AttendanceRecord, Batch, Checkin, Student

bp = Blueprint("checkin", __name__)

STEP = 30  # seconds a session code shows before the next one
STAFF = (Role.ADMIN, Role.MENTOR)


def step_of(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP


def session_mac(batch_id: int, step: int) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"checkin:{batch_id}:{step}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def _fresh(batch_id: int, step: int, mac: str) -> bool:
    current = step_of(now())
    if step not in (current, current - 1):
        return False
    return hmac.compare_digest(session_mac(batch_id, step), mac)


def _window(batch: Batch) -> tuple[datetime | None, datetime | None]:
    margin: timedelta = state().cfg.app.checkin_margin
    opens = closes = None
    if batch.start_date is not None:
        opens = datetime.combine(batch.start_date, time(0), tzinfo=UTC) - margin
    if batch.event_end:
        closes = datetime.fromisoformat(batch.event_end).replace(tzinfo=UTC) + margin
    elif batch.end_date is not None:
        closes = datetime.combine(batch.end_date + timedelta(days=1), time(0), tzinfo=UTC) + margin
    return opens, closes


def _refusal(batch: Batch, partner_id: int) -> str | AttendanceRecord:
    """The partner's registration for the batch's session, or why they cannot check in."""
    opens, closes = _window(batch)
    moment = now()
    if opens is not None and moment < opens:
        return f"Check-in for {batch.name} opens at {opens:%Y-%m-%d %H:%M} UTC."
    if closes is not None and moment > closes:
        return f"Check-in for {batch.name} closed at {closes:%Y-%m-%d %H:%M} UTC."
    registration = db().scalar(
        select(AttendanceRecord).where(
            AttendanceRecord.event_id == batch.odoo_event_id,
            AttendanceRecord.partner_id == partner_id,
            AttendanceRecord.removed_at.is_(None),
            AttendanceRecord.state != "cancel",
        )
    )
    if registration is None:
        return f"Not a participant: Odoo has no registration for {batch.name}."
    done = db().scalar(
        select(Checkin).where(Checkin.batch_id == batch.id, Checkin.partner_id == partner_id)
    )
    if done is not None or registration.state == "done":
        when = f" at {done.at:%H:%M} UTC" if done is not None else ""
        return f"Already checked in to {batch.name}{when}."
    return registration


def _check_in(batch: Batch, registration: AttendanceRecord, how: str) -> bool:
    """Record the check-in and queue its write; False when another request (a double tap,
    the mentor's scan at the same moment) recorded it first."""
    assert registration.partner_id is not None and batch.odoo_event_id is not None
    db().add(
        Checkin(
            batch_id=batch.id,
            partner_id=registration.partner_id,
            registration_id=registration.odoo_id,
            how=how,
            by_name=viewer_required().name,
            at=now(),
        )
    )
    attend = state().attend
    try:
        if attend is not None:
            attend(db(), registration.odoo_id, batch.odoo_event_id, registration.barcode)
        db().commit()
    except IntegrityError:  # the unique check-in (or outbox key) of a request just before
        db().rollback()
        return False
    return True


def _batch(batch_id: int) -> Batch:
    batch = db().get(Batch, batch_id)
    if batch is None or batch.odoo_event_id is None:
        abort(404)
    return batch


def _staff_batch(batch_id: int) -> Batch:
    batch = _batch(batch_id)
    if not viewer_required().sees_batch(batch.program_id, batch.id):
        abort(404)
    return batch


@bp.get("/batches/<int:batch_id>/checkin")
@allow(*STAFF)
def screen(batch_id: int) -> Any:
    return _screen(_staff_batch(batch_id))


def _screen(batch: Batch, message: str | None = None, status: int = 200) -> Response:
    rows = db().execute(
        select(Checkin, Student.name)
        .outerjoin(
            Student,
            (Student.odoo_partner_id == Checkin.partner_id)
            & (Student.program_id == batch.program_id),
        )
        .where(Checkin.batch_id == batch.id)
        .order_by(Checkin.at.desc())
    )
    opens, closes = _window(batch)
    html = render_template(
        "checkin.html",
        batch=batch,
        checkins=list(rows),
        opens=opens,
        closes=closes,
        message=message,
        step=STEP,
        scanner=Path(str(current_app.static_folder), "jsQR.js").is_file(),
    )
    return Response(html, status=status, mimetype="text/html")


@bp.get("/batches/<int:batch_id>/checkin/code.svg")
@allow(*STAFF)
def session_code(batch_id: int) -> Any:
    batch = _staff_batch(batch_id)
    step = step_of(now())
    url = f"{state().cfg.app.base_url()}/checkin/{batch.id}/{step}/{session_mac(batch.id, step)}"
    return Response(qr_svg(url, f"Check-in code for {batch.name}"), mimetype="image/svg+xml")


@bp.post("/batches/<int:batch_id>/checkin/scan")
@allow(*STAFF)
def scan(batch_id: int) -> Any:
    batch = _staff_batch(batch_id)
    code = (request.form.get("code") or "").strip()[:64]
    found = db().scalar(
        select(AttendanceRecord).where(
            AttendanceRecord.event_id == batch.odoo_event_id,
            AttendanceRecord.barcode == code,
            AttendanceRecord.removed_at.is_(None),
        )
    )
    if not code or found is None or found.partner_id is None:
        return _screen(batch, "This code is no ticket for this session.", 400)
    answer = _refusal(batch, found.partner_id)
    if isinstance(answer, str):
        return _screen(batch, answer, 409 if answer.startswith("Already") else 400)
    if not _check_in(batch, answer, "trainee-code"):
        return _screen(batch, f"Already checked in to {batch.name}.", 409)
    name = db().scalar(select(Student.name).where(Student.odoo_partner_id == found.partner_id))
    return _screen(batch, f"{name or 'The trainee'} is checked in.")


@bp.get("/checkin/<int:batch_id>/<int:step>/<mac>")
@allow(Role.TRAINEE)
def confirm(batch_id: int, step: int, mac: str) -> Any:
    batch = _batch(batch_id)
    if not _fresh(batch.id, step, mac[:40]):
        return _answer(batch, "This code has expired or is not valid; scan the code again.", 400)
    html = render_template("checkin_confirm.html", batch=batch, path=request.path)
    return Response(html, mimetype="text/html")


@bp.post("/checkin/<int:batch_id>/<int:step>/<mac>")
@allow(Role.TRAINEE)
def check_in(batch_id: int, step: int, mac: str) -> Any:
    batch = _batch(batch_id)
    if not _fresh(batch.id, step, mac[:40]):
        return _answer(batch, "This code has expired or is not valid; scan the code again.", 400)
    partner = viewer_required().partner_id
    answer = _refusal(batch, partner or 0)
    if isinstance(answer, str):
        return _answer(batch, answer, 409 if answer.startswith("Already") else 400)
    if not _check_in(batch, answer, "session-code"):
        return _answer(batch, f"Already checked in to {batch.name}.", 409)
    return _answer(batch, f"You are checked in to {batch.name}.")


def _answer(batch: Batch, message: str, status: int = 200) -> Response:
    html = render_template("checkin_done.html", batch=batch, message=message, ok=status == 200)
    return Response(html, status=status, mimetype="text/html")


@bp.get("/tickets/<int:registration_id>.svg")
@allow(Role.ADMIN, Role.MENTOR, Role.TRAINEE)
def ticket(registration_id: int) -> Any:
    """A trainee's personal check-in code: their registration's barcode, for them to show (or
    download) and for their mentors."""
    found = db().get(AttendanceRecord, registration_id)
    batch = (
        db().scalar(select(Batch).where(Batch.odoo_event_id == found.event_id))
        if found is not None
        else None
    )
    if found is None or batch is None or not found.barcode or found.removed_at is not None:
        abort(404)
    viewer = viewer_required()
    mine = viewer.role is Role.TRAINEE and viewer.partner_id == found.partner_id
    if not mine and not viewer.sees_batch(batch.program_id, batch.id):
        abort(404)
    answer = Response(qr_svg(found.barcode, f"Ticket for {batch.name}"), mimetype="image/svg+xml")
    if request.args.get("download"):
        answer.headers["Content-Disposition"] = f'attachment; filename="ticket-{batch.key}.svg"'
    return answer
