"""`ojt-sidecar check`'s count of who is not a trainee, per program (docs/product-rules.md §12).

Read from Odoo only, like the rest of `check`, so it answers before the first sync: the members
of the program's courses, their contacts' `partner_share` and the courses' responsible users.
Each member is counted under the first rule that leaves them out: course responsible, then
internal user, then (with `removed_membership: drop`) a removed membership. Applicants the
sidecar enrolled always count, but which they are is in the store, not in Odoo: the counts are
an upper bound until the first sync, after which `students` and the reports are exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from connectors import OdooClient
from jobs.odoo import contacts, elearning
from jobs.odoo.profile import profile_of
from jobs.odoo.reads import find_named
from sidecar.config import Config
from sidecar.config import Program as ProgramConfig


@dataclass(frozen=True)
class Tally:
    members: int = 0
    responsibles: int = 0
    internal: int = 0
    removed: int = 0  # trainees with an archived membership that `drop` does not count


def member_counts(client: OdooClient, cfg: Config) -> Iterator[str]:
    """One sentence per program with courses in Odoo."""
    profile = profile_of(client)
    for program in cfg.programs:
        channels = _channels(client, program)
        if not channels:
            continue
        members = elearning.course_members(client, channels, profile)
        users = elearning.course_responsibles(client, channels)
        partners_of = contacts.user_partners(client, sorted({u for u in users.values() if u}))
        responsibles = set(partners_of.values())
        partners = sorted({partner for _, partner, _ in members})
        read = contacts.names_and_emails(client, partners) if partners else {}
        internal = {p for p, (_, _, is_internal) in read.items() if is_internal}
        yield _sentence(program, tally(program, members, responsibles, internal))


def tally(
    program: ProgramConfig,
    members: list[tuple[int, int, bool]],
    responsibles: set[int],
    internal: set[int],
) -> Tally:
    """Each member under the first rule that leaves them out (see the module's note)."""
    partners = {partner for _, partner, _ in members}
    archived = {partner for _, partner, active in members if not active}
    counts = {"responsibles": 0, "internal": 0, "removed": 0}
    for partner in partners:
        if not program.include_internal_users and partner in responsibles:
            counts["responsibles"] += 1
        elif not program.include_internal_users and partner in internal:
            counts["internal"] += 1
        elif program.removed_membership == "drop" and partner in archived:
            counts["removed"] += 1
    return Tally(len(partners), **counts)


def _sentence(program: ProgramConfig, t: Tally) -> str:
    if program.include_internal_users:
        left_out = "internal users and course responsibles count (include_internal_users)"
    else:
        left_out = (
            f"not trainees: {t.responsibles} course responsible(s), {t.internal} internal "
            "user(s) (unless enrolled from an applicant)"
        )
    removed = (
        f"{t.removed} trainee(s) with a removed membership whose course no longer counts "
        "(removed_membership: drop)"
        if program.removed_membership == "drop"
        else "removed memberships keep their completion (removed_membership: keep_completion)"
    )
    return f"program {program.key}: {t.members} member(s) of its courses; {left_out}; {removed}"


def _channels(client: OdooClient, program: ProgramConfig) -> list[int]:
    """The program's courses that name exactly one Odoo course (`check` reports the others)."""
    found = [find_named(client, elearning.COURSE, c.course, limit=2) for c in program.courses]
    return sorted({rows[0][0] for rows in found if len(rows) == 1})
