"""Who counts as a trainee of a program (docs/product-rules.md §12), for the recompute.

Members of a program's courses who are internal users (Odoo's `partner_share` is False) or a
course's responsible user keep a student row, with its figures, but marked `excluded`: reports,
`students`, issuance and assignments leave them out. A row, not a deletion, so that turning
`include_internal_users` on (or a person leaving the company) brings them back with their
history. Pure: the facts come from `recompute_gather`, the Odoo read from the runner.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from jobs.odoo.contacts import Contact
from sidecar.statuses import Exclusion

# What the recompute records of a partner: (internal user or None, why excluded or None).
Standing = tuple[bool | None, str | None]


@dataclass(frozen=True)
class WhoCounts:
    """One program's rule and facts."""

    include_internal: bool = False  # programs[].include_internal_users
    responsibles: Collection[int] = ()  # partners of the courses' responsible users
    applicants: Collection[int] = ()  # partners who came in through the enrollment flow

    def exclusion(self, partner: int, internal: bool | None) -> Exclusion | None:
        """Why the partner is no trainee, or None. Someone the enrollment flow brought in was
        chosen by a person (a recruiter, or `ojt-sidecar enroll`): they always count. An
        unknown standing (the contact could not be read) counts, as before this rule."""
        if self.include_internal or partner in self.applicants:
            return None
        if partner in self.responsibles:
            return Exclusion.COURSE_RESPONSIBLE
        if internal:
            return Exclusion.INTERNAL_USER
        return None

    def standings(
        self, partners: Collection[int], stored: Mapping[int, Any], read: Mapping[int, Contact]
    ) -> dict[int, Standing]:
        """Each partner's standing: the internal flag just read, else the stored one."""
        found: dict[int, Standing] = {}
        for partner in partners:
            row = stored.get(partner)
            internal = read[partner][2] if partner in read else None
            if internal is None and row is not None:
                internal = row.internal_user
            reason = self.exclusion(partner, internal)
            found[partner] = (internal, None if reason is None else str(reason))
        return found
