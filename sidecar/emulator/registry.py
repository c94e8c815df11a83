"""Model definitions: the reference models of one version (fields straight from
``reference/<version>/fields``: the 27 of 17.0 and the Project app's 6, plus hr.candidate in
18.0) plus a few small helper models the flows need (subtypes, templates, survey answers, ...),
whose fields ``helper_models`` declares. A class attribute below applies only where that
version's model has the field (a 16.0 membership has no ``member_status`` default, an 18.0
applicant no ``name``).

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

from .helper_models import FIELD_SINCE, HELPER_FIELDS, NO_LOG_ACCESS, FieldDef, magic_fields
from .versions import DEFAULT_VERSION, Profile

# the default version's reference data (what the 17.0 tests compare with)
REFERENCE_DIR = Path(__file__).parent / "reference" / DEFAULT_VERSION

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
    "event.tag": "Event Tag",
    "event.tag.category": "Event Tag Category",
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
    "project.project": "Project",
    "project.task": "Task",
    "project.task.type": "Task Stage",
    "project.tags": "Project Tags",
    "project.collaborator": "Collaborators in project shared",
    "project.share.wizard": "Project Sharing",
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
    "hr.candidate": "Candidate",
    "hr.applicant.refuse.reason": "Refuse Reason of Applicant",
    "applicant.get.refuse.reason": "Get Refuse Reason",
    "res.users.apikeys": "Users API Keys",
    "base.automation": "Automation Rule",
    "ir.actions.server": "Server Action",
    "ir.model.fields": "Fields",
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
    "project.project": "sequence, name, id",
    "project.task": "priority desc, sequence, id desc",
    "project.task.type": "sequence, id",
    "project.tags": "name",
    "base.automation": "id",
    # helper models
    "survey.question": "sequence, id",
    "ir.actions.server": "name",
    "ir.model.fields": "name",
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
    "project.collaborator": "partner_id",
    "project.share.wizard": None,
    # helper models
    "ir.config_parameter": "key",
    "survey.question": "title",
    "survey.question.answer": "value",
    "survey.user_input.line": None,
    "mail.notification": None,
    "slide.channel.invite": None,
    "hr.candidate": "partner_name",
    "applicant.get.refuse.reason": None,
}
# 18.0 and 19.0 applicants have no ``name``: they are shown by the person's name
REC_NAME_FALLBACKS = {"hr.applicant": "partner_name"}

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
    "project.project": {
        "task_ids": "project_id",
        "tasks": "project_id",
        "collaborator_ids": "project_id",
    },
    "project.task": {"child_ids": "parent_id"},
    "base.automation": {"action_server_ids": "base_automation_id"},
}

# wizards: Odoo's TransientModel
TRANSIENT = {
    "portal.wizard",
    "portal.wizard.user",
    "slide.channel.invite",
    "applicant.get.refuse.reason",
    "project.share.wizard",
}


def _uuid(env: Any) -> str:
    return str(uuid.uuid4())


def _uid(env: Any) -> int:
    return int(env.uid)


# Field defaults of the Python classes (constants, or callables taking the Env)
DEFAULTS: dict[str, dict[str, Default]] = {
    "base.automation": {"active": True},
    "ir.actions.server": {"usage": "ir_actions_server", "sequence": 5},
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


def _spec(name: str, fields: dict[str, FieldDef], from_reference: bool) -> ModelSpec:
    """Reference and helper models alike take their class attributes from the tables above;
    defaults and the display-name field only where this version's model has the field."""
    rec_name = REC_NAMES.get(name, "name")
    if rec_name is not None and rec_name not in fields:
        rec_name = REC_NAME_FALLBACKS.get(name)
    return ModelSpec(
        name=name,
        description=DESCRIPTIONS.get(name, name),
        fields=fields,
        order=ORDERS.get(name, "id"),
        rec_name=rec_name,
        inverses=INVERSES.get(name, {}),
        uniques=UNIQUES.get(name, []),
        defaults={k: v for k, v in DEFAULTS.get(name, {}).items() if k in fields},
        from_reference=from_reference,
        transient=name in TRANSIENT,
    )


# 20.0 has no recorded fields: it starts from 19.0's, with the changes read in its source
FIELD_CHANGES_20: dict[str, tuple[tuple[str, ...], dict[str, FieldDef]]] = {
    # model: (fields removed, fields added)
    "hr.applicant": (
        ("user_id", "user_email"),
        {
            "recruiter_id": {
                "type": "many2one",
                "string": "Recruiter",
                "relation": "hr.employee",
                "required": False,
                "readonly": False,
                "store": True,
            },
            "recruiter_email": {
                "type": "char",
                "string": "Recruiter Email",
                "required": False,
                "readonly": True,
                "store": False,
            },
        },
    ),
    "res.partner": (("company_type", "company_name", "company_registry"), {}),
}


def _adapt(profile: Profile | None, model: str, fields: dict[str, FieldDef]) -> None:
    if profile is None or profile.major < 20 or model not in FIELD_CHANGES_20:
        return
    removed, added = FIELD_CHANGES_20[model]
    for name in removed:
        fields.pop(name, None)
    fields.update(copy.deepcopy(added))


def load_specs(profile: Profile | None = None) -> dict[str, ModelSpec]:
    """The models of one version (the default version's when ``profile`` is None)."""
    fields_dir = profile.fields_dir if profile is not None else REFERENCE_DIR / "fields"
    specs: dict[str, ModelSpec] = {}
    for path in sorted(fields_dir.glob("*.json")):
        fields: dict[str, FieldDef] = json.loads(path.read_text())
        _adapt(profile, path.stem, fields)
        specs[path.stem] = _spec(path.stem, fields, from_reference=True)
    for name, own_fields in HELPER_FIELDS.items():
        # a deep copy, so that each emulator gets field dicts of its own, as it does from the JSON
        magic = {} if name in NO_LOG_ACCESS else magic_fields()
        fields = {**magic, **copy.deepcopy(own_fields)}
        major = profile.major if profile is not None else int(float(DEFAULT_VERSION))
        for (model, fname), since in FIELD_SINCE.items():
            if model == name and major < since:
                del fields[fname]
        specs[name] = _spec(name, fields, from_reference=False)
    return specs


DefaultsFn = Callable[[Any], dict[str, Any]]
