"""Unit tests for sidecar.issuance: when a certificate is issued, a review raised, or we wait."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sidecar.figures import CourseState, Requirements, program_complete
from sidecar.issuance import (
    Cohort,
    Decision,
    TraineeState,
    batch_done,
    cohort_of,
    decide,
    review_note,
    review_summary,
    unmet_requirements,
)

NO_REQUIREMENTS = Requirements()
MINIMUMS = Requirements(min_attendance=80.0, min_average_score=50.0)
END = date(2025, 3, 31)

COURSES_PENDING = "not every required course is completed"
NO_NAME = "the contact in Odoo has no name to print on the certificate"
NOT_COMPLETE = "the program is not complete"


def trainee(
    *,
    complete: bool = True,
    courses_done: bool = True,
    attendance: float | None = 100.0,
    average: float | None = 100.0,
    has_name: bool = True,
) -> TraineeState:
    return TraineeState(complete, courses_done, attendance, average, has_name)


def dates_only(end: date | None, today: date) -> bool:
    return batch_done(event_bound=False, event_in_end_stage=None, end=end, today=today)


# --------------------------------------------------------------------------- batch done


def test_dates_only_batch_is_not_done_on_its_end_date() -> None:
    assert not dates_only(END, END)


def test_dates_only_batch_is_done_the_day_after_its_end_date() -> None:
    assert dates_only(END, END + timedelta(days=1))


def test_dates_only_batch_is_not_done_before_its_end_date() -> None:
    assert not dates_only(END, END - timedelta(days=1))


@pytest.mark.parametrize(
    ("end", "day_after"),
    [
        (date(2024, 12, 31), date(2025, 1, 1)),  # across a year end
        (date(2024, 2, 28), date(2024, 2, 29)),  # onto a leap day
        (date(2024, 2, 29), date(2024, 3, 1)),  # off a leap day
    ],
)
def test_dates_only_batch_done_day_after_across_calendar_boundaries(
    end: date, day_after: date
) -> None:
    assert not dates_only(end, end)
    assert dates_only(end, day_after)


def test_dates_only_batch_without_end_date_is_never_done() -> None:
    assert not dates_only(None, date(2099, 1, 1))


def test_dates_only_batch_ignores_an_event_stage() -> None:
    done = batch_done(event_bound=False, event_in_end_stage=True, end=END, today=END)
    assert not done


def test_event_bound_batch_is_done_in_an_end_stage_even_before_its_end_date() -> None:
    today = END - timedelta(days=30)
    assert batch_done(event_bound=True, event_in_end_stage=True, end=END, today=today)


def test_event_bound_batch_is_not_done_outside_an_end_stage_however_late() -> None:
    today = END + timedelta(days=365)
    assert not batch_done(event_bound=True, event_in_end_stage=False, end=END, today=today)


def test_event_bound_batch_with_unknown_stage_is_not_done() -> None:
    today = END + timedelta(days=1)
    assert not batch_done(event_bound=True, event_in_end_stage=None, end=END, today=today)


def test_event_bound_batch_without_dates_is_done_in_an_end_stage() -> None:
    assert batch_done(event_bound=True, event_in_end_stage=True, end=None, today=END)


# --------------------------------------------------------------------------- unmet requirements


def test_nothing_unmet_when_courses_done_and_no_minimum_configured() -> None:
    state = trainee(attendance=None, average=None)
    assert unmet_requirements(state, NO_REQUIREMENTS) == ()


def test_pending_required_course_is_a_reason() -> None:
    assert unmet_requirements(trainee(courses_done=False), NO_REQUIREMENTS) == (COURSES_PENDING,)


def test_attendance_exactly_at_minimum_is_met() -> None:
    assert unmet_requirements(trainee(attendance=80.0), MINIMUMS) == ()


def test_attendance_just_below_minimum_is_a_reason() -> None:
    reasons = unmet_requirements(trainee(attendance=79.9), MINIMUMS)
    assert reasons == ("attendance 79.9 % is below the required 80 %",)


def test_missing_attendance_fails_a_configured_minimum() -> None:
    reasons = unmet_requirements(trainee(attendance=None), MINIMUMS)
    assert reasons == ("no attendance recorded (at least 80 % required)",)


def test_missing_attendance_fails_even_a_zero_minimum() -> None:
    reasons = unmet_requirements(trainee(attendance=None), Requirements(min_attendance=0.0))
    assert reasons == ("no attendance recorded (at least 0 % required)",)


def test_zero_attendance_meets_a_zero_minimum() -> None:
    assert unmet_requirements(trainee(attendance=0.0), Requirements(min_attendance=0.0)) == ()


def test_missing_attendance_is_fine_without_a_minimum() -> None:
    requirements = Requirements(min_average_score=50.0)
    assert unmet_requirements(trainee(attendance=None), requirements) == ()


def test_average_exactly_at_minimum_is_met() -> None:
    assert unmet_requirements(trainee(average=50.0), MINIMUMS) == ()


def test_average_just_below_minimum_is_a_reason() -> None:
    reasons = unmet_requirements(trainee(average=49.9), MINIMUMS)
    assert reasons == ("average score 49.9 % is below the required 50 %",)


def test_missing_average_fails_a_configured_minimum() -> None:
    reasons = unmet_requirements(trainee(average=None), MINIMUMS)
    assert reasons == ("no graded result yet (average of at least 50 % required)",)


def test_missing_average_is_fine_without_a_minimum() -> None:
    requirements = Requirements(min_attendance=80.0)
    assert unmet_requirements(trainee(average=None), requirements) == ()


def test_missing_name_is_a_reason() -> None:
    assert unmet_requirements(trainee(has_name=False), NO_REQUIREMENTS) == (NO_NAME,)


def test_every_unmet_requirement_is_listed_in_a_fixed_order() -> None:
    state = trainee(courses_done=False, attendance=50.0, average=None, has_name=False)
    assert unmet_requirements(state, MINIMUMS) == (
        COURSES_PENDING,
        "attendance 50 % is below the required 80 %",
        "no graded result yet (average of at least 50 % required)",
        NO_NAME,
    )


def test_reasons_print_fractional_percentages_as_given() -> None:
    requirements = Requirements(min_attendance=66.7, min_average_score=72.5)
    reasons = unmet_requirements(trainee(attendance=66.6, average=0.0), requirements)
    assert reasons == (
        "attendance 66.6 % is below the required 66.7 %",
        "average score 0 % is below the required 72.5 %",
    )


# --------------------------------------------------------------------------- decide: completion


def test_has_name_defaults_to_true() -> None:
    state = TraineeState(
        complete=True, required_courses_done=True, attendance_pct=None, average_score=None
    )
    assert decide(state, NO_REQUIREMENTS, issue_on="completion", batch_is_done=False) == Decision(
        "issue"
    )


def test_completion_issues_to_a_complete_trainee_at_once() -> None:
    decision = decide(trainee(), MINIMUMS, issue_on="completion", batch_is_done=False)
    assert decision == Decision("issue", ())


def test_completion_issues_whether_or_not_the_batch_is_done() -> None:
    for batch_is_done in (False, True):
        decision = decide(trainee(), MINIMUMS, issue_on="completion", batch_is_done=batch_is_done)
        assert decision.action == "issue"


def test_completion_waits_while_required_courses_are_pending() -> None:
    state = trainee(complete=False, courses_done=False, attendance=None, average=None)
    decision = decide(state, MINIMUMS, issue_on="completion", batch_is_done=True)
    assert decision == Decision("wait")


def test_completion_reviews_a_trainee_who_misses_a_minimum() -> None:
    state = trainee(complete=False, attendance=79.9)
    decision = decide(state, MINIMUMS, issue_on="completion", batch_is_done=False)
    assert decision == Decision("review", ("attendance 79.9 % is below the required 80 %",))


def test_completion_reviews_a_complete_trainee_without_a_name() -> None:
    state = trainee(has_name=False)
    decision = decide(state, MINIMUMS, issue_on="completion", batch_is_done=False)
    assert decision == Decision("review", (NO_NAME,))


def test_a_name_that_cannot_be_printed_is_reviewed_with_its_reason() -> None:
    why = "the name has 140 characters; a certificate prints at most 128"
    state = replace(trainee(), name_problem=why)
    decision = decide(state, MINIMUMS, issue_on="completion", batch_is_done=False)
    assert decision == Decision("review", (why,))
    incomplete = decide(
        replace(state, complete=False), MINIMUMS, issue_on="completion", batch_is_done=False
    )
    assert incomplete.reasons == (NOT_COMPLETE, why)


def test_incomplete_trainee_with_nothing_unmet_is_reviewed_as_not_complete() -> None:
    # The stored figures say "not complete" though every rule here holds: a person decides.
    state = trainee(complete=False)
    decision = decide(state, MINIMUMS, issue_on="completion", batch_is_done=False)
    assert decision == Decision("review", (NOT_COMPLETE,))


def test_incomplete_trainee_without_name_is_told_the_program_is_not_complete() -> None:
    state = trainee(complete=False, has_name=False)
    decision = decide(state, MINIMUMS, issue_on="completion", batch_is_done=False)
    assert decision.action == "review"
    assert NOT_COMPLETE in decision.reasons


# --------------------------------------------------------------------------- decide: batch done


@pytest.mark.parametrize(
    "state",
    [
        trainee(),
        trainee(complete=False, courses_done=False),
        trainee(complete=False, attendance=10.0),
        trainee(has_name=False),
    ],
)
def test_batch_done_waits_for_the_batch_whatever_the_trainee(state: TraineeState) -> None:
    decision = decide(state, MINIMUMS, issue_on="batch_done", batch_is_done=False)
    assert decision == Decision("wait")


def test_batch_done_issues_to_a_complete_trainee_once_the_batch_is_done() -> None:
    decision = decide(trainee(), MINIMUMS, issue_on="batch_done", batch_is_done=True)
    assert decision == Decision("issue")


def test_batch_done_reviews_a_trainee_still_learning_when_the_batch_is_done() -> None:
    state = trainee(complete=False, courses_done=False, attendance=None, average=None)
    decision = decide(state, MINIMUMS, issue_on="batch_done", batch_is_done=True)
    assert decision == Decision(
        "review",
        (
            COURSES_PENDING,
            "no attendance recorded (at least 80 % required)",
            "no graded result yet (average of at least 50 % required)",
        ),
    )


def test_batch_done_reviews_a_trainee_below_the_average_minimum() -> None:
    state = trainee(complete=False, average=49.9)
    decision = decide(state, MINIMUMS, issue_on="batch_done", batch_is_done=True)
    assert decision == Decision("review", ("average score 49.9 % is below the required 50 %",))


# --------------------------------------------------------------------------- properties

tenths = st.integers(0, 1000).map(lambda n: n / 10)  # figures store percentages to 1 decimal
percent_or_none = st.none() | tenths
requirements = st.builds(Requirements, percent_or_none, percent_or_none)


@st.composite
def consistent_trainees(draw: st.DrawFn) -> tuple[TraineeState, Requirements]:
    """A trainee whose `complete` is what figures.program_complete says of the same inputs."""
    req = draw(requirements)
    courses_done = draw(st.booleans())
    attendance, average = draw(percent_or_none), draw(percent_or_none)
    course = CourseState(1, completion=100 if courses_done else 40, member_status="ongoing")
    complete = program_complete([course], attendance, average, req)
    state = TraineeState(complete, courses_done, attendance, average, draw(st.booleans()))
    return state, req


@given(consistent_trainees())
def test_nothing_unmet_exactly_when_complete_and_named(
    case: tuple[TraineeState, Requirements],
) -> None:
    state, req = case
    assert (unmet_requirements(state, req) == ()) == (state.complete and state.has_name)


@given(consistent_trainees(), st.booleans())
def test_completion_decision_follows_the_figures(
    case: tuple[TraineeState, Requirements], batch_is_done: bool
) -> None:
    state, req = case
    decision = decide(state, req, issue_on="completion", batch_is_done=batch_is_done)
    if state.complete and state.has_name:
        assert decision == Decision("issue")
    elif not state.required_courses_done:
        assert decision == Decision("wait")
    else:
        assert decision.action == "review"
        assert decision.reasons == unmet_requirements(state, req)
        assert decision.reasons  # a consistent trainee is never reviewed without a reason


@given(consistent_trainees(), st.booleans())
def test_batch_done_decision_waits_only_for_the_batch(
    case: tuple[TraineeState, Requirements], batch_is_done: bool
) -> None:
    state, req = case
    decision = decide(state, req, issue_on="batch_done", batch_is_done=batch_is_done)
    if not batch_is_done:
        assert decision == Decision("wait")
    elif state.complete and state.has_name:
        assert decision == Decision("issue")
    else:
        assert decision == Decision("review", unmet_requirements(state, req))


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(-1000, 1000))
def test_dates_only_batch_is_done_from_the_day_after_its_end(end: date, offset: int) -> None:
    assert dates_only(end, end + timedelta(days=offset)) == (offset >= 1)


# --------------------------------------------------------------------------- cohort_of

EVENT_BATCH = Cohort(1, event_id=50, event_bound=True, start=None, end=None)
SPRING = Cohort(2, event_id=None, event_bound=False, start=date(2026, 3, 1), end=date(2026, 5, 31))
SUMMER = Cohort(3, event_id=None, event_bound=False, start=date(2026, 6, 1), end=date(2026, 8, 31))
COHORTS = (EVENT_BATCH, SPRING, SUMMER)


def test_a_registration_for_the_batch_event_places_the_trainee_there_first() -> None:
    found = cohort_of(
        COHORTS, partner_id=7, joined=date(2026, 4, 1), registered={50: {7}}, recorded=3
    )
    assert found == 1


def test_without_a_registration_the_dates_decide_inclusive_of_both_ends() -> None:
    for joined, expected in [
        (date(2026, 3, 1), 2),
        (date(2026, 5, 31), 2),
        (date(2026, 6, 1), 3),
        (date(2026, 8, 31), 3),
    ]:
        assert cohort_of(COHORTS, partner_id=7, joined=joined, registered={}, recorded=None) == (
            expected
        )


def test_an_event_bound_batch_is_never_chosen_by_dates() -> None:
    dated_event = Cohort(9, event_id=None, event_bound=True, start=date(2026, 1, 1), end=None)
    found = cohort_of(
        (dated_event,), partner_id=7, joined=date(2026, 1, 2), registered={}, recorded=None
    )
    assert found is None


def test_outside_every_batch_the_recorded_one_stays_if_it_still_exists() -> None:
    outside = date(2027, 1, 1)
    assert cohort_of(COHORTS, partner_id=7, joined=outside, registered={}, recorded=3) == 3
    assert cohort_of(COHORTS, partner_id=7, joined=outside, registered={}, recorded=99) is None


def test_another_partners_registration_does_not_count() -> None:
    found = cohort_of(
        COHORTS, partner_id=7, joined=date(2027, 1, 1), registered={50: {8}}, recorded=None
    )
    assert found is None


# --------------------------------------------------------------------------- review text


def test_the_review_summary_names_the_program_and_the_batch() -> None:
    assert review_summary("Welding", "2026-q1") == "OJT review: Welding (2026-q1)"
    assert review_summary("Welding", None) == "OJT review: Welding"


def test_the_review_note_escapes_every_name_and_lists_each_reason() -> None:
    note = review_note("<b>Ann</b>", "R&D", ["a < b", "second"])
    assert "&lt;b&gt;Ann&lt;/b&gt;" in note and "<b>R&amp;D</b>" in note
    assert note.count("<li>") == 2 and "<li>a &lt; b</li>" in note


def test_a_nameless_trainee_is_called_this_trainee() -> None:
    assert review_note("", "Welding", ["x"]).startswith("<p>This trainee has no certificate")


def test_assignment_problems_name_what_holds_the_certificate() -> None:
    from sidecar.figures.assignments import AssignmentResult, assignment_figures
    from sidecar.issuance import assignment_problems

    results = [
        AssignmentResult("T-joint", 1, 10, 4, submitted=True, late=False),
        AssignmentResult("Quiz", 1, 10, None, submitted=False, late=True),
    ]
    minimums = Requirements(min_average_score=50.0, min_submitted=2)
    assert assignment_problems(assignment_figures(results, "block"), minimums) == [
        "assignments not scored yet: Quiz",
        "1 of 2 assignments handed in; at least 2 required",
        "assignment average 40 % is below the required 50 %",
    ]
    unscored = [AssignmentResult("Quiz", 1, 10, None, submitted=True, late=False)]
    assert assignment_problems(assignment_figures(unscored, "exclude"), minimums) == [
        "1 of 1 assignments handed in; at least 2 required",
        "no assignment scored yet (average of at least 50 % required)",
    ]
    assert assignment_problems(None, minimums) == []
