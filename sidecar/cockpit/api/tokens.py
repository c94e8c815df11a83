"""The API's bearer tokens in the store: made (`ojt_` + 32 random bytes, shown once, kept as
its SHA-256), listed without secrets, revoked, and found for a request. Every function takes
the caller's session and commits nothing."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sidecar.store.models import ApiToken

# One read scope per kind of data; `all` is every one of them, now and later.
SCOPES = ("programs", "batches", "trainees", "progress", "attendance", "scores", "certificates")
ALL = "all"
PREFIX = "ojt_"
DEFAULT_RATE = 120  # requests per minute
MAX_RATE = 100_000
NAME_CHARS = 100
# last_used_at is written at most this often, so that reading does not become writing.
USED_EVERY = timedelta(minutes=1)


class TokenProblem(ValueError):
    """A token that cannot be made or revoked: one sentence."""


@dataclass(frozen=True)
class TokenInfo:
    """What `api-token list` shows: never the token nor its hash."""

    name: str
    scopes: tuple[str, ...]
    rate_per_minute: int
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        def stamp(value: datetime | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {
            "name": self.name,
            "scopes": list(self.scopes),
            "rate_per_minute": self.rate_per_minute,
            "created_at": stamp(self.created_at),
            "last_used_at": stamp(self.last_used_at),
            "revoked_at": stamp(self.revoked_at),
        }


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clean_name(name: str) -> str:
    text = name.strip()
    if not text or len(text) > NAME_CHARS or not text.isprintable():
        raise TokenProblem(
            f"a token's name is 1 to {NAME_CHARS} printable characters, like erp-sync"
        )
    return text


def clean_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    wanted = {s.strip().lower() for s in scopes}
    unknown = sorted(wanted - {*SCOPES, ALL})
    if unknown:
        raise TokenProblem(f"no scope {unknown[0]!r} (scopes: {', '.join((*SCOPES, ALL))})")
    if not wanted:
        raise TokenProblem(f"give at least one --scope ({', '.join((*SCOPES, ALL))})")
    return (ALL,) if ALL in wanted else tuple(s for s in SCOPES if s in wanted)


def create(
    db: Session, name: str, scopes: Iterable[str], rate_per_minute: int, now: datetime
) -> str:
    """A new token named `name`; returns the token itself, which nobody can see again."""
    name = clean_name(name)
    granted = clean_scopes(scopes)
    if not 1 <= rate_per_minute <= MAX_RATE:
        raise TokenProblem(f"--rate-per-minute is from 1 to {MAX_RATE}")
    if _live(db, name) is not None:
        raise TokenProblem(f"a token named {name!r} exists already: revoke it or pick another name")
    token = PREFIX + secrets.token_urlsafe(32)
    db.add(
        ApiToken(
            name=name,
            token_hash=token_hash(token),
            scopes=" ".join(granted),
            rate_per_minute=rate_per_minute,
            created_at=now,
        )
    )
    try:
        db.flush()
    except IntegrityError:  # made by someone else at the same moment
        raise TokenProblem(f"a token named {name!r} exists already") from None
    return token


def listing(db: Session, *, revoked: bool = False) -> list[TokenInfo]:
    query = select(ApiToken).order_by(ApiToken.name, ApiToken.id)
    if not revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return [
        TokenInfo(
            t.name,
            tuple(t.scopes.split()),
            t.rate_per_minute,
            t.created_at,
            t.last_used_at,
            t.revoked_at,
        )
        for t in db.scalars(query)
    ]


def revoke(db: Session, name: str, now: datetime) -> None:
    row = _live(db, name.strip())
    if row is None:
        raise TokenProblem(f"no token named {name.strip()[:NAME_CHARS]!r} in use")
    row.revoked_at = now


class Presented(NamedTuple):
    """What a request's check needs of its token: read as one row, not as an ORM object, since
    every API request pays for it."""

    id: int
    scopes: str
    rate_per_minute: int
    last_used_at: datetime | None


@functools.cache
def _by_hash() -> Select[int, str, int, datetime | None]:
    return select(
        ApiToken.id, ApiToken.scopes, ApiToken.rate_per_minute, ApiToken.last_used_at
    ).where(ApiToken.token_hash == bindparam("hash"), ApiToken.revoked_at.is_(None))


def find(db: Session, token: str) -> Presented | None:
    """The live token a request presents; None when unknown or revoked."""
    row = db.connection().execute(_by_hash(), {"hash": token_hash(token)}).first()
    return Presented(row[0], row[1], row[2], row[3]) if row is not None else None


def allows(row: Presented, scope: str) -> bool:
    granted = row.scopes.split()
    return ALL in granted or scope in granted


def touch(db: Session, row: Presented, now: datetime) -> bool:
    """Record the use, at most every `USED_EVERY`; True when it wrote and wants a commit."""
    if row.last_used_at is not None and now - row.last_used_at < USED_EVERY:
        return False
    db.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return True


def _live(db: Session, name: str) -> ApiToken | None:
    return db.scalar(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None)))
