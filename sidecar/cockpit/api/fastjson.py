"""Pages of many trainees written straight to JSON. Building a pydantic model per row cost most
of a 100-row page (docs/benchmarks.md), so rows become plain dicts that pydantic-core's
serializer writes through a TypedDict of the answer's fields: the same serializer as the
answer's model (`models.TraineePage`), so the same bytes, which
`tests/cockpit/api/test_fastjson.py` checks against it. The OpenAPI document still describes the
answer by that model."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from typing_extensions import TypedDict

# The answer's fields, in `models.Trainee`'s order; `people.listing` selects them after the id.
TRAINEE_FIELDS = (
    "partner_id",
    "name",
    "email",
    "program",
    "batch",
    "status",
    "overall_pct",
    "elearning_pct",
    "attendance_pct",
    "average_score",
    "assignment_average",
    "complete",
    "completed_at",
    "certified_at",
    "updated_at",
)


class _Trainee(TypedDict):
    partner_id: int
    name: str
    email: str | None
    program: str
    batch: str | None
    status: str
    overall_pct: float
    elearning_pct: float
    attendance_pct: float | None
    average_score: float | None
    assignment_average: float | None
    complete: bool
    completed_at: str | None  # written by `_utc`
    certified_at: str | None
    updated_at: str


class _TraineePage(TypedDict):
    data: list[_Trainee]
    next_cursor: str | None


_TRAINEE_PAGE = TypeAdapter(_TraineePage)


def _trainee(values: Sequence[Any]) -> dict[str, Any]:
    (partner, name, email, program, batch, status, overall, elearning) = values[:8]
    (attendance, average, assignments, complete, completed, certified, updated) = values[8:]
    # A database may hand back a whole number for a float column, where the model writes 50.0.
    return {
        "partner_id": partner,
        "name": name,
        "email": email,
        "program": program,
        "batch": batch,
        "status": status,
        "overall_pct": float(overall),
        "elearning_pct": float(elearning),
        "attendance_pct": None if attendance is None else float(attendance),
        "average_score": None if average is None else float(average),
        "assignment_average": None if assignments is None else float(assignments),
        "complete": bool(complete),
        "completed_at": _utc(completed),
        "certified_at": _utc(certified),
        "updated_at": _utc(updated),
    }


def _utc(value: datetime | str | None) -> str | None:
    """A timestamp as the answer's model writes a UTC datetime: ISO 8601 with `Z`, six digits
    of fraction unless they are all zero. SQLite's driver gives the stored text (UTC, as
    `sidecar.store.models.base` writes it), PostgreSQL's a datetime with its offset."""
    if value is None:
        return None
    if isinstance(value, str):
        fraction = value[19:]
        return f"{value[:10]}T{value[11:19]}{'' if fraction in ('', '.000000') else fraction}Z"
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat().replace("+00:00", "Z")


def trainee_page(rows: Sequence[Sequence[Any]], next_cursor: str | None) -> bytes:
    """The JSON of a `TraineePage` of `rows` (each `TRAINEE_FIELDS`' values, in order, as the
    database driver returns them)."""
    page = {"data": [_trainee(r) for r in rows], "next_cursor": next_cursor}
    return _TRAINEE_PAGE.dump_json(page)  # type: ignore[arg-type]
