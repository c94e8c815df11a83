"""The retry decision: transient and safe to repeat, or not at all."""

from __future__ import annotations

from typing import Any

import pytest

from connectors import errors
from connectors.retry import RetryPolicy, call_with_retry, should_retry

FAST = RetryPolicy(
    max_attempts=4, initial_backoff_seconds=0.01, max_backoff_seconds=0.02, jitter_seconds=0.0
)


def flaky(failures: list[BaseException]) -> Any:
    calls: list[int] = []

    def fn() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "ok"

    fn.calls = calls  # type: ignore[attr-defined]
    return fn


@pytest.mark.parametrize(
    "exc",
    [
        errors.OdooConnectionError("refused"),
        errors.OdooUnavailableError("503", status=503),
        errors.OdooConcurrencyError("serialization"),
    ],
)
def test_write_is_retried_when_odoo_cannot_have_applied_it(exc: errors.OdooError) -> None:
    fn = flaky([exc, exc])
    assert call_with_retry(fn, policy=FAST, read_only=False, what="t", sleep=lambda s: None) == "ok"
    assert len(fn.calls) == 3


@pytest.mark.parametrize(
    "exc",
    [
        errors.OdooTimeoutError("slow", may_have_applied=True),
        errors.OdooConnectionError("reset after sending", may_have_applied=True),
        errors.OdooUnavailableError("504", status=504, may_have_applied=True),
    ],
)
def test_write_that_may_have_applied_is_never_resent(exc: errors.OdooError) -> None:
    fn = flaky([exc])
    with pytest.raises(type(exc)) as raised:
        call_with_retry(fn, policy=FAST, read_only=False, what="t", sleep=lambda s: None)
    assert raised.value.may_have_applied
    assert len(fn.calls) == 1


def test_read_is_retried_even_after_an_ambiguous_failure() -> None:
    fn = flaky([errors.OdooTimeoutError("slow", may_have_applied=True)])
    assert call_with_retry(fn, policy=FAST, read_only=True, what="t", sleep=lambda s: None) == "ok"
    assert len(fn.calls) == 2


@pytest.mark.parametrize(
    "exc",
    [
        errors.OdooAuthenticationError("bad password"),
        errors.OdooAccessError("denied"),
        errors.OdooValidationError("invalid"),
        errors.OdooMissingRecordError("gone"),
        errors.OdooServerError("ValueError: bad field"),
    ],
)
def test_business_errors_are_never_retried(exc: errors.OdooError) -> None:
    fn = flaky([exc])
    with pytest.raises(type(exc)):
        call_with_retry(fn, policy=FAST, read_only=True, what="t", sleep=lambda s: None)
    assert len(fn.calls) == 1
    assert not should_retry(exc, read_only=True)


def test_retries_stop_at_the_configured_cap_and_each_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fn = flaky([errors.OdooConnectionError("refused") for _ in range(10)])
    with pytest.raises(errors.OdooConnectionError):
        call_with_retry(
            fn, policy=FAST, read_only=True, what="res.partner.read", sleep=lambda s: None
        )
    assert len(fn.calls) == FAST.max_attempts
    retry_lines = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retry_lines) == FAST.max_attempts - 1
    assert "res.partner.read" in retry_lines[0].getMessage()


def test_backoff_grows_exponentially_up_to_the_cap() -> None:
    policy = RetryPolicy(
        max_attempts=6, initial_backoff_seconds=1, max_backoff_seconds=4, jitter_seconds=0
    )
    waits: list[float] = []
    fn = flaky([errors.OdooConnectionError("refused") for _ in range(10)])
    with pytest.raises(errors.OdooConnectionError):
        call_with_retry(fn, policy=policy, read_only=True, what="t", sleep=waits.append)
    assert waits == [1, 2, 4, 4, 4]
