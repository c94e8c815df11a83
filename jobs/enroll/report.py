"""What an enrollment cycle did, for the command line and the scheduler."""

from __future__ import annotations

from dataclasses import dataclass, field

from jobs.enroll.step import Outcome


class EnrollInputError(Exception):
    """A hand enrollment names an applicant, contact or program that cannot be enrolled; the
    message is one plain sentence for the operator."""


@dataclass
class EnrollReport:
    listed: int = 0  # applicants read from Odoo by the incremental listing
    started: list[str] = field(default_factory=list)  # enrollments started (or restarted)
    enrolled: list[str] = field(default_factory=list)
    awaiting_review: list[str] = field(default_factory=list)  # a To-Do was queued
    left_stage: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # asked by hand, already enrolled
    without_program: list[str] = field(default_factory=list)  # newly seen, one sentence each
    waiting: list[str] = field(default_factory=list)  # still open after the cycle
    delivered: int = 0  # outbox rows confirmed in Odoo during the cycle
    adopted: int = 0  # of which found in Odoo from an earlier attempt whose answer was lost
    delivery_errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # config references Odoo lacks
    idle: str | None = None  # why the cycle listed no applicants, when it had nothing to do

    def absorb(self, outcome: Outcome) -> None:
        self.enrolled.extend(outcome.enrolled)
        self.awaiting_review.extend(outcome.awaiting_review)
        self.left_stage.extend(outcome.left_stage)
        self.refused.extend(outcome.refused)
        self.failed.extend(outcome.failed)
