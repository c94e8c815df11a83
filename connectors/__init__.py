"""The Odoo connector: speaks Odoo's external API and knows nothing of the sidecar's tables.

Use `OdooClient(OdooSettings(...))`. Everything it raises is a `connectors.errors.OdooError`.
"""

from connectors.client import CallStats, OdooClient, OdooSettings, ServerVersion
from connectors.errors import (
    OdooAccessError,
    OdooAuthenticationError,
    OdooConcurrencyError,
    OdooConnectionError,
    OdooError,
    OdooMissingRecordError,
    OdooProtocolError,
    OdooServerError,
    OdooTimeoutError,
    OdooTransientError,
    OdooUnavailableError,
    OdooUnknownDatabaseError,
    OdooUnknownMethodError,
    OdooUnknownModelError,
    OdooValidationError,
)
from connectors.paging import Cursor, Page
from connectors.retry import RetryPolicy

__all__ = [
    "CallStats",
    "Cursor",
    "OdooAccessError",
    "OdooAuthenticationError",
    "OdooClient",
    "OdooConcurrencyError",
    "OdooConnectionError",
    "OdooError",
    "OdooMissingRecordError",
    "OdooProtocolError",
    "OdooServerError",
    "OdooSettings",
    "OdooTimeoutError",
    "OdooTransientError",
    "OdooUnavailableError",
    "OdooUnknownDatabaseError",
    "OdooUnknownMethodError",
    "OdooUnknownModelError",
    "OdooValidationError",
    "Page",
    "RetryPolicy",
    "ServerVersion",
]
