"""Who calls the API: the bearer token (401 when missing, unknown or revoked), its own rate
limit (429 with Retry-After), then its scopes (403)."""

from __future__ import annotations

import threading

from flask import current_app, request

from sidecar.cockpit.api import tokens
from sidecar.cockpit.api.errors import ApiError
from sidecar.cockpit.context import db, now
from sidecar.ratelimit import RateLimiter

EXTENSION = "cockpit_api_limiters"
CHALLENGE = 'Bearer realm="ojt-sidecar"'


class Limiters:
    """A sliding-minute limiter per token, each at that token's own rate. A token whose rate
    was changed gets a fresh limiter; one process's count, as for the cockpit's sign-in."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_token: dict[int, RateLimiter] = {}

    def spend(self, token_id: int, per_minute: int) -> int | None:
        with self._lock:
            limiter = self._by_token.get(token_id)
            if limiter is None or limiter.per_minute != per_minute:
                limiter = self._by_token[token_id] = RateLimiter(per_minute)
        return limiter.spend(str(token_id))


def admit(scope: str) -> None:
    """Let the request in, or raise the ApiError that says why not."""
    given = request.authorization
    if given is None or given.type != "bearer" or not given.token:
        raise ApiError(
            401,
            "This address needs a bearer token: Authorization: Bearer ojt_...",
            {"WWW-Authenticate": CHALLENGE},
        )
    row = tokens.find(db(), given.token)
    if row is None:
        raise ApiError(
            401,
            "This token is unknown or was revoked.",
            {"WWW-Authenticate": f'{CHALLENGE}, error="invalid_token"'},
        )
    limiters: Limiters = current_app.extensions[EXTENSION]
    wait = limiters.spend(row.id, row.rate_per_minute)
    if wait is not None:
        raise ApiError(
            429,
            f"This token may make {row.rate_per_minute} requests a minute; retry in {wait} s.",
            {"Retry-After": str(wait)},
        )
    if not tokens.allows(row, scope):
        raise ApiError(
            403,
            f"This token does not have the {scope!r} scope.",
            {"WWW-Authenticate": f'{CHALLENGE}, error="insufficient_scope", scope="{scope}"'},
        )
    if tokens.touch(db(), row, now()):
        db().commit()
