"""The sidecar's own tables (SQLAlchemy 2.0, typed). Alembic owns the schema: see migrations/.

Three groups:
- from the config: programs, course integrations, batches (reconciled at start, archived not
  deleted);
- mirrors of Odoo rows, keyed by Odoo's id, written only by the sync: memberships, lesson
  progress, graded items, assessment results, attendance. A row Odoo deleted or archived is
  marked (`removed_at`), never deleted;
- what we compute and track: students (a partner in a program) and progress trackers (student ×
  course), plus the sync's own bookkeeping: cursors and runs.

One module per group; this package exports every table, so importing it registers them all
with `Base.metadata` (which Alembic compares the migrations against).
"""

from sidecar.store.models.api import ApiToken
from sidecar.store.models.assignments import Assignment, AssignmentTask
from sidecar.store.models.base import Base, UTCDateTime, utcnow
from sidecar.store.models.certificates import (
    Certificate,
    OutboxMessage,
    ReviewFlag,
    StatusList,
)
from sidecar.store.models.cockpit import (
    AppSession,
    AppSigninFailure,
    AppSigninLink,
    Checkin,
    MentorAction,
)
from sidecar.store.models.configured import Batch, CourseIntegration, Program
from sidecar.store.models.mirrors import (
    AssessmentResult,
    AttendanceRecord,
    CourseMembership,
    GradedItem,
    LessonProgress,
)
from sidecar.store.models.notifications import Notification, NotificationOptOut
from sidecar.store.models.recruitment import Enrollment
from sidecar.store.models.service import JobLease, JobRun
from sidecar.store.models.status import StatusShown
from sidecar.store.models.tracking import (
    PendingRecompute,
    ProgressTracker,
    Student,
    SyncCursor,
    SyncRun,
)
from sidecar.store.models.webhooks import WebhookDelivery, WebhookEvent, WebhookMark

__all__ = [
    "ApiToken",
    "AppSession",
    "AppSigninFailure",
    "AppSigninLink",
    "AssessmentResult",
    "Assignment",
    "AssignmentTask",
    "AttendanceRecord",
    "Base",
    "Batch",
    "Certificate",
    "Checkin",
    "CourseIntegration",
    "CourseMembership",
    "Enrollment",
    "GradedItem",
    "JobLease",
    "JobRun",
    "LessonProgress",
    "MentorAction",
    "Notification",
    "NotificationOptOut",
    "OutboxMessage",
    "PendingRecompute",
    "Program",
    "ProgressTracker",
    "ReviewFlag",
    "StatusList",
    "StatusShown",
    "Student",
    "SyncCursor",
    "SyncRun",
    "UTCDateTime",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookMark",
    "utcnow",
]
