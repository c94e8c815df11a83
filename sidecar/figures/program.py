"""All of a trainee's figures in one program, from the rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sidecar.figures.inputs import (
    Attendance,
    CertificationState,
    CourseState,
    QuizState,
    Requirements,
    Weights,
)
from sidecar.figures.rules import (
    _round_opt,
    attendance_percent,
    average_score,
    certification_score,
    course_started,
    elearning_percent,
    integration_status,
    overall_progress,
    program_complete,
    quiz_score,
    round_1,
)


@dataclass(frozen=True)
class ProgramFigures:
    """One trainee's figures in one program, percentages rounded to 1 decimal."""

    elearning_percent: float
    attendance_percent: float | None
    average_score: float | None
    graded_total: int
    graded_with_result: int
    overall_progress: float
    complete: bool
    status: str


def program_figures(
    courses: Sequence[CourseState],
    quizzes: Sequence[QuizState],
    certifications: Sequence[CertificationState],
    attendance: Attendance,
    weights: Weights,
    requirements: Requirements,
    certified: bool = False,
    offline_scores: Sequence[float | None] = (),
    assignment_average: float | None = None,
) -> ProgramFigures:
    """All of §3 for one trainee in one program.

    Callers pass the graded items (quizzes, certifications, mentor-scored offline assignments)
    of the program's current courses only. Percentages are rounded to 1 decimal *before* the
    completion check, so what a mentor sees is what is judged (66.7 % meets a 66.7 % minimum).
    The trainee has started when a course has, a graded item has a result or a quiz attempt,
    or a session was attended.
    """
    quiz_scores = [quiz_score(q) for q in quizzes]
    certification_scores = [certification_score(c) for c in certifications]
    scores = [*quiz_scores, *certification_scores, *offline_scores]
    elearning = round_1(elearning_percent(courses))
    attended = _round_opt(attendance_percent(attendance))
    if weights.parts is None:
        assessed = [*scores, *([assignment_average] if assignment_average is not None else [])]
        average = _round_opt(average_score(assessed))
    else:
        parts = (
            (weights.parts.quizzes, average_score(quiz_scores)),
            (weights.parts.certifications, average_score([*certification_scores, *offline_scores])),
            (weights.parts.assignments, assignment_average),
        )
        average = _round_opt(weighted_parts(parts))
    complete = program_complete(courses, attended, average, requirements)
    in_program = [c for c in courses if c.in_program]
    started_any = (
        any(course_started(c) for c in in_program)
        or any(s is not None for s in scores)
        or assignment_average is not None
        or any(q.attempts > 0 for q in quizzes)
        or bool(attended)
    )
    return ProgramFigures(
        elearning_percent=elearning,
        attendance_percent=attended,
        average_score=average,
        graded_total=len(scores),
        graded_with_result=sum(1 for s in scores if s is not None),
        overall_progress=overall_progress(elearning, attended, average, weights),
        complete=complete,
        status=integration_status(
            any(c.enrolled for c in in_program), started_any, complete, certified
        ),
    )


def weighted_parts(parts: Sequence[tuple[float, float | None]]) -> float | None:
    """Σ weight × value over the weights of the parts that have a value; None when none has."""
    present = [(w, v) for w, v in parts if v is not None and w > 0]
    total = sum(w for w, _ in present)
    return sum(w * v for w, v in present) / total if present and total > 0 else None
