"""The emulator's recruitment and mail pieces the enrollment flow relies on, as Odoo 17 does."""

from __future__ import annotations

import pytest

from connectors import OdooClient, OdooValidationError
from sidecar.emulator import OdooEmulator


def test_activity_needs_res_model_id_as_odoo_does(emu: OdooEmulator, client: OdooClient) -> None:
    with pytest.raises(OdooValidationError) as raised:
        client.create(
            "mail.activity", {"res_model": "hr.applicant", "res_id": 9, "summary": "Review"}
        )
    assert raised.value.message == (
        "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. If possible, archive it "
        "instead.\n\nModel: Activity (mail.activity)\nField: Document Model (res_model_id)"
    )
    model_id = client.search("ir.model", [("model", "=", "hr.applicant")])[0]
    act = client.create("mail.activity", {"res_model_id": model_id, "res_id": 9})
    row = client.read("mail.activity", [act], ["res_model", "activity_type_id", "user_id"])[0]
    assert row["res_model"] == "hr.applicant" and row["activity_type_id"][1] == "To-Do"
    assert row["user_id"][0] == client.uid


def test_enroll_wizard_subscribes_and_queues_one_mail_per_partner(
    emu: OdooEmulator, client: OdooClient
) -> None:
    action = client.call("slide.channel", "action_channel_enroll", ids=[1])
    ctx = action["context"]
    wizard = client.call(
        "slide.channel.invite", "create", vals_list={"partner_ids": [[6, 0, [20, 21]]]}, context=ctx
    )
    client.call("slide.channel.invite", "action_invite", ids=[wizard], context=ctx)
    followers = client.read("slide.channel", [1], ["message_partner_ids"])[0]
    assert {20, 21} <= set(followers["message_partner_ids"])
    mails = client.search_read_list(
        "mail.mail",
        [("subject", "=", "You have been invited to join Basics of Gardening")],
        ["recipient_ids", "state"],
    )
    assert sorted(m["recipient_ids"][0] for m in mails) == [20, 21]
    assert {m["state"] for m in mails} == {"outgoing"}
    found = client.search(
        "slide.channel.invite", [("channel_id", "=", 1), ("partner_ids", "in", [20])]
    )
    assert found == [wizard]


def test_stage_restricted_to_jobs_and_applicant_refusal(
    emu: OdooEmulator, client: OdooClient
) -> None:
    client.write("hr.recruitment.stage", [7], {"job_ids": [[6, 0, [3]]]})
    kanban = client.search(
        "hr.recruitment.stage", ["|", ("job_ids", "=", False), ("job_ids", "in", [7])]
    )
    assert 7 not in kanban
    client.write("hr.applicant", [6], {"active": False})
    assert client.search("hr.applicant", [("id", "=", 6)]) == []
    assert client.search("hr.applicant", [("id", "=", 6)], context={"active_test": False}) == [6]


def test_email_written_on_an_applicant_without_contact_finds_or_makes_one(
    emu: OdooEmulator, client: OdooClient
) -> None:
    aid = client.create("hr.applicant", {"name": "No contact yet", "job_id": 7})
    assert client.read("hr.applicant", [aid], ["partner_id"])[0]["partner_id"] is False
    client.write("hr.applicant", [aid], {"email_from": "willie.burke80@example.com"})
    assert client.read("hr.applicant", [aid], ["partner_id"])[0]["partner_id"][0] == 16
