"""Model definitions: the 25 reference models (fields straight from
``reference/17.0/fields``) plus a few small helper models the flows need (subtypes,
templates, survey answers, ...), whose fields ``helper_models`` declares.

A ``ModelSpec`` says what Odoo's Python class would: description, default order, the field used for
the display name, defaults, and which one2many field is the inverse of which many2one.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .helper_models import HELPER_FIELDS, FieldDef, magic_fields

REFERENCE_DIR = Path(__file__).parent / "reference" / "17.0"

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
    # helper models
    "res.company": "Companies",
    "mail.message.subtype": "Message subtypes",
    "mail.template": "Email Templates",
    "ir.config_parameter": "System Parameter",
    "survey.question": "Survey Question",
    "survey.question.answer": "Survey Label",
    "survey.user_input.line": "Survey User Input Line",
    "mail.notification": "Message Notifications",
    "slide.channel.invite": "Channel Invitation Wizard",
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
    # helper models
    "survey.question": "sequence, id",
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
    # helper models
    "ir.config_parameter": "key",
    "survey.question": "title",
    "survey.question.answer": "value",
    "survey.user_input.line": None,
    "mail.notification": None,
    "slide.channel.invite": None,
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
    "survey.question": {"suggested_answer_ids": "question_id"},
}

# wizards: Odoo's TransientModel
TRANSIENT = {"portal.wizard", "portal.wizard.user", "slide.channel.invite"}


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


def _spec(name: str, fields: dict[str, FieldDef], from_reference: bool) -> ModelSpec:
    """Reference and helper models alike take their class attributes from the tables above."""
    return ModelSpec(
        name=name,
        description=DESCRIPTIONS.get(name, name),
        fields=fields,
        order=ORDERS.get(name, "id"),
        rec_name=REC_NAMES.get(name, "name"),
        inverses=INVERSES.get(name, {}),
        uniques=UNIQUES.get(name, []),
        defaults=DEFAULTS.get(name, {}),
        from_reference=from_reference,
        transient=name in TRANSIENT,
    )


def load_specs() -> dict[str, ModelSpec]:
    specs: dict[str, ModelSpec] = {}
    for path in sorted((REFERENCE_DIR / "fields").glob("*.json")):
        specs[path.stem] = _spec(path.stem, _load_reference(path.stem), from_reference=True)
    for name, own_fields in HELPER_FIELDS.items():
        # a deep copy, so that each emulator gets field dicts of its own, as it does from the JSON
        fields = {**magic_fields(), **copy.deepcopy(own_fields)}
        specs[name] = _spec(name, fields, from_reference=False)
    return specs


DefaultsFn = Callable[[Any], dict[str, Any]]
