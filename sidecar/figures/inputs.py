"""What the figures are computed from: small frozen values the sync builds from its tables, the
program's weights and minimums, and Odoo's defaults and status names."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

MEMBER_STATUSES = frozenset({"invited", "joined", "ongoing", "completed"})
# Odoo's defaults for quiz_first_attempt_reward .. quiz_fourth_attempt_reward.
DEFAULT_QUIZ_REWARDS = (10, 7, 5, 2)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class CourseState:
    """One trainee in one course of the program (a `slide.channel.partner`, or its absence).

    `member_status` is None on Odoo 16, which has a boolean `completed` instead: callers map a
    true `completed` to `member_status='completed'`. `ever_completed` is our sticky flag (Odoo
    once said completed). `enrolled` is False when no active membership exists. `in_program` is
    False once the course was removed from the program's configuration: it then counts for
    nothing in program figures.
    """

    course_id: int
    required: bool = True
    threshold: int = 100
    completion: int = 0
    member_status: str | None = None
    ever_completed: bool = False
    enrolled: bool = True
    in_program: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.threshold <= 100:
            raise ValueError(f"threshold must be within 1..100, got {self.threshold}")
        if self.member_status is not None and self.member_status not in MEMBER_STATUSES:
            raise ValueError(f"unknown member_status {self.member_status!r}")


@dataclass(frozen=True)
class QuizState:
    """One trainee on one quiz lesson (`slide.slide.partner` + the slide's karma rewards)."""

    slide_id: int
    passed: bool
    attempts: int
    rewards: tuple[int, int, int, int] = DEFAULT_QUIZ_REWARDS


@dataclass(frozen=True)
class CertificationAttempt:
    """One `survey.user_input` of a certification lesson, as read from Odoo."""

    state: str  # 'new' | 'in_progress' | 'done'
    scoring_percentage: float
    scoring_success: bool


@dataclass(frozen=True)
class CertificationState:
    """One trainee on one certification lesson: only attempts in state `done` are kept."""

    slide_id: int
    done_scores: tuple[float, ...] = ()
    passed: bool = False

    @classmethod
    def from_attempts(
        cls, slide_id: int, attempts: Iterable[CertificationAttempt]
    ) -> CertificationState:
        """Keep `done` attempts only: Odoo scores (and may flag success on) unfinished ones."""
        done = [a for a in attempts if a.state == "done"]
        return cls(
            slide_id,
            tuple(a.scoring_percentage for a in done),
            any(a.scoring_success for a in done),
        )


@dataclass(frozen=True)
class Registration:
    """One `event.registration` of the trainee for a session of the batch."""

    state: str  # 'draft' | 'open' | 'done' (attended) | 'cancel'
    session_ended: bool


@dataclass(frozen=True)
class Attendance:
    registrations: tuple[Registration, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, bool]]) -> Attendance:
        return cls(tuple(Registration(state, ended) for state, ended in pairs))


@dataclass(frozen=True)
class AssessmentParts:
    """How the assessments part is made of the quizzes' average, the certifications' and the
    assignments' (relative weights; a part without a result is left out)."""

    quizzes: float
    certifications: float
    assignments: float


@dataclass(frozen=True)
class Weights:
    """Relative weights of the parts of overall progress (config; default eLearning only)."""

    elearning: float = 1.0
    attendance: float = 0.0
    assessments: float = 0.0
    # None: one average over every graded item, the assignments' average counting as one
    parts: AssessmentParts | None = None

    def __post_init__(self) -> None:
        parts = (self.elearning, self.attendance, self.assessments)
        if any(not math.isfinite(w) or w < 0 for w in parts) or sum(parts) <= 0:
            raise ValueError(f"weights must be finite, >= 0 and not all 0, got {parts}")


@dataclass(frozen=True)
class Requirements:
    """Program minimums in percent; None means not configured."""

    min_attendance: float | None = None
    min_average_score: float | None = None
    min_submitted: int | None = None  # assignments handed in (checked at issuance)
