"""`ojt-sidecar hooks check|install` against the emulated Odoo: the rules are made once, through
the outbox, mended when a person changed them, and then really post to the listener; versions
and configs that cannot have them get one sentence."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from jobs.context import JobContext
from jobs.hooks.install import install
from sidecar.cli.app import main
from sidecar.config import Config
from sidecar.emulator import OdooEmulator
from sidecar.emulator.faults import FaultRule
from sidecar.store.models import OutboxMessage, utcnow
from tests.hooks.hooking import SSP, hook_url, hooks_config
from tests.hooks.receiver import receiver
from tests.jobs.syncing import client_for
from tests.stores import open_migrated

RULE, ACTION = "base.automation", "ir.actions.server"
WATCHED = {
    "OJT sidecar: lesson progress": "slide.slide.partner",
    "OJT sidecar: course memberships": "slide.channel.partner",
    "OJT sidecar: certification attempts": "survey.user_input",
}


def _config(tmp_path: Path, emu: OdooEmulator) -> tuple[Config, Path]:
    cfg = hooks_config(tmp_path, emu, f"sqlite:///{tmp_path / 'store.db'}")
    return cfg, tmp_path / "config.yaml"


def _rules(emu: OdooEmulator) -> list[dict]:
    return emu.env.search_read(
        RULE, [], ["name", "model_name", "trigger", "active", "filter_domain"],
        context={"active_test": False},
    )  # fmt: skip


def _hooks(cli: list[str], config: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["hooks", *cli, "-c", str(config)])
    return result.exit_code, result.output


@pytest.mark.parametrize("version", ["17.0", "18.0", "19.0", "20.0"])
def test_install_makes_each_rule_once_and_check_then_passes(tmp_path: Path, version: str) -> None:
    with OdooEmulator(version) as emu:
        cfg, config = _config(tmp_path, emu)
        code, out = _hooks(["check"], config)
        assert code == 1
        assert "lesson progress (slide.slide.partner): missing" in out
        assert "event attendance (event.registration): not needed" in out
        code, out = _hooks(["install"], config)
        assert code == 0, out
        assert out.count("queued: ") == 3 and "Every rule is in place." in out
        rules = _rules(emu)
        assert {r["name"]: r["model_name"] for r in rules} == WATCHED
        assert all(r["active"] for r in rules)
        lessons = next(r for r in rules if r["model_name"] == SSP)
        assert lessons["trigger"] == "on_create_or_write"
        assert ast.literal_eval(lessons["filter_domain"]) == [("channel_id", "in", [1, 2, 3, 4])]
        actions = emu.env.search_read(ACTION, [("usage", "=", "base_automation")], ["webhook_url"])
        assert {a["webhook_url"] for a in actions} == {hook_url(cfg)}
        # again: nothing queued, nothing made
        code, out = _hooks(["install"], config)
        assert code == 0 and "queued" not in out
        assert len(_rules(emu)) == 3
        assert _hooks(["check"], config) == (0, out)


def test_the_rules_made_post_to_the_listener(tmp_path: Path) -> None:
    with OdooEmulator("17.0") as emu, receiver() as (base, arrivals):
        cfg, config = _config(tmp_path, emu)
        config.write_text(
            config.read_text().replace("  enabled: true\n", f"  enabled: true\n  url: {base}\n")
        )
        assert _hooks(["install"], config)[0] == 0
        partner = emu.env.create("res.partner", {"name": "Posted Trainee"})
        followed = emu.env.search("slide.channel", [("name", "=", "Basics of Gardening")])[0]
        other = emu.env.search("slide.channel", [("id", "not in", [1, 2, 3, 4])])[0]
        for course in (followed, other):  # a course the config does not follow posts nothing
            emu.env.create("slide.channel.partner", {"channel_id": course, "partner_id": partner})
        memberships = [a for a in arrivals if a.body["_model"] == "slide.channel.partner"]
        assert len(memberships) == 1  # once: the rule has trigger fields (jobs/hooks/rules.py)
        assert all(a.body["channel_id"] == followed for a in memberships)
        secret = cfg.hooks.secret.get_secret_value() if cfg.hooks.secret else ""
        assert {a.path for a in arrivals} == {f"/hooks/odoo/{secret}"}


def test_a_rule_a_person_archived_or_repointed_is_mended(tmp_path: Path) -> None:
    with OdooEmulator("18.0") as emu:
        _cfg, config = _config(tmp_path, emu)
        assert _hooks(["install"], config)[0] == 0
        lessons = emu.env.search(RULE, [("model_id.model", "=", SSP)])
        emu.env.write(RULE, lessons, {"active": False})
        action = emu.env.search(ACTION, [("base_automation_id", "in", lessons)])
        emu.env.write(ACTION, action, {"webhook_url": "http://old-host:8091/hooks/odoo/oldsecret"})
        code, out = _hooks(["check"], config)
        assert code == 1
        assert "lesson progress (slide.slide.partner): archived" in out
        assert "http://old-host:8091/hooks/odoo/***" in out and "oldsecret" not in out
        code, out = _hooks(["install"], config)
        assert code == 0, out
        assert len(_rules(emu)) == 3 and all(r["active"] for r in _rules(emu))


def test_an_answer_lost_and_a_second_install_still_make_one_rule(tmp_path: Path) -> None:
    with OdooEmulator("17.0") as emu:
        cfg, _config_path = _config(tmp_path, emu)
        store = open_migrated(cfg)
        fault = emu.faults.add(FaultRule("drop_after", model=RULE, method="create", times=1))
        with client_for(emu) as client:
            ctx = JobContext(cfg, store.sessions, client)
            first = install(ctx)
            assert fault.fired == 1 and first.after.ok  # made in Odoo, the answer lost
            second = install(ctx)  # a person runs it again before the retry is due
            assert second.waiting and not second.queued
            with store.sessions() as session, session.begin():
                session.execute(
                    update(OutboxMessage).values(next_attempt_at=utcnow().replace(year=2000))
                )
            third = install(ctx)
            assert third.after.ok
            with store.sessions() as session:
                keys = session.scalars(select(OutboxMessage.key)).all()
        store.close()
        assert len(_rules(emu)) == 3
        assert len(keys) == 3  # one create per rule, the lost one adopted rather than resent


def test_odoo_16_and_an_odoo_without_the_app_are_explained(tmp_path: Path) -> None:
    with OdooEmulator("16.0") as emu:
        _cfg, config = _config(tmp_path / "16", emu)
        code, out = _hooks(["check"], config)
        assert code == 1
        assert "Odoo 16.0 has no webhook action (it came with 17.0)" in out
    with OdooEmulator("17.0", without_apps=("base_automation",)) as emu:
        _cfg, config = _config(tmp_path / "17", emu)
        code, out = _hooks(["install"], config)
        assert code == 1
        assert "the Automation Rules app (base_automation) is not installed" in out


def test_a_listener_on_every_address_needs_hooks_url(tmp_path: Path) -> None:
    with OdooEmulator("17.0") as emu:
        _cfg, config = _config(tmp_path, emu)
        text = config.read_text().replace("  enabled: true\n", "  enabled: true\n  host: 0.0.0.0\n")
        config.write_text(text)
        code, out = _hooks(["check"], config)
        assert code == 1
        assert "hooks.host is 0.0.0.0: set hooks.url to the address" in out
        config.write_text(
            text.replace(
                "  host: 0.0.0.0\n", "  host: 0.0.0.0\n  url: http://sidecar.internal:8091\n"
            )
        )
        code, out = _hooks(["install"], config)
        assert code == 0, out
        actions = emu.env.search_read(ACTION, [("usage", "=", "base_automation")], ["webhook_url"])
        assert {a["webhook_url"].rsplit("/", 1)[0] for a in actions} == {
            "http://sidecar.internal:8091/hooks/odoo"
        }


def test_a_webhook_without_url_is_a_warning(tmp_path: Path) -> None:
    with OdooEmulator("19.0") as emu:
        _cfg, config = _config(tmp_path, emu)
        assert _hooks(["install"], config)[0] == 0
        model = emu.env.search("ir.model", [("model", "=", SSP)])[0]
        emu.env.create(
            RULE,
            {
                "name": "Someone's rule",
                "model_id": model,
                "trigger": "on_create_or_write",
                "action_server_ids": [(0, 0, {"name": "x", "state": "webhook", "model_id": model})],
            },
        )
        code, out = _hooks(["check"], config)
        assert code == 1
        assert (
            'rule #4 "Someone\'s rule" on slide.slide.partner sends a webhook without a URL' in out
        )
