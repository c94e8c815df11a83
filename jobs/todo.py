"""A review To-Do in Odoo (`mail.activity`), as an outbox write: enrollment and issuance both
ask a person to look at something this way."""

from __future__ import annotations

from datetime import date
from typing import Any

from sidecar.outbox import Lookup, Write

SHOWN_AS = {"hr.applicant": "applicant", "res.partner": "contact"}


def todo_write(
    key: str,
    subject: str,
    *,
    model: str,
    model_id: int,
    res_id: int,
    summary: str,
    note_html: str,
    deadline: date,
    user_id: int | None = None,
    type_id: int | None = None,
) -> Write:
    """`mail.activity.create` on `model` `res_id`. Odoo requires `res_model_id` (the `ir.model`
    id of `model`); without `type_id` Odoo's default type (To-Do) applies. Found again by its
    record and summary, so the summary must name what it is about."""
    values: dict[str, Any] = {
        "res_model_id": model_id,
        "res_id": res_id,
        "summary": summary,
        "note": note_html,
        "date_deadline": deadline.isoformat(),
    }
    if type_id is not None:
        values["activity_type_id"] = type_id
    if user_id is not None:
        values["user_id"] = user_id
    return Write(
        key=key,
        model="mail.activity",
        method="create",
        params={"vals_list": values},
        lookup=Lookup(
            "mail.activity",
            [("res_model", "=", model), ("res_id", "=", res_id), ("summary", "=", summary)],
        ),
        summary=f"To-Do on {SHOWN_AS.get(model, model)} {res_id}: {summary}",
        subject=subject,
    )
