"""What every cockpit request shares: the app's state, one store session per request, the
signed-in viewer, and the decorator that lets a role in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from typing import Any, Protocol, TypeVar

from flask import abort, current_app, g, redirect, request, session, url_for
from sqlalchemy.orm import Session, sessionmaker

from sidecar.cockpit import accounts
from sidecar.cockpit.accounts import Viewer
from sidecar.config import Config
from sidecar.roles import OdooPerson, Role

COOKIE_TOKEN = "t"  # the key of the session token inside Flask's signed cookie


class Identify(Protocol):
    """Odoo's answer to a sign-in (jobs.signin.OdooSignIn.identify)."""

    def __call__(
        self, login: str, secret: str, events_known: Sequence[int], courses_known: Sequence[int]
    ) -> OdooPerson: ...


class MailLink(Protocol):
    """Queue the e-mail carrying a sign-in link (jobs.signin.queue_signin_link)."""

    def __call__(
        self, session: Session, partner_id: int, name: str, url: str, valid_minutes: int, ref: str
    ) -> None: ...


class Attend(Protocol):
    """Queue the registration's "attended" write (jobs.checkin.queue_attended)."""

    def __call__(
        self, session: Session, registration_id: int, event_id: int, barcode: str | None
    ) -> None: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CockpitState:
    cfg: Config
    sessions: sessionmaker[Session]
    identify: Identify
    clock: Callable[[], datetime]
    mail_link: MailLink | None = None
    attend: Attend | None = None


def state() -> CockpitState:
    found: CockpitState = current_app.extensions["cockpit"]
    return found


def db() -> Session:
    """The store session of this request, closed after it (`close_db`)."""
    if "db" not in g:
        g.db = state().sessions()
    found: Session = g.db
    return found


def close_db(_: BaseException | None = None) -> None:
    found = g.pop("db", None)
    if found is not None:
        found.close()


def now() -> datetime:
    return state().clock()


def current_viewer() -> Viewer | None:
    if "viewer" not in g:
        token = session.get(COOKIE_TOKEN)
        g.viewer = accounts.viewer(db(), token, now()) if isinstance(token, str) else None
    found: Viewer | None = g.viewer
    return found


F = TypeVar("F", bound=Callable[..., Any])


def allow(*roles: Role) -> Callable[[F], F]:
    """Let in a signed-in viewer of one of `roles`: anyone else signed in gets 403, anyone not
    signed in is sent to sign in (an API or download address answers 401 instead)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            viewer = current_viewer()
            if viewer is None:
                if request.method == "GET" and is_page(request.path):
                    return redirect(url_for("auth.signin", next=request.full_path.rstrip("?")))
                abort(401)
            if viewer.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def is_page(path: str) -> bool:
    """An address a person opens in the browser, as opposed to a download or the API."""
    return not path.startswith("/api/") and not path.endswith(
        (".csv", ".pdf", ".json", ".svg", ".zip")
    )


def viewer_required() -> Viewer:
    """The viewer of a view behind `allow`."""
    viewer = current_viewer()
    if viewer is None:  # pragma: no cover - `allow` has sent them to sign in
        abort(401)
    return viewer
