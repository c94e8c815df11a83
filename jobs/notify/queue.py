"""Recording decisions and queueing their messages: each decision is one `notifications` row
under its key (so a repeated run finds it decided), and each one to send is one outbox row
under the same key, posted on the recipient's contact as a comment that Odoo e-mails them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import OdooClient
from jobs.notify.decide import Decision
from jobs.notify.report import NotifyReport
from jobs.notify.texts import REMINDER_FOOTER, REMINDERS, language, render, wording
from jobs.odoo import contacts, elearning, mail
from sidecar import outbox
from sidecar.config import Config
from sidecar.notifications import quiet_until, zone
from sidecar.store.models import Notification

log = logging.getLogger(__name__)


@dataclass
class Recipients:
    """What Odoo says of the people about to be told: contact rows, the opt-out tag's ids,
    course pages."""

    people: dict[int, dict[str, Any]]
    opt_out_tags: set[int]
    pages: dict[int, tuple[str, str]]
    base_url: str

    @classmethod
    def read(cls, client: OdooClient, cfg: Config, decisions: list[Decision]) -> Recipients:
        sending = [d for d in decisions if d.send]
        partners = sorted({d.partner_id for d in sending})
        people = mail.recipients(client, partners) if partners else {}
        tag = cfg.notifications.opt_out_tag
        reminders = any(d.kind in REMINDERS for d in sending)
        tags = mail.tags_named(client, tag) if tag and reminders else set()
        channels = sorted({c for d in sending for c in d.links})
        pages = elearning.course_pages(client, channels) if channels else {}
        return cls(people, tags, pages, str(cfg.odoo.url).rstrip("/"))

    def opted_out(self, partner: int) -> bool:
        tags = self.people.get(partner, {}).get("category_id") or []
        return bool(self.opt_out_tags.intersection(int(t) for t in tags))

    def links_html(self, channels: tuple[int, ...]) -> str:
        items = []
        for channel in channels:
            name, path = self.pages.get(channel, ("", ""))
            if not name:
                continue
            if path:
                # Odoo before 19.0 puts its web.base.url in front, as in its own mails; 19.0
                # gives the path alone, which goes after odoo.url.
                absolute = path.startswith(("http://", "https://"))
                url = escape(path if absolute else self.base_url + path, quote=True)
                items.append(f'<li><a href="{url}">{escape(name)}</a></li>')
            else:
                items.append(f"<li>{escape(name)}</li>")
        return f"<ul>{''.join(items)}</ul>" if items else ""


def queue(
    session: Session,
    cfg: Config,
    decisions: list[Decision],
    recipients: Recipients,
    now: datetime,
    report: NotifyReport,
) -> None:
    """Record and queue the decisions not yet recorded, in the caller's transaction."""
    known = _recorded(session, [d.key for d in decisions])
    programs = {p.key: p for p in cfg.programs}
    for decision in decisions:
        if decision.key in known:
            continue
        known.add(decision.key)
        person = recipients.people.get(decision.partner_id)
        if decision.send and person is None:
            log.warning(
                "notifications: contact %s is gone from Odoo; not told", decision.partner_id
            )
            continue
        if (
            decision.send
            and decision.kind in REMINDERS
            and recipients.opted_out(decision.partner_id)
        ):
            report.opted_out += 1
            continue
        tz = (person or {}).get("tz") or None
        session.add(
            Notification(
                key=decision.key,
                kind=decision.kind,
                program_id=decision.program_id,
                partner_id=decision.partner_id,
                occasion=decision.occasion,
                state="queued" if decision.send else "covered",
                tz=tz if isinstance(tz, str) else None,
                created_at=now,
            )
        )
        if not decision.send:
            report.covered += 1
            continue
        program = programs.get(decision.program_key)
        row = outbox.enqueue(session, _message(cfg, program, decision, person or {}, recipients))
        row.next_attempt_at = now
        quiet = cfg.notifications.quiet_hours
        if quiet is not None:
            until = quiet_until(now, quiet.start, quiet.end, zone(tz, cfg.notifications.timezone))
            if until is not None:
                row.next_attempt_at = until
                report.held += 1
        report.queued[decision.kind] = report.queued.get(decision.kind, 0) + 1


def _recorded(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(session.scalars(select(Notification.key).where(Notification.key.in_(chunk))))
    return found


def _message(
    cfg: Config, program: Any, decision: Decision, person: dict[str, Any], recipients: Recipients
) -> outbox.Write:
    lang = person.get("lang") if isinstance(person.get("lang"), str) else None
    subject, body = wording(cfg, program, decision.kind, lang)
    name = decision.name or str(person.get("name") or "")
    values = {"participant": name, "program": program.name if program else "", **decision.values}
    extra = decision.extra_html or recipients.links_html(decision.links)
    footer = REMINDER_FOOTER[language(lang)] if decision.kind in REMINDERS else None
    message = render(subject, body, values, extra_html=extra, footer=footer, ref=decision.key)
    partner = decision.partner_id
    return mail.post(
        decision.key,
        f"notify:{partner}",
        model=contacts.PARTNER,
        res_id=partner,
        body_html=message.body_html,
        found_by=(decision.key,),
        summary=f"{decision.kind.replace('_', ' ')} to {name or f'contact {partner}'}",
        email_to=partner,
        email_subject=message.subject,
    )
