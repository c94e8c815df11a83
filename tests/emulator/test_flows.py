"""Odoo side effects the product relies on: chatter/mail, attachments, portal access,
recruitment, events, certification scoring, activities."""

from __future__ import annotations

import base64
import hashlib
import re

from .conftest import Rpc

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_message_post_note_and_escaping(rpc: Rpc) -> None:
    mid = rpc.ek(
        "res.partner",
        "message_post",
        [[16]],
        {"body": "Plain note from RPC", "message_type": "comment", "subtype_xmlid": "mail.mt_note"},
    )
    msg = rpc.ek(
        "mail.message",
        "read",
        [[mid], ["model", "res_id", "message_type", "subtype_id", "body", "author_id"]],
    )[0]
    assert msg == {
        "id": mid,
        "model": "res.partner",
        "res_id": 16,
        "message_type": "comment",
        "subtype_id": [2, "Note"],
        "body": "<p>Plain note from RPC</p>",
        "author_id": [3, "YourCompany, Mitchell Admin"],
    }
    mid = rpc.ek("res.partner", "message_post", [16], {"body": "<p>Hello <b>HTML</b></p>"})
    body = rpc.ek("mail.message", "read", [[mid], ["body"]])[0]["body"]
    assert body == "<p>&lt;p&gt;Hello &lt;b&gt;HTML&lt;/b&gt;&lt;/p&gt;</p>"
    mid = rpc.ek(
        "res.partner",
        "message_post",
        [16],
        {"body": "<p>Hello <b>HTML</b></p>", "body_is_html": True},
    )
    assert rpc.ek("mail.message", "read", [[mid], ["body"]])[0]["body"] == (
        "<p>Hello <b>HTML</b></p>"
    )
    assert rpc.ek("mail.mail", "search_count", [[["model", "=", "res.partner"]]]) == 0


def test_comment_emails_partners_and_followers(rpc: Rpc) -> None:
    mid = rpc.ek(
        "hr.applicant",
        "message_post",
        [[1]],
        {
            "body": "Message to the applicant",
            "message_type": "comment",
            "subtype_xmlid": "mail.mt_comment",
            "partner_ids": [67],
        },
    )
    mails = rpc.ek(
        "mail.mail",
        "search_read",
        [[["mail_message_id", "=", mid]]],
        {
            "fields": [
                "state",
                "failure_reason",
                "failure_type",
                "email_to",
                "recipient_ids",
                "subject",
                "auto_delete",
            ],
            "order": "id",
        },
    )
    assert [m["recipient_ids"] for m in mails] == [[67], [7]]
    assert mails[0]["state"] == "exception"
    assert mails[0]["failure_reason"] == "111\nConnection refused"
    assert mails[0]["failure_type"] is False and mails[0]["email_to"] is False
    assert mails[0]["subject"] == "Sales Manager" and mails[0]["auto_delete"] is True
    notes = rpc.ek(
        "mail.notification",
        "search_read",
        [[["mail_message_id", "=", mid]]],
        {"fields": ["notification_status", "failure_type"]},
    )
    assert {(n["notification_status"], n["failure_type"]) for n in notes} == {
        ("exception", "mail_smtp")
    }


def test_attachments(rpc: Rpc) -> None:
    datas = base64.b64encode(PDF).decode()
    att = rpc.ek(
        "ir.attachment",
        "create",
        [{"name": "probe-noext", "datas": datas, "res_model": "res.partner", "res_id": 16}],
    )
    row = rpc.ek(
        "ir.attachment",
        "read",
        [[att], ["mimetype", "file_size", "type", "checksum", "public", "datas"]],
    )[0]
    assert row["mimetype"] == "application/pdf" and row["file_size"] == len(PDF)
    assert row["type"] == "binary" and row["public"] is False
    assert row["checksum"] == hashlib.sha1(PDF).hexdigest() and row["datas"] == datas
    draft = rpc.ek(
        "ir.attachment",
        "create",
        [{"name": "c.pdf", "datas": datas, "res_model": "mail.compose.message", "res_id": 0}],
    )
    mid = rpc.ek(
        "res.partner",
        "message_post",
        [[16]],
        {
            "body": "With attachment",
            "message_type": "comment",
            "subtype_xmlid": "mail.mt_comment",
            "partner_ids": [17],
            "attachment_ids": [att, draft],
            "attachments": [["inline.txt", "hello text"]],
        },
    )
    msg = rpc.ek("mail.message", "read", [[mid], ["attachment_ids"]])[0]
    assert set(msg["attachment_ids"]) >= {att, draft} and len(msg["attachment_ids"]) == 3
    relinked = rpc.ek("ir.attachment", "read", [[draft], ["res_model", "res_id"]])[0]
    assert relinked == {"id": draft, "res_model": "res.partner", "res_id": 16}
    mail = rpc.ek(
        "mail.mail",
        "search_read",
        [[["mail_message_id", "=", mid]]],
        {"fields": ["attachment_ids"]},
    )[0]
    assert att in mail["attachment_ids"]
    rpc.ek(
        "ir.attachment",
        "create",
        [{"name": "cv.pdf", "datas": datas, "res_model": "hr.applicant", "res_id": 1}],
    )
    assert rpc.ek("hr.applicant", "read", [[1], ["attachment_number"]])[0]["attachment_number"] == 1


def test_portal_grant_access(rpc: Rpc) -> None:
    pid = rpc.ek(
        "res.partner",
        "create",
        [{"name": "RPC Probe Portal User", "email": "rpc.portal@example.com"}],
    )
    wizard = rpc.ek("portal.wizard", "create", [{"partner_ids": [[6, 0, [pid]]]}])
    users = rpc.ek("portal.wizard", "read", [[wizard], ["user_ids"]])[0]["user_ids"]
    assert len(users) == 1
    action = rpc.ek("portal.wizard.user", "action_grant_access", [users])
    assert action == {
        "name": "Portal Access Management",
        "type": "ir.actions.act_window",
        "res_model": "portal.wizard",
        "view_mode": "form",
        "res_id": wizard,
        "target": "new",
    }
    user = rpc.ek(
        "res.users",
        "search_read",
        [[["login", "=", "rpc.portal@example.com"]]],
        {"fields": ["share", "state", "partner_id"]},
    )[0]
    assert user["share"] is True and user["state"] == "new" and user["partner_id"][0] == pid
    mail = rpc.ek(
        "mail.mail",
        "search_read",
        [[["subject", "=", "Your account at YourCompany"]]],
        {"fields": ["state", "email_to", "recipient_ids", "model", "res_id", "body_html"]},
    )[0]
    assert mail["state"] == "exception" and mail["recipient_ids"] == []
    assert mail["email_to"] == '"RPC Probe Portal User" <rpc.portal@example.com>'
    assert (mail["model"], mail["res_id"]) == ("portal.wizard.user", users[0])
    link = re.search(r"http://localhost:8069/web/signup\?db=ojt&token=\w+", mail["body_html"])
    assert link is not None
    partner = rpc.ek("res.partner", "read", [[pid], ["signup_url", "signup_type", "signup_valid"]])[
        0
    ]
    assert partner["signup_url"] == link.group(0)
    assert partner["signup_type"] == "signup" and partner["signup_valid"] is True
    again = rpc.ek(
        "portal.wizard",
        "create",
        [{}],
        {"context": {"active_ids": [pid], "active_model": "res.partner"}},
    )
    wuser = rpc.ek("portal.wizard", "read", [[again], ["user_ids"]])[0]["user_ids"]
    fault = rpc.fault("portal.wizard.user", "action_grant_access", [wuser])
    assert (fault.faultCode, fault.faultString) == (
        2,
        'The partner "RPC Probe Portal User" already has the portal access.',
    )
    nomail = rpc.ek("res.partner", "create", [{"name": "RPC Probe Portal NoEmail"}])
    wiz = rpc.ek("portal.wizard", "create", [{"partner_ids": [[6, 0, [nomail]]]}])
    wuser = rpc.ek("portal.wizard", "read", [[wiz], ["user_ids"]])[0]["user_ids"]
    fault = rpc.fault("portal.wizard.user", "action_grant_access", [wuser])
    assert (
        fault.faultString == 'The contact "RPC Probe Portal NoEmail" does not have a valid email.'
    )


def test_enroll_wizard(rpc: Rpc) -> None:
    action = rpc.ek("slide.channel", "action_channel_enroll", [[6]])
    assert action["res_model"] == "slide.channel.invite"
    ctx = action["context"]
    assert ctx["default_channel_id"] == 6 and ctx["default_enroll_mode"] is True
    wiz = rpc.ek(
        "slide.channel.invite", "create", [{"partner_ids": [[6, 0, [20]]]}], {"context": ctx}
    )
    done = rpc.ek("slide.channel.invite", "action_invite", [[wiz]], {"context": ctx})
    assert done == {"type": "ir.actions.act_window_close"}
    rows = rpc.ek(
        "slide.channel.partner",
        "search_read",
        [[["channel_id", "=", 6], ["partner_id", "=", 20]]],
        {"fields": ["member_status"]},
    )
    assert [r["member_status"] for r in rows] == ["joined"]
    subjects = [
        m["subject"] for m in rpc.ek("mail.mail", "search_read", [[]], {"fields": ["subject"]})
    ]
    assert "You have been invited to join Basics of Furniture Creation" in subjects


def test_recruitment(rpc: Rpc) -> None:
    stages = rpc.ek(
        "hr.recruitment.stage",
        "search_read",
        [["|", ["job_ids", "=", False], ["job_ids", "in", [7]]]],
        {"fields": ["name"], "order": "sequence"},
    )
    assert [s["name"] for s in stages][-1] == "On the Job Training"
    ojt = rpc.ek("hr.applicant", "search_count", [[["stage_id.name", "=", "On the Job Training"]]])
    assert ojt >= 3
    aid = rpc.ek(
        "hr.applicant",
        "create",
        [
            {
                "name": "Probe",
                "partner_name": "RPC Probe Candidate",
                "email_from": "rpc.candidate@example.com",
                "job_id": 1,
            }
        ],
    )
    row = rpc.ek("hr.applicant", "read", [[aid], ["partner_id", "stage_id"]])[0]
    assert row["partner_id"][1] == "rpc.candidate@example.com" and row["stage_id"][0] == 1
    assert rpc.ek("hr.applicant", "write", [[aid], {"stage_id": 3}]) is True
    row = rpc.ek(
        "hr.applicant", "read", [[aid], ["last_stage_id", "date_closed", "application_status"]]
    )[0]
    assert row["last_stage_id"][0] == 1 and row["date_closed"] is False
    rpc.ek("hr.applicant", "write", [[aid], {"stage_id": 6}])
    row = rpc.ek("hr.applicant", "read", [[aid], ["date_closed", "application_status"]])[0]
    assert row["date_closed"] and row["application_status"] == "hired"
    fault = rpc.fault("hr.applicant", "write", [[aid], {"stage_id": 999999}])
    assert fault.faultString == (
        "Record does not exist or has been deleted.\n"
        "(Record: hr.recruitment.stage(999999,), User: 2)"
    )


def test_event_attendance(rpc: Rpc) -> None:
    assert rpc.ek("event.registration", "search_count", [[["state", "=", "done"]]]) == 2
    assert rpc.ek("event.registration", "search_count", [[["state", "=", "open"]]]) == 25
    assert rpc.ek("event.registration", "write", [[1], {"state": "done"}]) is True
    closed = rpc.ek("event.registration", "read", [[1], ["date_closed"]])[0]["date_closed"]
    assert closed
    rpc.ek("event.registration", "write", [[1], {"state": "open"}])
    assert rpc.ek("event.registration", "read", [[1], ["date_closed"]])[0]["date_closed"] == closed
    ended = rpc.ek("event.stage", "search_read", [[["pipe_end", "=", True]]], {"fields": ["name"]})
    assert [s["name"] for s in ended] == ["Ended", "Cancelled"]
    rid = rpc.ek("event.registration", "create", [{"event_id": 1, "partner_id": 3}])
    assert rpc.ek("event.registration", "read", [[rid], ["state"]])[0]["state"] == "open"


def test_certification_scoring_before_done(rpc: Rpc) -> None:
    pid = rpc.ek("res.partner", "create", [{"name": "Certified", "email": "c@example.com"}])
    rpc.ek("slide.channel.partner", "create", [{"channel_id": 6, "partner_id": pid}])
    ssp = rpc.ek("slide.slide.partner", "create", [{"slide_id": 38, "partner_id": pid}])
    ui = rpc.ek(
        "survey.user_input",
        "create",
        [{"survey_id": 6, "partner_id": pid, "slide_id": 38, "slide_partner_id": ssp}],
    )
    correct = rpc.ek("survey.question.answer", "search", [[["is_correct", "=", True]]])
    rpc.ek(
        "survey.user_input.line",
        "create",
        [
            [
                {"user_input_id": ui, "answer_type": "suggestion", "suggested_answer_id": a}
                for a in correct
            ]
        ],
    )
    row = rpc.ek(
        "survey.user_input",
        "read",
        [[ui], ["scoring_percentage", "scoring_total", "scoring_success", "state"]],
    )[0]
    assert row == {
        "id": ui,
        "scoring_percentage": 100.0,
        "scoring_total": 5.0,
        "scoring_success": True,
        "state": "new",
    }
    ssp_row = rpc.ek(
        "slide.slide.partner",
        "read",
        [[ssp], ["survey_scoring_success", "completed", "user_input_ids"]],
    )[0]
    assert ssp_row == {
        "id": ssp,
        "survey_scoring_success": True,
        "completed": True,
        "user_input_ids": [ui],
    }
    scp = rpc.ek(
        "slide.channel.partner",
        "search_read",
        [[["partner_id", "=", pid]]],
        {"fields": ["member_status", "completion"]},
    )[0]
    assert (scp["member_status"], scp["completion"]) == ("ongoing", 20)


def test_activity_and_ir_model(rpc: Rpc) -> None:
    model_id = rpc.ek("ir.model", "search", [[["model", "=", "hr.applicant"]]])[0]
    todo = rpc.ek("mail.activity.type", "search", [[["name", "=", "To-Do"]]])[0]
    act = rpc.ek(
        "mail.activity",
        "create",
        [
            {
                "res_model_id": model_id,
                "res_id": 9,
                "activity_type_id": todo,
                "summary": "Review trainee",
                "note": "<p>No e-mail</p>",
                "user_id": 2,
                "date_deadline": "2026-12-01",
            }
        ],
    )
    row = rpc.ek("mail.activity", "read", [[act], ["res_model", "res_name", "date_deadline"]])[0]
    assert row == {
        "id": act,
        "res_model": "hr.applicant",
        "res_name": "Trainee - Logistics",
        "date_deadline": "2026-12-01",
    }
    assert rpc.ek("hr.applicant", "read", [[9], ["activity_ids"]])[0]["activity_ids"] == [act]
    installed = {r["model"] for r in rpc.ek("ir.model", "search_read", [[]], {"fields": ["model"]})}
    assert {"slide.channel", "hr.applicant", "event.registration"} <= installed


def test_dotted_paths_and_x2many_leaves(rpc: Rpc) -> None:
    assert rpc.ek(
        "hr.applicant", "search", [[["partner_id.email", "=", "coincoin@gmail.example.com"]]]
    ) == [3]
    assert (
        rpc.ek(
            "slide.slide.partner",
            "search_count",
            [[["slide_id.channel_id.name", "=", "Basics of Gardening"]]],
        )
        == 6
    )
    assert rpc.ek("slide.channel", "search", [[["slide_ids", "in", [38]]]]) == [6]
    assert rpc.ek("res.partner", "search", [[["child_ids", "=", False], ["id", "=", 16]]]) == [16]
