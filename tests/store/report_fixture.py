"""A small store for the report tests (tests/store/test_reports.py, tests/test_report_cli.py):
two programs, ten trainees, their trackers, applications, batches and registrations, with every
figure the reports should give worked out by hand below.

Trainees (UTC; "days" = created_at → completed_at):

  welding   partner applicant created           overall complete completed (days)   certified
  Alice     1       11        2026-03-02 09:00  100     yes      03-12 09:00 (10.0)  03-13
  Bruno     2       -         2026-03-04 09:00  100     yes      03-24 18:36 (20.4)  -
  Chen      3       13        2026-03-10 09:00   60     no       -                   -
  Dana      4       -         2026-04-01 09:00  100     yes      04-05 09:00 (4.0)   04-06
  Emil      5       15        2026-04-15 09:00   20     no       -                   -
  Fatou     6       -         2026-04-20 09:00    0     no       -                   -
  wood
  Alice     1       -         2026-03-03 09:00  100     yes      03-08 09:00 (5.0)   03-09
  Gita      7       17        2026-03-16 09:00   50     no       -                   -
  Hugo      8       18        2026-05-05 09:00  100     yes      05-20 09:00 (15.0)  -
  Ines      9       -         2026-05-06 09:00   10     no       -                   -

Batches (config; all with an event but wood's `dates`): welding `spring` (event 501, starts
2026-03-02), welding `summer` (502, 2026-06-01), wood `w1` (601, 2026-03-09), wood `spring`
(602, 2026-04-06), wood `dates` (no event, 2026-01-01).

Registrations (attendance rows): 501: partner 1 done, 2 open, 3 done, 6 cancel, 99 done (not a
trainee), 5 done but removed in Odoo; 502: 4 open, 5 cancel; 601: 1 done, 7 open; 602: 8 done.
Alice (welding) has `spring` recorded as her batch. Each trainee's batch is therefore:
Alice, Bruno, Chen → spring; Dana → summer; Emil, Fatou → none (cancelled);
wood Alice, Gita → w1; Hugo → spring (wood's); Ines → none.

Trackers: welding Safety: Alice, Bruno, Chen, Dana enrolled and completed; Emil enrolled;
Fatou completed but no longer enrolled (not counted) → 5 enrolled, 4 completed.
welding Arc basics: Alice, Bruno, Dana completed, Chen enrolled → 4 enrolled, 3 completed.
wood Joinery: Alice, Hugo completed, Gita and Ines enrolled → 4 enrolled, 2 completed.

Applications (`enrollments`): welding 11 (03-01), 13 (03-09), 15 (04-14), 21 (refused, 03-20),
22 (awaiting review, 04-25) → 5; wood 17 (03-15), 18 (05-04), 23 (failed, 02-20) → 3.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sidecar.config import Config
from sidecar.store.bootstrap import Store
from sidecar.store.models import (
    AttendanceRecord,
    CourseIntegration,
    Enrollment,
    Program,
    ProgressTracker,
    Student,
)
from tests.stores import open_migrated


def config_data(url: str) -> dict[str, Any]:
    return {
        "odoo": {
            "url": "http://127.0.0.1:8069",
            "database": "ojt",
            "username": "admin",
            "password": "admin",
        },
        "store": {"url": url},
        "programs": [
            {
                "key": "welding",
                "name": "Welding",
                "courses": [{"course": 101}, {"course": 102}],
                "batches": [
                    _batch("spring", "Spring", 501, "2026-03-02", "2026-04-30"),
                    _batch("summer", "Summer", 502, "2026-06-01", "2026-07-31"),
                ],
            },
            {
                "key": "wood",
                "name": "Woodworking",
                "courses": [{"course": 201}],
                "batches": [
                    _batch("w1", "Wood one", 601, "2026-03-09", "2026-05-29"),
                    _batch("spring", "Wood spring", 602, "2026-04-06", "2026-06-26"),
                    {"key": "dates", "name": "Dates only", "start": "2026-01-01",
                     "end": "2026-12-31"},
                ],
            },
        ],
    }  # fmt: skip


def _batch(key: str, name: str, event: int, start: str, end: str) -> dict[str, Any]:
    return {"key": key, "name": name, "event": event, "start": start, "end": end}


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# program, partner, applicant, name, created, overall, completed_at, certified_at, status
TRAINEES = [
    ("welding", 1, 11, "Alice", at(3, 2), 100.0, at(3, 12), at(3, 13), "certified"),
    ("welding", 2, None, "Bruno", at(3, 4), 100.0, at(3, 24, 18, 36), None, "completed"),
    ("welding", 3, 13, "Chen", at(3, 10), 60.0, None, None, "in_progress"),
    ("welding", 4, None, "Dana", at(4, 1), 100.0, at(4, 5), at(4, 6), "certified"),
    ("welding", 5, 15, "Emil", at(4, 15), 20.0, None, None, "in_progress"),
    ("welding", 6, None, "Fatou", at(4, 20), 0.0, None, None, "enrolled"),
    ("wood", 1, None, "Alice", at(3, 3), 100.0, at(3, 8), at(3, 9), "certified"),
    ("wood", 7, 17, "Gita", at(3, 16), 50.0, None, None, "in_progress"),
    ("wood", 8, 18, "Hugo", at(5, 5), 100.0, at(5, 20), None, "completed"),
    ("wood", 9, None, "Ines", at(5, 6), 10.0, None, None, "in_progress"),
]
# course channel → {partner: (enrolled, completed)}
TRACKERS = {
    101: {1: (True, True), 2: (True, True), 3: (True, True), 4: (True, True),
          5: (True, False), 6: (False, True)},
    102: {1: (True, True), 2: (True, True), 3: (True, False), 4: (True, True)},
    201: {1: (True, True), 7: (True, False), 8: (True, True), 9: (True, False)},
}  # fmt: skip
APPLICATIONS = [
    ("welding", 11, "enrolled", at(3, 1)),
    ("welding", 13, "enrolled", at(3, 9)),
    ("welding", 15, "enrolled", at(4, 14)),
    ("welding", 21, "refused", at(3, 20)),
    ("welding", 22, "awaiting_review", at(4, 25)),
    ("wood", 17, "enrolled", at(3, 15)),
    ("wood", 18, "enrolled", at(5, 4)),
    ("wood", 23, "failed", at(2, 20)),
]
# event, partner, state, removed
REGISTRATIONS = [
    (501, 1, "done", False),
    (501, 2, "open", False),
    (501, 3, "done", False),
    (501, 6, "cancel", False),
    (501, 99, "done", False),
    (501, 5, "done", True),
    (502, 4, "open", False),
    (502, 5, "cancel", False),
    (601, 1, "done", False),
    (601, 7, "open", False),
    (602, 8, "done", False),
]
COURSE_NAMES = {101: "Safety", 102: "Arc basics", 201: "Joinery"}


def make_config(url: str) -> Config:
    return Config.model_validate(config_data(url))


def write_config(folder: Path, url: str) -> Path:
    import yaml

    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config_data(url)), encoding="utf-8")
    return path


def seeded_store(url: str) -> Store:
    store = open_migrated(make_config(url))
    with store.sessions() as session, session.begin():
        programs = {p.key: p.id for p in session.scalars(select(Program))}
        courses = {c.odoo_channel_id: c for c in session.scalars(select(CourseIntegration))}
        for channel, course in courses.items():
            course.course_name = COURSE_NAMES[channel or 0]
        students = _students(session, programs)
        for channel, per_partner in TRACKERS.items():
            course = courses[channel]
            for partner, (enrolled, completed) in per_partner.items():
                student = students[(course.program_id, partner)]
                session.add(
                    ProgressTracker(
                        student_id=student.id,
                        course_integration_id=course.id,
                        enrolled=enrolled,
                        completed=completed,
                    )
                )
        _applications_and_registrations(session, programs)
    return store


def _students(session: Any, programs: dict[str, int]) -> dict[tuple[int, int], Student]:
    from sidecar.store.models import Batch

    spring = session.scalar(
        select(Batch.id).where(Batch.key == "spring", Batch.program_id == programs["welding"])
    )
    made = {}
    for key, partner, applicant, name, created, overall, completed, certified, status in TRAINEES:
        student = Student(
            program_id=programs[key],
            odoo_partner_id=partner,
            odoo_applicant_id=applicant,
            batch_id=spring if (key, partner) == ("welding", 1) else None,
            name=name,
            email=f"{name.lower()}@example.com",
            integration_status=status,
            elearning_pct=overall,
            attendance_pct=50.0 if partner in (1, 3) else None,
            average_score=80.0 if completed else None,
            graded_total=2,
            graded_done=2 if completed else 1,
            assignment_average=None,
            overall_pct=overall,
            complete=completed is not None,
            completed_at=completed,
            certified_at=certified,
            created_at=created,
            updated_at=created + timedelta(days=1),
        )
        session.add(student)
        made[(programs[key], partner)] = student
    session.flush()
    return made


def _applications_and_registrations(session: Any, programs: dict[str, int]) -> None:
    for key, applicant, state, created in APPLICATIONS:
        session.add(
            Enrollment(
                subject=f"applicant:{applicant}",
                program_id=programs[key],
                odoo_applicant_id=applicant,
                state=state,
                created_at=created,
            )
        )
    for number, (event, partner, state, removed) in enumerate(REGISTRATIONS, 1):
        session.add(
            AttendanceRecord(
                odoo_id=number,
                write_date="2026-03-01 00:00:00",
                event_id=event,
                partner_id=partner,
                state=state,
                active=True,
                removed_at=at(3, 1) if removed else None,
            )
        )
