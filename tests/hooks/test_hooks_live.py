"""`ojt-sidecar hooks install|check` against a real Odoo 17+ with the Automation Rules app. Run
with ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD of an administrator (`./dev test -m live`).
It makes its own course and rules, checks that a lesson completed there posts to a receiver,
and removes them after; on 16.0, or without the app, it checks the sentence instead."""

from __future__ import annotations

import secrets
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from connectors import OdooClient
from jobs.odoo import automation
from sidecar.cli.app import main
from tests.hooks.receiver import receiver
from tests.jobs.live import clean_up, live_course, write_live_config

pytestmark = pytest.mark.live
WATCHED = ("slide.slide.partner", "slide.channel.partner", "survey.user_input")

CONFIG = """\
programs:
  - key: live
    name: Live hooks {tag}
    courses:
      - course: {course}
hooks:
  enabled: true
  url: {hooks_url}
  secret: {secret}
"""


def _hooks(command: str, config: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["hooks", command, "-c", str(config)])
    return result.exit_code, result.output


def test_install_then_check_on_a_real_odoo(live: OdooClient, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:8]
    course, lesson = live_course(live, tag)
    partner = int(live.create("res.partner", {"name": f"OJT live hooks {tag}"}))
    rules: list[int] = []
    try:
        with receiver() as (url, arrivals):
            secret = secrets.token_urlsafe(24)
            write_live_config(
                CONFIG, tmp_path, tag=tag, course=course, hooks_url=url, secret=secret
            )
            config = tmp_path / "config.yaml"
            if not automation.offers_webhooks(live):
                code, out = _hooks("check", config)
                assert code == 1 and "has no webhook action (it came with 17.0)" in out
                return
            if not automation.rules_app_installed(live):
                code, out = _hooks("install", config)
                assert code == 1 and "(base_automation) is not installed" in out
                return
            code, out = _hooks("install", config)
            found = automation.rules_on(live, list(WATCHED))
            rules = [r.id for r in found if secret in (r.webhooks[0].url or "")]
            assert code == 0, out
            assert len(rules) == 3
            assert _hooks("check", config)[0] == 0
            assert "queued" not in _hooks("install", config)[1]  # again: nothing to do
            done = {"slide_id": lesson, "partner_id": partner, "completed": True}
            live.create("slide.slide.partner", done)
            posted = {(a.body["_model"], a.path) for a in arrivals}
            assert ("slide.slide.partner", f"/hooks/odoo/{secret}") in posted
    finally:
        clean_up(
            live,
            [
                ("base.automation", "unlink", {"ids": rules}),
                ("slide.slide", "unlink", {"ids": [lesson]}),
                ("slide.channel", "unlink", {"ids": [course]}),
                ("res.partner", "unlink", {"ids": [partner]}),
            ],
        )
