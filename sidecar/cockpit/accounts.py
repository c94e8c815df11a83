"""The cockpit's sign-ins in the store: sessions (by the hash of their token), failures and
and lock-outs per login. Every function takes the caller's session and commits
nothing: the view commits once per request."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sidecar.roles import Grant, OdooPerson, Role
from sidecar.store.models import AppSession, AppSigninFailure, AppSigninLink


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Viewer:
    """Who is looking, as their session says: what every page's authorization reads."""

    token_hash: str
    user_id: int | None
    name: str
    role: Role
    partner_id: int | None
    program_ids: frozenset[int]
    batch_ids: frozenset[int]

    @property
    def admin(self) -> bool:
        return self.role is Role.ADMIN

    def sees_program(self, program_id: int) -> bool:
        """Every trainee of the program (admins; mentors responsible for it)."""
        return self.admin or (self.role is Role.MENTOR and program_id in self.program_ids)

    def sees_batch(self, program_id: int, batch_id: int | None) -> bool:
        """Every trainee of the batch."""
        if self.sees_program(program_id):
            return True
        return self.role is Role.MENTOR and batch_id is not None and batch_id in self.batch_ids


def start(
    db: Session, person: OdooPerson, grant: Grant, lifetime: timedelta, now: datetime, how: str
) -> str:
    """A new session for `person`; the token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.add(
        AppSession(
            token_hash=token_hash(token),
            user_id=person.user_id or None,
            login=person.login[:200],
            name=person.name[:300],
            partner_id=person.partner_id,
            role=grant.role.value,
            program_ids=json.dumps(list(grant.program_ids)),
            batch_ids=json.dumps(list(grant.batch_ids)),
            reasons=json.dumps(list(grant.reasons)),
            how=how,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def viewer(db: Session, token: str, now: datetime) -> Viewer | None:
    row = db.get(AppSession, token_hash(token))
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    return Viewer(
        token_hash=row.token_hash,
        user_id=row.user_id,
        name=row.name,
        role=Role(row.role),
        partner_id=row.partner_id,
        program_ids=frozenset(json.loads(row.program_ids)),
        batch_ids=frozenset(json.loads(row.batch_ids)),
    )


def end(db: Session, token: str, now: datetime) -> None:
    row = db.get(AppSession, token_hash(token))
    if row is not None and row.ended_at is None:
        row.ended_at = now


def locked_until(db: Session, login: str, now: datetime) -> datetime | None:
    row = db.get(AppSigninFailure, _login_key(login))
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return row.locked_until


def failed(db: Session, login: str, now: datetime, after: int, lock_for: timedelta) -> None:
    """One more failure; the `after`-th within `lock_for` locks the login for `lock_for`."""
    key = _login_key(login)
    row = db.get(AppSigninFailure, key)
    if row is None or now - row.first_at > lock_for:
        if row is not None:
            db.delete(row)
            db.flush()
        row = AppSigninFailure(login=key, failures=0, first_at=now)
        db.add(row)
    row.failures += 1
    if row.failures >= after:
        row.locked_until = now + lock_for
        row.failures = 0
        row.first_at = now


def succeeded(db: Session, login: str) -> None:
    row = db.get(AppSigninFailure, _login_key(login))
    if row is not None:
        db.delete(row)


def _login_key(login: str) -> str:
    return login.strip().lower()[:200]


def new_link(db: Session, partner_id: int, now: datetime, valid_for: timedelta) -> str:
    """A one-time sign-in link's token for the partner; the store keeps its hash."""
    token = secrets.token_urlsafe(32)
    db.add(
        AppSigninLink(
            token_hash=token_hash(token),
            partner_id=partner_id,
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    return token


def link_partner(db: Session, token: str, now: datetime) -> int | None:
    """The partner a link would sign in, without using it; None when unknown, used or expired."""
    row = db.get(AppSigninLink, token_hash(token))
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row.partner_id


def use_link(db: Session, token: str, now: datetime) -> int | None:
    """The partner a link signs in, marking it used; None when unknown, used or expired. One
    conditional UPDATE, so two clicks at once cannot both use it."""
    hashed = token_hash(token)
    used = db.execute(
        update(AppSigninLink)
        .where(
            AppSigninLink.token_hash == hashed,
            AppSigninLink.used_at.is_(None),
            AppSigninLink.expires_at > now,
        )
        .values(used_at=now)
    )
    if getattr(used, "rowcount", 0) != 1:
        return None
    return db.scalar(select(AppSigninLink.partner_id).where(AppSigninLink.token_hash == hashed))
