"""The API tests' world: the cockpit's (tests/cockpit/world.py) with what the API reads added —
progress per course, assignment tasks, a revoked certificate, a trainee in a second program,
a member who is not counted, a trainee of an inactive program and enough trainees to page
through — and a client that sends a bearer token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from werkzeug.test import TestResponse

from sidecar.cockpit.api import tokens
from sidecar.store.models import (
    Assignment,
    AssignmentTask,
    AttendanceRecord,
    Batch,
    Certificate,
    CourseIntegration,
    Program,
    ProgressTracker,
    Student,
)
from tests.cockpit.world import World

EXTRA = 23  # more trainees of batch A, to page through
EXCLUDED_PARTNER = 7001
INACTIVE_PARTNER = 7002
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass
class Api:
    world: World

    def token(self, *scopes: str, name: str | None = None, rate: int = 10_000) -> str:
        with self.world.store.sessions() as db, db.begin():
            return tokens.create(db, name or f"t-{'-'.join(scopes)}", scopes, rate, NOW)

    def get(self, path: str, token: str | None, **headers: str) -> TestResponse:
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.world.app.test_client().get(path, headers=headers)

    def json(self, path: str, token: str) -> Any:
        answer = self.get(path, token)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()

    def walk(self, path: str, token: str, limit: int) -> list[Any]:
        """Every row of a list, page by page."""
        rows: list[Any] = []
        cursor: str | None = None
        joiner = "&" if "?" in path else "?"
        for _ in range(1000):
            page = self.json(
                f"{path}{joiner}limit={limit}" + (f"&cursor={cursor}" if cursor else ""), token
            )
            assert len(page["data"]) <= limit
            rows += page["data"]
            cursor = page["next_cursor"]
            if cursor is None:
                return rows
        raise AssertionError("the pages never end")


def enrich(world: World) -> None:
    partner_a = world.partners["trainee.a@example.com"]
    with world.store.sessions() as db, db.begin():
        gardening = db.scalar(select(Program).where(Program.key == "gardening"))
        wood = db.scalar(select(Program).where(Program.key == "wood"))
        assert gardening is not None and wood is not None
        students = {s.name: s for s in db.scalars(select(Student))}
        course = {c.program_id: c for c in db.scalars(select(CourseIntegration))}
        a, b = students["Trainee A"], students["Trainee B"]
        a.elearning_pct, a.average_score = 50.0, 8.5
        b.complete, b.completed_at = True, datetime(2026, 5, 30, tzinfo=UTC)
        in_wood = Student(program_id=wood.id, odoo_partner_id=partner_a, name="Trainee A")
        excluded = Student(
            program_id=gardening.id,
            odoo_partner_id=EXCLUDED_PARTNER,
            name="Not Counted",
            excluded="internal_user",
        )
        old = Program(key="old", name="Retired", active=False)
        db.add_all([in_wood, excluded, old])
        db.flush()
        gone = Student(program_id=old.id, odoo_partner_id=INACTIVE_PARTNER, name="Of Old")
        db.add(gone)
        db.flush()
        for student, completion in ((a, 60), (b, 100), (excluded, 10)):
            db.add(
                ProgressTracker(
                    student_id=student.id,
                    course_integration_id=course[gardening.id].id,
                    enrolled=True,
                    completion=completion,
                    completed=completion == 100,
                    lessons_completed=completion // 10,
                    status="completed" if completion == 100 else "in_progress",
                )
            )
        db.add(
            ProgressTracker(
                student_id=in_wood.id, course_integration_id=course[wood.id].id, enrolled=True
            )
        )
        _registrations(db, world, excluded)
        _assignments(db, world, a, b, excluded)
        _certificates(db, world, a, excluded)
        for n in range(EXTRA):
            db.add(
                Student(
                    program_id=gardening.id,
                    odoo_partner_id=8000 + n,
                    name=f"Extra {n:02d}",
                    integration_status="enrolled",
                    batch_id=world.batches["A"],
                )
            )


def _registrations(db: Any, world: World, excluded: Student) -> None:
    """The member who is not counted registered for batch A's event too."""
    event = db.get_one(Batch, world.batches["A"]).odoo_event_id
    db.add(
        AttendanceRecord(
            odoo_id=990,
            write_date="2026-01-05 08:00:00",
            event_id=event,
            partner_id=excluded.odoo_partner_id,
            state="open",
        )
    )


def _assignments(db: Any, world: World, a: Student, b: Student, excluded: Student) -> None:
    first = Assignment(
        batch_id=world.batches["A"], odoo_project_id=1, odoo_task_id=11, title="Plant a tree"
    )
    second = Assignment(
        batch_id=world.batches["B"],
        odoo_project_id=2,
        odoo_task_id=12,
        title="Prune a hedge",
        max_score=20.0,
    )
    db.add_all([first, second])
    db.flush()
    for assignment, student, score in ((first, a, 8.0), (first, excluded, 3.0), (second, b, None)):
        db.add(
            AssignmentTask(
                assignment_id=assignment.id,
                student_id=student.id,
                odoo_partner_id=student.odoo_partner_id,
                outbox_key=f"task/{assignment.id}/{student.id}",
                odoo_task_id=100 + student.id,
                submitted_at=datetime(2026, 3, 1, tzinfo=UTC) if score is not None else None,
                late=student is excluded,
                score=score,
            )
        )


def _certificates(db: Any, world: World, a: Student, excluded: Student) -> None:
    for serial, student, revoked in (
        ("OJT-REVOKED-A", a, True),
        ("OJT-NOT-COUNTED", excluded, False),
    ):
        db.add(
            Certificate(
                serial=serial,
                student_id=student.id,
                program_id=student.program_id,
                batch_id=world.batches["A"],
                batch_scope="old",
                odoo_partner_id=student.odoo_partner_id,
                participant_name=student.name,
                program_name="Gardening OJT",
                issuer="YourCompany",
                issue_date=date(2026, 2, 1),
                verify_url=f"http://127.0.0.1:8080/c/{serial}",
                payload='{"secret": "payload"}',
                signature="SIGNATURE-NEVER-SHOWN",
                key_id="k",
                pdf_path=f"private/{serial}.pdf",
                pdf_sha256="0" * 64,
                issued_at=datetime(2026, 2, 1, tzinfo=UTC),
                revoked_at=datetime(2026, 3, 1, tzinfo=UTC) if revoked else None,
                revoked_reason="issued in error" if revoked else None,
            )
        )
