"""The `webhooks` section: events the sidecar sends to other systems
(docs/outgoing-webhooks.md), signed in the Standard Webhooks format and delivered with
retries."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator

from sidecar.config.base import Finding, Section, have, list_check
from sidecar.config.fieldtypes import HttpUrl, Secret

EventType = Literal[
    "certificate.issued", "certificate.revoked", "trainee.completed", "trainee.enrolled"
]
EVENT_TYPES: tuple[EventType, ...] = (
    "certificate.issued",
    "certificate.revoked",
    "trainee.completed",
    "trainee.enrolled",
)


def _one_or_many(value: object) -> object:
    return (value,) if isinstance(value, str) else value


class OutgoingWebhook(Section):
    """One receiver: where to POST, the shared secret that signs each message, and which
    events it wants."""

    _has_cross_checks: ClassVar[bool] = True

    url: HttpUrl
    # `whsec_` and the base64 of 24 to 64 random bytes, from the environment, e.g.
    # secret: ${OJT_WEBHOOK_SECRET}. The receiver checks the signature with the same secret.
    secret: Secret = None
    events: Annotated[
        tuple[EventType, ...], BeforeValidator(_one_or_many), list_check(at_least_one="event")
    ] = EVENT_TYPES

    @classmethod
    def _cross_problems(cls, values: Mapping[str, Any]) -> Iterator[Finding]:
        if not have(values, "secret"):
            return
        secret = values["secret"]
        if secret is None:
            yield (("secret",), "is required: set it, e.g. secret: ${OJT_WEBHOOK_SECRET}")
            return
        text = secret.get_secret_value()
        try:
            key = base64.b64decode(text.removeprefix("whsec_"), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if not text.startswith("whsec_") or not 24 <= len(key) <= 64:
            yield (
                ("secret",),
                "must be whsec_ and the base64 of 24 to 64 random bytes, e.g. from: python3 -c "
                "'import base64,os; print(\"whsec_\" + base64.b64encode(os.urandom(32)).decode())'",
            )
