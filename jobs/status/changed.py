"""Which students must be shown anew in Odoo: one query over the store, comparing what each
student's status and progress are now with what the sidecar showed last (`status_shown`). A
cycle in which nothing changed finds nothing and costs Odoo nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from sidecar.statuses import StudentStatus
from sidecar.store.models import Certificate, Program, StatusShown, Student

# A student not (or no longer) in any course of the program shows no status.
NONE = ""


def shown_status() -> ColumnElement[str]:
    """The status to show, from `students.integration_status`: `certified` is set once every
    write of the certificate's delivery landed (docs/product-rules.md §3); a student whose every
    certificate was revoked shows `completed` instead, and a student not integrated, or not
    counted as a trainee (`students.excluded`: docs/product-rules.md §12), none."""
    standing = exists().where(
        Certificate.student_id == Student.id, Certificate.revoked_at.is_(None)
    )
    return case(
        (Student.excluded.is_not(None), NONE),
        (Student.integration_status == StudentStatus.NOT_INTEGRATED, NONE),
        (
            and_(Student.integration_status == StudentStatus.CERTIFIED, ~standing),
            StudentStatus.COMPLETED.value,
        ),
        else_=Student.integration_status,
    )


@dataclass(frozen=True)
class Change:
    """A student whose tag or applicant properties are out of date."""

    student_id: int
    program_key: str
    program_name: str
    partner_id: int
    applicant_id: int | None
    status: str  # NONE or a StudentStatus
    pct: float
    tag_shown: str  # the status whose tag is on the contact (NONE: none)


def changed_students(
    session: Session, *, tags: bool, properties: bool, after: int, limit: int
) -> list[Change]:
    """The next `limit` students (by id, after `after`) of active programs with something new to
    show: a status that differs from the tag put on, or (with properties) a status, a progress
    or an applicant that differs from what the applicant's properties say."""
    status = shown_status().label("status")
    stale: list[ColumnElement[bool]] = []
    if tags:
        stale.append(status != func.coalesce(StatusShown.tag_status, NONE))
    if properties:
        stale.append(
            and_(
                Student.odoo_applicant_id.is_not(None),
                or_(
                    status != func.coalesce(StatusShown.property_status, NONE),
                    Student.overall_pct != func.coalesce(StatusShown.property_pct, -1.0),
                    Student.odoo_applicant_id != func.coalesce(StatusShown.applicant_id, -1),
                ),
            )
        )
    if not stale:
        return []
    rows = session.execute(
        select(
            Student,
            Program.key,
            Program.name,
            status,
            func.coalesce(StatusShown.tag_status, NONE),
        )
        .join(Program, Student.program_id == Program.id)
        .outerjoin(StatusShown, StatusShown.student_id == Student.id)
        .where(Program.active.is_(True), Student.id > after, or_(*stale))
        .order_by(Student.id)
        .limit(limit)
    ).all()
    return [_change(*row) for row in rows]


def _change(student: Student, key: str, name: str, status: str, tag_shown: str) -> Change:
    return Change(
        student_id=student.id,
        program_key=key,
        program_name=name,
        partner_id=student.odoo_partner_id,
        applicant_id=student.odoo_applicant_id,
        status=status,
        pct=student.overall_pct,
        tag_shown=tag_shown,
    )


def shown_rows(session: Session, changes: Sequence[Change]) -> dict[int, StatusShown]:
    """The `status_shown` rows of these students, made where missing (in `session`)."""
    ids = [c.student_id for c in changes]
    found = {
        row.student_id: row
        for row in session.scalars(select(StatusShown).where(StatusShown.student_id.in_(ids)))
    }
    for student_id in ids:
        if student_id not in found:
            found[student_id] = StatusShown(
                student_id=student_id, tag_changes=0, property_changes=0
            )
            session.add(found[student_id])
    return found
