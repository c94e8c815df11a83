"""The `status_in_odoo` section: a trainee's status shown where Odoo users already look, as a
partner tag per program and, opt-in, as properties of the applicant (docs/status-in-odoo.md)."""

from __future__ import annotations

import string
from typing import Annotated, Any

from pydantic import Field, PlainValidator

from sidecar.config.base import Section
from sidecar.config.fieldtypes import Text, _text
from sidecar.config.messages import fail

TAG_PLACEHOLDERS = ("program", "status")


def _tag_format(value: Any) -> str:
    """A tag name template: `{program}` and `{status}` only, and `{status}` required, or two
    statuses would share one tag."""
    text = _text(value)
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        fail("has an unmatched '{' or '}'; write {{ or }} for a literal brace")
    for name in names:
        if name not in TAG_PLACEHOLDERS:
            fail(f"unknown placeholder {{{name}}} (allowed: {{program}}, {{status}})")
    if "status" not in names:
        fail("must contain {status}: each status needs a tag of its own")
    return text


TagFormat = Annotated[str, PlainValidator(_tag_format)]


class StatusLabels(Section):
    """The words a status is shown with, in tag names and in the applicant's `OJT status`."""

    enrolled: Text = "enrolled"
    in_progress: Text = "in progress"
    completed: Text = "completed"
    certified: Text = "certified"

    def label(self, status: str) -> str:
        return str(getattr(self, status))


class StatusInOdoo(Section):
    """What the sidecar writes into Odoo so that Odoo users can filter by training status."""

    # One contact tag per program (res.partner.category), moved as the status changes. On by
    # default: it is the one place every Odoo user can filter contacts by training status.
    partner_tags: bool = True
    # The tag's name; {program} is the program's name, {status} its label below.
    tag_format: TagFormat = "OJT {program}: {status}"
    labels: StatusLabels = Field(default_factory=StatusLabels)
    # `OJT progress %` and `OJT status` on the trainee's applicant (Odoo 17+; a property
    # definition is added to the applicant's job). Off by default: it changes the job's form.
    applicant_properties: bool = False

    def tag_name(self, program: str, status: str) -> str:
        return self.tag_format.format(program=program, status=self.labels.label(status))
