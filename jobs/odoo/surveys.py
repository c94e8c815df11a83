"""Surveys: the certification attempts (`survey.user_input`) of certification lessons."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from jobs.odoo.reads import AppNeeds, Row, Stream, as_text, fields_of, required
from sidecar.store.models import AssessmentResult, GradedItem

SURVEY = "survey.survey"
ATTEMPT = "survey.user_input"


def _assessment(row: Row) -> dict[str, Any]:
    return {
        "slide_id": required(row, "slide_id"),
        "partner_id": required(row, "partner_id"),
        "state": as_text(row.get("state")) or "new",
        "scoring_percentage": float(row.get("scoring_percentage") or 0.0),
        "scoring_success": bool(row.get("scoring_success")),
    }


ASSESSMENTS = Stream(
    "assessments",
    ATTEMPT,
    ("slide_id", "partner_id", "state", "scoring_percentage", "scoring_success"),
    AssessmentResult,
    lambda s: [("slide_id.channel_id", "in", list(s.channel_ids))],
    _assessment,
    lambda s: AssessmentResult.slide_id.in_(
        select(GradedItem.odoo_id).where(GradedItem.channel_id.in_(s.channel_ids))
    ),
)
STREAMS = (ASSESSMENTS,)

NEEDS = AppNeeds("Surveys", (SURVEY, ATTEMPT), (), fields_of(STREAMS))
