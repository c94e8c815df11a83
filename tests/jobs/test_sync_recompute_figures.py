"""Unit tests for jobs.sync.recompute_figures: recompute's pure part, plain data in, figures out,
at a fixed clock. One behaviour per test; the rules themselves are tested in test_figures.py."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jobs.sync import recompute_figures
from jobs.sync.recompute_figures import (
    SUMMARY,
    TRACKED,
    Attempt,
    Calculator,
    Course,
    GradedItems,
    Membership,
    ProgramRules,
    Trainee,
    trainee_figures,
)
from sidecar.figures import Requirements, Weights

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
REQUIRED = Course(id=11, channel=1, required=True, threshold=100, in_program=True)
OPTIONAL = Course(id=12, channel=2, required=False, threshold=100, in_program=True)
QUIZ, CERTIFICATION = 101, 201  # graded slides of channel 1 and channel 2
GRADED = GradedItems(
    channel_of={QUIZ: 1, CERTIFICATION: 2},
    quizzes=[(QUIZ, (10, 7, 5, 2))],
    certifications=[CERTIFICATION],
)
ENDED, RUNNING, UNDATED = 500, 501, 502  # the batches' events
PROGRAM = ProgramRules(
    courses=[REQUIRED, OPTIONAL],
    graded=GRADED,
    event_ends={ENDED: NOW - timedelta(days=1), RUNNING: NOW + timedelta(days=1), UNDATED: None},
)


def member(
    channel: int,
    completion: int,
    status: str | None = "ongoing",
    *,
    active: bool = True,
    ever_completed: bool = False,
    slides: int = 0,
) -> Membership:
    return Membership(channel, 900 + channel, completion, status, ever_completed, active, slides)


def memberships(*rows: Membership) -> dict[int, Membership]:
    return {m.channel_id: m for m in rows}


# --------------------------------------------------------------------------- summary


def test_summary_combines_courses_quizzes_and_certifications() -> None:
    trainee = Trainee(
        memberships=memberships(member(1, 100, "completed"), member(2, 50)),
        lessons={QUIZ: (True, 2)},  # passed on the second attempt: 7 / 10
        attempts=[
            Attempt(CERTIFICATION, "done", 80.0, False),
            Attempt(CERTIFICATION, "new", 100.0, True),  # not done: does not count
        ],
    )
    result = trainee_figures(PROGRAM, trainee, NOW)
    assert result.summary == {
        "integration_status": "completed",
        "elearning_pct": 100.0,  # the required course only
        "attendance_pct": None,
        "average_score": 75.0,  # (70 + 80) / 2
        "graded_total": 2,
        "graded_done": 2,
        "overall_pct": 100.0,  # eLearning only by default
        "complete": True,
    }
    assert tuple(result.summary) == SUMMARY


def test_summary_follows_the_program_weights_and_requirements() -> None:
    program = ProgramRules(
        [REQUIRED],
        GRADED,
        weights=Weights(elearning=0.5, assessments=0.5),
        requirements=Requirements(min_average_score=80),
    )
    trainee = Trainee(
        memberships=memberships(member(1, 100, "completed")), lessons={QUIZ: (True, 2)}
    )
    summary = trainee_figures(program, trainee, NOW).summary
    assert summary["overall_pct"] == 85.0  # 0.5 x 100 + 0.5 x 70
    assert summary["complete"] is False  # 70 < 80
    assert summary["integration_status"] == "in_progress"


def test_partner_without_membership_is_not_integrated_and_gets_no_tracker() -> None:
    result = trainee_figures(PROGRAM, Trainee(), NOW)
    assert result.summary["integration_status"] == "not_integrated"
    assert result.summary["graded_total"] == 2
    assert result.summary["graded_done"] == 0
    assert result.trackers == {}


def test_certified_trainee_stays_certified() -> None:
    trainee = Trainee(memberships=memberships(member(1, 10)), certified=True)
    result = trainee_figures(PROGRAM, trainee, NOW)
    assert result.summary["integration_status"] == "certified"
    assert result.trackers[REQUIRED.id]["status"] == "certified"


def test_course_removed_from_the_program_counts_for_nothing_but_keeps_its_tracker() -> None:
    removed = Course(id=13, channel=3, required=True, threshold=100, in_program=False)
    program = ProgramRules([REQUIRED, removed], GradedItems({}))
    trainee = Trainee(memberships=memberships(member(1, 100, "completed"), member(3, 20)))
    result = trainee_figures(program, trainee, NOW)
    assert result.summary["elearning_pct"] == 100.0
    assert result.summary["complete"] is True
    assert result.trackers[removed.id]["completion"] == 20


# --------------------------------------------------------------------------- the clock


def test_a_session_counts_for_attendance_once_it_has_ended_at_the_clock() -> None:
    trainee = Trainee(
        memberships=memberships(member(1, 0, "joined")),
        registrations=[("done", ENDED), ("open", RUNNING), ("open", UNDATED)],
    )
    assert trainee_figures(PROGRAM, trainee, NOW).summary["attendance_pct"] == 100.0
    later = NOW + timedelta(days=2)  # RUNNING has ended too; UNDATED never ends
    assert trainee_figures(PROGRAM, trainee, later).summary["attendance_pct"] == 50.0


def test_no_session_ended_at_the_clock_gives_no_attendance() -> None:
    trainee = Trainee(registrations=[("open", ENDED), ("open", RUNNING)])
    earlier = NOW - timedelta(days=2)
    assert trainee_figures(PROGRAM, trainee, earlier).summary["attendance_pct"] is None
    assert trainee_figures(PROGRAM, trainee, NOW).summary["attendance_pct"] == 0.0


def test_a_session_ending_exactly_at_the_clock_has_ended() -> None:
    trainee = Trainee(registrations=[("open", ENDED)])
    at_end = NOW - timedelta(days=1)
    assert trainee_figures(PROGRAM, trainee, at_end).summary["attendance_pct"] == 0.0


def test_registration_for_an_event_outside_the_program_never_ends() -> None:
    trainee = Trainee(registrations=[("open", 999)])
    assert trainee_figures(PROGRAM, trainee, NOW).summary["attendance_pct"] is None


# --------------------------------------------------------------------------- trackers


def test_tracker_values_of_a_joined_course() -> None:
    trainee = Trainee(
        memberships=memberships(member(1, 60, slides=3)),
        lessons={QUIZ: (False, 2)},
    )
    trackers = trainee_figures(PROGRAM, trainee, NOW).trackers
    assert list(trackers) == [REQUIRED.id]
    assert trackers[REQUIRED.id] == {
        "odoo_membership_id": 901,
        "enrolled": True,
        "completion": 60,
        "member_status": "ongoing",
        "completed": False,
        "lessons_completed": 3,
        "submissions": 2,
        "status": "in_progress",
    }
    assert tuple(trackers[REQUIRED.id]) == TRACKED


def test_submissions_add_quiz_attempts_and_certification_attempts_per_course() -> None:
    trainee = Trainee(
        memberships=memberships(member(1, 10), member(2, 10)),
        lessons={QUIZ: (True, 3)},
        attempts=[
            Attempt(CERTIFICATION, "done", 40.0, False),
            Attempt(CERTIFICATION, "in_progress", 0.0, False),
        ],
    )
    trackers = trainee_figures(PROGRAM, trainee, NOW).trackers
    assert trackers[REQUIRED.id]["submissions"] == 3
    assert trackers[OPTIONAL.id]["submissions"] == 2


def test_lessons_of_slides_that_are_not_graded_are_ignored() -> None:
    trainee = Trainee(memberships=memberships(member(1, 10)), lessons={777: (True, 5)})
    result = trainee_figures(PROGRAM, trainee, NOW)
    assert result.trackers[REQUIRED.id]["submissions"] == 0
    assert result.summary["graded_done"] == 0


def test_a_tracked_course_left_since_is_kept_up_to_date() -> None:
    trainee = Trainee(lessons={QUIZ: (False, 1)}, tracked={REQUIRED.id})
    trackers = trainee_figures(PROGRAM, trainee, NOW).trackers
    assert trackers == {
        REQUIRED.id: {
            "odoo_membership_id": None,
            "enrolled": False,
            "completion": 0,
            "member_status": None,
            "completed": False,
            "lessons_completed": 0,
            "submissions": 1,
            "status": "not_started",
        }
    }


def test_archived_membership_is_not_enrolled_but_keeps_its_progress() -> None:
    trainee = Trainee(memberships=memberships(member(1, 40, active=False)))
    values = trainee_figures(PROGRAM, trainee, NOW).trackers[REQUIRED.id]
    assert values["enrolled"] is False
    assert values["completion"] == 40
    assert values["status"] == "in_progress"


def test_membership_completion_is_clamped_and_sticky_completion_counts() -> None:
    trainee = Trainee(
        memberships=memberships(member(1, 130), member(2, 40, ever_completed=True)),
    )
    trackers = trainee_figures(PROGRAM, trainee, NOW).trackers
    assert trackers[REQUIRED.id]["completion"] == 100
    assert trackers[OPTIONAL.id]["completed"] is True
    assert trackers[OPTIONAL.id]["status"] == "completed"


# --------------------------------------------------------------------------- memoised


def test_calculator_gives_each_trainee_their_own_figures() -> None:
    calculator = Calculator(PROGRAM, NOW)
    done = Trainee(memberships=memberships(member(1, 100, "completed")))
    started = Trainee(memberships=memberships(member(1, 30)))
    certified = Trainee(memberships=memberships(member(1, 100, "completed")), certified=True)
    results = [calculator.figures_of(t) for t in (done, started, certified, done)]
    assert [r.summary["integration_status"] for r in results] == [
        "completed",
        "in_progress",
        "certified",
        "completed",
    ]
    assert results[0] == results[3] == trainee_figures(PROGRAM, done, NOW)


def test_the_pure_part_reads_no_store_and_no_clock() -> None:
    source = Path(recompute_figures.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    stdlib = {"__future__", "collections.abc", "dataclasses", "datetime", "typing"}
    assert imported <= stdlib | {"sidecar"}
    assert ".now(" not in source and "utcnow" not in source
