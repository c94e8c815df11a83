"""Event stages, event tags and the event kanban state on each Odoo version, over XML-RPC, as
recorded from real servers (docs/odoo-notes.md §17, §18)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from sidecar.emulator import OdooEmulator

from .conftest import Rpc, last_line

VERSIONS = ("16.0", "17.0", "18.0", "19.0", "20.0")

# The stages of each version, as `search_read` answers them in sequence order.
NEW = (1, "New", 1, False, "Freshly created")
ANNOUNCED = (3, "Announced", 3, False, "The event has been publicly announced")
CANCELLED = (5, "Cancelled", 6, True, "The event has been cancelled")
STAGES_17 = [
    NEW,
    (2, "Booked", 2, False, "The place has been reserved"),
    ANNOUNCED,
    (4, "Ended", 5, True, "Fully ended"),
    CANCELLED,
]
ENDED_18 = (
    4,
    "Ended",
    5,
    True,
    "Finished events. Odoo will automatically move them to this stage once their end date has "
    "passed.",
)
STAGES_18 = [NEW, (2, "Booked", 2, False, ""), ANNOUNCED, ENDED_18, CANCELLED]
STAGES = {
    "16.0": STAGES_17,
    "17.0": STAGES_17,
    "18.0": STAGES_18,
    "19.0": STAGES_18[:4],
    "20.0": STAGES_18[:4],
}

TAG_FAULT_17 = (
    "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
    "- Delete: another model requires the record being deleted. If possible, archive it instead."
    "\n\nModel: Event Tag (event.tag)\nField: Category (category_id)\n"
)
TAG_FAULT_19 = (
    "The operation cannot be completed: Missing required value for the field 'Category' "
    "(category_id).\nModel: 'Event Tag' (event.tag)\n- create/update: a mandatory field is not "
    "set\n- delete: another model requires the record being deleted, you can archive it instead\n"
)


@pytest.fixture(scope="module", params=VERSIONS)
def rpc(request: pytest.FixtureRequest) -> Iterator[Rpc]:
    with OdooEmulator(demo=True, version=request.param) as emu:
        yield Rpc(emu)


def _version(rpc: Rpc) -> str:
    return rpc.emu.version


def _event(rpc: Rpc, name: str) -> int:
    vals = {"name": name, "date_begin": "2026-12-02 19:47:32", "date_end": "2026-12-03 20:47:32"}
    return int(rpc.ek("event.event", "create", [vals]))


def test_stages_as_the_event_module_installs_them(rpc: Rpc) -> None:
    fields = ["name", "sequence", "fold", "pipe_end", "description"]
    rows = rpc.ek("event.stage", "search_read", [[], fields])
    got = [(r["id"], r["name"], r["sequence"], r["pipe_end"], r["description"]) for r in rows]
    assert got == STAGES[_version(rpc)]
    assert all(r["fold"] == r["pipe_end"] for r in rows)
    ended = rpc.ek("event.stage", "search", [[("pipe_end", "=", True)]])
    assert ended == ([4, 5] if _version(rpc) < "19.0" else [4])


def test_a_new_event_starts_in_the_first_stage(rpc: Rpc) -> None:
    eid = _event(rpc, "RPCREF OJT Induction stage")
    assert rpc.ek("event.event", "read", [[eid], ["stage_id"]]) == [
        {"id": eid, "stage_id": [1, "New"]}
    ]


def test_a_tag_needs_a_category(rpc: Rpc) -> None:
    fault = rpc.fault("event.tag", "create", [{"name": "RPCREF no category"}])
    assert fault.faultCode == 2
    if _version(rpc) < "19.0":
        assert "\nField: Category (category_id)" in fault.faultString
    else:
        assert "Missing required value for the field 'Category' (category_id)." in (
            fault.faultString
        )


def test_the_missing_category_fault_text(rpc: Rpc) -> None:
    fault = rpc.fault("event.tag", "create", [{"name": "RPCREF no category"}])
    text = TAG_FAULT_17 if _version(rpc) < "19.0" else TAG_FAULT_19
    # the recorded texts end with a newline, the emulator's required-field faults do not
    assert fault.faultString.rstrip("\n") == text.rstrip("\n")


def test_tags_on_an_event_and_searching_by_tag(rpc: Rpc) -> None:
    category = rpc.ek("event.tag.category", "create", [{"name": "RPCREF OJT 204717"}])
    tag = rpc.ek("event.tag", "create", [{"name": "OJT: cohort 2026-12", "category_id": category}])
    assert rpc.ek("event.tag", "read", [[tag], ["display_name", "category_id"]]) == [
        {
            "id": tag,
            "display_name": "OJT: cohort 2026-12",
            "category_id": [category, "RPCREF OJT 204717"],
        }
    ]
    eid = _event(rpc, "RPCREF OJT Induction 204717")
    assert rpc.ek("event.event", "write", [[eid], {"tag_ids": [[4, tag]]}]) is True
    assert rpc.ek("event.event", "read", [[eid], ["tag_ids"]]) == [{"id": eid, "tag_ids": [tag]}]
    assert rpc.ek("event.event", "read", [[eid], ["tag_ids"]], {"load": ""}) == [
        {"id": eid, "tag_ids": [tag]}
    ]
    for leaf in (
        ("tag_ids.name", "=", "OJT: cohort 2026-12"),
        ("tag_ids", "ilike", "cohort 2026"),
        ("tag_ids", "in", [tag]),
        ("tag_ids.category_id.name", "=", "RPCREF OJT 204717"),
    ):
        assert rpc.ek("event.event", "search", [[leaf]]) == [eid], leaf


def test_kanban_state_cancel_is_new_in_19(rpc: Rpc) -> None:
    eid = _event(rpc, "RPCREF kanban")
    args = [[eid], {"kanban_state": "cancel"}]
    if _version(rpc) >= "19.0":
        assert rpc.ek("event.event", "write", args) is True
        assert rpc.ek("event.event", "read", [[eid], ["kanban_state"]])[0]["kanban_state"] == (
            "cancel"
        )
        return
    fault = rpc.fault("event.event", "write", args)
    assert last_line(fault) == "ValueError: Wrong value for event.event.kanban_state: 'cancel'"
    assert rpc.ek("event.event", "read", [[eid], ["kanban_state"]])[0]["kanban_state"] == "normal"


def _open_event(rpc: Rpc, name: str, days: int = 5) -> int:
    """An event running from yesterday to `days` days ahead (negative: it ended)."""
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    vals = {
        "name": name,
        "date_begin": str(now - timedelta(days=abs(days) + 1)),
        "date_end": str(now + timedelta(days=days)),
    }
    return int(rpc.ek("event.event", "create", [vals]))


def test_register_attendee_checks_in_by_barcode(rpc: Rpc) -> None:
    """docs/odoo-notes.md §17: 17.0+ check attendees in by barcode; 16.0 Community has no such
    method and no barcode."""
    event, other = _open_event(rpc, "RPCREF desk"), _open_event(rpc, "RPCREF other desk")
    reg = rpc.ek("event.registration", "create", [{"event_id": event, "name": "RPCREF Walk-in"}])
    if _version(rpc) == "16.0":
        fault = rpc.fault("event.registration", "register_attendee", ["nobarcode", event])
        assert last_line(fault) == (
            "AttributeError: The method 'event.registration.register_attendee' does not exist"
        )
        return
    barcode = rpc.ek("event.registration", "read", [[reg], ["barcode"]])[0]["barcode"]
    assert barcode.isdigit()
    first = rpc.ek("event.registration", "register_attendee", [barcode, event])
    keys = {
        "17.0": ["id", "name", "partner_id", "ticket_name", "event_id", "event_display_name",
                 "company_name", "registration_answers", "status"],
        "18.0": ["id", "name", "partner_id", "ticket_name", "event_id", "event_display_name",
                 "registration_answers", "company_name", "iot_printers", "badge_format", "status"],
    }.get(_version(rpc), ["id", "name", "partner_id", "slot_name", "ticket_name", "event_id",
                          "event_display_name", "registration_answers", "company_name",
                          "badge_format", "date_closed_formatted", "is_date_closed_today",
                          "status"])  # fmt: skip
    assert sorted(first) == sorted(keys)
    assert first["status"] == "confirmed_registration" and first["event_id"] == event
    assert first["ticket_name"] == ("None" if _version(rpc) == "17.0" else False)
    state = rpc.ek("event.registration", "read", [[reg], ["state", "date_closed"]])[0]
    assert state["state"] == "done" and state["date_closed"]
    again = rpc.ek(
        "event.registration", "register_attendee", [], {"barcode": barcode, "event_id": event}
    )
    assert again["status"] == "already_registered"
    if _version(rpc) >= "19.0":
        assert again["is_date_closed_today"] is True
    assert rpc.ek("event.registration", "register_attendee", ["0000", event]) == {
        "error": "invalid_ticket"
    }
    elsewhere = rpc.ek("event.registration", "create", [{"event_id": event, "name": "RPCREF B"}])
    code = rpc.ek("event.registration", "read", [[elsewhere], ["barcode"]])[0]["barcode"]
    scanned = rpc.ek("event.registration", "register_attendee", [code, other])
    assert scanned["status"] == "need_manual_confirmation"
    rpc.ek("event.registration", "write", [[elsewhere], {"state": "cancel"}])
    cancelled = rpc.ek("event.registration", "register_attendee", [code, event])
    assert cancelled["status"] == "canceled_registration"
    over = _open_event(rpc, "RPCREF over", days=-1)
    late = rpc.ek("event.registration", "create", [{"event_id": over, "name": "RPCREF late"}])
    code = rpc.ek("event.registration", "read", [[late], ["barcode"]])[0]["barcode"]
    assert rpc.ek("event.registration", "register_attendee", [code, over])["status"] == (
        "not_ongoing_event"
    )
