"""`sidecar.store.reports` over the hand-worked store of tests/store/report_fixture.py, on
SQLite and (with OJT_TEST_POSTGRES_URL) PostgreSQL: every figure, every filter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from sidecar.store.reports import ReportFilter, ReportInputError, run_report
from sidecar.store.reports.completion import percentile
from sidecar.store.reports.enrollment import period_label, period_start
from tests.store.report_fixture import make_config, seeded_store
from tests.stores import open_migrated


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    store = seeded_store(db_url)
    with store.sessions() as session:
        yield session
    store.close()


def rows(session: Session, name: str, per: str = "month", **wanted: Any) -> list[tuple[Any, ...]]:
    return run_report(session, name, ReportFilter(**wanted), per).rows


def test_enrollment_per_month_and_week_by_source(session: Session) -> None:
    # welding: March Alice (applicant), Bruno, Chen (applicant); April Dana, Emil (applicant),
    # Fatou. wood: March Alice, Gita (applicant); none in April; May Hugo (applicant), Ines.
    assert rows(session, "enrollment") == [
        ("welding", "2026-03", date(2026, 3, 1), 2, 1, 3),
        ("welding", "2026-04", date(2026, 4, 1), 1, 2, 3),
        ("wood", "2026-03", date(2026, 3, 1), 1, 1, 2),
        ("wood", "2026-04", date(2026, 4, 1), 0, 0, 0),
        ("wood", "2026-05", date(2026, 5, 1), 1, 1, 2),
    ]
    # ISO weeks of 2026: W10 starts Monday 2 March. Welding: W10 Alice + Bruno, W11 Chen,
    # W14 Dana (Wed 1 April), W16 Emil, W17 Fatou; the weeks between listed with zeros.
    assert [r[1:] for r in rows(session, "enrollment", "week", program="welding")] == [
        ("2026-W10", date(2026, 3, 2), 1, 1, 2),
        ("2026-W11", date(2026, 3, 9), 1, 0, 1),
        ("2026-W12", date(2026, 3, 16), 0, 0, 0),
        ("2026-W13", date(2026, 3, 23), 0, 0, 0),
        ("2026-W14", date(2026, 3, 30), 0, 1, 1),
        ("2026-W15", date(2026, 4, 6), 0, 0, 0),
        ("2026-W16", date(2026, 4, 13), 1, 0, 1),
        ("2026-W17", date(2026, 4, 20), 0, 1, 1),
    ]


def test_enrollment_filters_on_the_enrolment_day_and_the_batch(session: Session) -> None:
    march = rows(session, "enrollment", date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
    assert march == [
        ("welding", "2026-03", date(2026, 3, 1), 2, 1, 3),
        ("wood", "2026-03", date(2026, 3, 1), 1, 1, 2),
    ]
    # Both ends are whole days: Chen came on 10 March at 09:00, Alice (welding) on 2 March.
    days = {"program": "welding", "date_from": date(2026, 3, 2), "date_to": date(2026, 3, 10)}
    assert rows(session, "enrollment", **days) == [
        ("welding", "2026-03", date(2026, 3, 1), 2, 1, 3)
    ]
    inside = {"program": "welding", "date_from": date(2026, 3, 3), "date_to": date(2026, 3, 9)}
    assert rows(session, "enrollment", **inside) == [
        ("welding", "2026-03", date(2026, 3, 1), 0, 1, 1)
    ]
    # welding's spring batch: Alice (recorded), Bruno and Chen (registered for its event).
    assert rows(session, "enrollment", program="welding", batch="spring") == [
        ("welding", "2026-03", date(2026, 3, 1), 2, 1, 3)
    ]
    assert rows(session, "enrollment", batch="w1") == [
        ("wood", "2026-03", date(2026, 3, 1), 1, 1, 2)
    ]


def test_completion_per_program_and_course(session: Session) -> None:
    assert rows(session, "completion") == [
        ("welding", "program", None, 6, 3, 2, 50.0),
        ("welding", "course", "Safety", 5, 4, None, 80.0),  # Fatou's is no longer enrolled
        ("welding", "course", "Arc basics", 4, 3, None, 75.0),
        ("wood", "program", None, 4, 2, 1, 50.0),
        ("wood", "course", "Joinery", 4, 2, None, 50.0),
    ]
    # The spring batch: Alice (certified), Bruno (completed), Chen (not yet).
    assert rows(session, "completion", program="welding", batch="spring") == [
        ("welding", "program", None, 3, 2, 1, 66.7),
        ("welding", "course", "Safety", 3, 3, None, 100.0),
        ("welding", "course", "Arc basics", 3, 2, None, 66.7),
    ]
    # Enrolled in April: Dana (complete, certified), Emil, Fatou.
    april = rows(session, "completion", date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
    assert april == [
        ("welding", "program", None, 3, 1, 1, 33.3),
        ("welding", "course", "Safety", 2, 1, None, 50.0),
        ("welding", "course", "Arc basics", 1, 1, None, 100.0),
    ]


def test_time_to_completion_median_and_p90(session: Session) -> None:
    # welding: 4.0, 10.0, 20.4 days → median 10.0; p90 at rank 1 + 0.9 × 2 = 2.8:
    # 10.0 + 0.8 × 10.4 = 18.32. wood: 5.0, 15.0 → median 10.0, p90 5 + 0.9 × 10 = 14.0.
    found = run_report(session, "time-to-completion", ReportFilter())
    assert found.rows == [("welding", 3, 10.0, 18.3), ("wood", 2, 10.0, 14.0)]
    assert found.notes and "per course: not available" in found.notes[0]
    # Filtered on completed_at: Alice (12 March) and Bruno (24 March, 18:36) → 10.0, 20.4:
    # median 15.2, p90 10 + 0.9 × 10.4 = 19.36.
    days = {"program": "welding", "date_from": date(2026, 3, 12), "date_to": date(2026, 3, 24)}
    march = rows(session, "time-to-completion", **days)
    assert march == [("welding", 2, 15.2, 19.4)]
    before = rows(
        session, "time-to-completion", date_from=date(2026, 3, 9), date_to=date(2026, 3, 23)
    )
    assert before == [("welding", 1, 10.0, 10.0)]
    assert rows(session, "time-to-completion", batch="summer") == [("welding", 1, 4.0, 4.0)]


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([1.0], 1, 2) == 1.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 1, 2) == 2.5
    assert percentile([float(n) for n in range(1, 11)], 9, 10) == 9.1  # rank 9.1
    assert percentile([0.0, 10.0], 9, 10) == 9.0


def test_funnel_counts_and_shares_of_the_enrolled(session: Session) -> None:
    assert rows(session, "funnel") == [
        ("welding", "applicants", 5, 83.3),
        ("welding", "enrolled", 6, 100.0),
        ("welding", "started", 5, 83.3),
        ("welding", "half_way", 4, 66.7),
        ("welding", "completed", 3, 50.0),
        ("welding", "certified", 2, 33.3),
        ("wood", "applicants", 3, 75.0),
        ("wood", "enrolled", 4, 100.0),
        ("wood", "started", 4, 100.0),
        ("wood", "half_way", 3, 75.0),  # Gita at exactly 50 counts
        ("wood", "completed", 2, 50.0),
        ("wood", "certified", 1, 25.0),
    ]
    # April: applications 15 and 22; trainees Dana, Emil, Fatou. Nothing of wood.
    april = rows(session, "funnel", date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
    assert april == [
        ("welding", "applicants", 2, 66.7),
        ("welding", "enrolled", 3, 100.0),
        ("welding", "started", 2, 66.7),
        ("welding", "half_way", 1, 33.3),
        ("welding", "completed", 1, 33.3),
        ("welding", "certified", 1, 33.3),
    ]
    batch = run_report(session, "funnel", ReportFilter(program="wood", batch="w1"))
    assert batch.rows[:2] == [("wood", "applicants", None, None), ("wood", "enrolled", 2, 100.0)]
    assert "not counted with --batch" in batch.notes[0]


def test_trainees_one_row_each_with_every_figure(session: Session) -> None:
    found = run_report(session, "trainees", ReportFilter())
    assert [(r[0], r[1], r[3], r[-1]) for r in found.rows] == [
        ("welding", 1, "Alice", "spring"),  # recorded
        ("welding", 2, "Bruno", "spring"),  # registered for its event
        ("welding", 3, "Chen", "spring"),
        ("welding", 4, "Dana", "summer"),
        ("welding", 5, "Emil", None),  # cancelled
        ("welding", 6, "Fatou", None),  # cancelled
        ("wood", 1, "Alice", "w1"),
        ("wood", 7, "Gita", "w1"),
        ("wood", 8, "Hugo", "spring"),  # wood's own spring batch
        ("wood", 9, "Ines", None),
    ]
    alice = found.records()[0]
    assert alice == {
        "program": "welding",
        "partner_id": 1,
        "applicant_id": 11,
        "name": "Alice",
        "email": "alice@example.com",
        "status": "certified",
        "elearning_pct": 100.0,
        "attendance_pct": 50.0,
        "average_score": 80.0,
        "graded_done": 2,
        "graded_total": 2,
        "assignment_average": None,
        "overall_pct": 100.0,
        "complete": True,
        "enrolled_at": datetime(2026, 3, 2, 9, tzinfo=UTC),
        "completed_at": datetime(2026, 3, 12, 9, tzinfo=UTC),
        "certified_at": datetime(2026, 3, 13, 9, tzinfo=UTC),
        "batch": "spring",
    }
    names = [r[3] for r in rows(session, "trainees", program="welding", batch="spring")]
    assert names == ["Alice", "Bruno", "Chen"]
    may = rows(session, "trainees", date_from=date(2026, 5, 1))
    assert [r[3] for r in may] == ["Hugo", "Ines"]


def test_attendance_per_batch_with_an_event(session: Session) -> None:
    # 501: Alice and Chen done, Bruno open, Fatou cancelled (partner 99 is no trainee, Emil's
    # row was removed in Odoo). 502: Dana open, Emil cancelled. 601: Alice done, Gita open.
    # 602: Hugo done. Wood's `dates` batch has no event.
    assert rows(session, "attendance") == [
        ("welding", "spring", "Spring", date(2026, 3, 2), "open", 3, 2, 1, 66.7),
        ("welding", "summer", "Summer", date(2026, 6, 1), "open", 1, 0, 1, 0.0),
        ("wood", "w1", "Wood one", date(2026, 3, 9), "open", 2, 1, 0, 50.0),
        ("wood", "spring", "Wood spring", date(2026, 4, 6), "open", 1, 1, 0, 100.0),
    ]
    assert [r[1] for r in rows(session, "attendance", program="wood")] == ["w1", "spring"]
    assert [r[:2] for r in rows(session, "attendance", batch="w1")] == [("wood", "w1")]
    # --from/--to: the batch's start date, both included.
    since = rows(session, "attendance", date_from=date(2026, 3, 9), date_to=date(2026, 4, 6))
    assert [r[:2] for r in since] == [("wood", "w1"), ("wood", "spring")]


@pytest.mark.parametrize(
    ("wanted", "sentence"),
    [
        (ReportFilter(program="nope"), "no program 'nope' (programs: welding, wood)"),
        (ReportFilter(batch="nope"), "no batch 'nope' (see: ojt-sidecar batches --all)"),
        (
            ReportFilter(program="wood", batch="summer"),
            "no batch 'summer' in program 'wood' (see: ojt-sidecar batches --all)",
        ),
        (
            ReportFilter(batch="spring"),
            "batch 'spring' is in several programs (welding, wood): name one with --program",
        ),
        (
            ReportFilter(date_from=date(2026, 3, 2), date_to=date(2026, 3, 1)),
            "--from 2026-03-02 is after --to 2026-03-01",
        ),
    ],
)
def test_filters_naming_nothing_are_refused_in_one_sentence(
    session: Session, wanted: ReportFilter, sentence: str
) -> None:
    with pytest.raises(ReportInputError) as caught:
        run_report(session, "funnel", wanted)
    assert str(caught.value) == sentence


def test_unknown_report_and_period_are_refused(session: Session) -> None:
    with pytest.raises(ReportInputError, match="no report 'nope'"):
        run_report(session, "nope", ReportFilter())
    with pytest.raises(ReportInputError, match="--per is week or month"):
        run_report(session, "enrollment", ReportFilter(), "day")


def test_an_empty_store_gives_no_rows(tmp_path: Any) -> None:
    store = open_migrated(make_config(f"sqlite:///{tmp_path / 'empty.db'}"))
    with store.sessions() as session:
        for name, empty in [
            ("enrollment", "no trainees yet"),
            ("completion", "no trainees yet"),
            ("time-to-completion", "no completed trainees yet"),
            ("funnel", "no applicants or trainees yet"),
            ("trainees", "no trainees yet"),
            ("attendance", "no registrations for a batch's event yet"),
        ]:
            found = run_report(session, name, ReportFilter())
            assert (found.rows, found.empty) == ([], empty)
    store.close()


def test_periods_start_on_monday_or_the_first_and_weeks_are_iso() -> None:
    assert period_start(date(2026, 3, 8), "week") == date(2026, 3, 2)  # a Sunday
    assert period_start(date(2026, 3, 8), "month") == date(2026, 3, 1)
    assert period_label(date(2025, 12, 29), "week") == "2026-W01"
    assert period_label(date(2026, 12, 1), "month") == "2026-12"
