"""Recompute's reading part: what one program's figures need for a batch of partners.

A fixed handful of statements per program, whatever the batch's size: the mirrors, students and
trackers are read as plain tuples (only the columns needed) and shaped into the inputs of
`recompute_figures`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from jobs.incremental import odoo_datetime
from jobs.sync.recompute_figures import (
    SUMMARY,
    TRACKED,
    Attempt,
    Course,
    GradedItems,
    Membership,
    ProgramRules,
    Trainee,
)
from jobs.sync.recompute_who import WhoCounts
from sidecar import figures
from sidecar.config import Program as ProgramConfig
from sidecar.config.programs import Weights as WeightsConfig
from sidecar.statuses import CourseStatus, EnrollmentState
from sidecar.store.models import (
    AssessmentResult,
    AttendanceRecord,
    CourseMembership,
    Enrollment,
    GradedItem,
    LessonProgress,
    Program,
    ProgressTracker,
    Student,
)
from sidecar.store.sql import among


@dataclass(frozen=True)
class Gathered:
    """One program's inputs for a batch of partners, and the rows stored for them."""

    rules: ProgramRules
    trainees: dict[int, Trainee]  # partner -> rows: stored students first, then new ones
    new_partners: list[int]  # members of a program course without a student yet
    # partner -> (odoo_partner_id, id, certified_at, completed_at, assignment_average,
    # internal_user, excluded, *SUMMARY)
    students: dict[int, Any]
    # (student id, course id) -> (student_id, course_integration_id, id, *TRACKED)
    trackers: dict[tuple[int, int], Any]
    who: WhoCounts  # who of them counts as a trainee
    unread: list[int]  # stored students whose internal-user standing was never read

    @property
    def to_read(self) -> list[int]:
        """The partners whose contact the recompute reads from Odoo."""
        return [*self.new_partners, *self.unread]


def gather(
    session: Session, program: Program, configured: ProgramConfig, partner_ids: list[int]
) -> Gathered | None:
    """None when nothing is to be computed: no course resolved to Odoo, or no partner of the
    batch is (or was) a student of the program."""
    courses = [
        Course(
            c.id,
            c.odoo_channel_id,
            c.required,
            c.completion_threshold,
            c.status == CourseStatus.ACTIVE,
        )
        for c in program.courses
        if c.odoo_channel_id is not None
    ]
    if not courses:
        return None
    session.flush()  # the session's own pending changes, so that the tuples read are the truth
    memberships = _memberships(session, partner_ids, [c.channel for c in courses])
    students = _students(session, program.id, partner_ids)
    # A partner with a live membership row in a program course is a student of it, even when
    # the membership is archived (Odoo's way of leaving a course): leaving is history we keep,
    # and a full re-read sees archived rows too, so both paths agree.
    new_partners = [p for p in dict.fromkeys(partner_ids) if p not in students and p in memberships]
    partners = [*students, *new_partners]
    if not partners:
        return None
    rules = ProgramRules(
        courses,
        _graded_items(session, {c.channel for c in courses if c.in_program}),
        figure_weights(configured.weights),
        figures.Requirements(*configured.figure_minimums()),
        {
            b.odoo_event_id: odoo_datetime(b.event_end) if b.event_end else None
            for b in program.batches
            if b.odoo_event_id is not None and b.status != "archived"
        },
        drop_removed=configured.removed_membership == "drop",
    )
    trackers = _trackers(session, [row.id for row in students.values()])
    trainees = _trainees(session, partners, rules, memberships, students, trackers)
    who = _who_counts(session, program, configured, partners, students)
    unread = [p for p, row in students.items() if row.internal_user is None]
    return Gathered(rules, trainees, new_partners, students, trackers, who, unread)


def _who_counts(
    session: Session,
    program: Program,
    configured: ProgramConfig,
    partners: list[int],
    students: dict[int, Any],
) -> WhoCounts:
    """The program's rule, its courses' responsibles and the partners of `partners` that came
    in through the enrollment flow (an applicant on the student, or an enrollment done)."""
    e = Enrollment
    enrolled = session.scalars(
        select(e.odoo_partner_id).where(
            e.program_id == program.id,
            e.state == EnrollmentState.ENROLLED,
            among(e.odoo_partner_id, partners),
        )
    )
    applied = {p for p, row in students.items() if row.odoo_applicant_id is not None}
    return WhoCounts(
        configured.include_internal_users,
        frozenset(
            c.responsible_partner_id
            for c in program.courses
            if c.responsible_partner_id is not None and c.status == CourseStatus.ACTIVE
        ),
        frozenset({*applied, *(p for p in enrolled if p is not None)}),
    )


def figure_weights(weights: WeightsConfig) -> figures.Weights:
    parts = weights.assessment_parts
    return figures.Weights(
        weights.elearning,
        weights.attendance,
        weights.assessments,
        None
        if parts is None
        else figures.AssessmentParts(parts.quizzes, parts.certifications, parts.assignments),
    )


def _trainees(
    session: Session,
    partners: list[int],
    rules: ProgramRules,
    memberships: dict[int, dict[int, Membership]],
    students: dict[int, Any],
    trackers: dict[tuple[int, int], Any],
) -> dict[int, Trainee]:
    slides = list(rules.graded.channel_of) or [-1]
    lessons = _lessons(session, partners, slides)
    attempts = _attempts(session, partners, slides)
    registrations = _registrations(session, partners, list(rules.event_ends) or [-1])
    tracked: dict[int, set[int]] = {}
    for student_id, course_id in trackers:
        tracked.setdefault(student_id, set()).add(course_id)
    trainees = {}
    for partner in partners:
        stored = students.get(partner)
        trainees[partner] = Trainee(
            memberships=memberships.get(partner, {}),
            lessons=lessons.get(partner, {}),
            attempts=attempts.get(partner, ()),
            registrations=registrations.get(partner, ()),
            certified=stored is not None and stored.certified_at is not None,
            assignment_average=stored.assignment_average if stored is not None else None,
            tracked=tracked.get(stored.id, ()) if stored is not None else (),
        )
    return trainees


def _memberships(
    session: Session, partner_ids: list[int], channels: list[int]
) -> dict[int, dict[int, Membership]]:
    """partner -> channel -> live membership; partners with removed rows only are left out."""
    m = CourseMembership
    rows = session.execute(
        select(
            m.partner_id,
            m.channel_id,
            m.odoo_id,
            m.completion,
            m.member_status,
            m.ever_completed,
            m.active,
            m.completed_slides_count,
            m.removed_at,
        ).where(among(m.partner_id, partner_ids), _unindexed(m.channel_id).in_(channels))
    )
    found: dict[int, dict[int, Membership]] = {}
    for row in rows:
        if row.removed_at is None:
            found.setdefault(row.partner_id, {})[row.channel_id] = Membership(*row[1:8])
    return found


def _students(session: Session, program_id: int, partner_ids: list[int]) -> dict[int, Any]:
    s = Student
    return {
        row.odoo_partner_id: row
        for row in session.execute(
            select(
                s.odoo_partner_id,
                s.id,
                s.certified_at,
                s.completed_at,
                s.assignment_average,
                s.internal_user,
                s.excluded,
                s.odoo_applicant_id,
                *(getattr(s, name) for name in SUMMARY),
            ).where(s.program_id == program_id, among(s.odoo_partner_id, partner_ids))
        )
    }


def _trackers(session: Session, student_ids: list[int]) -> dict[tuple[int, int], Any]:
    if not student_ids:
        return {}
    t = ProgressTracker
    return {
        (row.student_id, row.course_integration_id): row
        for row in session.execute(
            select(
                t.student_id,
                t.course_integration_id,
                t.id,
                *(getattr(t, name) for name in TRACKED),
            ).where(among(t.student_id, student_ids))
        )
    }


def _lessons(
    session: Session, partners: list[int], slides: list[int]
) -> dict[int, dict[int, tuple[bool, int]]]:
    lp = LessonProgress
    found: dict[int, dict[int, tuple[bool, int]]] = {}
    for partner, slide, completed, attempts in session.execute(
        select(lp.partner_id, lp.slide_id, lp.completed, lp.quiz_attempts_count).where(
            among(lp.partner_id, partners),
            _unindexed(lp.slide_id).in_(slides),
            lp.removed_at.is_(None),
        )
    ):
        found.setdefault(partner, {})[slide] = (completed, attempts)
    return found


def _attempts(session: Session, partners: list[int], slides: list[int]) -> dict[int, list[Attempt]]:
    a = AssessmentResult
    rows = session.execute(
        select(a.partner_id, a.slide_id, a.state, a.scoring_percentage, a.scoring_success).where(
            among(a.partner_id, partners),
            _unindexed(a.slide_id).in_(slides),
            a.removed_at.is_(None),
        )
    )
    return _by_partner((row.partner_id, Attempt(*row[1:])) for row in rows)


def _registrations(
    session: Session, partners: list[int], events: list[int]
) -> dict[int, list[tuple[str, int]]]:
    r = AttendanceRecord
    rows = session.execute(
        select(r.partner_id, r.state, r.event_id).where(
            among(r.partner_id, partners),
            _unindexed(r.event_id).in_(events),
            r.removed_at.is_(None),
            r.active.is_(True),
        )
    )
    return _by_partner((partner, (state, event)) for partner, state, event in rows)


def _graded_items(session: Session, current: set[int]) -> GradedItems:
    g = GradedItem
    rows = session.execute(
        select(
            g.odoo_id, g.channel_id, g.category, g.reward_1, g.reward_2, g.reward_3, g.reward_4
        ).where(
            g.channel_id.in_(current),
            g.published.is_(True),
            g.active.is_(True),
            g.removed_at.is_(None),
        )
    ).all()
    return GradedItems(
        channel_of={r.odoo_id: r.channel_id for r in rows},
        quizzes=[
            (r.odoo_id, (r.reward_1, r.reward_2, r.reward_3, r.reward_4))
            for r in rows
            if r.category == "quiz"
        ],
        certifications=[r.odoo_id for r in rows if r.category == "certification"],
    )


def _unindexed(column: Any) -> Any:
    """`column + 0`: the same values, but no index on them. Used on the course/slide/event side
    of a `partner IN (batch) AND x IN (...)` filter, so that the planner takes the partner index
    (a few rows per partner): SQLite without statistics otherwise picks the course or slide index
    and reads every row of the program's courses for each batch of partners."""
    return column + literal_column("0")


def _by_partner(pairs: Iterable[tuple[Any, Any]]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for partner, value in pairs:
        grouped.setdefault(partner, []).append(value)
    return grouped
