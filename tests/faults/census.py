"""Lost and doubled, counted from the emulator's own records (and the store's certificates and
outbox): each expected effect is looked for by what identifies it in Odoo, and counted.

An effect counted 0 times is lost, one counted more than once is doubled. Besides the expected
effects, every membership, portal user, To-Do and certificate in Odoo is grouped by its natural
key, so a duplicate nobody expected is caught too."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from sidecar.emulator import OdooEmulator
from sidecar.store.models import Certificate, OutboxMessage
from tests.faults.world import WOOD_CHANNEL, Expected
from tests.jobs.enrolling import GARDENING_CHANNELS, applicant_partner, rows

INVITATION = "Your account at YourCompany"


@dataclass
class Census:
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    partners: set[int] = field(default_factory=set)  # whose memberships and users are counted

    def expect_one(self, what: str, found: int) -> None:
        if found == 0:
            self.lost.append(what)
        elif found > 1:
            self.doubled.append(f"{what} ×{found}")


def count(emu: OdooEmulator, model: str, domain: list[Any]) -> int:
    return len(emu.env.search(model, domain, context={"active_test": False}))


def take(emu: OdooEmulator, expected: Expected, store_url: str) -> Census:
    census = Census()
    channel_names = {r["id"]: r["name"] for r in rows(emu, "slide.channel", [], ["name"])}
    for applicant in expected.enrolled:
        _enrolled(census, emu, applicant, GARDENING_CHANNELS, "Gardening OJT", channel_names)
    for applicant in expected.wood:
        _enrolled(census, emu, applicant, (WOOD_CHANNEL,), "Woodworking", channel_names)
    for applicant in expected.todos:
        census.expect_one(
            f"To-Do on applicant {applicant}",
            count(
                emu,
                "mail.activity",
                [("res_model", "=", "hr.applicant"), ("res_id", "=", applicant)],
            ),
        )
    certificates, outbox = _store(store_url)
    _certificates(census, emu, expected, certificates)
    _no_duplicates(census, emu, expected)
    for key, state in outbox:
        if state != "delivered":
            census.lost.append(f"outbox {key} left {state}")
    return census


def _enrolled(
    census: Census,
    emu: OdooEmulator,
    applicant: int,
    channels: tuple[int, ...],
    program: str,
    names: dict[int, str],
) -> None:
    """One contact, one portal user and its invitation, one membership and invitation mail per
    course, one note on the applicant."""
    found = rows(emu, "hr.applicant", [("id", "=", applicant)], ["partner_id"])
    if not found or not found[0]["partner_id"]:
        census.lost.append(f"applicant {applicant} has no contact")
        return
    partner = applicant_partner(emu, applicant)
    census.partners.add(partner)
    email = rows(emu, "res.partner", [("id", "=", partner)], ["email"])[0]["email"]
    who = f"applicant {applicant}"
    census.expect_one(f"{who}: contact", count(emu, "res.partner", [("email", "=ilike", email)]))
    census.expect_one(
        f"{who}: portal user", count(emu, "res.users", [("partner_id", "=", partner)])
    )
    invitations = rows(emu, "mail.mail", [("subject", "=", INVITATION)], ["email_to"])
    census.expect_one(
        f"{who}: portal invitation", sum(1 for m in invitations if email in (m["email_to"] or ""))
    )
    for channel in channels:
        members = [("channel_id", "=", channel), ("partner_id", "=", partner)]
        census.expect_one(
            f"{who}: membership of course {channel}", count(emu, "slide.channel.partner", members)
        )
        invited = [
            ("subject", "=", f"You have been invited to join {names[channel]}"),
            ("recipient_ids", "in", [partner]),
        ]
        census.expect_one(
            f"{who}: invitation to course {channel}", count(emu, "mail.mail", invited)
        )
    note = [
        ("model", "=", "hr.applicant"),
        ("res_id", "=", applicant),
        ("body", "ilike", f"Enrolled in {program}:"),
    ]
    census.expect_one(f"{who}: note 'Enrolled in {program}'", count(emu, "mail.message", note))


def _store(store_url: str) -> tuple[list[Certificate], list[tuple[str, str]]]:
    engine = create_engine(store_url)
    try:
        with Session(engine) as session:
            certs = list(session.scalars(select(Certificate).order_by(Certificate.id)))
            session.expunge_all()
            outbox = [(m.key, m.state) for m in session.scalars(select(OutboxMessage))]
        return certs, outbox
    finally:
        engine.dispose()


def _certificates(
    census: Census, emu: OdooEmulator, expected: Expected, certificates: list[Certificate]
) -> None:
    """One current certificate per trainee who completed, none for anyone else; each
    certificate (every generation) delivered once: the PDF and a message on the contact, one
    e-mail, and the same PDF and a note on the applicant when it has one."""
    current = Counter(c.odoo_partner_id for c in certificates if c.superseded_at is None)
    for partner in expected.certified:
        census.expect_one(f"certificate of partner {partner}", current[partner])
    for partner in set(current) - set(expected.certified):
        census.doubled.append(f"certificate of partner {partner}, who did not complete")
    for cert in certificates:
        serial = cert.serial
        if cert.delivered_at is None:
            census.lost.append(f"certificate {serial} never delivered")
        holders = [("res.partner", cert.odoo_partner_id)]
        if cert.odoo_applicant_id:
            holders.append(("hr.applicant", cert.odoo_applicant_id))
        for model, res_id in holders:
            on = [("res_model", "=", model), ("res_id", "=", res_id)]
            census.expect_one(
                f"{serial}: PDF on {model} {res_id}",
                count(emu, "ir.attachment", [("name", "=", f"certificate-{serial}.pdf"), *on]),
            )
            posted = [("model", "=", model), ("res_id", "=", res_id), ("body", "ilike", serial)]
            census.expect_one(
                f"{serial}: message on {model} {res_id}", count(emu, "mail.message", posted)
            )
        census.expect_one(
            f"{serial}: e-mail", count(emu, "mail.mail", [("body_html", "ilike", serial)])
        )


def _no_duplicates(census: Census, emu: OdooEmulator, expected: Expected) -> None:
    """Whatever the expectations name or not: no course membership, portal user or To-Do twice.
    A duplicate the expected effects already counted is not named a second time."""
    todos = {("hr.applicant", a) for a in expected.todos}
    groups: dict[str, tuple[str, list[str], Callable[[tuple[Any, ...]], bool]]] = {
        "membership (course, partner)": (
            "slide.channel.partner",
            ["channel_id", "partner_id"],
            lambda key: key[1] in census.partners,
        ),
        "portal user of partner": (
            "res.users",
            ["partner_id"],
            lambda key: key[0] in census.partners,
        ),
        "To-Do (model, record, summary)": (
            "mail.activity",
            ["res_model", "res_id", "summary"],
            lambda key: key[:2] in todos,
        ),
    }
    for what, (model, fields, counted) in groups.items():
        seen = Counter(
            tuple(_plain(r[f]) for f in fields)
            for r in rows(emu, model, [], fields)
            if all(r[f] for f in fields)
        )
        for key, n in seen.items():
            if n > 1 and not counted(key):
                census.doubled.append(f"{what} {key} ×{n}")


def _plain(value: Any) -> Any:
    """A many2one read as (id, name): its id."""
    return value[0] if isinstance(value, list | tuple) else value
