"""Recruitment → training: applicants who reach the OJT stage are invited, enrolled and tracked
(docs/product-rules.md §1). `run_enroll_cycle` is what the CLI and the scheduler call."""

from jobs.enroll.context import EnrollSetupError
from jobs.enroll.cycle import enroll_applicant, enroll_partner, run_enroll_cycle
from jobs.enroll.report import EnrollInputError, EnrollReport
from jobs.enroll.status import EnrollmentStatus, applicants_without_program, enrollment_status

__all__ = [
    "EnrollInputError",
    "EnrollReport",
    "EnrollSetupError",
    "EnrollmentStatus",
    "applicants_without_program",
    "enroll_applicant",
    "enroll_partner",
    "enrollment_status",
    "run_enroll_cycle",
]
