"""The per-course, per-score and per-trainee rules: completion, quiz and certification scores,
averages, attendance, overall progress, completeness and statuses."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from sidecar.figures.inputs import (
    Attendance,
    CertificationState,
    CourseState,
    QuizState,
    Requirements,
    Weights,
)
from sidecar.statuses import StudentStatus, TrackerStatus

# --------------------------------------------------------------------------- courses


def course_completed(c: CourseState) -> bool:
    """Completed when completion >= threshold, or Odoo says (or once said) completed.

    The sticky part matters: a course at 100 % that gets a new lesson stays completed in Odoo,
    and a mentor would not expect a finished trainee to fall back.
    """
    return c.completion >= c.threshold or c.member_status == "completed" or c.ever_completed


def course_completion_percent(c: CourseState) -> float:
    """100 for a completed course (whatever its threshold), else Odoo's completion in 0..100."""
    if course_completed(c):
        return 100.0
    return _clamp(float(c.completion))


def course_started(c: CourseState) -> bool:
    """Some lesson was completed (`joined` and `invited` are not a start)."""
    return c.completion > 0 or c.member_status == "ongoing" or course_completed(c)


def tracker_status(course: CourseState, certified: bool = False) -> TrackerStatus:
    """Status of one student × course tracker: not_started, in_progress, completed, certified.

    `certified` comes from certificate issuance and wins: it never moves back.
    """
    if certified:
        return TrackerStatus.CERTIFIED
    if course_completed(course):
        return TrackerStatus.COMPLETED
    if course_started(course):
        return TrackerStatus.IN_PROGRESS
    return TrackerStatus.NOT_STARTED


def counted_courses(courses: Iterable[CourseState]) -> list[CourseState]:
    """The courses program figures count: the required in-program ones, else all in-program."""
    in_program = [c for c in courses if c.in_program]
    required = [c for c in in_program if c.required]
    return required or in_program


def elearning_percent(courses: Iterable[CourseState]) -> float:
    """Mean completion over the program's required courses (all courses if none is required).

    Courses removed from the program are ignored; no course at all gives 0.
    """
    counted = counted_courses(courses)
    if not counted:
        return 0.0
    return sum(course_completion_percent(c) for c in counted) / len(counted)


# --------------------------------------------------------------------------- graded items


def quiz_score(q: QuizState) -> float | None:
    """Karma of the passing attempt over the first-attempt karma, × 100; None if not passed.

    Attempt 4 and later earn the fourth reward, as in Odoo. Our own choices, listed in
    docs/product-rules.md §5:
    - a first-attempt reward of 0 (karma switched off) gives 100 to any pass: there is no ladder
      to measure against, and passing is what the quiz asks;
    - a quiz marked passed with no attempt recorded (set by hand in the back office) has no
      result: Odoo grants no karma either, and inventing a score would move the average;
    - the result is clamped to 0..100 in case later rewards were configured above the first.
    """
    if not q.passed or q.attempts < 1:
        return None
    first = q.rewards[0]
    if first <= 0:
        return 100.0
    earned = q.rewards[min(q.attempts, len(q.rewards)) - 1]
    return _clamp(100.0 * earned / first)


def certification_score(c: CertificationState) -> float | None:
    """Best `scoring_percentage` of the done attempts (passed or not); None without one."""
    if not c.done_scores:
        return None
    return _clamp(max(c.done_scores))


def average_score(scores: Iterable[float | None]) -> float | None:
    """Mean over the items that have a result; None when none has (shown as "—")."""
    results = [s for s in scores if s is not None]
    if not results:
        return None
    return sum(results) / len(results)


# --------------------------------------------------------------------------- attendance


def attendance_percent(a: Attendance) -> float | None:
    """Attended registrations over the registrations of sessions that have ended, × 100.

    Cancelled registrations never count. A registration marked attended (`done`) counts even if
    its session has not ended yet (checked in at a session still running): leaving it out of
    the denominator only would push the figure above 100 %. `draft` (unconfirmed) counts like
    `open`: the trainee was expected. None when no session has ended yet.
    """
    counted = [
        r for r in a.registrations if r.state != "cancel" and (r.session_ended or r.state == "done")
    ]
    if not counted:
        return None
    attended = sum(1 for r in counted if r.state == "done")
    return 100.0 * attended / len(counted)


# --------------------------------------------------------------------------- program


def overall_progress(
    elearning: float, attendance: float | None, assessments: float | None, weights: Weights
) -> float:
    """Σ weight × part over the total weight, clamped to 0..100, rounded to 1 decimal.

    With weights summing to 1 (as config should have them) this is exactly Σ weight × part;
    dividing by the total only keeps weights like 2/1/1 from overflowing the scale.
    A missing part (None: no session ended, no graded result yet) counts as 0 rather than being
    renormalised away: overall progress then only grows as work is done, and a trainee who has
    finished the eLearning of a program with sessions still ahead does not show 100 %.
    (A program weighting assessments but without any graded item can therefore not reach 100 %:
    that is a configuration mistake for the config check to report.)
    """
    parts = (
        (weights.elearning, elearning),
        (weights.attendance, attendance),
        (weights.assessments, assessments),
    )
    total = sum(w for w, _ in parts)
    weighted = sum(w * _clamp(p) for w, p in parts if p is not None)
    return round_1(_clamp(weighted / total))


def program_complete(
    courses: Iterable[CourseState],
    attendance_pct: float | None,
    average: float | None,
    requirements: Requirements,
) -> bool:
    """Every counted course completed, and the configured minimums met.

    Counted courses are the in-program required ones, or all in-program courses when none is
    marked required (the same set as `elearning_percent`); a program without any course is never
    complete. A configured minimum fails on a missing figure (None): nothing attended or graded
    cannot meet a minimum.
    """
    counted = counted_courses(courses)
    if not counted or not all(course_completed(c) for c in counted):
        return False
    if requirements.min_attendance is not None and (
        attendance_pct is None or attendance_pct < requirements.min_attendance
    ):
        return False
    return requirements.min_average_score is None or (
        average is not None and average >= requirements.min_average_score
    )


def integration_status(
    enrolled_any: bool, started_any: bool, complete: bool, certified: bool
) -> StudentStatus:
    """A student's status in a program: the furthest stage reached wins.

    not_integrated (no membership in any program course) → enrolled → in_progress → completed →
    certified. A later stage overrides earlier flags, e.g. a completed program whose memberships
    were archived afterwards is still completed.
    """
    if certified:
        return StudentStatus.CERTIFIED
    if complete:
        return StudentStatus.COMPLETED
    if started_any:
        return StudentStatus.IN_PROGRESS
    if enrolled_any:
        return StudentStatus.ENROLLED
    return StudentStatus.NOT_INTEGRATED


# --------------------------------------------------------------------------- helpers


def round_1(x: float) -> float:
    """Round half up to 1 decimal, on the value as printed (66.65 → 66.7, not 66.6)."""
    return float(Decimal(repr(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _round_opt(x: float | None) -> float | None:
    return None if x is None else round_1(x)


def _clamp(x: float) -> float:
    return min(100.0, max(0.0, x))
