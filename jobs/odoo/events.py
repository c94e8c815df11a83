"""Events: a batch's event (its end, its stage) and the attendance of its registrations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors import OdooClient
from jobs.odoo.reads import WITH_ARCHIVED, AppNeeds, Row, Stream, as_text, fields_of, m2o, required
from sidecar.store.models import AttendanceRecord

EVENT = "event.event"
REGISTRATION = "event.registration"
STAGE = "event.stage"


def _registration(row: Row) -> dict[str, Any]:
    return {
        "event_id": required(row, "event_id"),
        "partner_id": m2o(row.get("partner_id")),
        "state": as_text(row.get("state")) or "draft",
        "active": bool(row.get("active", True)),
    }


ATTENDANCE = Stream(
    "attendance",
    REGISTRATION,
    ("event_id", "partner_id", "state", "active"),
    AttendanceRecord,
    lambda s: [("event_id", "in", list(s.event_ids))],
    _registration,
    lambda s: AttendanceRecord.event_id.in_(s.event_ids),
    include_archived=True,
    scoped_by="events",
)
STREAMS = (ATTENDANCE,)

NEEDS = AppNeeds("Events", (EVENT, REGISTRATION, STAGE), (), fields_of(STREAMS))


@dataclass(frozen=True)
class Event:
    id: int
    name: str
    end: str | None  # UTC text as Odoo gives it, e.g. "2026-05-01 17:00:00"


def events_named(client: OdooClient, ids: list[int], names: list[str]) -> list[Event]:
    """Events by id or exact name (archived too), with their end."""
    domain: list[object] = ["|", ("id", "in", ids), ("name", "in", names)]
    rows = client.search_read_list(EVENT, domain, ["name", "date_end"], context=WITH_ARCHIVED)
    return [Event(int(r["id"]), str(r["name"]), as_text(r.get("date_end"))) for r in rows]


def event_stage(client: OdooClient, event_id: int) -> int | None:
    rows = client.read(EVENT, [event_id], ["stage_id"], names=False)
    return m2o(rows[0]["stage_id"]) if rows else None


def stage_ends_events(client: OdooClient, stage_id: int) -> bool:
    """Whether events in this stage are over (the stage is marked as the pipeline's end)."""
    rows = client.read(STAGE, [stage_id], ["pipe_end"])
    return bool(rows and rows[0].get("pipe_end"))
