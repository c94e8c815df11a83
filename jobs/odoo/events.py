"""Events: a batch's event (its end, its stage) and the attendance of its registrations."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from connectors import OdooClient
from jobs.odoo.profile import OdooProfile
from jobs.odoo.reads import WITH_ARCHIVED, AppNeeds, Row, Stream, as_text, fields_of, m2o, required
from sidecar.outbox import Lookup, Write
from sidecar.store.models import AttendanceRecord

EVENT = "event.event"
REGISTRATION = "event.registration"
STAGE = "event.stage"
TAG = "event.tag"
TAG_CATEGORY = "event.tag.category"


def _registration(row: Row) -> dict[str, Any]:
    return {
        "event_id": required(row, "event_id"),
        "partner_id": m2o(row.get("partner_id")),
        "state": as_text(row.get("state")) or "draft",
        "active": bool(row.get("active", True)),
        # the attendee's ticket code (17.0+): the check-in desk's scan, the trainee's QR code
        "barcode": as_text(row.get("barcode")) or None,
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
# 17.0 gives every registration a `barcode`, which the check-in desk scans.
ATTENDANCE_BARCODES = replace(ATTENDANCE, fields=(*ATTENDANCE.fields, "barcode"))
STREAMS = (ATTENDANCE,)


def streams(profile: OdooProfile) -> tuple[Stream, ...]:
    return (ATTENDANCE_BARCODES,) if profile.major >= 17 else STREAMS


TAGGED_FIELDS = ("tag_ids", "name", "date_begin", "date_end", "description")
STATE_FIELDS = ("stage_id", "kanban_state")
STAGE_FIELDS = ("name", "pipe_end")


def needs(profile: OdooProfile) -> AppNeeds:
    return AppNeeds(
        "Events",
        (EVENT, REGISTRATION, STAGE, TAG, TAG_CATEGORY),
        (),
        fields_of(streams(profile), (EVENT, TAGGED_FIELDS + STATE_FIELDS), (STAGE, STAGE_FIELDS)),
    )


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


# --- batches found by tag (programs[].batch_tag) --------------------------------------------


@dataclass(frozen=True)
class TaggedEvent:
    """An event carrying a batch tag: a batch, with what the sidecar keeps of it."""

    id: int
    tag_ids: tuple[int, ...]
    name: str
    begin: str | None  # UTC text, as Odoo gives it
    end: str | None
    description: str  # HTML, as Odoo keeps it


def batch_tags(
    client: OdooClient, category: str, names: list[str]
) -> tuple[int | None, dict[str, int]]:
    """The tag category's id (None when missing) and the id of each named tag in it. Tag names
    are not unique: the oldest tag of a name wins."""
    found = client.search_read_list(TAG_CATEGORY, [("name", "=", category)], ["name"], order="id")
    category_id = int(found[0]["id"]) if found else None
    if category_id is None or not names:
        return category_id, {}
    rows = client.search_read_list(
        TAG, [("category_id", "=", category_id), ("name", "in", names)], ["name"], order="id"
    )
    tags: dict[str, int] = {}
    for row in rows:
        tags.setdefault(str(row["name"]), int(row["id"]))
    return category_id, tags


def events_tagged(client: OdooClient, tag_ids: list[int]) -> list[TaggedEvent]:
    """The (active) events carrying any of these tags."""
    if not tag_ids:
        return []
    rows = client.search_read_list(EVENT, [("tag_ids", "in", tag_ids)], list(TAGGED_FIELDS))
    return [
        TaggedEvent(
            id=int(r["id"]),
            tag_ids=tuple(int(t) for t in r.get("tag_ids") or ()),
            name=as_text(r.get("name")) or f"Event {r['id']}",
            begin=as_text(r.get("date_begin")),
            end=as_text(r.get("date_end")),
            description=as_text(r.get("description")) or "",
        )
        for r in rows
    ]


def events_not_over(client: OdooClient, event_ids: list[int]) -> set[int]:
    """Of these events, those not in an end stage (and not cancelled by kanban state)."""
    if not event_ids:
        return set()
    rows = client.read(EVENT, event_ids, list(STATE_FIELDS), names=False)
    stages = sorted({s for r in rows if (s := m2o(r.get("stage_id"))) is not None})
    ending = {int(r["id"]) for r in client.read(STAGE, stages, ["pipe_end"]) if r.get("pipe_end")}
    return {
        int(r["id"])
        for r in rows
        if m2o(r.get("stage_id")) not in ending and r.get("kanban_state") != "cancel"
    }


def registered_partners(client: OdooClient, event_ids: list[int]) -> list[tuple[int, int]]:
    """(event, partner) of the registrations that are not cancelled."""
    if not event_ids:
        return []
    rows = client.search_read_list(
        REGISTRATION,
        [("event_id", "in", event_ids), ("state", "!=", "cancel")],
        ["event_id", "partner_id"],
        names=False,
    )
    return [
        (int(r["event_id"]), partner)
        for r in rows
        if (partner := m2o(r.get("partner_id"))) is not None
    ]


@dataclass(frozen=True)
class StageOfEvent:
    ended: bool  # in an end stage (pipe_end) that is not a cancelled one
    cancelled: bool


def event_state(client: OdooClient, event_id: int) -> tuple[int | None, str | None]:
    """The event's stage id and kanban state, read afresh (an event moves between stages);
    (None, None) for an event that is gone."""
    rows = client.read(EVENT, [event_id], list(STATE_FIELDS), names=False)
    if not rows:
        return None, None
    return m2o(rows[0].get("stage_id")), as_text(rows[0].get("kanban_state"))


@dataclass(frozen=True)
class EventStage:
    name: str
    ends: bool  # pipe_end: events in it are over (Ended, and Cancelled on 16.0-18.0)


def event_stage(client: OdooClient, stage_id: int) -> EventStage | None:
    found = client.read(STAGE, [stage_id], list(STAGE_FIELDS))
    if not found:
        return None
    return EventStage(as_text(found[0].get("name")) or "", bool(found[0].get("pipe_end")))


def outcome(
    kanban_state: str | None, stage: EventStage | None, cancelled_stages: tuple[str, ...]
) -> StageOfEvent:
    """Whether the event is over, and whether it was cancelled: by a cancelled stage (16.0-18.0
    ship one, marked as an end stage like "Ended") or by its kanban state (19.0+)."""
    if kanban_state == "cancel" or (stage is not None and stage.name in cancelled_stages):
        return StageOfEvent(ended=False, cancelled=True)
    return StageOfEvent(ended=stage is not None and stage.ends, cancelled=False)


def create_tag_category(key: str, category: str) -> Write:
    return Write(
        key=key,
        model=TAG_CATEGORY,
        method="create",
        params={"vals_list": {"name": category}},
        lookup=Lookup(TAG_CATEGORY, [("name", "=", category)]),
        summary=f"create the event tag category {category!r}",
    )


def create_tag(key: str, name: str, category: str, category_id: Any) -> Write:
    return Write(
        key=key,
        model=TAG,
        method="create",
        params={"vals_list": {"name": name, "category_id": category_id}},
        lookup=Lookup(TAG, [("name", "=", name), ("category_id.name", "=", category)]),
        summary=f"create the event tag {name!r} in {category!r}",
    )


def responsibles(client: OdooClient, event_ids: list[int]) -> dict[int, int]:
    """The responsible user of each event (event.event `user_id`), where one is set."""
    if not event_ids:
        return {}
    rows = client.read(EVENT, event_ids, ["user_id"], names=False)
    found = {int(r["id"]): m2o(r.get("user_id")) for r in rows}
    return {event: user for event, user in found.items() if user is not None}


def responsible_for(client: OdooClient, uid: int, event_ids: list[int]) -> list[int]:
    """Of these events, those whose responsible user is `uid`."""
    if not event_ids:
        return []
    return sorted(client.search(EVENT, [("id", "in", event_ids), ("user_id", "=", uid)]))


def set_responsible(key: str, event_id: int, user_id: int, subject: str) -> Write:
    """Make `user_id` the event's responsible (a batch's mentor, from the cockpit)."""
    return Write(
        key=key,
        model=EVENT,
        method="write",
        ids=[event_id],
        params={"vals": {"user_id": user_id}},
        summary=f"make user {user_id} responsible for event {event_id}",
        subject=subject,
    )


def mark_attended(registration_id: int, event_id: int, barcode: str | None) -> Write:
    """The registration marked attended: Odoo's check-in desk call where there is a barcode
    (17.0+; it answers a status such as `already_registered` rather than a fault), else the
    state write. Found again as the registration in state `done`."""
    if barcode:
        method, ids = "register_attendee", None
        params: dict[str, Any] = {"barcode": barcode, "event_id": event_id}
    else:
        method, ids, params = "write", [registration_id], {"vals": {"state": "done"}}
    return Write(
        key=f"checkin:{registration_id}",
        model=REGISTRATION,
        method=method,
        ids=ids,
        params=params,
        lookup=Lookup(REGISTRATION, [("id", "=", registration_id), ("state", "=", "done")]),
        summary=f"mark registration {registration_id} attended",
        subject=f"checkin:{event_id}",
    )
