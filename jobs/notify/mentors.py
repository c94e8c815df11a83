"""The digest's decisions: one per mentor and ISO week, due from the configured weekday and
hour in the mentor's time zone (docs/notifications.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from connectors import OdooClient
from jobs.notify.decide import Decision
from jobs.notify.digest import ProgramDigest, sections_html
from jobs.odoo import mail
from jobs.odoo.reads import m2o
from sidecar.config import Config
from sidecar.notifications import digest_week, key, zone

Assigned = list[tuple[Any, ProgramDigest, list[int]]]  # (program config, digest, batch ids)


def digest_decisions(
    client: OdooClient, cfg: Config, per_user: dict[int, Assigned], now: datetime
) -> list[Decision]:
    settings = cfg.notifications
    found: list[Decision] = []
    for user_id, row in sorted(mail.users(client, sorted(per_user)).items()):
        partner = m2o(row.get("partner_id"))
        if partner is None:
            continue
        tz = row.get("tz") if isinstance(row.get("tz"), str) else None
        week = digest_week(
            now, settings.digest.weekday, settings.digest.hour, zone(tz, settings.timezone)
        )
        if week is None:
            continue
        sections = [
            digest.sections[batch_id]
            for _, digest, batch_ids in per_user[user_id]
            for batch_id in batch_ids
            if not digest.sections[batch_id].quiet
        ]
        if not sections:
            continue  # nobody in progress: nothing worth a message
        name = str(row.get("name") or "")
        found.append(
            Decision(
                kind="digest",
                key=key("digest", partner, week),
                program_id=None,
                partner_id=partner,
                occasion=week,
                name=name,
                values={"mentor": name, "week": week},
                extra_html=sections_html(sections),
            )
        )
    return found
