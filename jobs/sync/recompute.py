"""Turn the mirrored Odoo rows into students, trackers and figures (BRIEF §3).

Runs for the partners queued by the loader. All the arithmetic is in `sidecar.figures`; this
module only gathers each partner's rows per program, calls it, and writes what changed.

A batch of partners costs a fixed handful of statements per program, whatever its size: the
mirrors, students and trackers are read as plain tuples (only the columns needed), every figure
is computed in memory, and then new students, new trackers and changed rows are written with one
executemany statement each. Nothing is written for a student whose figures did not move.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, literal_column, select, update
from sqlalchemy.orm import Session

from jobs.incremental import odoo_datetime
from sidecar import figures
from sidecar.config import Config
from sidecar.store.models import (
    AssessmentResult,
    AttendanceRecord,
    CourseMembership,
    GradedItem,
    LessonProgress,
    PendingRecompute,
    Program,
    ProgressTracker,
    Student,
    utcnow,
)
from sidecar.store.sql import among

# partner ids -> {partner_id: (name, email)}; called only for partners without a student yet.
PartnerInfo = Callable[[list[int]], dict[int, tuple[str, str | None]]]

# What recompute writes on a student, in this order (the tuples read below follow it).
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

_STUDENTS: Table = Student.__table__  # type: ignore[assignment]
_TRACKERS: Table = ProgressTracker.__table__  # type: ignore[assignment]


@dataclass
class RecomputeResult:
    partners: int = 0
    students_created: int = 0
    students_updated: int = 0


def pending_partners(session: Session, limit: int | None = None) -> list[int]:
    stmt = select(PendingRecompute.partner_id).order_by(PendingRecompute.partner_id)
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def recompute(
    session: Session, cfg: Config, partner_ids: list[int], partner_info: PartnerInfo
) -> RecomputeResult:
    """Recompute `partner_ids` in every active program and dequeue them, in the caller's
    transaction."""
    result = RecomputeResult(partners=len(partner_ids))
    settings = {p.key: p for p in cfg.programs}
    programs = session.scalars(select(Program).where(Program.active.is_(True))).all()
    for program in programs:
        configured = settings.get(program.key)
        if configured is None:
            continue
        _recompute_program(session, program, configured, partner_ids, partner_info, result)
    if partner_ids:
        session.execute(
            delete(PendingRecompute).where(among(PendingRecompute.partner_id, partner_ids))
        )
    return result


@dataclass(frozen=True)
class _Graded:
    """A program's graded items (current courses, published, active, not removed)."""

    channel_of: dict[int, int]  # slide id -> its course
    quizzes: list[tuple[int, tuple[int, int, int, int]]]  # (slide id, rewards)
    certifications: list[int]  # slide ids

    @property
    def ids(self) -> list[int]:
        return list(self.channel_of) or [-1]


@dataclass(frozen=True)
class _Course:
    """What recompute needs of a course integration, read once per batch."""

    id: int
    channel: int
    required: bool
    threshold: int
    in_program: bool


# A membership as the figures see it: (completion clamped, member_status, ever_completed,
# active), or None without one. Equal keys give equal course states.
MemberKey = tuple[int, str | None, bool, bool] | None


def _recompute_program(
    session: Session,
    program: Program,
    configured: Any,
    partner_ids: list[int],
    partner_info: PartnerInfo,
    result: RecomputeResult,
) -> None:
    courses = [
        _Course(c.id, c.odoo_channel_id, c.required, c.completion_threshold, c.status == "active")
        for c in program.courses
        if c.odoo_channel_id is not None
    ]
    channels = [c.channel for c in courses]
    current = {c.channel for c in courses if c.in_program}
    if not channels:
        return
    session.flush()  # the session's own pending changes, so that the tuples read are the truth
    m = CourseMembership
    memberships = _by_partner(
        session.execute(
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
    )
    s = Student
    students: dict[int, Any] = {
        row.odoo_partner_id: row
        for row in session.execute(
            select(
                s.odoo_partner_id,
                s.id,
                s.certified_at,
                s.completed_at,
                *(getattr(s, name) for name in SUMMARY),
            ).where(s.program_id == program.id, among(s.odoo_partner_id, partner_ids))
        )
    }
    new_partners = [
        p
        for p in dict.fromkeys(partner_ids)
        if p not in students and _is_member(memberships.get(p, []))
    ]
    partners = [*students, *new_partners]
    if not partners:
        return

    graded = _graded_items(session, current)
    lessons = _by_partner(
        session.execute(
            select(
                LessonProgress.partner_id,
                LessonProgress.slide_id,
                LessonProgress.completed,
                LessonProgress.quiz_attempts_count,
            ).where(
                among(LessonProgress.partner_id, partners),
                _unindexed(LessonProgress.slide_id).in_(graded.ids),
                LessonProgress.removed_at.is_(None),
            )
        )
    )
    attempts = _by_partner(
        session.execute(
            select(
                AssessmentResult.partner_id,
                AssessmentResult.slide_id,
                AssessmentResult.state,
                AssessmentResult.scoring_percentage,
                AssessmentResult.scoring_success,
            ).where(
                among(AssessmentResult.partner_id, partners),
                _unindexed(AssessmentResult.slide_id).in_(graded.ids),
                AssessmentResult.removed_at.is_(None),
            )
        )
    )
    batches = [b for b in program.batches if b.odoo_event_id is not None and b.status != "archived"]
    ended = {b.odoo_event_id: _ended(b.event_end) for b in batches}
    registrations = _by_partner(
        session.execute(
            select(
                AttendanceRecord.partner_id, AttendanceRecord.state, AttendanceRecord.event_id
            ).where(
                among(AttendanceRecord.partner_id, partners),
                _unindexed(AttendanceRecord.event_id).in_(list(ended) or [-1]),
                AttendanceRecord.removed_at.is_(None),
                AttendanceRecord.active.is_(True),
            )
        )
    )
    trackers: dict[tuple[int, int], Any] = {}
    if students:
        t = ProgressTracker
        trackers = {
            (row.student_id, row.course_integration_id): row
            for row in session.execute(
                select(
                    t.student_id,
                    t.course_integration_id,
                    t.id,
                    *(getattr(t, name) for name in TRACKED),
                ).where(among(t.student_id, [row.id for row in students.values()]))
            )
        }

    figure = _Figures(
        courses,
        graded,
        figures.Weights(**configured.weights.model_dump()),
        figures.Requirements(**configured.requirements.model_dump()),
    )
    now = utcnow()
    student_updates: list[dict[str, Any]] = []
    tracker_updates: list[dict[str, Any]] = []
    tracker_inserts: list[tuple[int, dict[str, Any]]] = []  # (partner, values)
    new_students: list[dict[str, Any]] = []
    info = partner_info(new_partners) if new_partners else {}
    for partner in partners:
        stored = students.get(partner)
        certified = stored is not None and stored.certified_at is not None
        by_channel = {m.channel_id: m for m in memberships.get(partner, ()) if m.removed_at is None}
        by_slide = {
            lp.slide_id: (lp.completed, lp.quiz_attempts_count) for lp in lessons.get(partner, ())
        }
        tries: dict[int, list[tuple[str, float, bool]]] = {}
        submissions: dict[int, int] = {}  # per course: quiz attempts + certification attempts
        for slide, (_, count) in by_slide.items():
            channel = graded.channel_of[slide]
            submissions[channel] = submissions.get(channel, 0) + count
        for a in attempts.get(partner, ()):
            tries.setdefault(a.slide_id, []).append(
                (a.state, a.scoring_percentage, a.scoring_success)
            )
            channel = graded.channel_of[a.slide_id]
            submissions[channel] = submissions.get(channel, 0) + 1
        keys = tuple(_member_key(by_channel.get(c.channel)) for c in courses)
        summary = figure.summary(
            keys,
            by_slide,
            tries,
            tuple(
                (state, ended.get(event, False))
                for _, state, event in registrations.get(partner, ())
            ),
            certified,
        )
        changed = False
        for course, key in zip(courses, keys, strict=True):
            old = trackers.get((stored.id, course.id)) if stored is not None else None
            if old is None and key is None:
                continue  # no tracker for a course the partner never joined
            membership = by_channel.get(course.channel)
            state, completed = figure.course(course, key)
            values = {
                "odoo_membership_id": membership.odoo_id if membership else None,
                "enrolled": state.enrolled,
                "completion": state.completion,
                "member_status": state.member_status,
                "completed": completed,
                "lessons_completed": membership.completed_slides_count if membership else 0,
                "submissions": submissions.get(course.channel, 0),
                "status": figures.tracker_status(state, certified=certified),
            }
            if old is None:
                tracker_inserts.append((partner, {"course_integration_id": course.id, **values}))
                changed = True
            elif any(getattr(old, name) != values[name] for name in TRACKED):
                tracker_updates.append({"b_id": old.id, **values})
                changed = True
        if stored is None:
            name, email = info.get(partner, (f"Partner {partner}", None))
            new_students.append(
                {
                    "program_id": program.id,
                    "odoo_partner_id": partner,
                    "name": name,
                    "email": email,
                    **summary,
                    "completed_at": now if summary["complete"] else None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            continue
        completed_at = stored.completed_at
        if summary["complete"] and completed_at is None:
            completed_at = now
            changed = True
        if changed or any(getattr(stored, name) != summary[name] for name in SUMMARY):
            student_updates.append(
                {"b_id": stored.id, **summary, "completed_at": completed_at, "updated_at": now}
            )
            result.students_updated += 1

    ids = {row.odoo_partner_id: row.id for row in students.values()}
    if new_students:
        session.execute(insert(_STUDENTS), new_students)
        result.students_created += len(new_students)
        created = select(Student.odoo_partner_id, Student.id).where(
            Student.program_id == program.id, among(Student.odoo_partner_id, new_partners)
        )
        ids.update({partner: id_ for partner, id_ in session.execute(created)})
    if tracker_inserts:
        session.execute(
            insert(_TRACKERS),
            [
                {"student_id": ids[partner], **values, "updated_at": now}
                for partner, values in tracker_inserts
            ],
        )
    if student_updates:
        session.execute(_by_id(_STUDENTS), student_updates)
        _expire(session, Student, (u["b_id"] for u in student_updates))
    if tracker_updates:
        session.execute(_by_id(_TRACKERS), tracker_updates)
        _expire(session, ProgressTracker, (u["b_id"] for u in tracker_updates))


def _member_key(m: Any) -> MemberKey:
    if m is None:
        return None
    return (min(100, max(0, m.completion)), m.member_status, bool(m.ever_completed), bool(m.active))


class _Figures:
    """`sidecar.figures` for one program and batch, memoised: the functions are pure, and many
    students share the same inputs (same course, same completion, same quiz results)."""

    def __init__(
        self,
        courses: list[_Course],
        graded: _Graded,
        weights: figures.Weights,
        requirements: figures.Requirements,
    ) -> None:
        self.courses = courses
        self.graded = graded
        self.weights = weights
        self.requirements = requirements
        self._courses: dict[tuple[int, MemberKey], tuple[figures.CourseState, bool]] = {}
        self._summaries: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._quizzes: dict[tuple[int, tuple[bool, int] | None], figures.QuizState] = {}
        self._certifications: dict[
            tuple[int, tuple[tuple[str, float, bool], ...]], figures.CertificationState
        ] = {}

    def course(self, course: _Course, key: MemberKey) -> tuple[figures.CourseState, bool]:
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

    def summary(
        self,
        keys: tuple[MemberKey, ...],
        lessons: dict[int, tuple[bool, int]],
        tries: dict[int, list[tuple[str, float, bool]]],
        registrations: tuple[tuple[str, bool], ...],
        certified: bool,
    ) -> dict[str, Any]:
        """The student's SUMMARY values (shared between equal inputs: do not modify)."""
        quizzes = tuple(lessons.get(slide) for slide, _ in self.graded.quizzes)
        certifications = tuple(tuple(tries.get(slide, ())) for slide in self.graded.certifications)
        memo = (keys, quizzes, certifications, registrations, certified)
        found = self._summaries.get(memo)
        if found is None:
            found = self._summaries[memo] = self._compute(
                keys, quizzes, certifications, registrations, certified
            )
        return found

    def _compute(
        self,
        keys: tuple[MemberKey, ...],
        quizzes: tuple[tuple[bool, int] | None, ...],
        certifications: tuple[tuple[tuple[str, float, bool], ...], ...],
        registrations: tuple[tuple[str, bool], ...],
        certified: bool,
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
            self.weights,
            self.requirements,
            certified=certified,
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
        self, slide: int, rewards: tuple[int, int, int, int], lesson: tuple[bool, int] | None
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

    def _certification(
        self, slide: int, attempts: tuple[tuple[str, float, bool], ...]
    ) -> figures.CertificationState:
        found = self._certifications.get((slide, attempts))
        if found is None:
            found = self._certifications[(slide, attempts)] = (
                figures.CertificationState.from_attempts(
                    slide, [figures.CertificationAttempt(*attempt) for attempt in attempts]
                )
            )
        return found


def _unindexed(column: Any) -> Any:
    """`column + 0`: the same values, but no index on them. Used on the course/slide/event side
    of a `partner IN (batch) AND x IN (...)` filter, so that the planner takes the partner index
    (a few rows per partner): SQLite without statistics otherwise picks the course or slide index
    and reads every row of the program's courses for each batch of partners."""
    return column + literal_column("0")


def _graded_items(session: Session, current: set[int]) -> _Graded:
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
    return _Graded(
        channel_of={r.odoo_id: r.channel_id for r in rows},
        quizzes=[
            (r.odoo_id, (r.reward_1, r.reward_2, r.reward_3, r.reward_4))
            for r in rows
            if r.category == "quiz"
        ],
        certifications=[r.odoo_id for r in rows if r.category == "certification"],
    )


def _by_id(table: Table) -> Any:
    """UPDATE … WHERE id = :b_id; SET takes the other keys of the parameter sets."""
    return update(table).where(table.c.id == bindparam("b_id"))


def _expire(session: Session, cls: type[Any], ids: Iterable[int]) -> None:
    """Objects of rows updated here that the caller's session holds are stale: expire them."""
    for key in ids:
        obj = session.identity_map.get(session.identity_key(cls, key))
        if obj is not None:
            session.expire(obj)


def _is_member(memberships: Sequence[Any]) -> bool:
    """A partner with a membership row in a program course is a student of it, even when the
    membership is archived (Odoo's way of leaving a course): leaving is history we keep, and a
    full re-read sees archived rows too, so both paths agree."""
    return any(m.removed_at is None for m in memberships)


def _by_partner(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.partner_id, []).append(row)
    return grouped


def _ended(event_end: str | None) -> bool:
    if not event_end:
        return False
    end = odoo_datetime(event_end)
    return end <= datetime.now(UTC)
