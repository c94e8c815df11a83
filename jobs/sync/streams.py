"""What the sync reads from Odoo, declared rather than programmed (one Stream per model).

A stream names the Odoo model, the fields it needs (only those), how to build its domain from
the resolved scope (course and event ids), the mirror table it lands in, and how one Odoo row
maps to that table's columns. Many2one values arrive as bare ids (`load=''`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select

from jobs.incremental.scope import Scope
from sidecar.store.models import (
    AssessmentResult,
    AttendanceRecord,
    CourseMembership,
    GradedItem,
    LessonProgress,
)

Row = dict[str, Any]


@dataclass(frozen=True)
class Stream:
    name: str
    model: str
    fields: tuple[str, ...]
    table: type[Any]
    domain: Callable[[Scope], list[Any]]
    to_columns: Callable[[Row], dict[str, Any]]
    # Which of our mirror rows the domain covers (the reconcile pass compares those only).
    local_scope: Callable[[Scope], ColumnElement[bool]]
    # Odoo archives rather than deletes some rows: read them too, so an archive is seen.
    include_archived: bool = False

    def applies(self, scope: Scope) -> bool:
        return bool(scope.event_ids) if self.name == "attendance" else bool(scope.channel_ids)

    def signature(self, scope: Scope) -> str:
        """Changes when the stream's domain does: its cursor then restarts from the beginning."""
        return repr(self.domain(scope))


def _m2o(value: Any) -> int | None:
    """A many2one read with load='' is an int, or False when empty."""
    if isinstance(value, list):  # read with names: [id, name]
        return int(value[0]) if value else None
    return int(value) if value else None


class OddRow(ValueError):
    """An Odoo row the sidecar cannot use (a required link is empty); it is skipped."""


def _required(row: Row, name: str) -> int:
    value = _m2o(row.get(name))
    if value is None:
        raise OddRow(f"record {row.get('id')} has no {name}")
    return value


def _int(value: Any) -> int:
    return int(value) if value not in (False, None) else 0


def _text(value: Any) -> str | None:
    return str(value) if value not in (False, None) else None


def _membership(row: Row) -> dict[str, Any]:
    status = _text(row.get("member_status"))
    return {
        "channel_id": _required(row, "channel_id"),
        "partner_id": _required(row, "partner_id"),
        "completion": _int(row.get("completion")),
        "member_status": status,
        "completed_slides_count": _int(row.get("completed_slides_count")),
        "active": bool(row.get("active", True)),
    }


def _lesson(row: Row) -> dict[str, Any]:
    return {
        "slide_id": _required(row, "slide_id"),
        "channel_id": _required(row, "channel_id"),
        "partner_id": _required(row, "partner_id"),
        "completed": bool(row.get("completed")),
        "quiz_attempts_count": _int(row.get("quiz_attempts_count")),
    }


def _graded(row: Row) -> dict[str, Any]:
    return {
        "channel_id": _required(row, "channel_id"),
        "name": _text(row.get("name")) or f"Lesson {row['id']}",
        "category": _text(row.get("slide_category")) or "quiz",
        "survey_id": _m2o(row.get("survey_id")),
        "reward_1": _int(row.get("quiz_first_attempt_reward")),
        "reward_2": _int(row.get("quiz_second_attempt_reward")),
        "reward_3": _int(row.get("quiz_third_attempt_reward")),
        "reward_4": _int(row.get("quiz_fourth_attempt_reward")),
        "published": bool(row.get("is_published")),
        "active": bool(row.get("active", True)),
    }


def _assessment(row: Row) -> dict[str, Any]:
    return {
        "slide_id": _required(row, "slide_id"),
        "partner_id": _required(row, "partner_id"),
        "state": _text(row.get("state")) or "new",
        "scoring_percentage": float(row.get("scoring_percentage") or 0.0),
        "scoring_success": bool(row.get("scoring_success")),
    }


def _registration(row: Row) -> dict[str, Any]:
    return {
        "event_id": _required(row, "event_id"),
        "partner_id": _m2o(row.get("partner_id")),
        "state": _text(row.get("state")) or "draft",
        "active": bool(row.get("active", True)),
    }


STREAMS: tuple[Stream, ...] = (
    Stream(
        "graded_items",
        "slide.slide",
        (
            "channel_id",
            "name",
            "slide_category",
            "survey_id",
            "quiz_first_attempt_reward",
            "quiz_second_attempt_reward",
            "quiz_third_attempt_reward",
            "quiz_fourth_attempt_reward",
            "is_published",
            "active",
        ),
        GradedItem,
        lambda s: [
            ("channel_id", "in", list(s.channel_ids)),
            ("slide_category", "in", ["quiz", "certification"]),
        ],
        _graded,
        lambda s: GradedItem.channel_id.in_(s.channel_ids),
        include_archived=True,
    ),
    Stream(
        "memberships",
        "slide.channel.partner",
        (
            "channel_id",
            "partner_id",
            "completion",
            "member_status",
            "completed_slides_count",
            "active",
        ),
        CourseMembership,
        lambda s: [("channel_id", "in", list(s.channel_ids))],
        _membership,
        lambda s: CourseMembership.channel_id.in_(s.channel_ids),
        include_archived=True,
    ),
    Stream(
        "lessons",
        "slide.slide.partner",
        ("slide_id", "channel_id", "partner_id", "completed", "quiz_attempts_count"),
        LessonProgress,
        lambda s: [("channel_id", "in", list(s.channel_ids))],
        _lesson,
        lambda s: LessonProgress.channel_id.in_(s.channel_ids),
    ),
    Stream(
        "assessments",
        "survey.user_input",
        ("slide_id", "partner_id", "state", "scoring_percentage", "scoring_success"),
        AssessmentResult,
        lambda s: [("slide_id.channel_id", "in", list(s.channel_ids))],
        _assessment,
        lambda s: AssessmentResult.slide_id.in_(
            select(GradedItem.odoo_id).where(GradedItem.channel_id.in_(s.channel_ids))
        ),
    ),
    Stream(
        "attendance",
        "event.registration",
        ("event_id", "partner_id", "state", "active"),
        AttendanceRecord,
        lambda s: [("event_id", "in", list(s.event_ids))],
        _registration,
        lambda s: AttendanceRecord.event_id.in_(s.event_ids),
        include_archived=True,
    ),
)
