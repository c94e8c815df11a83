"""Base records (always) and Odoo-17-like demo data (``demo=True``), ids as in the samples.

Each block is loaded as its own transaction with a fixed timestamp, like Odoo's demo loading:
rows of one block share ``write_date`` to the microsecond (docs/odoo-notes.md §8).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .behaviours.automation import load_field_catalogue
from .behaviours.recruitment import find_or_create_partner
from .helper_models import AUTOMATION_MODELS, LAST_HELPERS, LATE_HELPERS
from .orm import Env
from .store import Store
from .versions import Profile

GROUPS = [
    # xmlid, name, category, share
    ("base.group_user", "Internal User", "User types", False),
    ("base.group_portal", "Portal", "User types", True),
    ("base.group_public", "Public", "User types", True),
    ("base.group_system", "Settings", "Administration", False),
    ("base.group_erp_manager", "Access Rights", "Administration", False),
    (
        "hr_recruitment.group_hr_recruitment_user",
        "Officer: Manage all applicants",
        "Recruitment",
        False,
    ),
    ("website_slides.group_website_slides_officer", "Officer", "eLearning", False),
    ("survey.group_survey_user", "User", "Surveys", False),
]
SUBTYPES = [
    ("mail.mt_comment", "Discussions", False),
    ("mail.mt_note", "Note", True),
    ("mail.mt_activities", "Activities", True),
    ("hr_recruitment.mt_applicant_stage_changed", "Stage Changed", False),
]
ACTIVITY_TYPES = [
    ("mail.mail_activity_data_email", "Email", "fa-envelope"),
    ("mail.mail_activity_data_call", "Call", "fa-phone"),
    ("mail.mail_activity_data_meeting", "Meeting", "fa-users"),
    ("mail.mail_activity_data_todo", "To-Do", "fa-check"),
    ("mail.mail_activity_data_upload_document", "Upload Document", "fa-upload"),
]
COMPANIES = {
    9: "Azure Interior",
    10: "Deco Addict",
    11: "Gemini Furniture",
    12: "Lumber Inc",
    13: "Ready Mat",
    14: "The Jackson Group",
    15: "Wood Corner",
}
CONTACTS = [  # id, name, company, email
    (16, "Willie Burke", 15, "willie.burke80@example.com"),
    (17, "Ron Gibson", 15, "ron.gibson76@example.com"),
    (18, "Douglas Fletcher", 10, "douglas.fletcher51@example.com"),
    (19, "Brandon Freeman", 9, "brandon.freeman55@example.com"),
    (20, "Nicole Ford", 9, "nicole.ford75@example.com"),
    (21, "Billy Fox", 13, "billy.fox45@example.com"),
    (22, "Edwin Hansen", 11, "edwin.hansen58@example.com"),
    (23, "Jesse Brown", 11, "jesse.brown74@example.com"),
    (24, "Kim Snyder", 13, "kim.snyder96@example.com"),
    (25, "Colleen Diaz", 9, "colleen.diaz83@example.com"),
    (26, "Floyd Steward", 10, "floyd.steward34@example.com"),
    (27, "Gordon Owens", 13, "gordon.owens47@example.com"),
    (28, "Julie Richards", 14, "julie.richards84@example.com"),
    (29, "Lorraine Douglas", 10, "lorraine.douglas35@example.com"),
    (30, "Oscar Morgan", 11, "oscar.morgan11@example.com"),
    (31, "Theodore Gardner", 12, "theodore.gardner36@example.com"),
    (32, "Travis Mendoza", 14, "travis.mendoza24@example.com"),
    (33, "Tom Ruiz", 12, "tom.ruiz89@example.com"),
    (34, "Addison Olson", 15, "addison.olson28@example.com"),
    (35, "Soham Palmer", 9, "soham.palmer15@example.com"),
    (36, "Jacqueline Hernandez", 12, "jacqueline.hernandez41@example.com"),
    (37, "Chester Reed", 14, "chester.reed79@example.com"),
    (38, "Henry Campbell", 11, "henry.campbell21@example.com"),
    (39, "Marion Lee", 15, "marion.lee60@example.com"),
    (40, "Dwayne Newman", 10, "dwayne.newman38@example.com"),
]
# slide: id, title, category (None for a section), sequence
DemoSlide = tuple[int, str, str | None, int]
COURSES: list[tuple[int, str, str, str, str, int, list[DemoSlide]]] = [
    # id, name, type, enroll, visibility, responsible uid, slides
    (
        1,
        "Basics of Gardening",
        "training",
        "public",
        "public",
        2,
        [
            (1, "Gardening: The Know-How", "infographic", 1),
            (2, "Home Gardening", "document", 2),
            (3, "Mighty Carrots", "video", 3),
            (4, "How to Grow and Harvest The Best Strawberries | Basics", "article", 4),
            (5, "Test your knowledge", "quiz", 5),
        ],
    ),
    (
        2,
        "Taking care of Trees",
        "training",
        "public",
        "public",
        2,
        [
            (6, "Basics", None, 0),
            (8, "Tree Infographic", "infographic", 1),
            (9, "Energy Efficiency Facts", "document", 2),
            (10, "Tree planting in hanging bottles on wall", "video", 3),
            (7, "Advanced", None, 4),
            (11, "How to plant a potted tree", "video", 5),
            (12, "A little chat with Harry Potted", "article", 6),
            (13, "3 Main Methodologies", "document", 7),
            (14, "Trees: test yourself", "quiz", 8),
        ],
    ),
    (
        3,
        "Trees, Wood and Gardens",
        "documentation",
        "public",
        "public",
        6,
        [
            (15, "Trees", None, 0),
            (17, "Main Trees Categories", "document", 1),
            (18, "A Mighty Forest from Ages", "infographic", 2),
            (19, "Tree Species", "document", 3),
            (16, "Wood", None, 4),
            (20, "Wood Types", "document", 5),
        ],
    ),
    (
        4,
        "Choose your wood!",
        "training",
        "invite",
        "members",
        2,
        [
            (21, "Woods", None, 0),
            (22, "Wood Characteristics", "document", 1),
            (23, "Choose your wood: quiz", "quiz", 2),
        ],
    ),
    (
        5,
        "Furniture Technical Specifications",
        "documentation",
        "invite",
        "public",
        2,
        [
            (24, "Furnitures", None, 0),
            (26, "Office Chair Specifications", "document", 1),
            (27, "Desk Specifications", "document", 2),
            (25, "Beds", None, 3),
            (28, "Bed Specifications", "document", 4),
            (29, "Drawer Specifications", "document", 5),
            (30, "Comparing furniture quality", "infographic", 6),
        ],
    ),
    (
        6,
        "Basics of Furniture Creation",
        "training",
        "public",
        "public",
        2,
        [
            (31, "Tools", None, 0),
            (32, "Glue Tip", "video", 1),
            (33, "Using a hammer", "video", 2),
            (34, "Furniture joinery", "document", 3),
            (35, "Sanding basics", "article", 4),
            (36, "Certification", None, 5),
            (37, "Varnishing (draft)", "document", 6),
            (38, "Furniture Creation Certification", "certification", 7),
        ],
    ),
    (
        7,
        "DIY Furniture",
        "training",
        "public",
        "public",
        2,
        [(39, "DIY Furniture Certification", "certification", 1)],
    ),
]
QUESTIONS = [
    (1, 5, "What is the best time to plant a tree?"),
    (2, 5, "Which fruit grows on a tree?"),
    (3, 12, "What does Harry Potted grow?"),
    (4, 12, "When should you water trees?"),
    (5, 17, "Which tree is a conifer?"),
    (6, 17, "Which wood is the hardest?"),
]
MEMBERSHIPS = [
    (1, 1, 3, "ongoing", 40, 2),
    (2, 2, 3, "ongoing", 86, 6),
    (3, 3, 7, "joined", 0, 0),
    (4, 4, 3, "joined", 0, 0),
    (5, 5, 3, "joined", 0, 0),
    (6, 1, 7, "joined", 0, 0),
    (7, 1, 8, "joined", 0, 0),
    (8, 2, 7, "joined", 0, 0),
    (9, 2, 8, "joined", 0, 0),
    (10, 3, 3, "joined", 0, 0),
    (11, 6, 3, "joined", 0, 0),
    (12, 7, 3, "joined", 0, 0),
]
SLIDE_PARTNERS = [
    (1, 1, 3, True),
    (2, 2, 3, True),
    (3, 1, 7, False),
    (4, 2, 7, False),
    (5, 1, 8, False),
    (6, 2, 8, False),
    (7, 8, 3, True),
    (8, 9, 3, True),
    (9, 10, 3, True),
    (10, 11, 3, True),
    (11, 12, 3, True),
    (12, 13, 3, True),
    (13, 8, 7, False),
    (14, 9, 7, False),
    (15, 8, 8, False),
    (16, 9, 8, False),
]
JOBS = [
    (1, "Chief Executive Officer"),
    (2, "Chief Technical Officer"),
    (3, "Consultant"),
    (4, "Experienced Developer"),
    (5, "Human Resources Manager"),
    (6, "Marketing and Community Manager"),
    (7, "Trainee"),
]
STAGES = [
    (1, "New", 0, False, False),
    (2, "Initial Qualification", 1, False, False),
    (3, "First Interview", 2, False, False),
    (4, "Second Interview", 3, False, False),
    (5, "Contract Proposal", 4, False, False),
    (6, "Contract Signed", 5, True, True),
    (7, "On the Job Training", 6, False, False),
]
APPLICANTS = [  # id, subject, partner_name, email, job, stage
    (1, "Sales Manager", "Enrique Jones", "enrique.jones152@gmail.example.com", 6, 3),
    (2, "Marketing Officer", "Meldona Thang", "thing.thang.thong@gmail.example.com", 6, 2),
    (3, "Developer", "Johan Duck", "coincoin@gmail.example.com", 4, 2),
    (4, "Senior Developer", "Kelly Wallant", "kelly@wallant.example.com", 4, 2),
    (5, "Python Developer", "Cécile Donth", "c-cile72@msn.example.com", 4, 2),
    (6, "Trainee - Carpentry", "Rachel Perry", "rachel.perry@example.com", 7, 7),
    (7, "Trainee - Gardening", "Tina Williamson", "tina.williamson@example.com", 7, 7),
    (8, "Trainee - Furniture", "Sandra Elvis", "sandra.elvis@example.com", 7, 7),
    (9, "Trainee - Logistics", "Lucas Martin", False, 7, 7),
    (10, "Backend Developer", "Paul Dubois", "paul.dubois@example.com", 4, 1),
    (11, "HR Manager", "Anita Oliver", "anita.oliver@example.com", 5, 4),
    (12, "Consultant", "Noah Smith", "noah.smith@example.com", 3, 5),
]
ENDED_18 = (
    "Finished events. Odoo will automatically move them to this stage once their end date has "
    "passed."
)
EVENT_STAGES = [  # id, name, sequence, end stage (folded, pipe_end), description to 17.0, 18.0+
    (1, "New", 1, False, "Freshly created", "Freshly created"),
    (2, "Booked", 2, False, "The place has been reserved", ""),
    (3, "Announced", 3, False, "The event has been publicly announced", None),
    (4, "Ended", 5, True, "Fully ended", ENDED_18),
    (5, "Cancelled", 6, True, "The event has been cancelled", None),
]
EVENTS = [
    (1, "Design Fair Los Angeles", 3, 10),
    (2, "Live Music Festival", 3, 20),
    (3, "Conference for Architects", 2, 30),
    (4, "Hockey Tournament", 1, 40),
    (5, "Business workshops", 4, -10),
    (6, "OpenWood Collection Online Reveal", 3, 15),
]


REFUSE_REASONS = [
    "Doesn't fit the job requirements",
    "Refused by applicant: job fit",
    "Job already fulfilled",
    "Duplicate",
    "Spam",
    "Refused by applicant: salary",
]

SLIDE_TYPES = {
    "infographic": "image",
    "document": "pdf",
    "video": "youtube_video",
    "article": "article",
    "quiz": "quiz",
    "certification": "certification",
}


class DemoEnv(Env):
    """The loader's environment: one dataset for every version, each record cut to the fields
    its model has in this version (16.0 memberships have no status, 18.0+ applicants no name,
    19.0 users keep their groups in ``group_ids``)."""

    def _fit(self, model: str, vals: dict) -> dict:
        fields = self.spec(model).fields
        vals = dict(vals)
        if "groups_id" in vals:
            vals[self.version.groups_field] = vals.pop("groups_id")
        return {k: v for k, v in vals.items() if k in fields or k == "id" or k.startswith("_")}

    def create(self, model: str, vals_list: dict | list[dict]) -> Any:
        if isinstance(vals_list, dict):
            return super().create(model, self._fit(model, self._person(model, vals_list)))
        return super().create(model, [self._fit(model, self._person(model, v)) for v in vals_list])

    def _person(self, model: str, vals: dict) -> dict:
        """18.0: an applicant without a candidate gets one holding the person."""
        if model != "hr.applicant" or not self.version.has_candidates or "candidate_id" in vals:
            return vals
        person = {k: vals[k] for k in ("partner_name", "email_from") if k in vals}
        return {**vals, "candidate_id": self.create("hr.candidate", person)}

    def write(self, model: str, ids: Any, vals: dict) -> bool:
        return super().write(model, ids, self._fit(model, vals))


def loader_env(store: Store) -> Env:
    """The superuser environment that seeds a dataset, as Odoo's install does."""
    return _env(store)


def _env(store: Store) -> Env:
    # install_mode: demo loading queues no mails (Odoo's demo data has almost none)
    return DemoEnv(store, 1, {"install_mode": True}, su=True)


def _block(store: Store, at: datetime) -> Any:
    return store.transaction(at=at)


def load(store: Store, demo: bool) -> None:
    base = store.clock().replace(microsecond=354392) - timedelta(hours=1)
    with _block(store, base):
        _load_base(store)
    if demo:
        _load_demo(store, base)


def _xml(store: Store, xmlid: str, model: str, rid: int) -> None:
    store.xmlids[xmlid] = (model, rid)


def _load_base(store: Store) -> None:
    env = _env(store)
    for i, (xmlid, name, category, share) in enumerate(GROUPS, start=1):
        env.create("res.groups", {"id": i, "name": name, "share": share, "_category": category})
        _xml(store, xmlid, "res.groups", i)
    for i, (xmlid, name, internal) in enumerate(SUBTYPES, start=1):
        env.create("mail.message.subtype", {"id": i, "name": name, "internal": internal})
        _xml(store, xmlid, "mail.message.subtype", i)
    for i, (xmlid, name, icon) in enumerate(ACTIVITY_TYPES, start=1):
        env.create(
            "mail.activity.type",
            {
                "id": i,
                "name": name,
                "icon": icon,
                "sequence": i,
                "chaining_type": "suggest",
                "delay_from": "previous_activity",
                "delay_unit": "days",
                "category": "default",
            },
        )
        _xml(store, xmlid, "mail.activity.type", i)
    # models of one version only, and the later helpers, come last, then the Project app's models,
    # then the Automation Rules app's: the others keep their ids
    late = {"hr.candidate", *LATE_HELPERS}
    ordered = sorted(
        store.specs.values(),
        key=lambda s: (
            s.name in LAST_HELPERS,
            s.name in AUTOMATION_MODELS,
            s.name.startswith("project."),
            s.name in late,
            s.name,
        ),
    )
    for i, spec in enumerate(ordered, start=1):
        env.create(
            "ir.model",
            {
                "id": i,
                "model": spec.name,
                "name": spec.description,
                "state": "base",
                "transient": spec.transient,
                "order": spec.order,
                "is_mail_thread": spec.has_chatter,
                "is_mail_activity": "activity_ids" in spec.fields,
            },
        )
    load_field_catalogue(store)
    for xmlid, (model, rid) in store.xmlids.items():
        module, name = xmlid.split(".", 1)
        env.create(
            "ir.model.data",
            {"module": module, "name": name, "model": model, "res_id": rid, "noupdate": True},
        )
    env.create(
        "res.partner",
        [
            {"id": 1, "name": "YourCompany", "is_company": True, "email": "info@yourcompany.com"},
            {"id": 2, "name": "OdooBot", "email": "odoobot@example.com"},
            {
                "id": 3,
                "name": "Mitchell Admin",
                "parent_id": 1,
                "email": "admin@yourcompany.example.com",
            },
        ],
    )
    env.create("res.company", {"id": 1, "name": "YourCompany", "partner_id": 1})
    admin_groups = [
        store.ref(g[0]) for g in GROUPS if g[0] not in ("base.group_portal", "base.group_public")
    ]
    env.create(
        "res.users",
        [
            {
                "id": 1,
                "login": "__system__",
                "partner_id": 2,
                "active": False,
                "groups_id": [(6, 0, admin_groups)],
            },
            {"id": 2, "login": "admin", "partner_id": 3, "groups_id": [(6, 0, admin_groups)]},
        ],
    )
    store.passwords[2] = "admin"
    env.create(
        "ir.config_parameter",
        [
            {"key": "web.base.url", "value": "http://localhost:8069"},
            {"key": "database.uuid", "value": "3f1c6c2e-0d8e-11ef-9b2f-0242ac120002"},
        ],
    )
    env.create(
        "mail.template",
        {"id": 22, "name": "Recruitment: Application Acknowledgement", "model": "hr.applicant"},
    )
    for i, name in enumerate(("Course Completed", "Channel Invitation", "Channel Enroll"), 27):
        env.create("mail.template", {"id": i, "name": name, "model": "slide.channel"})


def _load_demo(store: Store, base: datetime) -> None:
    env = _env(store)
    with _block(store, base):
        _demo_partners(store, env)
        _demo_surveys(env)
    with _block(store, base + timedelta(seconds=2)):
        _demo_events(env, base)
    with _block(store, base + timedelta(seconds=3)):
        _demo_recruitment(store, env)
    with _block(store, base + timedelta(seconds=11)):
        _demo_courses(env)
    with _block(store, base + timedelta(seconds=8)):
        for sid, cid, pid, status, completion, count in MEMBERSHIPS:
            env.create(
                "slide.channel.partner",
                {
                    "id": sid,
                    "channel_id": cid,
                    "partner_id": pid,
                    "member_status": status,
                    "completion": completion,
                    "completed_slides_count": count,
                },
            )


def _demo_partners(store: Store, env: Env) -> None:
    env.create(
        "res.partner",
        [
            {"id": 4, "name": "Public user", "active": False},
            {"id": 5, "name": "Default User Template", "active": False},
            {"id": 6, "name": "Portal User Template", "active": False},
            {"id": 7, "name": "Marc Demo", "parent_id": 1, "email": "mark.brown23@example.com"},
            {"id": 8, "name": "Joel Willis", "parent_id": 1, "email": "joel.willis63@example.com"},
        ],
    )
    env.create(
        "res.partner",
        [
            {
                "id": i,
                "name": name,
                "is_company": True,
                "email": f"info@{name.lower().replace(' ', '')}.example.com",
            }
            for i, name in COMPANIES.items()
        ],
    )
    env.create(
        "res.partner",
        [
            {"id": i, "name": name, "parent_id": company, "email": email}
            for i, name, company, email in CONTACTS
        ],
    )
    store.tables["res.partner"].next_id = 67
    public = [store.ref("base.group_public")]
    portal = [store.ref("base.group_portal")]
    internal = [store.ref("base.group_user")]
    env.create(
        "res.users",
        [
            {
                "id": 3,
                "login": "public",
                "partner_id": 4,
                "active": False,
                "groups_id": [(6, 0, public)],
            },
            {
                "id": 4,
                "login": "default",
                "partner_id": 5,
                "active": False,
                "groups_id": [(6, 0, internal)],
            },
            {
                "id": 5,
                "login": "portaltemplate",
                "partner_id": 6,
                "active": False,
                "groups_id": [(6, 0, portal)],
            },
            {"id": 6, "login": "demo", "partner_id": 7, "groups_id": [(6, 0, internal)]},
            {"id": 7, "login": "portal", "partner_id": 8, "groups_id": [(6, 0, portal)]},
        ],
    )
    store.passwords.update({6: "demo", 7: "portal"})


def _survey(env: Env, sid: int, title: str, certification: bool, **extra: Any) -> None:
    env.create(
        "survey.survey",
        {
            "id": sid,
            "title": title,
            "certification": certification,
            "scoring_type": "scoring_with_answers" if certification else "no_scoring",
            "survey_type": "assessment" if certification else "survey",
            "access_mode": "public",
            "questions_layout": "one_page",
            "questions_selection": "all",
            "access_token": f"{sid:08d}-demo-token",
            "active": True,
            **extra,
        },
    )


def _demo_surveys(env: Env) -> None:
    _survey(env, 1, "Feedback Form", False)
    _survey(env, 2, "MyCompany Vendor Certification", True, scoring_success_min=80.0)
    _survey(env, 3, "Chair Design Contest", False)
    _survey(env, 4, "Meeting Satisfaction Survey", False)
    _survey(env, 5, "Know your company", False)
    _survey(
        env,
        6,
        "Furniture Creation Certification",
        True,
        scoring_success_min=70.0,
        is_attempts_limited=True,
        attempts_limit=3,
    )
    answer_id = 1
    for qid, (title, score) in enumerate(
        [
            ("Which glue for wood?", 1.0),
            ("Which hammer for nails?", 1.0),
            ("Which joint is strongest?", 1.0),
            ("How to sand a surface?", 2.0),
        ],
        start=1,
    ):
        env.create("survey.question", {"id": qid, "title": title, "survey_id": 6, "sequence": qid})
        for j, correct in enumerate((True, False, False)):
            env.create(
                "survey.question.answer",
                {
                    "id": answer_id,
                    "question_id": qid,
                    "value": f"Answer {qid}.{j + 1}",
                    "is_correct": correct,
                    "answer_score": score if correct else 0.0,
                },
            )
            answer_id += 1
    rows = [
        (1, 1, 7, "mark.brown23@example.com", "done", 0.0, 0.0, False),
        (2, 1, 21, "billy.fox45@example.com", "done", 0.0, 0.0, False),
        (3, 1, False, "Evelyne Gargouillis <evelyne@example.com>", "done", 0.0, 0.0, False),
        (4, 1, False, "Martin Tamarre <martin@example.com>", "in_progress", 0.0, 0.0, False),
        (5, 2, 18, "douglas.fletcher51@example.com", "done", 100.0, 18.0, True),
    ]
    for uid_, survey, partner, email, state, pct, total, success in rows:
        env.create(
            "survey.user_input",
            {
                "id": uid_,
                "survey_id": survey,
                "partner_id": partner,
                "email": email,
                "state": state,
                "scoring_percentage": pct,
                "scoring_total": total,
                "scoring_success": success,
            },
        )
    for i, partner in enumerate((16, 17, 19, 20, 22, 23, 25, 26, 27, 28), start=6):
        env.create(
            "survey.user_input",
            {"id": i, "survey_id": 4 if i % 2 else 1, "partner_id": partner, "state": "done"},
        )


def event_stages(version: Profile) -> list[dict[str, Any]]:
    """The stages the event module installs in this version (docs/odoo-notes.md §18): New,
    Booked, Announced, then the end stages Ended and (up to 18.0) Cancelled."""
    return [
        {
            "id": sid,
            "name": name,
            "sequence": seq,
            "fold": end,
            "pipe_end": end,
            "description": text if not version.reworded_event_stages or later is None else later,
        }
        for sid, name, seq, end, text, later in EVENT_STAGES
        if name != "Cancelled" or version.has_cancelled_event_stage
    ]


def _demo_events(env: Env, base: datetime) -> None:
    env.create("event.stage", event_stages(env.version))
    for eid, name, stage, days in EVENTS:
        begin = (base + timedelta(days=days)).replace(hour=8, minute=0, second=0, microsecond=0)
        env.create(
            "event.event",
            {
                "id": eid,
                "name": name,
                "stage_id": stage,
                "date_begin": begin,
                "date_end": begin + timedelta(hours=9),
                "user_id": 2,
                "organizer_id": 1,
            },
        )
    reg_id = 1
    plan = [
        (1, [16, 17, 18, 19, 20]),
        (2, [22, 23, 25, 26, 27]),
        (3, [28, 29, 30, 31]),
        (4, [32, 33, 34]),
        (6, [37, 38, 39]),
        (5, [21, 24, 35, 36]),
        (6, [40, 19, 20]),
    ]
    for eid, partners in plan:
        for pid in partners:
            state = "done" if reg_id in (21, 22) else "open"
            env.create(
                "event.registration",
                {"id": reg_id, "event_id": eid, "partner_id": pid, "state": state},
            )
            reg_id += 1
    # the two attendees of the ended workshop, as in the sample rows 21 and 22
    env.write(
        "event.registration",
        [21],
        {"partner_id": 21, "name": "Billy Fox", "email": "billy.fox45@example.com"},
    )
    env.write(
        "event.registration",
        [22],
        {"partner_id": 24, "name": "Kim Snyder", "email": "kim.snyder96@example.com"},
    )


def _demo_recruitment(store: Store, env: Env) -> None:
    for jid, name in JOBS:
        env.create("hr.job", {"id": jid, "name": name, "sequence": jid})
    for sid, name, seq, fold, hired in STAGES:
        env.create(
            "hr.recruitment.stage",
            {
                "id": sid,
                "name": name,
                "sequence": seq,
                "fold": fold,
                "hired_stage": hired,
                "template_id": 22 if sid == 1 else False,
            },
        )
    for rid, name in enumerate(REFUSE_REASONS, start=1):
        env.create("hr.applicant.refuse.reason", {"id": rid, "name": name, "sequence": rid})
    for aid, subject, pname, email, job, stage in APPLICANTS:
        vals: dict[str, Any] = {
            "id": aid,
            "name": subject,
            "partner_name": pname,
            "email_from": email,
            "job_id": job,
            "stage_id": stage,
            "message_partner_ids": [7],
        }
        if store.profile.has_candidates:
            # 18.0: the person is a candidate, one per applicant, with the applicant's id
            person = {"id": aid, "partner_name": pname, "email_from": email}
            vals["candidate_id"] = env.create("hr.candidate", person)
        elif store.profile.major == 16 and email:
            # 16.0 makes no contact from the e-mail; the demo links the same contacts as 17.0
            vals["partner_id"] = find_or_create_partner(env, str(email))
        env.create("hr.applicant", vals)


def _demo_courses(env: Env) -> None:
    for cid, name, ctype, enroll, visibility, user, slides in COURSES:
        followers = [3, 7] if cid == 1 else [3]
        env.create(
            "slide.channel",
            {
                "id": cid,
                "name": name,
                "channel_type": ctype,
                "enroll": enroll,
                "visibility": visibility,
                "user_id": user,
                "is_published": True,
                "sequence": cid,
                "active": True,
                "completed_template_id": 27,
                "karma_gen_channel_finish": 10,
                "message_partner_ids": followers,
                "promote_strategy": "latest",
            },
        )
        for sid, title, category, seq in slides:
            vals: dict[str, Any] = {
                "id": sid,
                "name": title,
                "channel_id": cid,
                "sequence": seq,
                "is_category": category is None,
                "slide_category": category or "document",
                "source_type": "local_file",
                "is_published": sid != 37,
                "active": True,
                "completion_time": 0.0 if category in (None, "certification") else 1.0,
                "slide_type": SLIDE_TYPES.get(category or "", False),
            }
            if category == "quiz":
                vals.update(
                    quiz_first_attempt_reward=10,
                    quiz_second_attempt_reward=7,
                    quiz_third_attempt_reward=5,
                    quiz_fourth_attempt_reward=2,
                )
            if category == "certification":
                vals["survey_id"] = 6
            env.create("slide.slide", vals)
    for qid, slide, text in QUESTIONS:
        env.create(
            "slide.question", {"id": qid, "slide_id": slide, "question": text, "sequence": qid}
        )
    for sid, slide, partner, done in SLIDE_PARTNERS:
        env.create(
            "slide.slide.partner",
            {"id": sid, "slide_id": slide, "partner_id": partner, "completed": done, "vote": 1},
        )
