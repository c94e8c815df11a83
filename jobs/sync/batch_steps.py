"""The sync's two steps around batches: the batches tagged in Odoo, found before the streams
(their events join the scope), and the assignments of each batch, followed after them (they
need the registrations just read). A refusal (no access to event tags, a template project
that is missing) is a problem of the cycle, not its end; a transient error still ends it, like
any other read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from connectors import OdooClient, OdooError, OdooTransientError
from jobs.assignments import AssignmentReport, sync_assignments
from jobs.incremental.batch_tags import discover_batches
from sidecar.config import Config


def discover(session: Session, client: OdooClient, cfg: Config) -> list[str]:
    """`jobs.incremental.batch_tags`, unless the Events app is off."""
    if "events" not in cfg.required_apps():
        return []
    try:
        with session.begin_nested():
            discover_batches(session, client, cfg.sync.batch_tag_category)
    except OdooTransientError:
        raise
    except OdooError as exc:
        return [f"batches from tagged events: {exc}"]
    return []


def assignments(
    session: Session, client: OdooClient, cfg: Config, clock: Callable[[], datetime]
) -> AssignmentReport | None:
    """`jobs.assignments`, unless the Project app is off (None)."""
    if "project" not in cfg.required_apps():
        return None
    try:
        with session.begin_nested():
            return sync_assignments(session, client, cfg, clock())
    except OdooTransientError:
        raise
    except OdooError as exc:
        return AssignmentReport(problems=[f"assignments: {exc}"])
