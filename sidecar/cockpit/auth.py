"""Signing in and out (docs/cockpit.md): Odoo checks the login and password (or API key), the
role comes from Odoo and the store, and the browser gets a signed cookie holding a random
session token. Failures are counted per login, which locks for a while past the limit, and
sign-in attempts are rate-limited per client address."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, redirect, render_template, request, session
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sidecar.cockpit import accounts
from sidecar.cockpit.context import COOKIE_TOKEN, current_viewer, db, now, state
from sidecar.ratelimit import RateLimiter
from sidecar.roles import (
    Grant,
    OdooPerson,
    Reach,
    SignInRefused,
    SignInUnavailable,
    WrongCredentials,
    grant_for,
)
from sidecar.statuses import BatchStatus
from sidecar.store.models import Batch, CourseIntegration, Program, Student

bp = Blueprint("auth", __name__)

MAX_LOGIN = 200
MAX_SECRET = 1000


@bp.get("/signin")
def signin() -> Any:
    if current_viewer() is not None:
        return redirect(_next_path())
    return form()


def throttled() -> Response | None:
    """The 429 answer when this client address has tried to sign in too often this minute
    (a password, or asking for a link), else None."""
    limiter: RateLimiter = current_app.extensions["cockpit_signin_limiter"]
    wait = limiter.spend(request.remote_addr or "unknown")
    if wait is None:
        return None
    response = form("Too many sign-in attempts from here; please wait a minute.", 429)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.post("/signin")
def signin_post() -> Any:
    refused = throttled()
    if refused is not None:
        return refused
    login = (request.form.get("login") or "").strip()
    secret = request.form.get("secret") or ""
    if not login or not secret:
        return form("Enter your Odoo login and your password or API key.", 400, login)
    if len(login) > MAX_LOGIN or len(secret) > MAX_SECRET:
        return form("That login or password is longer than Odoo accepts.", 400)
    locked = accounts.locked_until(db(), login, now())
    if locked is not None:
        when = locked.strftime("%H:%M UTC")
        return form(f"Too many failed sign-ins for this login; try again after {when}.", 429)
    try:
        known = _responsibilities()
        person = state().identify(login, secret, sorted(known[0]), sorted(known[1]))
        grant = grant_for(person, reach_of(person, known))
    except SignInUnavailable as exc:
        return form(str(exc), 503, login)
    except WrongCredentials as exc:
        _count_failure(login)
        return form(str(exc), 401, login)
    except SignInRefused as exc:
        return form(str(exc), 403, login)
    accounts.succeeded(db(), login)
    begin(person, grant, "password")
    return redirect(_next_path())


def _count_failure(login: str) -> None:
    """One more failure for `login`; a second failure counted at the same moment by another
    request (its first row for the login) is retried once on the row that one made."""
    app = state().cfg.app
    for _ in range(2):
        try:
            accounts.failed(db(), login, now(), app.lockout_after, app.lockout_for)
            db().commit()
            return
        except IntegrityError:
            db().rollback()


def begin(person: OdooPerson, grant: Grant, how: str) -> None:
    """Start a session for `person` and hand the browser its cookie."""
    token = accounts.start(db(), person, grant, state().cfg.app.session_lifetime, now(), how)
    db().commit()
    session.clear()  # a new cookie, and a new CSRF token, for the new session
    session.permanent = True
    session[COOKIE_TOKEN] = token


@bp.post("/signout")
def signout() -> Any:
    token = session.get(COOKIE_TOKEN)
    if isinstance(token, str):
        accounts.end(db(), token, now())
        db().commit()
    session.clear()
    return redirect("/signin")


def form(message: str | None = None, status: int = 200, login: str = "") -> Response:
    html = render_template("signin.html", message=message, login=login[:MAX_LOGIN])
    return Response(html, status=status, mimetype="text/html")


def _next_path() -> str:
    """Where to go after signing in: a path on this site only (never `//host` or a URL)."""
    wanted = request.args.get("next") or "/"
    # Browsers drop tabs and newlines from a Location and read `\` as `/`, so `/\t/evil` would
    # name another host: only printable characters, and then no scheme and no host.
    if not wanted.isprintable() or "\\" in wanted or not wanted.startswith("/"):
        return "/"
    parts = urlsplit(wanted)
    if parts.scheme or parts.netloc or wanted.startswith("//"):
        return "/"
    return wanted


def _responsibilities() -> tuple[dict[int, int], dict[int, tuple[int, ...]]]:
    """What the store knows that responsibility in Odoo maps to: each batch's Odoo event →
    the batch, each active program's course (Odoo channel) → the programs counting it. Their
    keys are what Odoo is asked about at sign-in; the maps turn its answer into a reach."""
    events = db().execute(
        select(Batch.odoo_event_id, Batch.id).where(
            Batch.odoo_event_id.is_not(None), Batch.status != BatchStatus.ARCHIVED
        )
    )
    courses: dict[int, set[int]] = {}
    for channel, program in db().execute(
        select(CourseIntegration.odoo_channel_id, CourseIntegration.program_id)
        .join(Program, Program.id == CourseIntegration.program_id)
        .where(CourseIntegration.odoo_channel_id.is_not(None), Program.active.is_(True))
    ):
        courses.setdefault(int(channel or 0), set()).add(int(program))
    return (
        {int(e or 0): int(b) for e, b in events},
        {c: tuple(sorted(p)) for c, p in courses.items()},
    )


def reach_of(
    person: OdooPerson, known: tuple[dict[int, int], dict[int, tuple[int, ...]]] | None = None
) -> Reach:
    """What the person's role reaches in the store; `known` is `_responsibilities()` when the
    caller has read it already."""
    batch_of_event, programs_of_course = known or _responsibilities()
    trainee = []
    if person.partner_id is not None:
        trainee = list(
            db().scalars(
                select(Student.program_id)
                .join(Program, Program.id == Student.program_id)
                .where(
                    Student.odoo_partner_id == person.partner_id,
                    Student.excluded.is_(None),
                    Program.active.is_(True),
                )
            )
        )
    responsible = list(
        db().scalars(
            select(Program.id).where(Program.key.in_(person.programs), Program.active.is_(True))
        )
    )
    return Reach(
        trainee_programs=tuple(sorted(set(trainee))),
        responsible_programs=tuple(sorted(responsible)),
        batch_of_event=batch_of_event,
        programs_of_course=programs_of_course,
    )
