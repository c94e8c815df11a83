"""The values the sidecar's status columns hold, one `StrEnum` per column. A member is its text
(`StudentStatus.CERTIFIED == "certified"`), so rows written before these existed, JSON and the
CLI's choices read the same."""

from __future__ import annotations

from enum import StrEnum


class StudentStatus(StrEnum):
    """`students.integration_status`: a trainee's way through a program."""

    NOT_INTEGRATED = "not_integrated"
    ENROLLED = "enrolled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CERTIFIED = "certified"


class Exclusion(StrEnum):
    """`students.excluded`: why a member of a program course is not counted as a trainee
    (docs/product-rules.md §12). The first that applies is recorded."""

    COURSE_RESPONSIBLE = "course_responsible"
    INTERNAL_USER = "internal_user"


class TrackerStatus(StrEnum):
    """`progress_trackers.status`: one trainee in one course."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CERTIFIED = "certified"


class CourseStatus(StrEnum):
    """`course_integrations.status`: archived when the config no longer lists the course."""

    ACTIVE = "active"
    ARCHIVED = "archived"


class BatchStatus(StrEnum):
    """`batches.status`."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"  # its event was cancelled in Odoo: no certificates, nobody placed
    ARCHIVED = "archived"


class RunStatus(StrEnum):
    """`sync_runs.status` and `job_runs.status`."""

    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # asked to stop during the run
    ABANDONED = "abandoned"  # its replica died or stalled (job runs only)


class OutboxState(StrEnum):
    """`outbox.state`: a write to Odoo."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class EnrollmentState(StrEnum):
    """`enrollments.state`: the enrollment state machine (`jobs/enroll/flow.py`)."""

    NEW = "new"
    AWAITING_REVIEW = "awaiting_review"
    APPROVED = "approved"
    PARTNER = "partner"
    PORTAL = "portal"
    PORTAL_WIZARD = "portal_wizard"
    PORTAL_GRANT = "portal_grant"
    COURSES = "courses"
    COURSES_WAIT = "courses_wait"
    NOTE_WAIT = "note_wait"
    ENROLLED = "enrolled"
    LEFT_STAGE = "left_stage"
    REFUSED = "refused"
    FAILED = "failed"


class FlagKind(StrEnum):
    """`review_flags.kind`: why a person is asked to look."""

    REQUIREMENTS_NOT_MET = "requirements_not_met"
    NO_PROGRAM = "no_program"
