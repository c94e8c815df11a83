"""A program's assignments in Odoo's Project app (`programs[].assignments`): one project per
batch, copied from a template project whose top-level tasks are the assignments."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator

from sidecar.config.base import Section, list_check
from sidecar.config.fieldtypes import OdooRef, Positive, Text


def _one_name(value: object) -> object:
    # `submitted_stages: Submitted` is one stage, as the operator wrote it.
    return (value,) if isinstance(value, str) else value


class Assignments(Section):
    """Where assignments live and how they are scored."""

    # project.project (name or id) copied for every batch: its top-level tasks are the
    # assignments; their `weight` and `max_score` properties are read where Odoo has them.
    template_project: OdooRef
    max_score: Positive = 10.0  # for an assignment whose task gives no max_score
    # block: no certificate while an assignment is unscored (the mentor gets a To-Do);
    # zero: it counts as 0; exclude: it is left out of the average.
    unscored: Literal["block", "zero", "exclude"] = "block"
    # A trainee's task in one of these stages has been handed in.
    submitted_stages: Annotated[
        tuple[Text, ...],
        BeforeValidator(_one_name),
        list_check(at_least_one="stage"),
    ] = ("Submitted", "Needs changes")
    # The mentor moves a task here once its `score` (and `feedback`) property is set.
    scored_stage: Text = "Scored"
    # Where the cockpit moves a task whose mentor asks for changes (with their feedback).
    changes_stage: Text = "Needs changes"
