"""Signing in to the cockpit with Odoo (docs/cockpit.md): Odoo checks the login and the
password or API key; the service account then reads who that user is. The only Odoo calls
the cockpit makes, and only at sign-in.

Odoo refuses a password over its external API for a user with two-step verification; an API
key (Preferences → Account Security) is accepted in its place, so the form takes either.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import replace
from html import escape

from sqlalchemy.orm import Session

from connectors import OdooClient
from connectors.errors import OdooAuthenticationError, OdooError
from jobs.odoo import contacts, elearning, events, mail
from jobs.odoo.reads import m2o
from jobs.odoo_session import client_from_config, settings_from_config
from sidecar import outbox
from sidecar.config import Config
from sidecar.roles import OdooPerson, SignInUnavailable, WrongCredentials

log = logging.getLogger("ojt_sidecar.cockpit")

WRONG = "Odoo did not accept this login and password (or API key)."
UNREACHABLE = "Odoo cannot be reached to check your sign-in right now; please try again shortly."
SIGN_IN_TIMEOUT = 15.0  # seconds: a person is waiting


class OdooSignIn:
    """`identify(login, secret, events, courses)`: the OdooPerson behind a login Odoo accepts,
    with which of `events` and `courses` (Odoo ids) they are responsible for; SignInRefused or
    SignInUnavailable otherwise. Thread-safe: one service connection, used under a lock."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self._lock = threading.Lock()
        self._service: OdooClient | None = None

    def identify(
        self, login: str, secret: str, events_known: Sequence[int], courses_known: Sequence[int]
    ) -> OdooPerson:
        uid = self._check_secret(login, secret)
        try:
            with self._lock:
                return self._person(uid, list(events_known), list(courses_known))
        except OdooError as exc:
            log.warning("cockpit: reading user %s for a sign-in failed: %s", uid, exc)
            raise SignInUnavailable(UNREACHABLE) from None

    def _check_secret(self, login: str, secret: str) -> int:
        settings = replace(
            settings_from_config(self.cfg, max_attempts=1),
            username=login,
            secret=secret,
            transport="xmlrpc",  # takes a password or an API key on every version
            api_key=False,
            timeout_seconds=min(SIGN_IN_TIMEOUT, float(self.cfg.odoo.timeout_seconds)),
        )
        try:
            with OdooClient(settings) as client:  # one login: its connection is not kept
                return client.authenticate()
        except OdooAuthenticationError:
            raise WrongCredentials(WRONG) from None
        except OdooError as exc:
            log.warning("cockpit: Odoo could not check a sign-in: %s", exc)
            raise SignInUnavailable(UNREACHABLE) from None

    def _person(self, uid: int, event_ids: list[int], course_ids: list[int]) -> OdooPerson:
        client = self._client()
        row = contacts.signing_in(client, uid)
        if row is None:
            raise WrongCredentials(WRONG)
        app = self.cfg.app
        internal = row.get("share") is False
        login, name = str(row.get("login") or ""), str(row.get("name") or "")
        return OdooPerson(
            user_id=uid,
            login=login,
            name=name,
            partner_id=m2o(row.get("partner_id")),
            internal=internal,
            admin_group=internal and self._member(client, uid, app.admin_group),
            mentor_group=internal
            and app.mentor_group is not None
            and self._member(client, uid, app.mentor_group),
            programs=self._programs_responsible(client, uid) if internal else (),
            events=tuple(events.responsible_for(client, uid, event_ids)) if internal else (),
            courses=tuple(elearning.courses_responsible(client, uid, course_ids))
            if internal
            else (),
        )

    def _client(self) -> OdooClient:
        if self._service is None:
            self._service = client_from_config(self.cfg, max_attempts=2)
        return self._service

    @staticmethod
    def _member(client: OdooClient, uid: int, ref: int | str) -> bool:
        group = contacts.group_id(client, ref)
        if group is None:
            log.warning("cockpit: Odoo has no group %r (app settings)", ref)
            return False
        return contacts.in_group(client, uid, group)

    def _programs_responsible(self, client: OdooClient, uid: int) -> tuple[str, ...]:
        """The programs whose `responsible_user` is this user: the config's id, or its login
        looked up by the service account. Never by display name, which users edit themselves."""
        found = []
        for program in self.cfg.programs:
            ref = program.responsible_user
            if ref is not None and contacts.user_named(client, ref) == uid:
                found.append(program.key)
        return tuple(found)


def queue_signin_link(
    session: Session, partner_id: int, name: str, url: str, valid_minutes: int, ref: str
) -> None:
    """The mail carrying a trainee's one-time sign-in link, in the outbox of the caller's
    transaction: an e-mail of its own, never a chatter message, where others could read it."""
    body = (
        f"<p>Hello {escape(name)},</p><p>here is your link to sign in to the training cockpit. "
        f"It works once, within {valid_minutes} minutes:</p>"
        f'<p><a href="{escape(url, quote=True)}">Sign in</a></p>'
        "<p>If you did not ask for it, ignore this e-mail.</p>"
    )
    outbox.enqueue(
        session,
        mail.private_mail(
            f"signin-link:{ref}",
            partner_id,
            f"Your sign-in link (ref. {ref})",
            body,
            f"mail a sign-in link to contact {partner_id}",
        ),
    )
