"""Reports at scale: `ojt-sidecar report NAME` over a store of 100,000 trainees, each report
timed with its default filters and one filtered variant (docs/benchmarks.md has the figures).

    .venv/bin/python bench/report_bench.py [--trainees 100000] [--runs 20] [--postgres URL]

What it does:

1. Seeds a store: SQLite in a temp dir (or a fresh PostgreSQL database made for the run and
   dropped after, with `--postgres`), migrated and reconciled by `open_store` from a config of
   two programs of three courses each. Then, with bulk inserts and a fixed random seed:
   `--trainees` students split between the programs, enrolled over 18 months (2025-01 to
   2026-06), 40 % complete (completion 1 to 120 days after enrolment), half of those
   certified; a tracker per trainee per course (3 per trainee); an `enrollments` row for a
   third of them (who then carry its applicant id); 50 batches (25 per program, each with an
   event) and a registration for 40 % of the trainees (70 % done, 20 % open, 10 % cancelled),
   the certified ones with their batch recorded.
2. Times each report through `run_report` (a fresh session each time, as one command), `--runs`
   times for the default filters and `--runs` times for one filtered variant, after one
   untimed warm-up run of each: the time the store takes to answer and the rows to be built,
   not the printing.
3. Prints p50 and p95 per report and variant beside the target (p95 < 1 s), the rows each
   answered, and the load average before and after (`uptime`): on a shared 2-core machine other
   work shows in the figures. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from sidecar.config import Config  # noqa: E402
from sidecar.store.bootstrap import Store, open_store  # noqa: E402
from sidecar.store.models import (  # noqa: E402
    AttendanceRecord,
    Batch,
    CourseIntegration,
    Enrollment,
    Program,
    ProgressTracker,
    Student,
)
from sidecar.store.reports import ReportFilter, run_report  # noqa: E402

TARGET_P95 = 1.0  # seconds
START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN_DAYS = 546  # to 2026-06-30
BATCHES_PER_PROGRAM = 25
CHUNK = 20_000


def _config(url: str) -> Config:
    return Config.model_validate(
        {
            "odoo": {
                "url": "http://127.0.0.1:8069",
                "database": "ojt",
                "username": "admin",
                "password": "admin",
            },
            "store": {"url": url},
            "programs": [
                {
                    "key": "welding",
                    "name": "Welding",
                    "courses": [{"course": c} for c in (1, 2, 3)],
                },
                {
                    "key": "wood",
                    "name": "Woodworking",
                    "courses": [{"course": c} for c in (4, 5, 6)],
                },
            ],
        }
    )


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for first in range(0, len(rows), CHUNK):
        yield rows[first : first + CHUNK]


def _bulk(store: Store, model: Any, rows: list[dict[str, Any]]) -> None:
    with store.engine.begin() as connection:
        for chunk in _chunks(rows):
            connection.execute(insert(model.__table__), chunk)


def _batches(store: Store, programs: dict[str, int]) -> dict[int, list[tuple[int, int]]]:
    """25 batches per program, each with an event: program id → [(batch id, event id)]."""
    rows = []
    for p, program_id in enumerate(sorted(programs.values())):
        for b in range(BATCHES_PER_PROGRAM):
            start = date(2025, 1, 6) + timedelta(days=21 * b)
            rows.append(
                {
                    "program_id": program_id,
                    "key": f"b{b:02d}",
                    "name": f"Batch {b}",
                    "start_date": start,
                    "end_date": start + timedelta(days=60),
                    "odoo_event_id": 1000 + 100 * p + b,
                    "status": "open",
                    "origin": "odoo",
                }
            )
    _bulk(store, Batch, rows)
    found: dict[int, list[tuple[int, int]]] = {}
    with store.sessions() as session:
        for batch_id, program_id, event in session.execute(
            select(Batch.id, Batch.program_id, Batch.odoo_event_id).order_by(Batch.id)
        ):
            found.setdefault(program_id, []).append((batch_id, event))
    return found


def _student(n: int, program_id: int, rng: random.Random) -> tuple[dict[str, Any], bool]:
    created = START + timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
    complete = rng.random() < 0.4
    completed = created + timedelta(days=rng.uniform(1, 120)) if complete else None
    certified = completed + timedelta(days=1) if completed and rng.random() < 0.5 else None
    overall = 100.0 if complete else round(rng.uniform(0, 99), 1)
    status = "certified" if certified else "completed" if complete else "in_progress"
    return {
        "program_id": program_id,
        "odoo_partner_id": 100_000 + n,
        "odoo_applicant_id": 500_000 + n if n % 3 == 0 else None,
        "batch_id": None,
        "name": f"Trainee {n:06d}",
        "email": f"t{n}@example.com",
        "integration_status": status,
        "elearning_pct": overall,
        "attendance_pct": None,
        "average_score": None,
        "graded_total": 0,
        "graded_done": 0,
        "assignment_average": None,
        "overall_pct": overall,
        "complete": complete,
        "completed_at": completed,
        "certified_at": certified,
        "created_at": created,
        "updated_at": created,
    }, bool(certified)


def seed(store: Store, trainees: int) -> None:
    rng = random.Random(20260301)
    with store.sessions() as session:
        programs = {p.key: p.id for p in session.scalars(select(Program))}
        courses = {c.id: c.program_id for c in session.scalars(select(CourseIntegration))}
    batches = _batches(store, programs)
    ids = sorted(programs.values())
    students, registrations, enrollments = [], [], []
    for n in range(trainees):
        program_id = ids[n % 2]
        row, certified = _student(n, program_id, rng)
        if rng.random() < 0.4:
            batch_id, event = rng.choice(batches[program_id])
            state = rng.choices(["done", "open", "cancel"], [7, 2, 1])[0]
            registrations.append(
                {
                    "odoo_id": len(registrations) + 1,
                    "write_date": "2026-01-01 00:00:00",
                    "event_id": event,
                    "partner_id": row["odoo_partner_id"],
                    "state": state,
                    "active": True,
                }
            )
            row["batch_id"] = batch_id if certified and state != "cancel" else None
        if row["odoo_applicant_id"] is not None:
            enrollments.append(
                {
                    "subject": f"applicant:{row['odoo_applicant_id']}",
                    "program_id": program_id,
                    "odoo_applicant_id": row["odoo_applicant_id"],
                    "state": "enrolled",
                    "name": row["name"],
                    "created_at": row["created_at"],
                    "updated_at": row["created_at"],
                    "round": 0,
                    "manual": False,
                }
            )
        students.append(row)
    _bulk(store, Student, students)
    _bulk(store, Enrollment, enrollments)
    _bulk(store, AttendanceRecord, registrations)
    _trackers(store, courses, rng)


def _trackers(store: Store, courses: dict[int, int], rng: random.Random) -> None:
    with store.sessions() as session:
        found = session.execute(select(Student.id, Student.program_id, Student.complete)).all()
    rows = []
    for student_id, program_id, complete in found:
        for course_id, course_program in courses.items():
            if course_program != program_id:
                continue
            enrolled = complete or rng.random() < 0.9
            done = complete or (enrolled and rng.random() < 0.3)
            rows.append(
                {
                    "student_id": student_id,
                    "course_integration_id": course_id,
                    "enrolled": enrolled,
                    "completed": done,
                    "completion": 100 if done else 40,
                    "lessons_completed": 0,
                    "submissions": 0,
                    "status": "completed" if done else "in_progress",
                }
            )
    _bulk(store, ProgressTracker, rows)


CASES: list[tuple[str, str, str, ReportFilter]] = [
    ("enrollment", "default (per month)", "month", ReportFilter()),
    (
        "enrollment",
        "--program welding --per week, 2026 Q1",
        "week",
        ReportFilter("welding", None, date(2026, 1, 1), date(2026, 3, 31)),
    ),
    ("completion", "default", "month", ReportFilter()),
    ("completion", "--program wood --batch b07", "month", ReportFilter("wood", "b07")),
    ("time-to-completion", "default", "month", ReportFilter()),
    (
        "time-to-completion",
        "completed in 2025",
        "month",
        ReportFilter(None, None, date(2025, 1, 1), date(2025, 12, 31)),
    ),
    ("funnel", "default", "month", ReportFilter()),
    (
        "funnel",
        "--program welding, enrolled 2026 H1",
        "month",
        ReportFilter("welding", None, date(2026, 1, 1), date(2026, 6, 30)),
    ),
    ("trainees", "default (every trainee)", "month", ReportFilter()),
    ("trainees", "--program welding --batch b03", "month", ReportFilter("welding", "b03")),
    ("attendance", "default", "month", ReportFilter()),
    (
        "attendance",
        "--program wood, batches from 2025-07",
        "month",
        ReportFilter("wood", None, date(2025, 7, 1), None),
    ),
]


def _time(
    store: Store, name: str, per: str, wanted: ReportFilter, runs: int
) -> tuple[list[float], int]:
    times, answered = [], 0
    for run in range(runs + 1):
        began = time.perf_counter()
        with store.sessions() as session:
            answered = len(run_report(session, name, wanted, per).rows)
        if run:  # the first is the warm-up
            times.append(time.perf_counter() - began)
    return sorted(times), answered


def _quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"load average {os.getloadavg()}"


@contextmanager
def _store_url(postgres: str | None) -> Iterator[str]:
    if postgres is None:
        folder = Path(tempfile.mkdtemp(prefix="ojt-report-bench-"))
        try:
            yield f"sqlite:///{folder / 'store.db'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"ojt_report_bench_{os.getpid()}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server instead of SQLite")
    args = parser.parse_args()
    print(f"before: {_uptime()} ({os.cpu_count()} cores)")
    missed = []
    with _store_url(args.postgres) as url:
        store = open_store(_config(url))
        began = time.perf_counter()
        seed(store, args.trainees)
        if store.engine.dialect.name == "postgresql":
            with store.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        print(
            f"seeded {args.trainees:,} trainees on {store.engine.dialect.name} "
            f"in {time.perf_counter() - began:.1f} s\n"
        )
        print(f"{'report':<20} {'variant':<40} {'rows':>7} {'p50':>8} {'p95':>8}  target p95 < 1 s")
        for name, variant, per, wanted in CASES:
            times, answered = _time(store, name, per, wanted, args.runs)
            p50, p95 = _quantile(times, 0.5), _quantile(times, 0.95)
            verdict = "met" if p95 < TARGET_P95 else "MISSED"
            print(
                f"{name:<20} {variant:<40} {answered:>7,} {p50 * 1000:>6.0f}ms "
                f"{p95 * 1000:>6.0f}ms  {verdict}"
            )
            if p95 >= TARGET_P95:
                missed.append(f"{name} ({variant})")
        store.close()
    print(f"\nafter: {_uptime()}")
    for case in missed:
        print(f"MISSED {case}: p95 >= {TARGET_P95:.0f} s")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
