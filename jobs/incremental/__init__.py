"""What sync and enrollment share to read Odoo incrementally: stored cursors (`cursors`), the
config's references resolved to Odoo ids (`scope`), Odoo's datetime format and the
cooperative stop the service asks between pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from connectors.paging import ODOO_DATETIME

# Odoo returns datetimes as naive UTC text cut to the second (the format the connector pages by).
ODOO_SECOND = ODOO_DATETIME

# Asked between pages and rows: True ends the cycle after what was just stored (the service's
# shutdown). Jobs run by hand never stop early.
ShouldStop = Callable[[], bool]


def never() -> bool:
    """The `ShouldStop` of a job run by hand."""
    return False


def odoo_datetime(text: str) -> datetime:
    """An Odoo datetime ('2026-05-01 17:00:00', microseconds ignored) as an aware UTC datetime."""
    return datetime.strptime(text[:19], ODOO_SECOND).replace(tzinfo=UTC)


def odoo_text(moment: datetime) -> str:
    """An aware datetime as Odoo compares it in a domain: UTC, to the second."""
    return moment.astimezone(UTC).strftime(ODOO_SECOND)
