"""Recompute's pure part: one program's mirrored rows of a trainee in, their figures out.

Plain data only: no store, no Odoo, no clock of its own (`now`, which decides whether a batch's
session has ended, is a parameter). Every rule is a function of `sidecar.figures`; this module
shapes the mirrors' values into its inputs and its results into the columns of `students`
(`SUMMARY`) and `progress_trackers` (`TRACKED`).

`Calculator` memoises per program and batch: the functions are pure, and many trainees share
the same inputs (same course, same completion, same quiz results).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sidecar import figures

# What recompute writes on a student, in this order.
SUMMARY = (
    "integration_status",
    "elearning_pct",
    "attendance_pct",
    "average_score",
    "graded_total",
    "graded_done",
    "overall_pct",
    "complete",
)
# What recompute writes on a tracker, in this order.
TRACKED = (
    "odoo_membership_id",
    "enrolled",
    "completion",
    "member_status",
    "completed",
    "lessons_completed",
    "submissions",
    "status",
)

Rewards = tuple[int, int, int, int]
# A certification attempt as the figures see it: (state, scoring_percentage, scoring_success).
Try = tuple[str, float, bool]
# A membership as the figures see it: (completion clamped, member_status, ever_completed,
# active), or None without one. Equal keys give equal course states.
MemberKey = tuple[int, str | None, bool, bool] | None


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Course:
    """A course integration of the program (`course_integrations`)."""

    id: int
    channel: int  # its slide.channel
    required: bool
    threshold: int
    in_program: bool  # False once removed from the program's configuration


@dataclass(frozen=True)
class GradedItems:
    """A program's graded items (current courses, published, active, not removed)."""

    channel_of: Mapping[int, int]  # slide id -> its course's channel
    quizzes: Sequence[tuple[int, Rewards]] = ()  # (slide id, karma rewards)
    certifications: Sequence[int] = ()  # slide ids


@dataclass(frozen=True)
class ProgramRules:
    """What the figures of one program need besides the trainee's rows."""

    courses: Sequence[Course]
    graded: GradedItems
    weights: figures.Weights = field(default_factory=figures.Weights)
    requirements: figures.Requirements = field(default_factory=figures.Requirements)
    event_ends: Mapping[int, datetime | None] = field(default_factory=dict)  # batch events
    # programs[].removed_membership is `drop`: an archived membership counts as none (§12)
    drop_removed: bool = False


class Membership(NamedTuple):
    """A live `course_memberships` row (removed ones are left out)."""

    channel_id: int
    odoo_id: int
    completion: int
    member_status: str | None
    ever_completed: bool
    active: bool
    completed_slides_count: int


class Attempt(NamedTuple):
    """An `assessment_results` row of a graded certification."""

    slide_id: int
    state: str
    scoring_percentage: float
    scoring_success: bool


@dataclass(frozen=True)
class Trainee:
    """One partner's live mirrored rows in the program."""

    memberships: Mapping[int, Membership] = field(default_factory=dict)  # by channel
    # graded slide -> (completed, quiz attempts) of its `lesson_progress` row
    lessons: Mapping[int, tuple[bool, int]] = field(default_factory=dict)
    attempts: Sequence[Attempt] = ()
    registrations: Sequence[tuple[str, int]] = ()  # (state, event id), active ones
    certified: bool = False
    assignment_average: float | None = None  # of their batch's assignments (students table)
    tracked: Collection[int] = ()  # courses that have a tracker already: it is kept up to date


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class TraineeFigures:
    """A trainee's `SUMMARY` columns, and the `TRACKED` columns of each course that has or
    needs a tracker (one the trainee joined, or one in `Trainee.tracked`), in course order.
    The summary is shared between trainees with equal inputs: do not modify it."""

    summary: Mapping[str, Any]
    trackers: Mapping[int, dict[str, Any]]  # course id -> values


def trainee_figures(program: ProgramRules, trainee: Trainee, now: datetime) -> TraineeFigures:
    """The figures of one trainee; `Calculator` does the same for many, memoised."""
    return Calculator(program, now).figures_of(trainee)


class Calculator:
    """`sidecar.figures` for one program and batch of trainees, at `now`."""

    def __init__(self, program: ProgramRules, now: datetime) -> None:
        self.program = program
        self.courses = tuple(program.courses)
        self.graded = program.graded
        self.ended = {
            event: end is not None and end <= now for event, end in program.event_ends.items()
        }
        self._courses: dict[tuple[int, MemberKey], tuple[figures.CourseState, bool]] = {}
        self._summaries: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._quizzes: dict[tuple[int, tuple[bool, int] | None], figures.QuizState] = {}
        self._certifications: dict[tuple[int, tuple[Try, ...]], figures.CertificationState] = {}

    def figures_of(self, trainee: Trainee) -> TraineeFigures:
        drop = self.program.drop_removed
        keys = tuple(member_key(trainee.memberships.get(c.channel), drop) for c in self.courses)
        registrations = tuple(
            (state, self.ended.get(event, False)) for state, event in trainee.registrations
        )
        summary = self._summary(keys, trainee, registrations)
        submissions = self._submissions(trainee)
        trackers = {}
        for course, key in zip(self.courses, keys, strict=True):
            if key is None and course.id not in trainee.tracked:
                continue  # no tracker for a course the trainee never joined
            membership = trainee.memberships.get(course.channel)
            state, completed = self.course(course, key)
            trackers[course.id] = {
                "odoo_membership_id": membership.odoo_id if membership else None,
                "enrolled": state.enrolled,
                "completion": state.completion,
                "member_status": state.member_status,
                "completed": completed,
                "lessons_completed": membership.completed_slides_count if membership else 0,
                "submissions": submissions.get(course.channel, 0),
                "status": figures.tracker_status(state, certified=trainee.certified),
            }
        return TraineeFigures(summary, trackers)

    def course(self, course: Course, key: MemberKey) -> tuple[figures.CourseState, bool]:
        """The course state for a membership key, and whether the course counts as completed."""
        found = self._courses.get((course.id, key))
        if found is None:
            completion, member_status, ever_completed, enrolled = key or (0, None, False, False)
            state = figures.CourseState(
                course_id=course.channel,
                required=course.required,
                threshold=course.threshold,
                completion=completion,
                member_status=member_status,
                ever_completed=ever_completed,
                enrolled=enrolled,
                in_program=course.in_program,
            )
            found = self._courses[(course.id, key)] = (state, figures.course_completed(state))
        return found

    def _submissions(self, trainee: Trainee) -> dict[int, int]:
        """Per course (channel): quiz attempts plus certification attempts on graded items."""
        submissions: dict[int, int] = {}
        channel_of = self.graded.channel_of
        for slide, (_, count) in trainee.lessons.items():
            if slide in channel_of:
                channel = channel_of[slide]
                submissions[channel] = submissions.get(channel, 0) + count
        for attempt in trainee.attempts:
            if attempt.slide_id in channel_of:
                channel = channel_of[attempt.slide_id]
                submissions[channel] = submissions.get(channel, 0) + 1
        return submissions

    def _summary(
        self,
        keys: tuple[MemberKey, ...],
        trainee: Trainee,
        registrations: tuple[tuple[str, bool], ...],
    ) -> dict[str, Any]:
        tries: dict[int, list[Try]] = {}
        for a in trainee.attempts:
            tries.setdefault(a.slide_id, []).append(
                (a.state, a.scoring_percentage, a.scoring_success)
            )
        quizzes = tuple(trainee.lessons.get(slide) for slide, _ in self.graded.quizzes)
        certifications = tuple(tuple(tries.get(slide, ())) for slide in self.graded.certifications)
        assigned = trainee.assignment_average
        memo = (keys, quizzes, certifications, registrations, trainee.certified, assigned)
        found = self._summaries.get(memo)
        if found is None:
            found = self._summaries[memo] = self._compute(
                keys, quizzes, certifications, registrations, trainee.certified, assigned
            )
        return found

    def _compute(
        self,
        keys: tuple[MemberKey, ...],
        quizzes: tuple[tuple[bool, int] | None, ...],
        certifications: tuple[tuple[Try, ...], ...],
        registrations: tuple[tuple[str, bool], ...],
        certified: bool,
        assignment_average: float | None,
    ) -> dict[str, Any]:
        result = figures.program_figures(
            [self.course(c, k)[0] for c, k in zip(self.courses, keys, strict=True)],
            [
                self._quiz(slide, rewards, lesson)
                for (slide, rewards), lesson in zip(self.graded.quizzes, quizzes, strict=True)
            ],
            [
                self._certification(slide, attempts)
                for slide, attempts in zip(self.graded.certifications, certifications, strict=True)
            ],
            figures.Attendance.from_pairs(registrations),
            self.program.weights,
            self.program.requirements,
            certified=certified,
            assignment_average=assignment_average,
        )
        values = (
            result.status,
            result.elearning_percent,
            result.attendance_percent,
            result.average_score,
            result.graded_total,
            result.graded_with_result,
            result.overall_progress,
            result.complete,
        )
        return dict(zip(SUMMARY, values, strict=True))

    def _quiz(
        self, slide: int, rewards: Rewards, lesson: tuple[bool, int] | None
    ) -> figures.QuizState:
        found = self._quizzes.get((slide, lesson))
        if found is None:
            found = self._quizzes[(slide, lesson)] = figures.QuizState(
                slide_id=slide,
                passed=bool(lesson[0]) if lesson else False,
                attempts=lesson[1] if lesson else 0,
                rewards=rewards,
            )
        return found

    def _certification(self, slide: int, attempts: tuple[Try, ...]) -> figures.CertificationState:
        found = self._certifications.get((slide, attempts))
        if found is None:
            found = self._certifications[(slide, attempts)] = (
                figures.CertificationState.from_attempts(
                    slide, [figures.CertificationAttempt(*attempt) for attempt in attempts]
                )
            )
        return found


def member_key(m: Membership | None, drop_removed: bool = False) -> MemberKey:
    """The membership as the figures see it; with `drop_removed`, an archived one as none: its
    course is not completed, whatever Odoo said before (docs/product-rules.md §12)."""
    if m is None or (drop_removed and not m.active):
        return None
    return (min(100, max(0, m.completion)), m.member_status, bool(m.ever_completed), bool(m.active))
