"""How the register says the store cannot answer: a reason for operators, and a dropped
pooled connection worth one retry."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

log = logging.getLogger("verify_site.records")

STORE_DOWN = "the store does not answer"


class Dropped(Exception):
    """The server dropped a pooled connection (SQLAlchemy invalidated the pool): worth a retry."""


def failed(exc: SQLAlchemyError, reason: str) -> str:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        raise Dropped(reason) from exc
    log.warning("%s", reason, exc_info=True)
    return reason


class RegisterUnavailable(Exception):
    """The store cannot answer (down, no schema, outdated schema); `reason` is for operators."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
