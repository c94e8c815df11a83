"""When to try a failed call again — decided here, from the error's attributes only.

A call is retried when its error is transient AND running it twice cannot double an effect:
either the method only reads, or Odoo cannot have applied it (connection refused, HTTP 503, a
rolled-back serialization failure). A write whose fate is unknown (a timeout after sending) is
never re-sent blindly: the error goes up with `may_have_applied` set, and the outbox resolves it
with its idempotency key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from connectors.errors import OdooError

log = logging.getLogger("ojt_sidecar.odoo")
T = TypeVar("T")

# Methods that change nothing in Odoo, so repeating them is always safe.
READ_ONLY_METHODS = frozenset(
    {
        "search",
        "search_read",
        "search_count",
        "read",
        "read_group",
        "fields_get",
        "exists",
        "check_access_rights",
        "name_search",
        "default_get",
        "context_get",
        "version",
        "authenticate",
    }
)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, capped; from the operator's config."""

    max_attempts: int = 5
    initial_backoff_seconds: float = 0.5
    max_backoff_seconds: float = 30.0
    jitter_seconds: float = 0.5


def should_retry(exc: BaseException, *, read_only: bool) -> bool:
    """True when trying `exc`'s call again is both useful and safe."""
    if not isinstance(exc, OdooError) or not exc.retryable:
        return False
    return read_only or not exc.may_have_applied


def call_with_retry(
    fn: Callable[[], T],
    *,
    policy: RetryPolicy,
    read_only: bool,
    what: str,
    on_retry: Callable[[OdooError], None] | None = None,
    sleep: Callable[[float], None] = tenacity.nap.sleep,
) -> T:
    """Run `fn`, retrying per `policy` while `should_retry` says so; re-raise the last error."""

    def before_sleep(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "Odoo call %s failed (attempt %d of %d): %s; retrying in %.1f s",
            what,
            state.attempt_number,
            policy.max_attempts,
            exc,
            wait,
        )
        if on_retry is not None and isinstance(exc, OdooError):
            on_retry(exc)

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(policy.max_attempts),
        wait=tenacity.wait_exponential_jitter(
            multiplier=policy.initial_backoff_seconds,
            max=policy.max_backoff_seconds,
            jitter=policy.jitter_seconds,
        ),
        retry=tenacity.retry_if_exception(lambda e: should_retry(e, read_only=read_only)),
        before_sleep=before_sleep,
        reraise=True,
        sleep=sleep,
    )
    return retrying(fn)
