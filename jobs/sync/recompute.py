"""Turn the mirrored Odoo rows into students, trackers and figures (BRIEF §3).

Runs for the partners queued by the loader. All the arithmetic is in `sidecar.figures`; this
module only gathers each partner's rows per program, calls it, and writes what changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sidecar import figures
from sidecar.config import Config
from sidecar.store.models import (
    AssessmentResult,
    AttendanceRecord,
    CourseIntegration,
    CourseMembership,
    GradedItem,
    LessonProgress,
    PendingRecompute,
    Program,
    ProgressTracker,
    Student,
    utcnow,
)

# partner ids -> {partner_id: (name, email)}; called only for partners without a student yet.
PartnerInfo = Callable[[list[int]], dict[int, tuple[str, str | None]]]


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
            delete(PendingRecompute).where(PendingRecompute.partner_id.in_(partner_ids))
        )
    return result


def _recompute_program(
    session: Session,
    program: Program,
    configured: Any,
    partner_ids: list[int],
    partner_info: PartnerInfo,
    result: RecomputeResult,
) -> None:
    integrations = [c for c in program.courses if c.odoo_channel_id is not None]
    channels = {c.odoo_channel_id for c in integrations}
    current = {c.odoo_channel_id for c in integrations if c.status == "active"}
    if not channels:
        return
    memberships = _by_partner(
        session.scalars(
            select(CourseMembership).where(
                CourseMembership.partner_id.in_(partner_ids),
                CourseMembership.channel_id.in_(channels),
            )
        )
    )
    students = {
        s.odoo_partner_id: s
        for s in session.scalars(
            select(Student).where(
                Student.program_id == program.id, Student.odoo_partner_id.in_(partner_ids)
            )
        )
    }
    new_partners = [p for p in partner_ids if p not in students and _is_member(memberships[p])]
    created = set(new_partners)
    info = partner_info(new_partners) if new_partners else {}
    for partner in new_partners:
        name, email = info.get(partner, (f"Partner {partner}", None))
        student = Student(program_id=program.id, odoo_partner_id=partner, name=name, email=email)
        session.add(student)
        students[partner] = student
        result.students_created += 1
    if not students:
        return
    session.flush()
    graded = [
        g
        for g in session.scalars(select(GradedItem).where(GradedItem.channel_id.in_(current)))
        if g.published and g.active and g.removed_at is None
    ]
    lessons = _by_partner(
        session.scalars(
            select(LessonProgress).where(
                LessonProgress.partner_id.in_(list(students)),
                LessonProgress.slide_id.in_([g.odoo_id for g in graded] or [-1]),
            )
        )
    )
    attempts = _by_partner(
        session.scalars(
            select(AssessmentResult).where(
                AssessmentResult.partner_id.in_(list(students)),
                AssessmentResult.slide_id.in_([g.odoo_id for g in graded] or [-1]),
            )
        )
    )
    batches = [b for b in program.batches if b.odoo_event_id is not None and b.status != "archived"]
    registrations = _by_partner(
        session.scalars(
            select(AttendanceRecord).where(
                AttendanceRecord.partner_id.in_(list(students)),
                AttendanceRecord.event_id.in_([b.odoo_event_id for b in batches] or [-1]),
            )
        )
    )
    ended = {b.odoo_event_id: _ended(b.event_end) for b in batches}
    weights = figures.Weights(**configured.weights.model_dump())
    requirements = figures.Requirements(**configured.requirements.model_dump())
    for partner, student in students.items():
        changed = _apply(
            session,
            student,
            integrations,
            memberships[partner],
            graded,
            lessons[partner],
            attempts[partner],
            [
                (r.state, ended.get(r.event_id, False))
                for r in registrations[partner]
                if r.removed_at is None and r.active
            ],
            weights,
            requirements,
        )
        if changed and partner not in created:
            result.students_updated += 1


def _apply(
    session: Session,
    student: Student,
    integrations: list[CourseIntegration],
    memberships: list[CourseMembership],
    graded: list[GradedItem],
    lessons: list[LessonProgress],
    attempts: list[AssessmentResult],
    registrations: list[tuple[str, bool]],
    weights: figures.Weights,
    requirements: figures.Requirements,
) -> bool:
    by_channel: dict[int | None, CourseMembership] = {
        m.channel_id: m for m in memberships if m.removed_at is None
    }
    certified = student.certified_at is not None
    states: list[figures.CourseState] = []
    changed = False
    trackers = {t.course_integration_id: t for t in student.trackers}
    lesson_by_slide = {lp.slide_id: lp for lp in lessons if lp.removed_at is None}
    for integration in integrations:
        m = by_channel.get(integration.odoo_channel_id)
        state = figures.CourseState(
            course_id=integration.odoo_channel_id or 0,
            required=integration.required,
            threshold=integration.completion_threshold,
            completion=min(100, max(0, m.completion)) if m else 0,
            member_status=m.member_status if m else None,
            ever_completed=bool(m and m.ever_completed),
            enrolled=bool(m and m.active),
            in_program=integration.status == "active",
        )
        states.append(state)
        channel_items = [g.odoo_id for g in graded if g.channel_id == integration.odoo_channel_id]
        submissions = sum(
            lesson_by_slide[s].quiz_attempts_count for s in channel_items if s in lesson_by_slide
        ) + sum(1 for a in attempts if a.slide_id in channel_items and a.removed_at is None)
        values: dict[str, Any] = {
            "odoo_membership_id": m.odoo_id if m else None,
            "enrolled": state.enrolled,
            "completion": state.completion,
            "member_status": state.member_status,
            "completed": figures.course_completed(state),
            "lessons_completed": m.completed_slides_count if m else 0,
            "submissions": submissions,
            "status": figures.tracker_status(state, certified=certified),
        }
        tracker = trackers.get(integration.id)
        if tracker is None:
            if m is None:
                continue  # no tracker for a course the partner never joined
            tracker = ProgressTracker(student=student, course_integration_id=integration.id)
            session.add(tracker)
        changed |= _assign(tracker, values)
    quizzes = [
        figures.QuizState(
            slide_id=g.odoo_id,
            passed=bool(lesson_by_slide.get(g.odoo_id) and lesson_by_slide[g.odoo_id].completed),
            attempts=lesson_by_slide[g.odoo_id].quiz_attempts_count
            if g.odoo_id in lesson_by_slide
            else 0,
            rewards=(g.reward_1, g.reward_2, g.reward_3, g.reward_4),
        )
        for g in graded
        if g.category == "quiz"
    ]
    certifications = [
        figures.CertificationState.from_attempts(
            g.odoo_id,
            [
                figures.CertificationAttempt(a.state, a.scoring_percentage, a.scoring_success)
                for a in attempts
                if a.slide_id == g.odoo_id and a.removed_at is None
            ],
        )
        for g in graded
        if g.category == "certification"
    ]
    result = figures.program_figures(
        states,
        quizzes,
        certifications,
        figures.Attendance.from_pairs(registrations),
        weights,
        requirements,
        certified=certified,
    )
    summary: dict[str, Any] = {
        "integration_status": result.status,
        "elearning_pct": result.elearning_percent,
        "attendance_pct": result.attendance_percent,
        "average_score": result.average_score,
        "graded_total": result.graded_total,
        "graded_done": result.graded_with_result,
        "overall_pct": result.overall_progress,
        "complete": result.complete,
    }
    if result.complete and student.completed_at is None:
        summary["completed_at"] = utcnow()
    changed |= _assign(student, summary)
    if changed:
        student.updated_at = utcnow()
    return changed


def _assign(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _is_member(memberships: list[CourseMembership]) -> bool:
    """A partner with a membership row in a program course is a student of it, even when the
    membership is archived (Odoo's way of leaving a course): leaving is history we keep, and a
    full re-read sees archived rows too, so both paths agree."""
    return any(m.removed_at is None for m in memberships)


def _by_partner(rows: Iterable[Any]) -> defaultdict[int, list[Any]]:
    grouped: defaultdict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.partner_id].append(row)
    return grouped


def _ended(event_end: str | None) -> bool:
    if not event_end:
        return False
    end = datetime.strptime(event_end[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return end <= datetime.now(UTC)
