"""certificates.message may be as long as a certificate prints (sidecar/certificates/limits.py):
check-config refuses a longer one in one sentence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sidecar.certificates.limits import MESSAGE_LIMIT
from tests.config.conftest import Loader


def test_a_message_at_the_limit_loads(load: Loader, minimal: dict[str, Any]) -> None:
    start = "Congratulations, {participant}! You completed {program}."
    message = (start + " Well done." * 60)[: MESSAGE_LIMIT - 1] + "!"
    assert len(message) == MESSAGE_LIMIT  # longer than the 200 characters of other texts
    minimal["certificates"] = {"message": message}
    assert load(minimal).certificates.message == message


def test_a_message_beyond_the_limit_is_refused(
    problem: Callable[..., str], minimal: dict[str, Any]
) -> None:
    minimal["certificates"] = {"message": "Well done, {participant}. " + "x" * MESSAGE_LIMIT}
    assert problem(minimal) == "certificates.message: must be at most 600 characters (got 626)"
