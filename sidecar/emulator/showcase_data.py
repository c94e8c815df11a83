"""The showcase dataset (``OdooEmulator(demo="showcase")``): what `ojt-sidecar demo` shows.

Two training programs' worth of Odoo data, recorded the way Odoo 17 records it
(docs/odoo-notes.md §12, §14, §16, §17): four eLearning courses with lessons, a quiz each and
one certification (a survey); 40 trainees at varied progress (memberships whose completion Odoo
recomputes from the ``slide.slide.partner`` rows, quiz attempts, certification attempts scored
from answer lines); a recruitment pipeline with applicants in the *On the Job Training* stage for
jobs that lead to a program; and a practical-week event whose registrations record attendance
(``state`` ``done``).

It is separate from the default demo data (whose ids hundreds of tests rely on). Ids here are
whatever Odoo would assign; the demo finds records by name over RPC, as an operator would.
Each trainee's starting point is written as a short code per course (see `course_plan`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import languages
from .demo_data import event_stages, loader_env
from .orm import Env
from .showcase_assignments import TECH_TRAINEES, template_project
from .store import Store

OJT_STAGE = "On the Job Training"
DEV_JOB, WAREHOUSE_JOB = "Junior Developer", "Warehouse Operator"
SURVEY = "Odoo Developer Certification"
EVENT = "Forklift Practical Week"
PASS_MARK = 70.0  # the certification's scoring_success_min
QUESTIONS = 5  # one point each: an attempt scores a multiple of 20 %

# course name, lessons (title, category), quiz title, certification title or None
COURSES: list[tuple[str, list[tuple[str, str]], str, str | None]] = [
    (
        "Python Foundations",
        [
            ("Installing Python", "video"),
            ("Variables and Types", "article"),
            ("Control Flow", "document"),
            ("Functions and Modules", "video"),
        ],
        "Python Foundations: quiz",
        None,
    ),
    (
        "Odoo Development Basics",
        [
            ("The Odoo Architecture", "document"),
            ("Models and Fields", "video"),
            ("Views and Actions", "article"),
            ("Security Rules", "document"),
        ],
        "Odoo Development: quiz",
        SURVEY,
    ),
    (
        "Warehouse Safety",
        [
            ("Safety at Work", "video"),
            ("Hazardous Goods", "document"),
            ("Personal Protective Equipment", "infographic"),
        ],
        "Warehouse Safety: quiz",
        None,
    ),
    (
        "Forklift Operation",
        [
            ("Forklift Types", "document"),
            ("The Daily Inspection", "video"),
            ("Handling Loads", "article"),
        ],
        "Forklift Operation: quiz",
        None,
    ),
    (
        "Field Service Basics",
        [
            ("Working on Site", "video"),
            ("Reporting a Job", "article"),
        ],
        "Field Service Basics: quiz",
        None,
    ),
]
DEV_COURSES = ("Python Foundations", "Odoo Development Basics")
WAREHOUSE_COURSES = ("Warehouse Safety", "Forklift Operation")
TECH_COURSES = ("Field Service Basics", "Forklift Operation")

# Trainees: name, program ("dev" | "warehouse"), plan of the first course, of the second, and
# (warehouse) the practical-week registration state. A plan code, per course:
#   ""         a member who has not started          "-"   not a member
#   "L3"       the first 3 lessons completed
#   "Q2"       quiz passed at the 2nd attempt         "q1"  quiz failed once, not passed yet
#   "C80"      a finished certification attempt scoring 80 % (pass mark 70 %)
DEV_TRAINEES: list[tuple[str, str, str]] = [
    ("Jane Cooper", "L4 Q1", "L4 Q1 C100"),  # finished before the sidecar came
    ("Priya Raman", "L4 Q1", "L4 Q2"),  # the certification is all that is left
    ("Marcus Webb", "L4 Q2", "L4 Q1 C60"),  # failed the certification once
    ("Lena Fischer", "L4 Q3", "L4 Q4"),  # low quiz scores: will need a review
    ("Tom Okafor", "L4 Q1", "L2"),
    ("Aisha Khan", "L4 Q1", "L1"),
    ("Diego Alvarez", "L4 Q1", "L3"),
    ("Hannah Schultz", "L1", ""),
    ("Yusuf Demir", "L2", ""),
    ("Chloe Martin", "L3", ""),
    ("Mateo Silva", "L2", ""),
    ("Olivia Bennett", "L4 q1", ""),
    ("Noah Fischer", "L4 q1", ""),
    ("Amara Obi", "L4 q2", ""),
    ("Ethan Wright", "L4 q1", ""),
    ("Zoe Adams", "", ""),
    ("Liam Murphy", "", ""),
    ("Sara Lindqvist", "", ""),
    ("Ivan Petrov", "", ""),
    ("Mei Chen", "", ""),
    ("Lucas Moreau", "", ""),
    ("Anna Kowalski", "", ""),
]
# Trainees whose language in Odoo is not English: their certificates are in theirs.
LANGUAGES = {"Priya Raman": "fr_FR", "Sofia Rossi": "es_ES", "Ahmed Hassan": "ar_001"}
WAREHOUSE_TRAINEES: list[tuple[str, str, str, str]] = [
    ("Sofia Rossi", "L3 Q1", "L3 Q1", "done"),  # finished and attended
    ("Ahmed Hassan", "L3 Q1", "L3", "done"),
    ("Emma Johansson", "L3 Q2", "L3", "done"),
    ("Kenji Sato", "L3 Q1", "L2", "open"),
    ("Fatima Zahra", "L3 Q1", "L3", "open"),
    ("Oliver Brown", "L3 Q1", "L1", "done"),
    ("Grace Okoro", "L3 Q1", "", "open"),
    ("Pablo Ortega", "L3 Q2", "", "open"),
    ("Nadia Haddad", "L3 Q1", "", "done"),
    ("Jonas Berg", "L1", "", "open"),
    ("Ruth Mensah", "L2", "", "open"),
    ("Victor Dubois", "L2", "", "open"),
    ("Elif Yilmaz", "L3", "", "open"),
    ("Sam Taylor", "", "", "open"),
    ("Maya Singh", "", "", "open"),
    ("Felix Wagner", "", "", "open"),
    ("Laura Costa", "", "", "open"),
    ("Ben Carter", "", "", "cancel"),
]
STAGES = [  # name, sequence, hired
    ("New", 0, False),
    ("Initial Qualification", 1, False),
    ("First Interview", 2, False),
    ("Second Interview", 3, False),
    ("Contract Proposal", 4, False),
    ("Contract Signed", 5, True),
    (OJT_STAGE, 6, False),
]
JOBS = [DEV_JOB, WAREHOUSE_JOB, "Sales Representative"]
APPLICANTS = [  # subject, name, e-mail, job, stage
    ("Junior Developer - Nina", "Nina Petrova", "nina.petrova@example.com", DEV_JOB, OJT_STAGE),
    ("Junior Developer - Samuel", "Samuel Green", "samuel.green@example.com", DEV_JOB, OJT_STAGE),
    ("Junior Developer - Hugo", "Hugo Martin", False, DEV_JOB, OJT_STAGE),
    ("Warehouse Operator - Grace", "Grace Liu", "grace.liu@example.com", WAREHOUSE_JOB, OJT_STAGE),
    (
        "Junior Developer - Leo",
        "Leo Schmidt",
        "leo.schmidt@example.com",
        DEV_JOB,
        "Contract Signed",
    ),
    ("Junior Developer - Mia", "Mia Novak", "mia.novak@example.com", DEV_JOB, "First Interview"),
    (
        "Sales Representative - Ravi",
        "Ravi Patel",
        "ravi.patel@example.com",
        "Sales Representative",
        "New",
    ),
]
SLIDE_TYPES = {"infographic": "image", "document": "pdf", "video": "youtube_video"}
SLIDE_TYPES.update(article="article", quiz="quiz", certification="certification")
_CODE = re.compile(r"([LQqC])(\d+)")


@dataclass(frozen=True)
class CoursePlan:
    member: bool
    lessons: int = 0
    quiz_attempts: int = 0
    quiz_passed: bool = False
    certification_scores: tuple[int, ...] = ()


def course_plan(code: str) -> CoursePlan:
    """Read a plan code ("L4 Q2 C60", "", "-"); see the trainee tables."""
    if code.strip() == "-":
        return CoursePlan(member=False)
    lessons, attempts, passed, scores = 0, 0, False, []
    for kind, number in _CODE.findall(code):
        value = int(number)
        if kind == "L":
            lessons = value
        elif kind in "Qq":
            attempts, passed = value, kind == "Q"
        else:
            scores.append(value)
    return CoursePlan(True, lessons, attempts, passed, tuple(scores))


def email_of(name: str) -> str:
    return f"{name.lower().replace(' ', '.')}@example.com"


def load(store: Store) -> None:
    """Seed the showcase on top of the base records, block by block as Odoo would commit."""
    env = loader_env(store)
    languages.install(store.specs, languages.SHOWCASE)
    base = store.clock().replace(microsecond=0) - timedelta(days=3)
    with store.transaction(at=base):
        partners = _partners(env)
        survey = _survey(env)
    with store.transaction(at=base + timedelta(hours=1)):
        slides = _courses(env, survey)
    with store.transaction(at=base + timedelta(hours=2)):
        _recruitment(env)
    with store.transaction(at=base + timedelta(hours=3)):
        event = _event(env, store.clock())
        template_project(env)
    # progress happened over the following days, one trainee at a time
    at = base + timedelta(days=1)
    for name, first, second in DEV_TRAINEES:
        at += timedelta(minutes=37)
        with store.transaction(at=at):
            _progress(env, partners[name], slides, DEV_COURSES, (first, second), survey)
    for name in TECH_TRAINEES:  # finished Field Service Basics; their batch is yet to come
        at += timedelta(minutes=29)
        with store.transaction(at=at):
            _progress(env, partners[name], slides, TECH_COURSES, ("L2 Q1", "-"), survey)
    for name, first, second, attendance in WAREHOUSE_TRAINEES:
        at += timedelta(minutes=41)
        with store.transaction(at=at):
            _progress(env, partners[name], slides, WAREHOUSE_COURSES, (first, second), survey)
            env.create(
                "event.registration",
                {"event_id": event, "partner_id": partners[name], "state": attendance},
            )


def _partners(env: Env) -> dict[str, int]:
    names = [t[0] for t in DEV_TRAINEES] + [t[0] for t in WAREHOUSE_TRAINEES]
    names += TECH_TRAINEES
    ids = env.create(
        "res.partner",
        [{"name": n, "email": email_of(n), "lang": LANGUAGES.get(n, "en_US")} for n in names],
    )
    return dict(zip(names, ids, strict=True))


def _survey(env: Env) -> dict[str, Any]:
    survey = env.create(
        "survey.survey",
        {
            "title": SURVEY,
            "certification": True,
            "scoring_type": "scoring_with_answers",
            "survey_type": "assessment",
            "access_mode": "public",
            "questions_layout": "one_page",
            "questions_selection": "all",
            "scoring_success_min": PASS_MARK,
            "is_attempts_limited": True,
            "attempts_limit": 5,
            "active": True,
        },
    )
    answers: list[tuple[int, int, int]] = []  # (question, right answer, wrong answer)
    for n in range(1, QUESTIONS + 1):
        question = env.create(
            "survey.question",
            {"title": f"Certification question {n}", "survey_id": survey, "sequence": n},
        )
        right, wrong = (
            env.create(
                "survey.question.answer",
                {
                    "question_id": question,
                    "value": f"Answer {n}.{j}",
                    "is_correct": j == 1,
                    "answer_score": 1.0 if j == 1 else 0.0,
                },
            )
            for j in (1, 2)
        )
        answers.append((question, right, wrong))
    return {"id": survey, "answers": answers}


def _courses(env: Env, survey: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Create the courses; per course name: channel id, lesson slide ids, quiz and
    certification slide ids."""
    found: dict[str, dict[str, Any]] = {}
    for seq, (name, lessons, quiz, certification) in enumerate(COURSES, start=1):
        channel = env.create(
            "slide.channel",
            {
                "name": name,
                "channel_type": "training",
                "enroll": "invite",
                "visibility": "members",
                "user_id": 2,
                "is_published": True,
                "sequence": seq,
                "active": True,
                "completed_template_id": 27,
                "karma_gen_channel_finish": 10,
                "message_partner_ids": [3],
                "promote_strategy": "latest",
            },
        )
        items = [(title, kind) for title, kind in lessons] + [(quiz, "quiz")]
        if certification:
            items.append((certification, "certification"))
        ids = []
        for position, (title, kind) in enumerate(items, start=1):
            vals: dict[str, Any] = {
                "name": title,
                "channel_id": channel,
                "sequence": position,
                "is_category": False,
                "slide_category": kind,
                "slide_type": SLIDE_TYPES[kind],
                "source_type": "local_file",
                "is_published": True,
                "active": True,
                "completion_time": 0.0 if kind == "certification" else 0.5,
            }
            if kind == "quiz":
                vals.update(
                    quiz_first_attempt_reward=10,
                    quiz_second_attempt_reward=7,
                    quiz_third_attempt_reward=5,
                    quiz_fourth_attempt_reward=2,
                )
            if kind == "certification":
                vals["survey_id"] = survey["id"]
            ids.append(env.create("slide.slide", vals))
        env.create(
            "slide.question",
            {"slide_id": ids[len(lessons)], "question": f"{name}: check question", "sequence": 1},
        )
        found[name] = {
            "channel": channel,
            "lessons": ids[: len(lessons)],
            "quiz": ids[len(lessons)],
            "certification": ids[-1] if certification else None,
        }
    return found


def _recruitment(env: Env) -> None:
    jobs = {
        name: env.create("hr.job", {"name": name, "sequence": i}) for i, name in enumerate(JOBS)
    }
    stages = {
        name: env.create(
            "hr.recruitment.stage",
            {"name": name, "sequence": seq, "fold": hired, "hired_stage": hired},
        )
        for name, seq, hired in STAGES
    }
    for subject, name, email, job, stage in APPLICANTS:
        env.create(
            "hr.applicant",
            {
                "name": subject,
                "partner_name": name,
                "email_from": email,
                "job_id": jobs[job],
                "stage_id": stages[stage],
            },
        )


def _event(env: Env, now: datetime) -> int:
    # the stages the event module installs, with the ids Odoo gives them
    stages = env.create(
        "event.stage",
        [{k: v for k, v in s.items() if k != "id"} for s in event_stages(env.version)],
    )
    begin = (now - timedelta(days=2)).replace(hour=8, minute=0, second=0, microsecond=0)
    return int(
        env.create(
            "event.event",
            {
                "name": EVENT,
                "stage_id": stages[2],
                "date_begin": begin,
                "date_end": begin + timedelta(days=5, hours=9),
                "user_id": 2,
                "organizer_id": 1,
            },
        )
    )


def _progress(
    env: Env,
    partner: int,
    slides: dict[str, dict[str, Any]],
    courses: tuple[str, str],
    codes: tuple[str, str],
    survey: dict[str, Any],
) -> None:
    for course, code in zip(courses, codes, strict=True):
        plan = course_plan(code)
        if not plan.member:
            continue
        ids = slides[course]
        env.create(
            "slide.channel.partner",
            {"channel_id": ids["channel"], "partner_id": partner, "member_status": "joined"},
        )
        rows = [
            {"slide_id": slide, "partner_id": partner, "completed": True}
            for slide in ids["lessons"][: plan.lessons]
        ]
        if plan.quiz_attempts:
            rows.append(
                {
                    "slide_id": ids["quiz"],
                    "partner_id": partner,
                    "completed": plan.quiz_passed,
                    "quiz_attempts_count": plan.quiz_attempts,
                }
            )
        if rows:
            env.create("slide.slide.partner", rows)
        for score in plan.certification_scores:
            certification_attempt(env, partner, ids["certification"], survey, score)


def certification_attempt(
    env: Env, partner: int, slide: int, survey: dict[str, Any], score: int
) -> int:
    """One finished attempt at the certification scoring `score` % (a multiple of 20), built over
    RPC as in docs/odoo-notes.md §16: the slide's progress row, the attempt linked to it, answer
    lines (the server scores them), then ``state`` ``done``."""
    found = env.search(
        "slide.slide.partner", [("slide_id", "=", slide), ("partner_id", "=", partner)]
    )
    ssp = (
        found[0]
        if found
        else env.create("slide.slide.partner", {"slide_id": slide, "partner_id": partner})
    )
    attempt = env.create(
        "survey.user_input",
        {
            "survey_id": survey["id"],
            "partner_id": partner,
            "slide_id": slide,
            "slide_partner_id": ssp,
        },
    )
    right = round(score / (100 / QUESTIONS))
    env.create(
        "survey.user_input.line",
        [
            {
                "user_input_id": attempt,
                "question_id": question,
                "answer_type": "suggestion",
                "suggested_answer_id": good if n < right else bad,
            }
            for n, (question, good, bad) in enumerate(survey["answers"])
        ],
    )
    env.write("survey.user_input", [attempt], {"state": "done"})
    return int(attempt)
