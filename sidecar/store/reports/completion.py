"""`report completion` and `report time-to-completion`.

Completion, per program: its trainees (filtered on their enrolment date, `students.created_at`),
those complete (`students.complete`), certified (`certified_at` set) and the completion rate;
then per course of the program (`progress_trackers` × `course_integrations`): trainees
enrolled in it (`enrolled`), those of them who completed it (`completed`), and the rate.

Time to completion, per program: the trainees who completed (filtered on `completed_at`) and the
median and 90th percentile of the days from `created_at` to `completed_at`, interpolated
between ranks as PostgreSQL's `percentile_cont` does. Only two or four rows per program leave
the database: a window function ranks the durations. The store keeps no completion time per
course (a tracker only says whether it is completed), so there is no per-course figure."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from sidecar.statuses import CourseStatus
from sidecar.store.models import CourseIntegration, ProgressTracker
from sidecar.store.reports.result import Report, counted, days_between
from sidecar.store.reports.scope import Scope, rate, trainees

COMPLETION = ("program", "level", "course", "enrolled", "completed", "certified", "completion_pct")
DURATION = ("program", "completed", "median_days", "p90_days")
NO_COURSE_TIMES = (
    "per course: not available; the store records when a trainee completed the program, "
    "not when they completed each course"
)


def completion(session: Session, scope: Scope) -> Report:
    found = trainees(scope)
    per_program = {
        program_id: (int(total), int(done), int(certified))
        for program_id, total, done, certified in session.execute(
            select(
                found.c.program_id,
                func.count(),
                counted(found.c.complete.is_(True)),
                func.count(found.c.certified_at),
            ).group_by(found.c.program_id)
        )
    }
    per_course = _per_course(session, found)
    rows: list[tuple[Any, ...]] = []
    for program in scope.programs:
        if program.id not in per_program:
            continue
        total, done, certified = per_program[program.id]
        rows.append((program.key, "program", None, total, done, certified, rate(done, total)))
        for name, enrolled, completed in per_course[program.id]:
            course_rate = rate(completed, enrolled)
            rows.append((program.key, "course", name, enrolled, completed, None, course_rate))
    return Report("completion", COMPLETION, rows, empty="no trainees yet")


def _per_course(session: Session, found: Any) -> dict[int, list[tuple[str, int, int]]]:
    """Program → its active courses in the config's order: (name, enrolled, completed)."""
    counts = {
        course_id: (int(enrolled), int(completed))
        for course_id, enrolled, completed in session.execute(
            select(
                ProgressTracker.course_integration_id,
                counted(ProgressTracker.enrolled.is_(True)),
                counted(
                    and_(ProgressTracker.enrolled.is_(True), ProgressTracker.completed.is_(True))
                ),
            )
            .join(found, found.c.id == ProgressTracker.student_id)
            .group_by(ProgressTracker.course_integration_id)
        )
    }
    courses: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for course in session.scalars(
        select(CourseIntegration)
        .where(CourseIntegration.status == CourseStatus.ACTIVE)
        .order_by(CourseIntegration.program_id, CourseIntegration.position, CourseIntegration.id)
    ):
        enrolled, completed = counts.get(course.id, (0, 0))
        name = course.course_name or course.course_ref
        courses[course.program_id].append((name, enrolled, completed))
    return courses


def time_to_completion(session: Session, scope: Scope) -> Report:
    found = trainees(scope, dated="completed_at")
    days = days_between(found.c.created_at, found.c.completed_at, session.get_bind().dialect)
    ranked = (
        select(
            found.c.program_id,
            days.label("days"),
            func.row_number().over(partition_by=found.c.program_id, order_by=days).label("rank"),
            func.count().over(partition_by=found.c.program_id).label("n"),
        )
        .where(found.c.complete.is_(True), found.c.completed_at.is_not(None))
        .subquery("ranked")
    )
    # The ranks either side of the 50th and 90th percentile positions, 1 + q * (n - 1).
    below_median = 1 + (ranked.c.n - 1) // 2
    below_p90 = 1 + (ranked.c.n - 1) * 9 // 10
    near: dict[int, dict[int, float]] = defaultdict(dict)
    sizes: dict[int, int] = {}
    for program_id, rank, n, value in session.execute(
        select(ranked.c.program_id, ranked.c.rank, ranked.c.n, ranked.c.days).where(
            or_(
                ranked.c.rank == below_median,
                ranked.c.rank == below_median + 1,
                ranked.c.rank == below_p90,
                ranked.c.rank == below_p90 + 1,
            )
        )
    ):
        near[program_id][int(rank)] = float(value)
        sizes[program_id] = int(n)
    rows = [
        (
            p.key,
            sizes[p.id],
            _percentile(near[p.id], sizes[p.id], 1, 2),
            _percentile(near[p.id], sizes[p.id], 9, 10),
        )
        for p in scope.programs
        if p.id in sizes
    ]
    empty = "no completed trainees yet"
    return Report("time-to-completion", DURATION, rows, empty, notes=(NO_COURSE_TIMES,))


def percentile(ordered: list[float], numerator: int, denominator: int) -> float:
    """The q-th percentile (q = numerator / denominator) of sorted values, interpolated between
    ranks (PostgreSQL's percentile_cont); rounded to one decimal."""
    return _percentile(dict(enumerate(ordered, 1)), len(ordered), numerator, denominator)


def _percentile(by_rank: dict[int, float], n: int, numerator: int, denominator: int) -> float:
    offset = (n - 1) * numerator  # position - 1, times the denominator
    low = 1 + offset // denominator
    fraction = (offset % denominator) / denominator
    value = by_rank[low]
    if fraction:
        value += fraction * (by_rank[low + 1] - value)
    return round(value, 1)
