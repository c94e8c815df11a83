"""Who someone is in the cockpit, from what Odoo says of them at sign-in (docs/cockpit.md):
pure rules, no I/O.

- **admin**: an internal user in the configured admin group; sees everything.
- **mentor**: an internal user responsible for a program (its `responsible_user`), for a batch's
  event or for one of a program's courses, or in the configured mentor group. They see the
  programs they are responsible for (every batch), the programs of the courses they are
  responsible for, and the batches of the events they are responsible for; nothing else.
- **trainee**: a portal user whose contact is a counted trainee of a program (product-rules
  §12); sees only themself.
Anyone else is refused, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MENTOR = "mentor"
    TRAINEE = "trainee"


class SignInRefused(Exception):
    """Odoo did not accept the login and secret, or accepted them for someone with no role
    here: the message is the sentence to show."""


class WrongCredentials(SignInRefused):
    """Odoo did not accept the login and secret: counts towards the login's lock-out."""


class SignInUnavailable(Exception):
    """Odoo could not be asked (down, timing out): the message is the sentence to show."""


@dataclass(frozen=True)
class OdooPerson:
    """What Odoo said of a user who just proved their login: read with the service account."""

    user_id: int
    login: str
    name: str
    partner_id: int | None
    internal: bool  # not a portal (share) user
    admin_group: bool
    mentor_group: bool
    # What they are responsible for: programs (keys; the config's `responsible_user`), and the
    # Odoo ids of events and courses among those the store knows.
    programs: tuple[str, ...] = ()
    events: tuple[int, ...] = ()
    courses: tuple[int, ...] = ()


@dataclass(frozen=True)
class Reach:
    """What the store knows that a role depends on."""

    trainee_programs: tuple[int, ...]  # programs where the partner is a counted trainee
    responsible_programs: tuple[int, ...]  # store ids of `OdooPerson.programs`
    batch_of_event: dict[int, int] = field(default_factory=dict)  # Odoo event id → batch id
    programs_of_course: dict[int, tuple[int, ...]] = field(default_factory=dict)  # channel id


@dataclass(frozen=True)
class Grant:
    role: Role
    program_ids: tuple[int, ...] = ()  # whole programs (a mentor's; a trainee's own)
    batch_ids: tuple[int, ...] = ()  # single batches (a mentor's)
    reasons: tuple[str, ...] = ()


def grant_for(person: OdooPerson, reach: Reach) -> Grant:
    """The role `person` has, or SignInRefused saying why they have none."""
    if not person.internal:
        if person.partner_id is not None and reach.trainee_programs:
            return Grant(
                Role.TRAINEE,
                program_ids=tuple(sorted(reach.trainee_programs)),
                reasons=("a portal user whose contact is a trainee",),
            )
        raise SignInRefused(
            "This account is not a trainee of any program here; ask your training coordinator."
        )
    if person.admin_group:
        return Grant(Role.ADMIN, reasons=("in the admin group",))
    return _mentor(person, reach)


def _mentor(person: OdooPerson, reach: Reach) -> Grant:
    programs = set(reach.responsible_programs)
    reasons = [f"responsible for program #{p}" for p in sorted(reach.responsible_programs)]
    for course in person.courses:
        for program in reach.programs_of_course.get(course, ()):
            programs.add(program)
            reasons.append(f"responsible for course #{course}")
    batches = set()
    for event in person.events:
        batch = reach.batch_of_event.get(event)
        if batch is not None:
            batches.add(batch)
            reasons.append(f"responsible for event #{event}")
    if person.mentor_group:
        reasons.append("in the mentor group")
    if not reasons:
        raise SignInRefused(
            "This account has no role in the training cockpit: it is neither an admin nor "
            "responsible for a program, batch or course."
        )
    return Grant(
        Role.MENTOR,
        program_ids=tuple(sorted(programs)),
        batch_ids=tuple(sorted(batches)),
        reasons=tuple(dict.fromkeys(reasons)),
    )
