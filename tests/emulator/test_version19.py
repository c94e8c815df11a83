"""Odoo 19.0 over XML-RPC and JSON-RPC: ids for records, stricter private methods, datetimes
compared to the second, and the applicant holding the person again."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from sidecar.emulator import OdooEmulator

from .conftest import Rpc, last_line


@pytest.fixture(scope="module")
def rpc() -> Iterator[Rpc]:
    with OdooEmulator(version="19.0") as emu:
        yield Rpc(emu)


def test_recordsets_come_back_as_ids(rpc: Rpc) -> None:
    pid = rpc.ek("res.partner", "create", [{"name": "v19 ids"}])
    assert isinstance(pid, int)
    assert len(rpc.ek("res.partner", "create", [[{"name": "a"}, {"name": "b"}]])) == 2
    first = rpc.ek("res.partner", "message_post", [[pid]], {"body": "Plain note from RPC"})
    second = rpc.ek("res.partner", "message_post", [pid], {"body": "bare id"})
    assert isinstance(first, list) and len(first) == 1 and second == [first[0] + 1]
    assert rpc.ek("mail.message", "read", [first, ["body"]])[0]["body"] == (
        "<p>Plain note from RPC</p>"
    )
    answer = rpc.jek("res.partner", "message_post", [[pid]], {"body": "json"})
    assert answer["result"] == [second[0] + 1]


def test_private_methods(rpc: Rpc) -> None:
    for name in ("exists", "browse", "check_access", "_get_name", "_no_such_private"):
        fault = rpc.fault("res.partner", name, [[1]])
        assert (fault.faultCode, fault.faultString) == (
            4,
            f"Private methods (such as 'res.partner.{name}') cannot be called remotely.",
        )
    demo = {"uid": 6, "password": "demo"}
    assert rpc.ek("hr.applicant", "has_access", [[], "read"], **demo) is False
    fault = rpc.fault("res.partner", "no_such_method", [[1]])
    assert (
        last_line(fault) == "AttributeError: The method 'res.partner.no_such_method' does not exist"
    )


def test_fault_texts(rpc: Rpc) -> None:
    fault = rpc.fault("res.partner.category", "create", [{"color": 1}])
    assert (fault.faultCode, fault.faultString) == (
        2,
        "The operation cannot be completed: Missing required value for the field 'Name' (name)."
        "\nModel: 'Partner Tags' (res.partner.category)\n- create/update: a mandatory field is "
        "not set\n- delete: another model requires the record being deleted, you can archive it "
        "instead",
    )
    assert last_line(rpc.fault("res.partner", "read", [[1], ["no_such_field"]])) == (
        "ValueError: Invalid field 'no_such_field' on 'res.partner'"
    )
    assert last_line(rpc.fault("res.partner", "search", [[["no_such_field", "=", 1]]])) == (
        "ValueError: Invalid field res.partner.no_such_field in condition ('no_such_field', '=', 1)"
    )
    assert last_line(rpc.fault("res.partner", "create", [{"no_such_field": 1}])) == (
        "ValueError: Invalid field 'no_such_field' in 'res.partner'"
    )
    error = rpc.jek("x.no.such.model", "search", [[]])["error"]
    assert error["code"] == 0
    assert (error["data"]["name"], error["data"]["message"]) == (
        "odoo.exceptions.UserError",
        "Object x.no.such.model doesn't exist",
    )


def test_datetimes_are_compared_to_the_whole_second(rpc: Rpc) -> None:
    emu = rpc.emu
    try:
        emu.freeze(datetime(2026, 11, 22, 4, 8, 45, 33283))
        a = rpc.ek("res.partner", "create", [{"name": "v19 A"}])
        emu.freeze(datetime(2026, 11, 22, 4, 8, 45, 51151))
        b = rpc.ek("res.partner", "create", [{"name": "v19 B"}])
    finally:
        emu.set_clock(lambda: datetime.now(UTC).replace(tzinfo=None))
    w = rpc.ek("res.partner", "read", [[a], ["write_date"]])[0]["write_date"]
    assert w == "2026-11-22 04:08:45"

    def found(op: str, value: object) -> list[int]:
        domain = [["id", "in", [a, b]], ["write_date", op, value]]
        return sorted(rpc.ek("res.partner", "search", [domain]))

    assert found(">", w) == [] and found("<", w) == [] and found("!=", w) == []
    assert found(">=", w) == found("=", w) == found("<=", w) == found("in", [w]) == [a, b]
    assert found(">", w + ".000001") == []
    assert found(">", "2026-11-22T04:08:44") == [a, b]
    assert found(">", "2026-11-21") == [a, b]
    for bad in ("2026-11-22 06:08:23+02:00", "2024-01-01T00:00:00Z"):
        fault = rpc.fault("res.partner", "search", [[["write_date", ">", bad]]])
        assert last_line(fault) == f"ValueError: expecting only datetimes with no timezone: {bad!r}"
    for bad, term in (("01/01/2024", "01/01/2024"), ("not a date", "not")):
        fault = rpc.fault("res.partner", "search", [[["write_date", ">", bad]]])
        assert last_line(fault) == f"ValueError: Invalid term {term!r} in expression date: {bad!r}"


def test_users_have_group_ids(rpc: Rpc) -> None:
    uid = rpc.emu.create_user("v19 portal", "v19.portal@example.com", "pw", ("portal",))
    row = rpc.ek("res.users", "read", [[uid], ["group_ids", "all_group_ids", "share"]])[0]
    portal = rpc.emu.store.ref("base.group_portal")
    assert row["group_ids"] == row["all_group_ids"] == [portal] and row["share"] is True
    assert last_line(rpc.fault("res.users", "read", [[uid], ["groups_id"]])) == (
        "ValueError: Invalid field 'groups_id' on 'res.users'"
    )


def test_applicants_hold_the_person(rpc: Rpc) -> None:
    assert isinstance(rpc.ek("hr.applicant", "create", [{"partner_name": "No job no name"}]), int)
    vals = {"partner_name": "RPC Probe Candidate", "email_from": "rpc.c19@example.com", "job_id": 1}
    aid = rpc.ek("hr.applicant", "create", [vals])
    partner = rpc.ek("hr.applicant", "read", [[aid], ["partner_id"]])[0]["partner_id"]
    assert partner[1] == "RPC Probe Candidate"
    assert rpc.ek("hr.applicant", "name_get", [[6]]) == [[6, "Rachel Perry"]]


def test_refusing_answers_an_action(rpc: Rpc) -> None:
    action = rpc.ek("hr.applicant", "archive_applicant", [[12]])
    assert action["res_model"] == "applicant.get.refuse.reason"
    assert action["context"]["hide_mail_template_management_options"] is True
    wizard = rpc.ek(
        "applicant.get.refuse.reason",
        "create",
        [{"refuse_reason_id": 6, "applicant_ids": [[6, 0, [12]]], "send_mail": False}],
    )
    assert rpc.ek("applicant.get.refuse.reason", "action_refuse_reason_apply", [[wizard]]) == {
        "type": "ir.actions.act_window_close"
    }
    row = rpc.ek(
        "hr.applicant",
        "read",
        [[12], ["active", "application_status", "refuse_reason_id", "refuse_date"]],
    )[0]
    assert row["active"] is False and row["application_status"] == "refused"
    assert row["refuse_reason_id"] == [6, "Refused by applicant: salary"]
    assert row["refuse_date"]


def test_the_deprecation_is_not_sent_to_the_client(rpc: Rpc) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", rpc.emu.port, timeout=10)
    conn.request(
        "POST", "/xmlrpc/2/common", b"<methodCall><methodName>version</methodName></methodCall>"
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 200
    assert not {"deprecation", "sunset", "warning"} & {k.lower() for k, _ in response.getheaders()}


def test_access_errors_name_groups_without_the_administration_category(rpc: Rpc) -> None:
    demo = {"uid": 6, "password": "demo"}
    fault = rpc.fault("res.users", "write", [[2], {"name": "x"}], **demo)
    assert fault.faultCode == 4 and "groups:\n\t- Access Rights\n" in fault.faultString
    fault = rpc.fault("hr.applicant", "search_read", [[]], **demo)
    assert "\t- Recruitment/Interviewer\n\t- Recruitment/Officer: Manage all" in fault.faultString
