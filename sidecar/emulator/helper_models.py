"""Fields of the helper models the flows need but ``reference/17.0/fields`` does not cover
(companies, subtypes, templates, survey questions and answers, notifications, ...).

They play the part the reference JSON plays for the 25 reference models; their description,
order, display-name field and the like sit in ``registry``'s tables next to the others'.
"""

from __future__ import annotations

from typing import Any

FieldDef = dict[str, Any]


def _f(ftype: str, string: str, relation: str | None = None, **extra: Any) -> FieldDef:
    """One entry of ``fields_get``: stored, optional and writable unless ``extra`` says not."""
    d: FieldDef = {"type": ftype, "string": string, "readonly": False, "required": False}
    d["store"] = True
    if relation:
        d["relation"] = relation
    d.update(extra)
    return d


def magic_fields() -> dict[str, FieldDef]:
    """The fields every Odoo model gets from ``BaseModel`` (the reference JSON lists them too)."""
    return {
        "id": _f("integer", "ID", readonly=True),
        "display_name": _f("char", "Display Name", readonly=True, store=False),
        "create_date": _f("datetime", "Created on", readonly=True),
        "create_uid": _f("many2one", "Created by", "res.users", readonly=True),
        "write_date": _f("datetime", "Last Updated on", readonly=True),
        "write_uid": _f("many2one", "Last Updated by", "res.users", readonly=True),
    }


ANSWER_TYPES = [
    ["text_box", "Free Text"],
    ["char_box", "Text"],
    ["numerical_box", "Number"],
    ["date", "Date"],
    ["datetime", "Datetime"],
    ["suggestion", "Suggestion"],
]

NOTIFICATION_STATUSES = [
    ["ready", "Ready to Send"],
    ["process", "Processing"],
    ["pending", "Sent"],
    ["sent", "Delivered"],
    ["bounce", "Bounced"],
    ["exception", "Exception"],
    ["canceled", "Canceled"],
]

ACTION_USAGES = [
    ["ir_actions_server", "Server Action"],
    ["ir_cron", "Scheduled Action"],
    ["base_automation", "Automation Rule"],
]

SMTP_FAILURE_TYPES = [["mail_smtp", "Connection failed (outgoing mail server problem)"]]

# model -> its own fields (``registry.load_specs`` adds the magic ones in front), in the order
# ``fields_get`` lists them
HELPER_FIELDS: dict[str, dict[str, FieldDef]] = {
    "res.company": {
        "name": _f("char", "Company Name", required=True),
        "partner_id": _f("many2one", "Partner", "res.partner"),
        "email": _f("char", "Email"),
    },
    "mail.message.subtype": {
        "name": _f("char", "Message Type", required=True),
        "internal": _f("boolean", "Internal Only"),
        "default": _f("boolean", "Default"),
    },
    "mail.template": {
        "name": _f("char", "Name"),
        "model": _f("char", "Related Document Model"),
        "subject": _f("char", "Subject"),
    },
    "ir.config_parameter": {
        "key": _f("char", "Key", required=True),
        "value": _f("text", "Value", required=True),
    },
    "survey.question": {
        "title": _f("char", "Title", required=True),
        "survey_id": _f("many2one", "Survey", "survey.survey"),
        "sequence": _f("integer", "Sequence"),
        "suggested_answer_ids": _f("one2many", "Types of answers", "survey.question.answer"),
    },
    "survey.question.answer": {
        "value": _f("char", "Suggested value", required=True),
        "question_id": _f("many2one", "Question", "survey.question"),
        "is_correct": _f("boolean", "Correct"),
        "answer_score": _f("float", "Score"),
    },
    "survey.user_input.line": {
        "user_input_id": _f("many2one", "User Input", "survey.user_input", required=True),
        "survey_id": _f("many2one", "Survey", "survey.survey"),
        "question_id": _f("many2one", "Question", "survey.question"),
        "answer_type": _f("selection", "Answer Type", selection=ANSWER_TYPES),
        "suggested_answer_id": _f("many2one", "Suggested answer", "survey.question.answer"),
        "answer_is_correct": _f("boolean", "Correct"),
        "answer_score": _f("float", "Score"),
        "skipped": _f("boolean", "Skipped"),
    },
    "mail.notification": {
        "mail_message_id": _f("many2one", "Message", "mail.message"),
        "mail_mail_id": _f("many2one", "Mail", "mail.mail"),
        "res_partner_id": _f("many2one", "Recipient", "res.partner"),
        "notification_type": _f(
            "selection", "Notification Type", selection=[["inbox", "Inbox"], ["email", "Email"]]
        ),
        "notification_status": _f("selection", "Status", selection=NOTIFICATION_STATUSES),
        "failure_type": _f("selection", "Failure type", selection=SMTP_FAILURE_TYPES),
    },
    "slide.channel.invite": {
        "channel_id": _f("many2one", "Course", "slide.channel"),
        "partner_ids": _f("many2many", "Recipients", "res.partner"),
        "enroll_mode": _f("boolean", "Enroll partners"),
        "subject": _f("char", "Subject"),
        "body": _f("html", "Contents"),
    },
    "hr.applicant.refuse.reason": {
        "name": _f("char", "Description", required=True),
        "sequence": _f("integer", "Sequence"),
        "template_id": _f("many2one", "Email Template", "mail.template"),
    },
    "applicant.get.refuse.reason": {
        "refuse_reason_id": _f("many2one", "Refuse Reason", "hr.applicant.refuse.reason"),
        "applicant_ids": _f("many2many", "Applicants", "hr.applicant"),
        "send_mail": _f("boolean", "Send Email"),
    },
    # automation rules' actions (``base_automation``); the webhook fields and the link back to
    # the rule are 17.0's (FIELD_SINCE); ``state``'s selection is set per version
    # (behaviours.automation)
    "ir.actions.server": {
        "name": _f("char", "Action Name", required=True),
        "state": _f("selection", "Type", required=True, selection=[]),
        "model_id": _f("many2one", "Model", "ir.model", required=True),
        "model_name": _f("char", "Model Name", readonly=True, store=False),
        "usage": _f("selection", "Usage", selection=ACTION_USAGES),
        "sequence": _f("integer", "Sequence"),
        "base_automation_id": _f("many2one", "Automation Rule", "base.automation"),
        "webhook_url": _f("char", "Webhook URL"),
        "webhook_field_ids": _f("many2many", "Webhook Fields", "ir.model.fields"),
    },
    "ir.model.fields": {
        "name": _f("char", "Field Name", required=True),
        "model": _f("char", "Model Name", required=True),
        "model_id": _f("many2one", "Model", "ir.model", required=True),
        "field_description": _f("char", "Field Label", required=True),
        "ttype": _f("char", "Field Type", required=True),
        "relation": _f("char", "Related Model"),
    },
    # API keys: ``_auto = False``, so no log-access columns; the key itself is no field (Odoo
    # keeps only a hash; the emulator keeps it in ``Store.api_keys``)
    "res.users.apikeys": {
        "id": _f("integer", "ID", readonly=True),
        "display_name": _f("char", "Display Name", readonly=True, store=False),
        "name": _f("char", "Description", required=True, readonly=True),
        "user_id": _f("many2one", "User", "res.users", required=True, readonly=True),
        "scope": _f("char", "Scope", readonly=True),
        "create_date": _f("datetime", "Creation Date", readonly=True),
        "expiration_date": _f("datetime", "Expiration Date", readonly=True),
    },
    # external ids (XML ids): how a client finds a group such as base.group_system by its
    # stable name rather than by its translated one
    "ir.model.data": {
        "name": _f("char", "External Identifier", required=True),
        "module": _f("char", "Module", required=True),
        "model": _f("char", "Model Name", required=True),
        "res_id": _f("many2one_reference", "Record ID", model_field="model"),
        "noupdate": _f("boolean", "Non Updatable"),
    },
}

# helper models that declare their magic fields themselves (Odoo's ``_log_access = False``)
NO_LOG_ACCESS = {"res.users.apikeys"}

# (model, field) -> the first major version that has the field
FIELD_SINCE: dict[tuple[str, str], int] = {
    ("res.users.apikeys", "expiration_date"): 18,
    ("ir.actions.server", "base_automation_id"): 17,
    ("ir.actions.server", "webhook_url"): 17,
    ("ir.actions.server", "webhook_field_ids"): 17,
}

# helper models added after the first ones: their ir.model rows come last, so that the earlier
# models keep their ids
LATE_HELPERS = ("hr.applicant.refuse.reason", "applicant.get.refuse.reason", "res.users.apikeys")
# the Automation Rules app's models and the field catalogue: their ir.model rows come after the
# Project app's, so that every earlier model keeps its id
AUTOMATION_MODELS = ("base.automation", "ir.actions.server", "ir.model.fields")
# added after those: its ir.model row comes last of all
LAST_HELPERS = ("ir.model.data",)
