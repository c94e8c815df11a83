"""The demo's people for the cockpit (docs/cockpit.md): a mentor responsible for the practical
week's event, and a portal user for one of its trainees, each with a password, so that every
role can sign in. The admin is Odoo's own (admin / admin)."""

from __future__ import annotations

from sidecar.emulator import OdooEmulator
from sidecar.emulator.showcase_data import EVENT, WAREHOUSE_TRAINEES, email_of

MENTOR = ("Maria Mentor", "mentor@example.com", "mentor")
TRAINEE_PASSWORD = "trainee"


def add_cockpit_people(emu: OdooEmulator) -> list[tuple[str, str, str]]:
    """Make the mentor and the trainee's portal user; (role, login, password) per role."""
    name, login, password = MENTOR
    mentor = emu.create_user(name, login, password)
    events = emu.env.search("event.event", [("name", "=", EVENT)])
    emu.env.write("event.event", events, {"user_id": mentor})
    trainee_name = WAREHOUSE_TRAINEES[0][0]
    trainee_login = email_of(trainee_name)
    partner = emu.env.search("res.partner", [("email", "=", trainee_login)], limit=1)
    groups_field = emu.profile.groups_field
    emu.env.create(
        "res.users",
        {
            "name": trainee_name,
            "login": trainee_login,
            "password": TRAINEE_PASSWORD,
            "partner_id": partner[0],
            groups_field: [(6, 0, [emu.store.ref("base.group_portal")])],
        },
    )
    return [
        ("admin", "admin", "admin"),
        (f"mentor of {EVENT}", login, password),
        (f"trainee ({trainee_name})", trainee_login, TRAINEE_PASSWORD),
    ]
