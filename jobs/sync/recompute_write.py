"""Recompute's writing part: the computed figures onto `students` and `progress_trackers`.

What changed is found by comparing with the rows `recompute_gather` read; then new students,
new trackers and changed rows are written with one executemany statement each. Nothing is
written for a student whose figures did not move.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from jobs.sync.recompute_figures import SUMMARY, TRACKED, TraineeFigures
from jobs.sync.recompute_gather import Gathered
from jobs.sync.recompute_who import Contact, Standing
from sidecar.store.models import ProgressTracker, Student
from sidecar.store.sql import among, insert_new

_STUDENTS: Table = Student.__table__  # type: ignore[assignment]
_TRACKERS: Table = ProgressTracker.__table__  # type: ignore[assignment]


@dataclass
class Changes:
    """The rows to write for one program and batch."""

    new_students: list[dict[str, Any]] = field(default_factory=list)
    student_updates: list[dict[str, Any]] = field(default_factory=list)
    tracker_inserts: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # partner
    tracker_updates: list[dict[str, Any]] = field(default_factory=list)


def write(
    session: Session,
    program_id: int,
    gathered: Gathered,
    computed: Mapping[int, TraineeFigures],
    names: Mapping[int, Contact],
    now: datetime,
) -> Changes:
    """Write what moved; `names` are the contacts read from Odoo (the new partners', and
    those whose standing was never read). The changes written."""
    standings = gathered.who.standings(computed, gathered.students, names)
    found = changes(program_id, gathered, computed, (names, standings), now)
    _apply(session, program_id, gathered, found, now)
    return found


def changes(
    program_id: int,
    gathered: Gathered,
    computed: Mapping[int, TraineeFigures],
    read: tuple[Mapping[int, Contact], Mapping[int, Standing]],
    now: datetime,
) -> Changes:
    """What to write: `read` holds the contacts read from Odoo and each partner's standing."""
    found = Changes()
    names, standings = read
    for partner, trainee in computed.items():
        stored = gathered.students.get(partner)
        changed = _tracker_changes(gathered, partner, stored, trainee, found)
        summary = trainee.summary
        internal, excluded = standings.get(partner, (None, None))
        who = {"internal_user": internal, "excluded": excluded}
        if stored is None:
            name, email, _ = names.get(partner, (f"Partner {partner}", None, None))
            found.new_students.append(
                {
                    "program_id": program_id,
                    "odoo_partner_id": partner,
                    "name": name,
                    "email": email,
                    **summary,
                    **who,
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
        changed = changed or (stored.internal_user, stored.excluded) != (internal, excluded)
        if changed or any(getattr(stored, name) != summary[name] for name in SUMMARY):
            found.student_updates.append(
                {
                    "b_id": stored.id,
                    **summary,
                    **who,
                    "completed_at": completed_at,
                    "updated_at": now,
                }
            )
    return found


def _tracker_changes(
    gathered: Gathered, partner: int, stored: Any, trainee: TraineeFigures, found: Changes
) -> bool:
    """Add the partner's new and changed trackers to `found`; whether there was any."""
    changed = False
    for course_id, values in trainee.trackers.items():
        old = gathered.trackers.get((stored.id, course_id)) if stored is not None else None
        if old is None:
            found.tracker_inserts.append((partner, {"course_integration_id": course_id, **values}))
            changed = True
        elif any(getattr(old, name) != values[name] for name in TRACKED):
            found.tracker_updates.append({"b_id": old.id, **values})
            changed = True
    return changed


def _apply(
    session: Session, program_id: int, gathered: Gathered, found: Changes, now: datetime
) -> None:
    ids = {row.odoo_partner_id: row.id for row in gathered.students.values()}
    if found.new_students:
        # Enrollment makes students too (under its own lease): keep a row it made first; the
        # next pass brings its figures up to date.
        session.execute(insert_new(session, _STUDENTS), found.new_students)
        created = select(Student.odoo_partner_id, Student.id).where(
            Student.program_id == program_id, among(Student.odoo_partner_id, gathered.new_partners)
        )
        ids.update({partner: id_ for partner, id_ in session.execute(created)})
    if found.tracker_inserts:
        session.execute(
            insert_new(session, _TRACKERS),
            [
                {"student_id": ids[partner], **values, "updated_at": now}
                for partner, values in found.tracker_inserts
            ],
        )
    if found.student_updates:
        session.execute(_by_id(_STUDENTS), found.student_updates)
        _expire(session, Student, (u["b_id"] for u in found.student_updates))
    if found.tracker_updates:
        session.execute(_by_id(_TRACKERS), found.tracker_updates)
        _expire(session, ProgressTracker, (u["b_id"] for u in found.tracker_updates))


def _by_id(table: Table) -> Any:
    """UPDATE … WHERE id = :b_id; SET takes the other keys of the parameter sets."""
    return update(table).where(table.c.id == bindparam("b_id"))


def _expire(session: Session, cls: type[Any], ids: Iterable[int]) -> None:
    """Objects of rows updated here that the caller's session holds are stale: expire them."""
    for key in ids:
        obj = session.identity_map.get(session.identity_key(cls, key))
        if obj is not None:
            session.expire(obj)
