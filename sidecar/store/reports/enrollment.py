"""`report enrollment`: trainees who entered each program per week or month, by source.

The enrolment date is `students.created_at`: when the sidecar first saw the trainee in the
program (a sync that found their course membership, or the enrollment flow that made them).
The source is `applicant` when the trainee came through the applicant flow
(`students.odoo_applicant_id` is set), `elearning` when they joined a course directly.
Periods are UTC weeks (Monday to Sunday, named by ISO week) or calendar months; the periods
between a program's first and last enrolment are all listed, empty ones with zeros."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from sidecar.store.reports.result import Report, utc_day
from sidecar.store.reports.scope import Scope, trainees

PERIODS = ("week", "month")
COLUMNS = ("program", "period", "starts", "applicant", "elearning", "total")


def enrollment(session: Session, scope: Scope, per: str = "month") -> Report:
    if per not in PERIODS:
        raise ValueError(per)
    found = trainees(scope)
    day = utc_day(found.c.created_at, session.get_bind().dialect).label("day")
    source = case((found.c.odoo_applicant_id.is_not(None), "applicant"), else_="elearning")
    daily = select(found.c.program_id, day, source.label("source")).subquery("daily")
    counts: dict[int, dict[date, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: {"applicant": 0, "elearning": 0})
    )
    for program_id, day_value, kind, count in session.execute(
        select(daily.c.program_id, daily.c.day, daily.c.source, func.count()).group_by(
            daily.c.program_id, daily.c.day, daily.c.source
        )
    ):
        start = period_start(_as_date(day_value), per)
        counts[program_id][start][kind] += int(count)
    rows = []
    for program in scope.programs:
        periods = counts.get(program.id)
        if not periods:
            continue
        for start in _every_period(min(periods), max(periods), per):
            got = periods.get(start, {"applicant": 0, "elearning": 0})
            applicant, elearning = got["applicant"], got["elearning"]
            label = period_label(start, per)
            rows.append((program.key, label, start, applicant, elearning, applicant + elearning))
    return Report("enrollment", COLUMNS, rows, empty="no trainees yet")


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def period_start(day: date, per: str) -> date:
    """The Monday of `day`'s week, or the first of its month."""
    if per == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def period_label(start: date, per: str) -> str:
    """'2026-W10' (ISO week) or '2026-03'."""
    if per == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start.year}-{start.month:02d}"


def _every_period(first: date, last: date, per: str) -> list[date]:
    found = []
    current = first
    while current <= last:
        found.append(current)
        if per == "week":
            current += timedelta(days=7)
        else:
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return found
