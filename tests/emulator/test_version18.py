"""Odoo 18.0: the applicant's person is an hr.candidate; access checks and private methods."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sidecar.emulator import OdooEmulator

from .conftest import Rpc, last_line


@pytest.fixture(scope="module")
def rpc() -> Iterator[Rpc]:
    with OdooEmulator(version="18.0") as emu:
        yield Rpc(emu)


def test_demo_applicants_have_one_candidate_each(rpc: Rpc) -> None:
    apps = rpc.ek(
        "hr.applicant",
        "read",
        [[6, 7, 8], ["candidate_id", "partner_id", "partner_name", "email_from", "stage_id"]],
        {"load": ""},
    )
    cands = rpc.ek(
        "hr.candidate", "read", [[6, 7, 8], ["partner_id", "partner_name", "applicant_ids"]]
    )
    assert [a["candidate_id"] for a in apps] == [6, 7, 8]
    assert [a["stage_id"] for a in apps] == [7, 7, 7]
    assert [a["partner_id"] for a in apps] == [c["partner_id"][0] for c in cands]
    assert [c["applicant_ids"] for c in cands] == [[6], [7], [8]]
    assert apps[0]["partner_name"] == cands[0]["partner_name"] == "Rachel Perry"
    assert cands[0]["partner_id"][1] == "rachel.perry@example.com"
    assert rpc.ek("hr.applicant", "name_get", [[6]]) == [[6, "Rachel Perry"]]


def test_an_applicant_needs_a_candidate(rpc: Rpc) -> None:
    vals = {"partner_name": "RPC Probe Candidate", "email_from": "rpc.c18@example.com", "job_id": 1}
    fault = rpc.fault("hr.applicant", "create", [vals])
    assert fault.faultCode == 2
    assert fault.faultString.endswith(
        "Model: Applicant (hr.applicant)\nField: Candidate (candidate_id)"
    )
    cid = rpc.ek("hr.candidate", "create", [{k: vals[k] for k in ("partner_name", "email_from")}])
    aid = rpc.ek("hr.applicant", "create", [{"candidate_id": cid, "job_id": 1}])
    app = rpc.ek(
        "hr.applicant",
        "read",
        [[aid], ["candidate_id", "partner_id", "partner_name", "email_from", "stage_id"]],
    )[0]
    cand = rpc.ek("hr.candidate", "read", [[cid], ["partner_id", "applicant_ids"]])[0]
    assert app["candidate_id"] == [cid, "RPC Probe Candidate"]
    assert app["partner_id"] == cand["partner_id"]
    assert cand["partner_id"][1] == "rpc.c18@example.com"  # named after the e-mail
    assert (app["partner_name"], app["email_from"]) == (
        "RPC Probe Candidate",
        "rpc.c18@example.com",
    )
    assert app["stage_id"] == [1, "New"]
    assert cand["applicant_ids"] == [aid]


def test_person_fields_write_through_to_the_candidate(rpc: Rpc) -> None:
    cid = rpc.ek(
        "hr.candidate", "create", [{"partner_name": "Before", "email_from": "b@example.com"}]
    )
    aid = rpc.ek(
        "hr.applicant",
        "create",
        [{"candidate_id": cid, "partner_name": "At Create", "partner_phone": "+32 1"}],
    )
    assert rpc.ek("hr.candidate", "read", [[cid], ["partner_name", "partner_phone"]])[0] == {
        "id": cid,
        "partner_name": "At Create",
        "partner_phone": "+32 1",
    }
    rpc.ek(
        "hr.applicant",
        "write",
        [[aid], {"email_from": "after@example.com", "partner_name": "After"}],
    )
    cand = rpc.ek("hr.candidate", "read", [[cid], ["partner_name", "email_from"]])[0]
    assert (cand["partner_name"], cand["email_from"]) == ("After", "after@example.com")
    assert rpc.ek("hr.applicant", "search", [[["email_from", "=", "after@example.com"]]]) == [aid]
    assert rpc.ek("hr.candidate", "message_post", [[cid]], {"body": "note"}) > 0


def test_has_access_and_check_access(rpc: Rpc) -> None:
    demo = {"uid": 6, "password": "demo"}
    assert rpc.ek("hr.applicant", "has_access", [[], "read"], **demo) is False
    assert rpc.ek("res.partner", "has_access", [[], "read"], **demo) is True
    fault = rpc.fault("hr.applicant", "check_access", [[], "read"], **demo)
    assert fault.faultCode == 4
    assert fault.faultString.startswith(
        "You are not allowed to access 'Applicant' (hr.applicant) records."
    )
    fault = rpc.fault("hr.applicant", "has_access", ["read"], **demo)
    assert fault.faultCode == 1 and last_line(fault).startswith("TypeError: has_access()")


def test_private_methods_depend_on_whether_they_exist(rpc: Rpc) -> None:
    fault = rpc.fault("res.partner", "_compute_display_name", [[1]])
    assert (fault.faultCode, fault.faultString) == (
        4,
        "Private methods (such as 'res.partner._compute_display_name') cannot be called remotely.",
    )
    fault = rpc.fault("slide.channel", "_action_add_members", [[1], [3]])
    assert fault.faultCode == 4
    for name in ("_get_name", "_read", "_no_such_private", "no_such_method"):
        fault = rpc.fault("res.partner", name, [[1]])
        assert fault.faultCode == 1
        assert last_line(fault) == f"AttributeError: The method 'res.partner.{name}' does not exist"


def test_enroll_action_and_certification_field(rpc: Rpc) -> None:
    action = rpc.ek("slide.channel", "action_channel_enroll", [[4]])
    name = rpc.ek("slide.channel", "read", [[4], ["name"]])[0]["name"]
    assert action["views"] == [[False, "form"]]
    assert action["name"] == f"Enroll Attendees to {name}"
    assert action["context"]["default_enroll_mode"] is True
    assert action["context"]["default_template_id"] == 29
    row = rpc.ek("slide.channel.partner", "read", [[1], ["survey_certification_success"]])[0]
    assert row["survey_certification_success"] is False


def test_applicant_mail_subject_is_the_person(rpc: Rpc) -> None:
    message = rpc.ek("hr.applicant", "message_post", [[1]], {"body": "hi", "partner_ids": [3]})
    assert isinstance(message, int)
    mails = rpc.ek(
        "mail.mail", "search_read", [[["mail_message_id", "=", message]]], {"fields": ["subject"]}
    )
    assert [m["subject"] for m in mails] == ["Enrique Jones"]
