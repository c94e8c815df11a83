"""Odoo 16.0: memberships without a status, no enrol button, HTML message bodies, drafts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sidecar.emulator import OdooEmulator

from .conftest import Rpc, last_line


@pytest.fixture(scope="module")
def rpc() -> Iterator[Rpc]:
    with OdooEmulator(version="16.0") as emu:
        yield Rpc(emu)


def _partner(rpc: Rpc, name: str) -> int:
    return int(rpc.ek("res.partner", "create", [{"name": name, "email": f"{name}@example.com"}]))


def _membership(rpc: Rpc, scp_id: int) -> tuple:
    row = rpc.ek("slide.channel.partner", "read", [[scp_id]])[0]
    return row["completion"], row["completed_slides_count"], row["completed"]


def test_memberships_have_completed_instead_of_a_status(rpc: Rpc) -> None:
    pid = _partner(rpc, "v16-status")
    fault = rpc.fault(
        "slide.channel.partner",
        "create",
        [{"channel_id": 5, "partner_id": pid, "member_status": "invited"}],
    )
    assert fault.faultCode == 1
    assert last_line(fault) == (
        "ValueError: Invalid field 'member_status' on model 'slide.channel.partner'"
    )
    scp = rpc.ek("slide.channel.partner", "create", [{"channel_id": 5, "partner_id": pid}])
    assert _membership(rpc, scp) == (0, 0, False)
    fields = rpc.ek("slide.channel.partner", "fields_get", [], {"attributes": ["type"]})
    assert "member_status" not in fields and "active" not in fields
    assert fields["completed"] == {"type": "boolean"}


def test_completion_sticks_at_100_while_the_count_follows(rpc: Rpc) -> None:
    pid = _partner(rpc, "v16-completion")
    scp = rpc.ek("slide.channel.partner", "create", [{"channel_id": 1, "partner_id": pid}])
    ssp = "slide.slide.partner"
    rpc.ek(ssp, "create", [{"slide_id": 1, "partner_id": pid, "completed": True}])
    assert _membership(rpc, scp) == (20, 1, False)
    second = rpc.ek(ssp, "create", [{"slide_id": 2, "partner_id": pid, "completed": False}])
    rpc.ek(ssp, "write", [[second], {"completed": True}])
    assert _membership(rpc, scp) == (40, 2, False)
    rows = [{"slide_id": s, "partner_id": pid, "completed": True} for s in (3, 4, 5)]
    rpc.ek(ssp, "create", [rows])
    assert _membership(rpc, scp) == (100, 5, True)
    mails = rpc.ek(
        "mail.mail", "search_read", [[["recipient_ids", "in", [pid]]]], {"fields": ["subject"]}
    )
    assert [m["subject"] for m in mails] == ["Congratulations! You completed Basics of Gardening"]
    rpc.ek(ssp, "write", [[second], {"completed": False}])
    assert _membership(rpc, scp) == (100, 4, True)


def test_leaving_is_unlink_and_drops_the_progress(rpc: Rpc) -> None:
    pid = _partner(rpc, "v16-leave")
    scp = rpc.ek("slide.channel.partner", "create", [{"channel_id": 2, "partner_id": pid}])
    rpc.ek("slide.slide.partner", "create", [{"slide_id": 8, "partner_id": pid, "completed": True}])
    fault = rpc.fault("slide.channel.partner", "action_archive", [[scp]])
    assert fault.faultCode == 1
    assert last_line(fault) == "TypeError: tuple indices must be integers or slices, not NoneType"
    assert rpc.ek("slide.channel.partner", "search", [[["id", "=", scp]]]) == [scp]
    assert rpc.ek("slide.channel.partner", "unlink", [[scp]]) is True
    assert rpc.ek("slide.slide.partner", "search", [[["partner_id", "=", pid]]]) == []


def test_no_enroll_button_and_the_invite_wizard_enrolls(rpc: Rpc) -> None:
    fault = rpc.fault("slide.channel", "action_channel_enroll", [[6]])
    assert fault.faultCode == 1
    assert last_line(fault) == (
        "AttributeError: The method 'slide.channel.action_channel_enroll' does not exist"
    )
    action = rpc.ek("slide.channel", "action_channel_invite", [[4]])
    assert action == {
        "type": "ir.actions.act_window",
        "view_mode": "form",
        "res_model": "slide.channel.invite",
        "target": "new",
        "context": {
            "default_channel_id": 4,
            "default_use_template": True,
            "default_template_id": 30,
            "default_email_layout_xmlid": "website_slides.mail_notification_channel_invite",
        },
    }
    pid = _partner(rpc, "v16-invite")
    ctx = {"context": action["context"]}
    wizard = rpc.ek("slide.channel.invite", "create", [{"partner_ids": [[6, 0, [pid]]]}], ctx)
    assert rpc.ek("slide.channel.invite", "action_invite", [[wizard]], ctx) == {
        "type": "ir.actions.act_window_close"
    }
    rows = rpc.ek(
        "slide.channel.partner",
        "search_read",
        [[["partner_id", "=", pid]]],
        {"fields": ["channel_id", "completed"], "load": ""},
    )
    assert [(r["channel_id"], r["completed"]) for r in rows] == [(4, False)]
    subjects = rpc.ek(
        "mail.mail", "search_read", [[["recipient_ids", "in", [pid]]]], {"fields": ["subject"]}
    )
    name = rpc.ek("slide.channel", "read", [[4], ["name"]])[0]["name"]
    assert [m["subject"] for m in subjects] == [f"You have been invited to join {name}"]


def test_applicant_name_is_required_and_no_partner_is_made(rpc: Rpc) -> None:
    fault = rpc.fault("hr.applicant", "create", [{"partner_name": "No name"}])
    assert fault.faultCode == 2
    assert fault.faultString.endswith("Field: Subject / Application (name)")
    vals = {
        "name": "RPC Probe Application",
        "partner_name": "RPC Probe Candidate",
        "email_from": "rpc.candidate16@example.com",
        "job_id": 1,
    }
    aid = rpc.ek("hr.applicant", "create", [vals])
    assert rpc.ek("hr.applicant", "read", [[aid], ["partner_id"]])[0]["partner_id"] is False


def test_event_registrations_start_as_drafts(rpc: Rpc) -> None:
    rid = rpc.ek("event.registration", "create", [{"event_id": 1, "partner_id": 3}])
    assert rpc.ek("event.registration", "read", [[rid], ["state"]])[0]["state"] == "draft"
    state = rpc.ek("event.registration", "fields_get", [["state"]], {"attributes": ["selection"]})
    assert state["state"]["selection"] == [
        ["draft", "Unconfirmed"],
        ["cancel", "Cancelled"],
        ["open", "Confirmed"],
        ["done", "Attended"],
    ]


def test_message_post_takes_html_and_swallows_body_is_html(rpc: Rpc) -> None:
    pid = _partner(rpc, "v16-chatter")
    post = {"message_type": "comment", "subtype_xmlid": "mail.mt_note"}
    html = rpc.ek(
        "res.partner", "message_post", [[pid]], {"body": "<p>Hello <b>HTML</b></p>", **post}
    )
    script = rpc.ek(
        "res.partner",
        "message_post",
        [[pid]],
        {"body": "<script>alert(1)</script><p>x</p>", "body_is_html": True, **post},
    )
    plain = rpc.ek("res.partner", "message_post", [[pid]], {"body": "Plain note from RPC"})
    assert all(isinstance(m, int) for m in (html, script, plain))
    bodies = rpc.ek("mail.message", "read", [[html, script, plain], ["body"]])
    assert [b["body"] for b in bodies] == [
        "<p>Hello <b>HTML</b></p>",
        "<p>x</p>",
        "<p>Plain note from RPC</p>",
    ]
    fault = rpc.fault(
        "res.partner", "message_post", [[pid]], {"body": "x", "partner_ids": [[6, 0, [3]]]}
    )
    assert last_line(fault) == "TypeError: unhashable type: 'list'"


def test_mail_subject_of_a_post_is_a_reply(rpc: Rpc) -> None:
    rpc.ek("hr.applicant", "message_post", [[1]], {"body": "hi", "partner_ids": [3]})
    mails = rpc.ek(
        "mail.mail",
        "search_read",
        [[["res_id", "=", 1], ["model", "=", "hr.applicant"]]],
        {"fields": ["subject"]},
    )
    assert [m["subject"] for m in mails] == ["Re: Sales Manager"]


def test_fault_texts(rpc: Rpc) -> None:
    for method in ("has_access", "check_access"):
        fault = rpc.fault("hr.applicant", method, [[], "read"])
        assert fault.faultCode == 1
        assert (
            last_line(fault) == f"AttributeError: The method 'hr.applicant.{method}' does not exist"
        )
    fault = rpc.fault("res.partner", "_get_name", [[1]])
    assert (fault.faultCode, fault.faultString) == (
        4,
        "Private methods (such as 'res.partner._get_name') cannot be called remotely.",
    )
    fault = rpc.fault("res.partner", "no_such_method", [[1]])
    assert fault.faultCode == 1
    assert (
        last_line(fault) == "AttributeError: The method 'res.partner.no_such_method' does not exist"
    )
    assert rpc.ek("hr.applicant", "check_access_rights", ["read"], {"raise_exception": False})


def test_portal_user_reading_another_user(rpc: Rpc) -> None:
    fault = rpc.fault("res.users", "read", [[2], ["login"]], uid=7, password="portal")
    assert (fault.faultCode, fault.faultString) == (
        4,
        "Due to security restrictions, you are not allowed to access 'User' (res.users) records."
        "\nContact your administrator to request access if necessary.",
    )
