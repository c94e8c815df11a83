"""Quirks §9: truncated datetimes compared with microseconds, the keyset loop, paging."""

from __future__ import annotations

from datetime import datetime

import pytest

from .conftest import Rpc, last_line

STAMP = datetime(2026, 11, 22, 3, 38, 49, 549701)


@pytest.fixture
def pid(emu) -> int:
    with emu.env.transaction(at=STAMP):
        return int(emu.env.create("res.partner", {"name": "Dated"}))


def test_datetimes_come_back_cut_to_the_second(rpc: Rpc, pid: int) -> None:
    row = rpc.ek("res.partner", "read", [[pid], ["write_date", "create_date"]])[0]
    assert row["write_date"] == row["create_date"] == "2026-11-22 03:38:49"
    ctx = {"context": {"tz": "Asia/Tokyo"}}
    assert rpc.ek("res.partner", "read", [[pid], ["write_date"]], ctx)[0]["write_date"] == (
        "2026-11-22 03:38:49"
    )


def test_comparisons_use_microseconds(rpc: Rpc, pid: int) -> None:
    def search(*domain: list) -> list[int]:
        return rpc.ek("res.partner", "search", [[["id", "=", pid], *domain]])

    assert search(["write_date", ">", "2026-11-22 03:38:49"]) == [pid]
    assert search(["write_date", "=", "2026-11-22 03:38:49"]) == []
    assert search(
        ["write_date", ">=", "2026-11-22 03:38:49"], ["write_date", "<", "2026-11-22 03:38:50"]
    ) == [pid]
    for literal in (
        "2024-01-01",
        "2024-01-01T00:00:00",
        "2024-01-01T00:00:00Z",
        "2024-01-01 00:00:00.123456",
        "01/01/2024",
    ):
        assert search(["write_date", ">", literal]) == [pid], literal
    # offsets are ignored (not honoured)
    assert search(["write_date", ">", "2026-11-22 05:38:40+02:00"]) == []
    assert search(["write_date", ">", "2026-11-22T05:38:40 Europe/Brussels"]) == []
    # a date alone with ">" means after the end of that day
    assert search(["write_date", ">", "2026-11-22"]) == []
    assert search(["write_date", ">=", "2026-11-22"]) == [pid]
    assert search(["write_date", "<=", "2026-11-22"]) == [pid]


def test_not_a_date_is_a_database_error(rpc: Rpc) -> None:
    fault = rpc.fault("res.partner", "search", [[["write_date", ">", "not a date"]]])
    assert fault.faultCode == 1
    assert last_line(fault).startswith("psycopg2.errors.InvalidDatetimeFormat: ")
    # "not a date" has 10 characters, so Odoo appends " 23:59:59" as for a date-only value
    assert '"not a date 23:59:59"' in last_line(fault)


def test_the_naive_keyset_loop_returns_the_same_page(emu, rpc: Rpc) -> None:
    with emu.env.transaction(at=STAMP):
        ids = emu.env.create("res.partner", [{"name": f"Batch {i}"} for i in range(5)])
    domain0 = [["id", "in", ids]]
    kw = {"fields": ["id", "write_date"], "order": "write_date asc, id asc", "limit": 3}
    page1 = rpc.ek("res.partner", "search_read", [domain0], kw)
    assert [r["id"] for r in page1] == ids[:3]
    last = page1[-1]
    domain = [
        *domain0,
        "|",
        ["write_date", ">", last["write_date"]],
        "&",
        ["write_date", "=", last["write_date"]],
        ["id", ">", last["id"]],
    ]
    page2 = rpc.ek("res.partner", "search_read", [domain], kw)
    assert [r["id"] for r in page2] == ids[:3]
    assert (
        rpc.ek("res.partner", "search_count", [[*domain0, ["write_date", "=", last["write_date"]]]])
        == 0
    )
    window = [
        *domain0,
        ["write_date", ">=", "2026-11-22 03:38:49"],
        ["write_date", "<", "2026-11-22 03:38:50"],
    ]
    assert rpc.ek("res.partner", "search", [window]) == ids


def test_one_call_one_timestamp(emu, rpc: Rpc) -> None:
    ids = rpc.ek("res.partner", "create", [[{"name": "A"}, {"name": "B"}]])
    rows = emu.store.tables["res.partner"].rows
    assert rows[ids[0]]["write_date"] == rows[ids[1]]["write_date"]
    assert rows[ids[0]]["write_date"].microsecond == rows[ids[1]]["write_date"].microsecond


def test_clock_controls(emu, rpc: Rpc) -> None:
    emu.freeze(datetime(2030, 1, 2, 3, 4, 5, 600000))
    pid = rpc.ek("res.partner", "create", [{"name": "Frozen"}])
    emu.advance(10)
    rpc.ek("res.partner", "write", [[pid], {"name": "Later"}])
    row = rpc.ek("res.partner", "read", [[pid], ["create_date", "write_date"]])[0]
    assert row == {
        "id": pid,
        "create_date": "2030-01-02 03:04:05",
        "write_date": "2030-01-02 03:04:15",
    }


def test_order_limit_offset_and_positional_search_read(rpc: Rpc) -> None:
    total = rpc.ek("res.partner", "search_count", [[]])
    assert len(rpc.ek("res.partner", "search_read", [[]], {"fields": ["id"], "limit": 0})) == total
    rows = rpc.ek("res.partner", "search_read", [[], ["id", "name"], 0, 2, "id desc"])
    all_ids = sorted(rpc.ek("res.partner", "search", [[]]), reverse=True)
    assert [r["id"] for r in rows] == all_ids[:2]
    page = rpc.ek("res.partner", "search", [[]], {"order": "id asc", "limit": 3, "offset": 3})
    assert page == sorted(all_ids)[3:6]


def test_active_test(rpc: Rpc) -> None:
    visible = rpc.ek("res.partner", "search_count", [[]])
    everything = rpc.ek("res.partner", "search_count", [[]], {"context": {"active_test": False}})
    assert everything > visible
    assert rpc.ek("res.partner", "search_count", [[["active", "in", [True, False]]]]) == everything
    rpc.ek("res.partner", "write", [[16], {"active": False}])
    assert rpc.ek("res.partner", "search", [[["id", "=", 16]]]) == []
    assert rpc.ek("res.partner", "read", [[16], ["active"]]) == [{"id": 16, "active": False}]


def test_read_values_shapes(rpc: Rpc) -> None:
    row = rpc.ek("res.partner", "read", [[3], ["parent_id", "child_ids", "phone", "color"]])[0]
    assert row == {
        "id": 3,
        "parent_id": [1, "YourCompany"],
        "child_ids": [],
        "phone": False,
        "color": 0,
    }
    row = rpc.ek("res.partner", "read", [[3], ["parent_id"]], {"load": ""})[0]
    assert row["parent_id"] == 1
    rows = rpc.ek(
        "slide.channel.partner",
        "search_read",
        [[["id", "=", 1]]],
        {"fields": ["channel_id", "partner_id"], "load": ""},
    )
    assert rows == [{"id": 1, "channel_id": 1, "partner_id": 3}]
