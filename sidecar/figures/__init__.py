"""Progress figures of a trainee in a training program, as pure functions
(docs/product-rules.md §4–§8).

Everything here is computed from plain, already-synced values: no I/O, no Odoo types, no store.
The sync jobs build the small frozen dataclasses below from their tables and call these
functions; the same functions serve the CLI, the certificate and the tracker rows, so a figure
is defined exactly once.

Odoo facts these rules rely on (17.0, read in Odoo's source and on a stock server):

- `slide.channel.partner.completion` is `round(100 * completed / (total_slides or 1))`, so a
  course without lessons stays at 0 % and `joined`; `member_status` becomes `ongoing` above 0 %
  and `completed` at 100 %. Once `completed`, Odoo no longer recomputes the membership: the status
  sticks even when a lesson is un-completed or a new one is published (docs/odoo-notes.md §14).
- A quiz submission first increments `slide.slide.partner.quiz_attempts_count`, then, if every
  answer is right, marks the lesson completed and grants the karma of that attempt:
  reward[min(attempts, 4) - 1] over the first..fourth-attempt rewards. A passed quiz refuses
  further submissions, so a passed lesson's `quiz_attempts_count` is the attempt it was passed on.
- A `survey.user_input` can show `scoring_success` while still `new` (docs/odoo-notes.md §16):
  only `done` attempts count.

The package: `inputs` (the values), `rules` (one figure each) and `program` (all of them for one
trainee); everything is importable from `sidecar.figures`.
"""

from sidecar.figures.inputs import (
    DEFAULT_QUIZ_REWARDS,
    MEMBER_STATUSES,
    AssessmentParts,
    Attendance,
    CertificationAttempt,
    CertificationState,
    CourseState,
    QuizState,
    Registration,
    Requirements,
    Weights,
)
from sidecar.figures.program import ProgramFigures, program_figures
from sidecar.figures.rules import (
    attendance_percent,
    average_score,
    certification_score,
    counted_courses,
    course_completed,
    course_completion_percent,
    course_started,
    elearning_percent,
    integration_status,
    overall_progress,
    program_complete,
    quiz_score,
    round_1,
    tracker_status,
)

__all__ = [
    "DEFAULT_QUIZ_REWARDS",
    "MEMBER_STATUSES",
    "AssessmentParts",
    "Attendance",
    "CertificationAttempt",
    "CertificationState",
    "CourseState",
    "ProgramFigures",
    "QuizState",
    "Registration",
    "Requirements",
    "Weights",
    "attendance_percent",
    "average_score",
    "certification_score",
    "counted_courses",
    "course_completed",
    "course_completion_percent",
    "course_started",
    "elearning_percent",
    "integration_status",
    "overall_progress",
    "program_complete",
    "program_figures",
    "quiz_score",
    "round_1",
    "tracker_status",
]
