"""Model definitions: the 25 reference models (fields straight from
``reference/17.0/fields``) plus a few small helper models the flows need (subtypes,
templates, survey answers, ...).

A ``ModelSpec`` says what Odoo's Python class would: description, default order, the field used for
the display name, defaults, and which one2many field is the inverse of which many2one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).parent / "reference" / "17.0"

FieldDef = dict[str, Any]
Default = Any  # a constant, or a callable taking the Env


@dataclass
class ModelSpec:
    name: str
    description: str
    fields: dict[str, FieldDef]
    order: str = "id"
    rec_name: str | None = "name"
    defaults: dict[str, Default] = field(default_factory=dict)
    # one2many field -> many2one field on the comodel that points back here
    inverses: dict[str, str] = field(default_factory=dict)
    # (fields, message) unique constraints, checked like PostgreSQL would
    uniques: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    from_reference: bool = True
    transient: bool = False

    @property
    def has_active(self) -> bool:
        return "active" in self.fields

    @property
    def has_chatter(self) -> bool:
        return "message_ids" in self.fields


def _f(ftype: str, string: str, relation: str | None = None, **extra: Any) -> FieldDef:
    d: FieldDef = {"type": ftype, "string": string, "readonly": False, "required": False}
    d["store"] = True
    if relation:
        d["relation"] = relation
    d.update(extra)
    return d


def _magic() -> dict[str, FieldDef]:
    return {
        "id": _f("integer", "ID", readonly=True),
        "display_name": _f("char", "Display Name", readonly=True, store=False),
        "create_date": _f("datetime", "Created on", readonly=True),
        "create_uid": _f("many2one", "Created by", "res.users", readonly=True),
        "write_date": _f("datetime", "Last Updated on", readonly=True),
        "write_uid": _f("many2one", "Last Updated by", "res.users", readonly=True),
    }


def _extra(name: str, description: str, fields: dict[str, FieldDef], **kw: Any) -> ModelSpec:
    return ModelSpec(name, description, {**_magic(), **fields}, from_reference=False, **kw)


DESCRIPTIONS = {
    "event.event": "Event",
    "event.registration": "Event Registration",
    "event.stage": "Event Stage",
    "hr.applicant": "Applicant",
    "hr.job": "Job Position",
    "hr.recruitment.stage": "Recruitment Stages",
    "ir.attachment": "Attachment",
    "ir.model": "Models",
    "mail.activity": "Activity",
    "mail.activity.type": "Activity Type",
    "mail.mail": "Outgoing Mails",
    "mail.message": "Message",
    "portal.wizard": "Grant Portal Access",
    "portal.wizard.user": "Portal User Config",
    "res.groups": "Access Groups",
    "res.partner.category": "Partner Tags",
    "res.partner": "Contact",
    "res.users": "User",
    "slide.channel": "Course",
    "slide.channel.partner": "Channel / Partners (Members)",
    "slide.question": "Content Quiz Question",
    "slide.slide": "Slides",
    "slide.slide.partner": "Slide / Partner decorated m2m",
    "survey.survey": "Survey",
    "survey.user_input": "Survey User Input",
}

ORDERS = {
    "event.event": "date_begin, id",
    "event.registration": "id desc",
    "event.stage": "sequence, name",
    "hr.applicant": "priority desc, id desc",
    "hr.job": "sequence, id",
    "hr.recruitment.stage": "sequence, id",
    "ir.attachment": "id desc",
    "ir.model": "model",
    "mail.activity": "date_deadline asc, id asc",
    "mail.activity.type": "sequence, id",
    "mail.mail": "id desc",
    "mail.message": "id desc",
    "res.groups": "name",
    "res.partner.category": "name",
    "res.partner": "complete_name asc, id desc",
    "res.users": "name, login",
    "slide.channel": "sequence, id",
    "slide.question": "sequence, id",
    "slide.slide": "sequence asc, id asc",
    "survey.survey": "create_date desc",
    "survey.user_input": "create_date desc",
}

REC_NAMES = {
    "slide.channel.partner": "partner_id",
    "slide.slide.partner": "partner_id",
    "survey.survey": "title",
    "slide.question": "question",
    "mail.mail": "subject",
    "mail.message": "subject",
    "mail.activity": "summary",
    "portal.wizard.user": "partner_id",
    "portal.wizard": None,
    "survey.user_input": None,
}

# one2many fields whose inverse is not the only many2one back to the model
INVERSES: dict[str, dict[str, str]] = {
    "slide.channel": {
        "slide_ids": "channel_id",
        "channel_partner_ids": "channel_id",
        "channel_partner_all_ids": "channel_id",
        "slide_partner_ids": "channel_id",
    },
    "res.partner": {"child_ids": "parent_id", "user_ids": "partner_id"},
    "res.partner.category": {"child_ids": "parent_id"},
    "mail.message": {"child_ids": "parent_id"},
    "survey.user_input": {"user_input_line_ids": "user_input_id"},
    "portal.wizard": {"user_ids": "wizard_id"},
    "slide.slide": {"slide_partner_ids": "slide_id", "question_ids": "slide_id"},
    "slide.slide.partner": {"user_input_ids": "slide_partner_id"},
    "event.event": {"registration_ids": "event_id"},
    "hr.job": {"application_ids": "job_id"},
    "survey.survey": {"user_input_ids": "survey_id", "slide_ids": "survey_id"},
}


def _uuid(env: Any) -> str:
    return str(uuid.uuid4())


def _uid(env: Any) -> int:
    return int(env.uid)


# Field defaults of the Python classes (constants, or callables taking the Env)
DEFAULTS: dict[str, dict[str, Default]] = {
    "slide.channel.partner": {
        "member_status": "joined",
        "completion": 0,
        "completed_slides_count": 0,
        "active": True,
    },
    "slide.channel": {
        "channel_type": "training",
        "enroll": "public",
        "visibility": "public",
        "active": True,
        "is_published": False,
        "user_id": _uid,
        "sequence": 10,
        "promote_strategy": "latest",
        "access_token": _uuid,
        "allow_comment": True,
        "karma_gen_channel_finish": 10,
    },
    "slide.slide": {
        "slide_category": "document",
        "source_type": "local_file",
        "active": True,
        "is_category": False,
        "is_published": False,
        "sequence": 0,
        "completion_time": 0.0,
        "quiz_first_attempt_reward": 10,
        "quiz_second_attempt_reward": 7,
        "quiz_third_attempt_reward": 5,
        "quiz_fourth_attempt_reward": 2,
    },
    "slide.slide.partner": {"completed": False},
    "survey.survey": {
        "access_mode": "public",
        "questions_layout": "page_per_question",
        "questions_selection": "all",
        "scoring_type": "no_scoring",
        "survey_type": "survey",
        "scoring_success_min": 80.0,
        "access_token": _uuid,
        "active": True,
    },
    "mail.activity.type": {
        "chaining_type": "suggest",
        "delay_from": "previous_activity",
        "delay_unit": "days",
        "category": "default",
        "active": True,
    },
    "mail.message": {"message_type": "comment"},
    "res.partner.category": {"active": True},
    "ir.model": {"state": "manual", "order": "id"},
    "res.groups": {"share": False},
}

UNIQUES: dict[str, list[tuple[tuple[str, ...], str]]] = {
    "slide.channel.partner": [
        (("channel_id", "partner_id"), "A partner membership to a channel must be unique!")
    ],
    "slide.slide.partner": [
        (("slide_id", "partner_id"), "A partner membership to a slide must be unique!")
    ],
    "res.users": [(("login",), "You can not have two users with the same login !")],
}


def _load_reference(name: str) -> dict[str, FieldDef]:
    path = REFERENCE_DIR / "fields" / f"{name}.json"
    data: dict[str, FieldDef] = json.loads(path.read_text())
    return data


def _extra_models() -> list[ModelSpec]:
    sel = _f
    return [
        _extra(
            "res.company",
            "Companies",
            {
                "name": _f("char", "Company Name", required=True),
                "partner_id": _f("many2one", "Partner", "res.partner"),
                "email": _f("char", "Email"),
            },
        ),
        _extra(
            "mail.message.subtype",
            "Message subtypes",
            {
                "name": _f("char", "Message Type", required=True),
                "internal": _f("boolean", "Internal Only"),
                "default": _f("boolean", "Default"),
            },
        ),
        _extra(
            "mail.template",
            "Email Templates",
            {
                "name": _f("char", "Name"),
                "model": _f("char", "Related Document Model"),
                "subject": _f("char", "Subject"),
            },
        ),
        _extra(
            "ir.config_parameter",
            "System Parameter",
            {
                "key": _f("char", "Key", required=True),
                "value": _f("text", "Value", required=True),
            },
            rec_name="key",
        ),
        _extra(
            "survey.question",
            "Survey Question",
            {
                "title": _f("char", "Title", required=True),
                "survey_id": _f("many2one", "Survey", "survey.survey"),
                "sequence": _f("integer", "Sequence"),
                "suggested_answer_ids": _f(
                    "one2many", "Types of answers", "survey.question.answer"
                ),
            },
            rec_name="title",
            order="sequence, id",
        ),
        _extra(
            "survey.question.answer",
            "Survey Label",
            {
                "value": _f("char", "Suggested value", required=True),
                "question_id": _f("many2one", "Question", "survey.question"),
                "is_correct": _f("boolean", "Correct"),
                "answer_score": _f("float", "Score"),
            },
            rec_name="value",
        ),
        _extra(
            "survey.user_input.line",
            "Survey User Input Line",
            {
                "user_input_id": _f("many2one", "User Input", "survey.user_input", required=True),
                "survey_id": _f("many2one", "Survey", "survey.survey"),
                "question_id": _f("many2one", "Question", "survey.question"),
                "answer_type": sel(
                    "selection",
                    "Answer Type",
                    selection=[
                        ["text_box", "Free Text"],
                        ["char_box", "Text"],
                        ["numerical_box", "Number"],
                        ["date", "Date"],
                        ["datetime", "Datetime"],
                        ["suggestion", "Suggestion"],
                    ],
                ),
                "suggested_answer_id": _f("many2one", "Suggested answer", "survey.question.answer"),
                "answer_is_correct": _f("boolean", "Correct"),
                "answer_score": _f("float", "Score"),
                "skipped": _f("boolean", "Skipped"),
            },
            rec_name=None,
        ),
        _extra(
            "mail.notification",
            "Message Notifications",
            {
                "mail_message_id": _f("many2one", "Message", "mail.message"),
                "mail_mail_id": _f("many2one", "Mail", "mail.mail"),
                "res_partner_id": _f("many2one", "Recipient", "res.partner"),
                "notification_type": sel(
                    "selection",
                    "Notification Type",
                    selection=[["inbox", "Inbox"], ["email", "Email"]],
                ),
                "notification_status": sel(
                    "selection",
                    "Status",
                    selection=[
                        ["ready", "Ready to Send"],
                        ["process", "Processing"],
                        ["pending", "Sent"],
                        ["sent", "Delivered"],
                        ["bounce", "Bounced"],
                        ["exception", "Exception"],
                        ["canceled", "Canceled"],
                    ],
                ),
                "failure_type": sel(
                    "selection",
                    "Failure type",
                    selection=[["mail_smtp", "Connection failed (outgoing mail server problem)"]],
                ),
            },
            rec_name=None,
        ),
        _extra(
            "slide.channel.invite",
            "Channel Invitation Wizard",
            {
                "channel_id": _f("many2one", "Course", "slide.channel"),
                "partner_ids": _f("many2many", "Recipients", "res.partner"),
                "enroll_mode": _f("boolean", "Enroll partners"),
                "subject": _f("char", "Subject"),
                "body": _f("html", "Contents"),
            },
            rec_name=None,
            transient=True,
        ),
    ]


def load_specs() -> dict[str, ModelSpec]:
    specs: dict[str, ModelSpec] = {}
    for path in sorted((REFERENCE_DIR / "fields").glob("*.json")):
        name = path.stem
        specs[name] = ModelSpec(
            name=name,
            description=DESCRIPTIONS.get(name, name),
            fields=_load_reference(name),
            order=ORDERS.get(name, "id"),
            rec_name=REC_NAMES.get(name, "name"),
            inverses=INVERSES.get(name, {}),
            uniques=UNIQUES.get(name, []),
            defaults=DEFAULTS.get(name, {}),
            transient=name in ("portal.wizard", "portal.wizard.user"),
        )
    for spec in _extra_models():
        spec.inverses = INVERSES.get(spec.name, {})
        specs[spec.name] = spec
    specs["survey.question"].inverses = {"suggested_answer_ids": "question_id"}
    return specs


DefaultsFn = Callable[[Any], dict[str, Any]]
