"""What went wrong talking to Odoo, grouped by what the caller should do next.

Every failure that leaves `connectors/` is one of these; no XML-RPC, HTTP or odoorpc type escapes.
`retryable` answers "may trying again later succeed?"; `may_have_applied` answers "could Odoo
have committed this call although we saw a failure?" (a write that timed out after being sent).
The retry policy (`connectors.retry`) decides from these two attributes alone.
"""

from __future__ import annotations


class OdooError(Exception):
    """Base class: a call to Odoo failed."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        method: str | None = None,
        detail: str | None = None,
        may_have_applied: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.model = model
        self.method = method
        # The server's full text (a traceback for fault code 1): for logs, never for end users.
        self.detail = detail
        self.may_have_applied = may_have_applied

    def __str__(self) -> str:
        where = f"{self.model}.{self.method}: " if self.model and self.method else ""
        return f"{where}{self.message}"


# --- transient: trying again later can succeed -------------------------------------------------


class OdooTransientError(OdooError):
    """Odoo or the network failed for a reason that may pass."""

    retryable = True


class OdooConnectionError(OdooTransientError):
    """Could not connect, or the connection broke (refused, reset, closed without an answer)."""


class OdooTimeoutError(OdooTransientError):
    """Odoo did not answer within the configured timeout."""


class OdooUnavailableError(OdooTransientError):
    """A proxy or Odoo answered HTTP 502, 503 or 504."""

    def __init__(self, message: str, *, status: int, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.status = status


class OdooConcurrencyError(OdooTransientError):
    """PostgreSQL refused the transaction (serialization failure, concurrent update); it was
    rolled back, so running it again is safe."""


# --- permanent: trying again will fail the same way ---------------------------------------------


class OdooAuthenticationError(OdooError):
    """The login or password/API key was refused."""


class OdooUnknownDatabaseError(OdooError):
    """The configured database does not exist on this Odoo server."""


class OdooAccessError(OdooError):
    """The user is authenticated but not allowed to do this (access rights, record rules)."""


class OdooMissingRecordError(OdooError):
    """The record does not exist or has been deleted."""


class OdooValidationError(OdooError):
    """Odoo refused the data or the action (UserError, ValidationError, constraints)."""


class OdooUnknownModelError(OdooError):
    """The model does not exist: its app is probably not installed."""


class OdooUnknownMethodError(OdooError):
    """The method does not exist on the model (or is private)."""


class OdooServerError(OdooError):
    """Any other exception raised inside Odoo (bad field, bad value, a bug)."""


class OdooProtocolError(OdooError):
    """The answer was not what the protocol promises (bad HTTP status, unreadable body)."""
