"""What the API answers, as pydantic models: the views build them, and the OpenAPI document
describes them from their JSON schema, so the two cannot drift apart."""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

from sidecar.statuses import BatchStatus, StudentStatus, TrackerStatus

Key = str


class Problem(BaseModel):
    """Every error."""

    error: str = Field(description="A code: bad_request, unauthorized, forbidden, not_found, …")
    message: str = Field(description="One sentence for a person.")


class Course(BaseModel):
    name: str = Field(description="The course's name in Odoo, else as the config names it.")
    odoo_channel_id: int | None = Field(description="The `slide.channel` id, once found.")
    required: bool
    completion_threshold: int = Field(description="The completion % that counts as done.")


class Program(BaseModel):
    key: Key
    name: str
    issue_on: str = Field(description="When a certificate is issued: completion, batch_end, …")
    courses: list[Course]


class Batch(BaseModel):
    key: Key
    name: str
    program: Key
    status: BatchStatus
    origin: Literal["config", "odoo"]
    start_date: date | None
    end_date: date | None
    odoo_event_id: int | None


class Trainee(BaseModel):
    """A trainee in one program, with their figures (docs/product-rules.md)."""

    partner_id: int = Field(description="The Odoo contact.")
    name: str
    email: str | None
    program: Key
    batch: Key | None = Field(
        description="Their batch: the one on their certificate, else the first they registered for."
    )
    status: StudentStatus
    overall_pct: float = Field(description="Overall progress, 0 to 100.")
    elearning_pct: float
    attendance_pct: float | None
    average_score: float | None
    assignment_average: float | None = Field(description="Weighted assignment average, 0–100.")
    complete: bool
    completed_at: datetime | None
    certified_at: datetime | None
    updated_at: datetime


class TraineeDetail(BaseModel):
    """One person in every program they are a trainee of."""

    partner_id: int
    name: str
    programs: list[Trainee]


class CourseProgress(BaseModel):
    """One trainee in one course of their program."""

    partner_id: int
    trainee: str
    program: Key
    course: str
    odoo_channel_id: int | None
    required: bool
    enrolled: bool
    completion: int = Field(description="Odoo's completion %, 0 to 100.")
    completed: bool
    lessons_completed: int
    status: TrackerStatus
    updated_at: datetime


class Attendance(BaseModel):
    """A trainee's registration for their batch's event (`event.registration`)."""

    registration_id: int = Field(description="The `event.registration` id in Odoo.")
    partner_id: int
    trainee: str
    program: Key
    batch: Key
    odoo_event_id: int
    state: str = Field(description="Odoo's state: draft, open (registered), done, cancel.")


class Score(BaseModel):
    """A trainee's task for one assignment of their batch."""

    assignment: str = Field(description="The assignment's title.")
    odoo_task_id: int | None = Field(description="The trainee's own task in Odoo, once made.")
    partner_id: int
    trainee: str
    program: Key
    batch: Key
    submitted_at: datetime | None
    late: bool
    score: float | None
    max_score: float


class Certificate(BaseModel):
    serial: str
    program: Key
    program_name: str
    batch: Key | None
    batch_name: str | None
    participant: str
    partner_id: int
    issue_date: date
    expires_on: date | None
    status: Literal["valid", "revoked", "superseded", "expired"]
    verify_url: str = Field(description="The public verification page.")
    issued_at: datetime


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; `next_cursor` asks for the next one (null: this was the last)."""

    data: list[T]
    next_cursor: str | None


class ProgramPage(Page[Program]):
    pass


class BatchPage(Page[Batch]):
    pass


class TraineePage(Page[Trainee]):
    pass


class ProgressPage(Page[CourseProgress]):
    pass


class AttendancePage(Page[Attendance]):
    pass


class ScorePage(Page[Score]):
    pass


class CertificatePage(Page[Certificate]):
    pass
