"""Unit tests for sidecar.figures: docs/product-rules.md §4–§8, one behaviour per test."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sidecar.figures import (
    AssessmentParts,
    Attendance,
    CertificationAttempt,
    CertificationState,
    CourseState,
    ProgramFigures,
    QuizState,
    Registration,
    Requirements,
    Weights,
    attendance_percent,
    average_score,
    certification_score,
    counted_courses,
    course_completed,
    course_completion_percent,
    course_started,
    elearning_percent,
    integration_status,
    overall_progress,
    program_complete,
    program_figures,
    quiz_score,
    round_1,
    tracker_status,
)

DONE = CourseState(1, completion=100, member_status="completed")
HALF = CourseState(2, completion=50, member_status="ongoing")
NO_REQUIREMENTS = Requirements()


# --------------------------------------------------------------------------- courses


def test_course_without_lessons_is_not_completed() -> None:
    course = CourseState(1, completion=0, member_status="joined")
    assert not course_completed(course)
    assert course_completion_percent(course) == 0.0


def test_course_without_lessons_is_completed_when_odoo_says_so() -> None:
    assert course_completed(CourseState(1, completion=0, member_status="completed"))


def test_new_lesson_after_completion_keeps_course_completed_by_member_status() -> None:
    course = CourseState(1, completion=83, member_status="completed")
    assert course_completed(course)
    assert course_completion_percent(course) == 100.0


def test_new_lesson_after_completion_keeps_course_completed_by_sticky_flag() -> None:
    # Odoo 16 has no member_status: our sticky flag remembers the completion.
    course = CourseState(1, completion=83, member_status=None, ever_completed=True)
    assert course_completed(course)
    assert course_completion_percent(course) == 100.0


def test_course_completed_at_its_threshold() -> None:
    course = CourseState(1, threshold=80, completion=80, member_status="ongoing")
    assert course_completed(course)
    assert course_completion_percent(course) == 100.0


def test_course_below_threshold_reports_odoo_completion() -> None:
    course = CourseState(1, threshold=80, completion=79, member_status="ongoing")
    assert not course_completed(course)
    assert course_completion_percent(course) == 79.0


def test_course_completion_is_clamped() -> None:
    assert course_completion_percent(CourseState(1, completion=-5)) == 0.0


@pytest.mark.parametrize("threshold", [0, 101])
def test_threshold_outside_1_to_100_is_rejected(threshold: int) -> None:
    with pytest.raises(ValueError):
        CourseState(1, threshold=threshold)


def test_unknown_member_status_is_rejected() -> None:
    with pytest.raises(ValueError):
        CourseState(1, member_status="finished")


@pytest.mark.parametrize(
    ("course", "expected"),
    [
        (CourseState(1, member_status="invited"), "not_started"),
        (CourseState(1, member_status="joined"), "not_started"),
        (CourseState(1, completion=20, member_status="ongoing"), "in_progress"),
        (CourseState(1, completion=20, member_status=None), "in_progress"),
        (CourseState(1, completion=83, member_status="completed"), "completed"),
    ],
)
def test_tracker_status_follows_the_course(course: CourseState, expected: str) -> None:
    assert tracker_status(course) == expected


def test_tracker_status_certified_sticks_whatever_the_course() -> None:
    assert tracker_status(CourseState(1, completion=0), certified=True) == "certified"


def test_joined_course_is_not_started() -> None:
    assert not course_started(CourseState(1, member_status="joined"))


# --------------------------------------------------------------------------- eLearning %


def test_elearning_percent_is_mean_over_required_courses() -> None:
    optional = CourseState(3, required=False, completion=0)
    assert elearning_percent([DONE, HALF, optional]) == 75.0


def test_elearning_percent_uses_all_courses_when_none_required() -> None:
    courses = [CourseState(1, required=False, completion=40), CourseState(2, required=False)]
    assert elearning_percent(courses) == 20.0


def test_elearning_percent_without_courses_is_zero() -> None:
    assert elearning_percent([]) == 0.0


def test_course_removed_from_program_is_not_counted_in_elearning() -> None:
    removed = CourseState(9, completion=0, in_program=False)
    assert elearning_percent([DONE, removed]) == 100.0


def test_course_removed_from_program_is_not_counted_in_completion() -> None:
    removed = CourseState(9, completion=0, in_program=False)
    assert program_complete([DONE, removed], None, None, NO_REQUIREMENTS)


def test_only_removed_courses_give_zero_elearning() -> None:
    assert elearning_percent([CourseState(9, completion=100, in_program=False)]) == 0.0


def test_counted_courses_are_the_required_ones_in_the_program() -> None:
    optional = CourseState(3, required=False)
    removed = CourseState(9, in_program=False)
    assert counted_courses([DONE, optional, HALF, removed]) == [DONE, HALF]


def test_counted_courses_are_all_in_program_courses_when_none_is_required() -> None:
    courses = [CourseState(1, required=False), CourseState(2, required=False)]
    removed = CourseState(9, in_program=False)  # required, but no longer in the program
    assert counted_courses([*courses, removed]) == courses


def test_no_course_in_the_program_counts_nothing() -> None:
    assert counted_courses([CourseState(9, in_program=False)]) == []


# --------------------------------------------------------------------------- quizzes


def test_quiz_passed_on_first_attempt_scores_100() -> None:
    assert quiz_score(QuizState(1, passed=True, attempts=1)) == 100.0


def test_quiz_passed_on_third_attempt_scores_third_over_first_reward() -> None:
    assert quiz_score(QuizState(1, passed=True, attempts=3, rewards=(10, 7, 5, 2))) == 50.0


def test_quiz_passed_after_fourth_attempt_uses_fourth_reward() -> None:
    quiz = QuizState(1, passed=True, attempts=9, rewards=(10, 7, 5, 2))
    assert quiz_score(quiz) == 20.0


def test_quiz_not_passed_has_no_score() -> None:
    assert quiz_score(QuizState(1, passed=False, attempts=5)) is None


def test_quiz_with_zero_first_reward_scores_100_when_passed() -> None:
    assert quiz_score(QuizState(1, passed=True, attempts=2, rewards=(0, 0, 0, 0))) == 100.0


def test_quiz_passed_without_attempt_has_no_score() -> None:
    assert quiz_score(QuizState(1, passed=True, attempts=0)) is None


def test_quiz_score_is_capped_at_100_when_later_reward_is_higher() -> None:
    assert quiz_score(QuizState(1, passed=True, attempts=2, rewards=(5, 10, 0, 0))) == 100.0


# --------------------------------------------------------------------------- certifications


def test_certification_score_is_best_done_score() -> None:
    assert certification_score(CertificationState(1, (40.0, 85.0, 70.0), True)) == 85.0


def test_certification_without_done_attempt_has_no_score() -> None:
    assert certification_score(CertificationState(1)) is None


def test_certification_attempt_not_done_does_not_count_even_if_successful() -> None:
    state = CertificationState.from_attempts(
        1,
        [
            CertificationAttempt("new", 100.0, True),
            CertificationAttempt("in_progress", 90.0, True),
            CertificationAttempt("done", 60.0, False),
        ],
    )
    assert state == CertificationState(1, (60.0,), False)
    assert certification_score(state) == 60.0


def test_certification_with_only_new_attempt_has_no_score() -> None:
    state = CertificationState.from_attempts(1, [CertificationAttempt("new", 100.0, True)])
    assert not state.passed
    assert certification_score(state) is None


# --------------------------------------------------------------------------- average


def test_average_ignores_items_without_result() -> None:
    assert average_score([100.0, None, 50.0]) == 75.0


def test_average_without_any_result_is_none() -> None:
    assert average_score([None, None]) is None
    assert average_score([]) is None


# --------------------------------------------------------------------------- attendance


def test_attendance_ignores_cancelled_and_future_sessions() -> None:
    attendance = Attendance.from_pairs(
        [
            ("done", True),
            ("open", True),
            ("cancel", True),  # cancelled: never counts
            ("open", False),  # session still ahead
            ("cancel", False),
        ]
    )
    assert attendance_percent(attendance) == 50.0


def test_attendance_without_ended_session_is_none() -> None:
    assert attendance_percent(Attendance.from_pairs([("open", False)])) is None
    assert attendance_percent(Attendance()) is None


def test_attended_session_not_yet_ended_counts() -> None:
    attendance = Attendance((Registration("done", False), Registration("open", True)))
    assert attendance_percent(attendance) == 50.0


def test_unconfirmed_registration_of_ended_session_counts_as_absent() -> None:
    assert attendance_percent(Attendance.from_pairs([("draft", True), ("done", True)])) == 50.0


# --------------------------------------------------------------------------- overall progress


def test_overall_progress_defaults_to_elearning_only() -> None:
    assert overall_progress(62.5, 10.0, 10.0, Weights()) == 62.5


def test_overall_progress_weights_summing_to_one_with_attendance() -> None:
    weights = Weights(elearning=0.6, attendance=0.3, assessments=0.1)
    assert overall_progress(50.0, 100.0, 80.0, weights) == 68.0


def test_overall_progress_counts_missing_part_as_zero() -> None:
    weights = Weights(elearning=0.7, attendance=0.3)
    assert overall_progress(100.0, None, None, weights) == 70.0


def test_overall_progress_is_rounded_to_one_decimal() -> None:
    assert overall_progress(100 / 3, None, None, Weights()) == 33.3


def test_overall_progress_relative_weights_do_not_overflow() -> None:
    assert overall_progress(100.0, 100.0, 100.0, Weights(2, 1, 1)) == 100.0


@pytest.mark.parametrize("weights", [(0, 0, 0), (-1, 1, 0), (float("nan"), 1, 0)])
def test_invalid_weights_are_rejected(weights: tuple[float, float, float]) -> None:
    with pytest.raises(ValueError):
        Weights(*weights)


def test_round_1_rounds_half_up() -> None:
    assert round_1(66.65) == 66.7
    assert round_1(0.25) == 0.3


# --------------------------------------------------------------------------- program complete


def test_program_complete_when_all_required_courses_completed() -> None:
    optional = CourseState(3, required=False)
    assert program_complete([DONE, optional], None, None, NO_REQUIREMENTS)


def test_program_not_complete_with_a_required_course_pending() -> None:
    assert not program_complete([DONE, HALF], None, None, NO_REQUIREMENTS)


def test_program_without_courses_is_not_complete() -> None:
    assert not program_complete([], 100.0, 100.0, NO_REQUIREMENTS)


def test_no_graded_items_still_completes_without_min_average() -> None:
    assert program_complete([DONE], None, None, Requirements(min_attendance=None))


def test_no_graded_items_fails_a_configured_min_average() -> None:
    assert not program_complete([DONE], None, None, Requirements(min_average_score=50.0))


def test_average_below_minimum_fails() -> None:
    assert not program_complete([DONE], None, 49.9, Requirements(min_average_score=50.0))


def test_average_at_minimum_passes() -> None:
    assert program_complete([DONE], None, 50.0, Requirements(min_average_score=50.0))


def test_attendance_below_minimum_fails() -> None:
    assert not program_complete([DONE], 79.0, None, Requirements(min_attendance=80.0))


def test_missing_attendance_fails_a_configured_minimum() -> None:
    assert not program_complete([DONE], None, None, Requirements(min_attendance=80.0))


def test_attendance_at_minimum_passes() -> None:
    assert program_complete([DONE], 80.0, None, Requirements(min_attendance=80.0))


# --------------------------------------------------------------------------- integration status


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ((False, False, False, False), "not_integrated"),
        ((True, False, False, False), "enrolled"),
        ((True, True, False, False), "in_progress"),
        ((True, True, True, False), "completed"),
        ((True, True, True, True), "certified"),
        ((False, False, True, False), "completed"),
        ((False, False, False, True), "certified"),
    ],
)
def test_integration_status_is_furthest_stage(
    flags: tuple[bool, bool, bool, bool], expected: str
) -> None:
    assert integration_status(*flags) == expected


# --------------------------------------------------------------------------- program figures


def test_program_figures_combines_all_parts() -> None:
    figures = program_figures(
        courses=[DONE, HALF, CourseState(9, completion=0, in_program=False)],
        quizzes=[QuizState(1, True, 3), QuizState(2, False, 1)],
        certifications=[CertificationState(3, (80.0,), True)],
        attendance=Attendance.from_pairs([("done", True), ("done", True), ("open", True)]),
        weights=Weights(0.5, 0.3, 0.2),
        requirements=NO_REQUIREMENTS,
    )
    assert figures == ProgramFigures(
        elearning_percent=75.0,
        attendance_percent=66.7,
        average_score=65.0,
        graded_total=3,
        graded_with_result=2,
        overall_progress=70.5,  # 37.5 + 20.01 + 13.0
        complete=False,
        status="in_progress",
    )


def test_the_assessments_part_with_assignments_and_its_parts() -> None:
    """Quizzes average 50 (one passed on the third attempt, one not passed), the certification
    80, the assignments 90: by default each quiz, certification and the assignments' average
    count once; with `assessment_parts`, each kind by its weight, a kind without a result left
    out."""
    quizzes = [QuizState(1, True, 3), QuizState(2, False, 1)]
    certifications = [CertificationState(3, (80.0,), True)]

    def average(weights: Weights, assignments: float | None) -> float | None:
        return program_figures(
            [DONE],
            quizzes,
            certifications,
            Attendance(),
            weights,
            NO_REQUIREMENTS,
            assignment_average=assignments,
        ).average_score

    assert average(Weights(0.5, 0, 0.5), 90.0) == 73.3  # (50 + 80 + 90) / 3
    assert average(Weights(0.5, 0, 0.5), None) == 65.0
    mixed = Weights(0.5, 0, 0.5, AssessmentParts(0.25, 0.25, 0.5))
    assert average(mixed, 90.0) == 77.5  # 0.25 * 50 + 0.25 * 80 + 0.5 * 90
    assert average(mixed, None) == 65.0  # no assignment scored yet: left out
    only = Weights(0.5, 0, 0.5, AssessmentParts(0, 0, 1))
    assert average(only, 90.0) == 90.0
    assert average(only, None) is None
    figures = program_figures(
        [DONE], [], [], Attendance(), only, NO_REQUIREMENTS, assignment_average=80.0
    )
    assert (figures.overall_progress, figures.status) == (90.0, "completed")


def test_program_figures_complete_without_graded_items() -> None:
    figures = program_figures([DONE], [], [], Attendance(), Weights(), NO_REQUIREMENTS)
    assert figures.average_score is None
    assert figures.graded_total == 0
    assert figures.complete
    assert figures.status == "completed"
    assert figures.overall_progress == 100.0


def test_program_figures_judges_the_rounded_attendance() -> None:
    attendance = Attendance.from_pairs([("done", True), ("done", True), ("open", True)])
    requirements = Requirements(min_attendance=66.7)
    figures = program_figures([DONE], [], [], attendance, Weights(), requirements)
    assert figures.complete


def test_program_figures_enrolled_but_not_started() -> None:
    course = CourseState(1, member_status="joined")
    figures = program_figures([course], [], [], Attendance(), Weights(), NO_REQUIREMENTS)
    assert figures.status == "enrolled"


def test_program_figures_failed_quiz_attempt_means_started() -> None:
    course = CourseState(1, member_status="joined")
    quiz = QuizState(1, passed=False, attempts=1)
    figures = program_figures([course], [quiz], [], Attendance(), Weights(), NO_REQUIREMENTS)
    assert figures.status == "in_progress"


def test_program_figures_without_membership_is_not_integrated() -> None:
    course = CourseState(1, enrolled=False)
    figures = program_figures([course], [], [], Attendance(), Weights(), NO_REQUIREMENTS)
    assert figures.status == "not_integrated"


def test_program_figures_certified_input_sticks() -> None:
    figures = program_figures(
        [HALF], [], [], Attendance(), Weights(), NO_REQUIREMENTS, certified=True
    )
    assert figures.status == "certified"


def test_program_figures_counts_offline_assignments() -> None:
    figures = program_figures(
        [DONE], [], [], Attendance(), Weights(), NO_REQUIREMENTS, offline_scores=[90.0, None]
    )
    assert (figures.graded_total, figures.graded_with_result, figures.average_score) == (2, 1, 90.0)


# --------------------------------------------------------------------------- properties

member_statuses = st.sampled_from([None, "invited", "joined", "ongoing", "completed"])
courses = st.builds(
    CourseState,
    course_id=st.integers(1, 50),
    required=st.booleans(),
    threshold=st.integers(1, 100),
    completion=st.integers(-10, 120),
    member_status=member_statuses,
    ever_completed=st.booleans(),
    enrolled=st.booleans(),
    in_program=st.booleans(),
)
percent_or_none = st.none() | st.floats(-50, 150)


@st.composite
def valid_weights(draw: st.DrawFn) -> Weights:
    parts = draw(st.tuples(st.floats(0, 5), st.floats(0, 5), st.floats(0, 5)))
    if sum(parts) <= 0:
        parts = (1.0, parts[1], parts[2])
    return Weights(*parts)


@given(st.lists(courses, max_size=8))
def test_elearning_percent_is_within_0_and_100(cs: list[CourseState]) -> None:
    assert 0.0 <= elearning_percent(cs) <= 100.0


@given(st.lists(courses, max_size=6), courses, st.integers(0, 100), st.integers(0, 100))
def test_elearning_percent_is_monotone_in_completion(
    others: list[CourseState], course: CourseState, a: int, b: int
) -> None:
    low, high = sorted((a, b))
    before = elearning_percent([*others, replace(course, completion=low)])
    after = elearning_percent([*others, replace(course, completion=high)])
    assert before <= after


@given(st.floats(-50, 150), percent_or_none, percent_or_none, valid_weights())
def test_overall_progress_is_within_0_and_100(
    e: float, a: float | None, s: float | None, w: Weights
) -> None:
    assert 0.0 <= overall_progress(e, a, s, w) <= 100.0


@given(
    st.integers(1, 10),
    st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)),
)
def test_quiz_score_is_within_0_and_100(attempts: int, rewards: tuple[int, int, int, int]) -> None:
    score = quiz_score(QuizState(1, True, attempts, rewards))
    assert score is not None
    assert 0.0 <= score <= 100.0


@given(st.lists(st.sampled_from(["draft", "open", "done", "cancel"]), max_size=10), st.data())
def test_attendance_is_within_0_and_100(states: list[str], data: st.DataObject) -> None:
    ended = data.draw(st.lists(st.booleans(), min_size=len(states), max_size=len(states)))
    pct = attendance_percent(Attendance.from_pairs(zip(states, ended, strict=True)))
    assert pct is None or 0.0 <= pct <= 100.0


@given(st.lists(st.none() | st.floats(0, 100), max_size=10))
def test_average_lies_between_min_and_max_result(scores: list[float | None]) -> None:
    results = [s for s in scores if s is not None]
    average = average_score(scores)
    if not results:
        assert average is None
    else:
        assert average is not None
        assert min(results) - 1e-9 <= average <= max(results) + 1e-9
