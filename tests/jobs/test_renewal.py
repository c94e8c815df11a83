"""Renewal of expiring certificates (docs/product-rules.md §15), against the emulator over HTTP
with Odoo's clock and ours moved together: the `requirements` rule renews on the last valid day
those who still meet the requirements, the `refresher` rule those who complete the refresher
course inside the window, once each, whatever is run again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors import OdooClient
from jobs.context import JobContext
from jobs.issue.runner import IssueJob, IssueReport
from sidecar.certificates.signing import generate_key
from sidecar.certificates.status import certificate_status
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import Store, open_store
from sidecar.store.models import Certificate
from tests.jobs.syncing import SERVER, client_for, complete_lessons, sync_once, write_config
from verify_site.app import create_app

BASICS, TREES = "Basics of Gardening", "Taking care of Trees"
PROGRAM = """\
programs:
  - key: gardening
    name: Gardening OJT
    courses:
      - course: Basics of Gardening
      - course: Taking care of Trees
        required: {trees_required}
    renewal: {renewal}
certificates:
  issuer:
    name: Test Training
  output_dir: certificates
  signing_key: keys/signing.key
  verify_base_url: https://verify.example.org
  validity_days: 40
"""


class World:
    """Odoo (the emulator) and the sidecar on one clock that moves only when told."""

    def __init__(self, cfg: Config, store: Store, odoo: OdooClient, emu: OdooEmulator) -> None:
        self.cfg, self.store, self.odoo, self.emu = cfg, store, odoo, emu
        self.t0 = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
        self.now = self.t0
        emu.set_clock(lambda: self.now.replace(tzinfo=None))
        self.channels = {
            c["name"]: c["id"]
            for c in odoo.search_read_list(
                "slide.channel", [("name", "in", [BASICS, TREES])], ["name"]
            )
        }
        for model in ("slide.slide.partner", "slide.channel.partner"):
            odoo.unlink(
                model, odoo.search(model, [("channel_id", "in", list(self.channels.values()))])
            )

    def at(self, days: float) -> None:
        self.now = self.t0 + timedelta(days=days)

    def trainee(self, name: str) -> int:
        partner = self.odoo.create("res.partner", {"name": name, "email": f"{name}@example.org"})
        for channel in self.channels.values():
            self.odoo.create(
                "slide.channel.partner", {"channel_id": channel, "partner_id": partner}
            )
        return partner

    def finish(self, partner: int, course: str) -> None:
        complete_lessons(self.odoo, partner, [self.channels[course]])

    def cycle(self) -> IssueReport:
        sync_once(self.cfg, self.store, self.odoo)
        return IssueJob(
            JobContext(self.cfg, self.store.sessions, self.odoo, clock=lambda: self.now)
        ).run()

    def certificates(self, partner: int) -> list[Certificate]:
        with self.store.sessions() as session:
            return list(
                session.scalars(
                    select(Certificate)
                    .where(Certificate.odoo_partner_id == partner)
                    .order_by(Certificate.generation)
                )
            )


def program_text(renewal: str, trees_required: bool) -> str:
    # write_config formats the text once more: the flow mapping's braces are doubled for it
    doubled = renewal.replace("{", "{{").replace("}", "}}")
    return PROGRAM.format(renewal=doubled, trees_required=str(trees_required).lower())


def make_world(
    tmp_path: Path, emu: OdooEmulator, db_url: str, renewal: str, trees_required: bool
) -> World:
    program = program_text(renewal, trees_required)
    cfg = write_config(tmp_path, emu, db_url, SERVER + program)
    generate_key(cfg.certificates.signing_key)
    return World(cfg, open_store(cfg), client_for(emu, page_size=200), emu)


def test_requirements_rule_renews_on_the_last_valid_day_once(
    tmp_path: Path, emu: OdooEmulator, db_url: str
) -> None:
    w = make_world(tmp_path, emu, db_url, "{rule: requirements}", trees_required=True)
    ana = w.trainee("ana")
    w.finish(ana, BASICS)
    w.finish(ana, TREES)
    assert len(w.cycle().issued) == 1
    (first,) = w.certificates(ana)
    assert first.expires_on == (w.t0 + timedelta(days=40)).date()

    w.at(days=39)
    assert w.cycle().renewed == []  # one more valid day: not yet
    w.at(days=40)
    report = w.cycle()
    (renewed,) = report.renewed
    old, new = w.certificates(ana)
    assert renewed == (old.serial, new.serial, "ana")
    assert old.superseded_by_id == new.id and new.generation == 1
    assert new.expires_on == (w.t0 + timedelta(days=80)).date()
    assert certificate_status(new, w.now.date()).is_valid
    assert w.cycle().renewed == [] and len(w.certificates(ana)) == 2  # once


def test_requirements_rule_lets_a_revoked_certificate_expire(
    tmp_path: Path, emu: OdooEmulator, db_url: str
) -> None:
    w = make_world(tmp_path, emu, db_url, "{rule: requirements}", trees_required=True)
    ana = w.trainee("ana")
    w.finish(ana, BASICS)
    w.finish(ana, TREES)
    w.cycle()
    with w.store.sessions() as session:
        session.scalars(select(Certificate)).one().revoked_at = w.now
        session.commit()
    w.at(days=40)
    assert w.cycle().renewed == []


def test_refresher_rule_renews_after_the_course_is_done_inside_the_window(
    tmp_path: Path, emu: OdooEmulator, db_url: str
) -> None:
    renewal = f"{{rule: refresher, course: {TREES}, window_days: 10}}"
    w = make_world(tmp_path, emu, db_url, renewal, trees_required=False)
    ana, ben, cy = w.trainee("ana"), w.trainee("ben"), w.trainee("cy")
    w.finish(ana, BASICS)
    w.finish(ben, BASICS)
    w.finish(cy, BASICS)
    w.finish(cy, TREES)  # done on day 0: before the window, it renews nothing
    assert len(w.cycle().issued) == 3

    w.at(days=29)  # the window opens on day 30
    w.finish(ana, TREES)
    assert w.cycle().renewed == []
    w.at(days=35)
    w.finish(ben, TREES)
    (renewed,) = w.cycle().renewed
    assert renewed[2] == "ben"
    assert [c.generation for c in w.certificates(ben)] == [0, 1]
    assert [c.generation for c in w.certificates(ana)] == [0]  # done a day too early
    assert [c.generation for c in w.certificates(cy)] == [0]
    w.at(days=50)  # expired, and still no renewal for those outside the window
    assert w.cycle().renewed == []


@pytest.mark.parametrize(
    ("renewal", "says"),
    [
        ("{rule: refresher}", "is required with rule: refresher"),
        ("{rule: requirements, course: Taking care of Trees}", "is used only with rule: refresher"),
        ("{rule: refresher, course: Pruning}", "must be one of the program's courses"),
    ],
)
def test_renewal_rules_that_cannot_work_are_refused_with_a_sentence(
    tmp_path: Path, emu: OdooEmulator, db_url: str, renewal: str, says: str
) -> None:
    from sidecar.config import ConfigError

    with pytest.raises(ConfigError) as refused:
        write_config(tmp_path, emu, db_url, SERVER + program_text(renewal, False))
    assert says in str(refused.value)


def test_the_expiry_reminder_says_how_the_programs_rule_renews() -> None:
    from jobs.notify.decide import renewal_text
    from sidecar.config.programs import Program

    def program(renewal: dict[str, object]) -> Program:
        courses = [{"course": BASICS}, {"course": TREES, "required": False}]
        return Program.model_validate(
            {"key": "g", "name": "G", "courses": courses, "renewal": renewal}
        )

    expires = datetime(2027, 3, 31).date()
    refresher = program({"rule": "refresher", "course": TREES, "window_days": 10})
    assert renewal_text(refresher, expires) == (
        f"Complete the refresher course {TREES} from 2027-03-21 on, and it is renewed."
    )
    assert "if you still meet" in renewal_text(program({"rule": "requirements"}), expires)
    assert "how to renew" in renewal_text(program({}), expires)


def test_certificates_are_in_the_trainees_odoo_language_at_issue_and_at_renewal(
    tmp_path: Path, emu: OdooEmulator, db_url: str
) -> None:
    # Odoo accepts a contact's language only once an administrator has installed it.
    emu.install_languages(("fr_FR", "French / Français"), ("ar_001", "Arabic / الْعَرَبيّة"))
    w = make_world(tmp_path, emu, db_url, "{rule: requirements}", trees_required=False)
    ana, omar, sam = w.trainee("ana"), w.trainee("omar"), w.trainee("sam")
    w.odoo.write("res.partner", [ana], {"lang": "fr_FR"})
    w.odoo.write("res.partner", [omar], {"lang": "ar_001"})
    for partner in (ana, omar, sam):
        w.finish(partner, BASICS)
    assert len(w.cycle().issued) == 3
    assert [w.certificates(p)[0].lang for p in (ana, omar, sam)] == ["fr", "ar", "en"]

    w.odoo.write("res.partner", [ana], {"lang": "ar_001"})  # she changed it in the portal
    w.at(days=40)
    assert len(w.cycle().renewed) == 3
    old, new = w.certificates(ana)
    assert (old.lang, new.lang) == ("fr", "ar")
    site = create_app(w.cfg, rate_limit_per_minute=10_000, clock=lambda: w.now.date())
    page = site.test_client().get(f"/c/{new.serial}").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and f'href="/c/{old.serial}"' in page
