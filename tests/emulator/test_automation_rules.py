"""Automation rules made over the API in the emulator (`base.automation` with a webhook action)
behave as recorded on real 16.0 to 19.0 servers (docs/webhooks.md): the action's rename on
17/18, the model check, triggers and trigger fields, filters, archived rules, none on 16."""

from __future__ import annotations

from typing import Any

import pytest

from connectors import OdooError
from sidecar.emulator import OdooEmulator
from tests.hooks.receiver import receiver
from tests.jobs.syncing import client_for

REG = "event.registration"


def _rule(emu: OdooEmulator, url: str | None, **rule: Any) -> int:
    """A webhook rule on event registrations, made over XML-RPC as an administrator would."""
    with client_for(emu) as client:
        model = client.search("ir.model", [("model", "=", REG)])[0]
        fields = client.search(
            "ir.model.fields", [("model", "=", REG), ("name", "in", ["event_id", "state"])]
        )
        action = {"name": "Tell the sidecar", "state": "webhook", "model_id": model}
        action |= {"webhook_url": url or False, "webhook_field_ids": [(6, 0, fields)]}
        values = {"name": "Registrations", "model_id": model, "trigger": "on_create_or_write"}
        values |= {"action_server_ids": [(0, 0, action)], **rule}
        return int(client.create("base.automation", values))


def _registration(emu: OdooEmulator, event: int = 1) -> int:
    partner = emu.env.create("res.partner", {"name": "Rule Watcher"})
    return int(emu.env.create(REG, {"event_id": event, "partner_id": partner}))


RENAMED = "Send Webhook Notification"  # 17.0 and 18.0 give the action its type's label


@pytest.mark.parametrize(
    ("version", "action_name"),
    [("17.0", RENAMED), ("18.0", RENAMED), ("19.0", "Tell the sidecar")],
)
def test_a_rule_made_over_the_api_posts_its_fields(version: str, action_name: str) -> None:
    with OdooEmulator(version) as emu, receiver() as (url, arrivals):
        rule = _rule(emu, f"{url}/reg")
        action = emu.env.search_read(
            "ir.actions.server", [("base_automation_id", "=", rule)], ["name", "usage"]
        )
        assert action[0]["name"] == action_name and action[0]["usage"] == "base_automation"
        reg = _registration(emu)
        assert len(arrivals) == 2  # a create posts twice
        body = arrivals[0].body
        assert body == {
            "_action": f"{action_name}(#{action[0]['id']})",
            "_id": reg,
            "_model": REG,
            "event_id": 1,
            "id": reg,
            "state": body["state"],
        }


def test_trigger_fields_filters_and_archived_rules() -> None:
    with OdooEmulator("17.0") as emu, receiver() as (url, arrivals):
        state = emu.env.search("ir.model.fields", [("model", "=", REG), ("name", "=", "state")])
        rule = _rule(
            emu,
            f"{url}/reg",
            trigger="on_write",
            filter_domain="[('event_id', 'in', [1])]",
            trigger_field_ids=[(6, 0, state)],
        )
        inside, outside = _registration(emu, 1), _registration(emu, 2)
        assert arrivals == []  # on update only: creating posts nothing
        emu.env.write(REG, [inside], {"email": "changed@example.com"})
        assert arrivals == []  # not a trigger field
        emu.env.write(REG, [inside, outside], {"state": "done"})
        assert [a.body["_id"] for a in arrivals] == [inside]  # outside the filter
        emu.env.write("base.automation", [rule], {"active": False})
        emu.env.write(REG, [inside], {"state": "cancel"})
        assert len(arrivals) == 1  # archived: silent


def test_an_action_on_another_model_is_refused_and_16_has_no_webhook() -> None:
    with OdooEmulator("17.0") as emu, client_for(emu) as client:
        reg, partner = client.search("ir.model", [("model", "in", [REG, "res.partner"])])
        bad = {"name": "bad", "state": "webhook", "model_id": partner}
        rule = {"name": "Mismatch", "model_id": reg, "trigger": "on_create_or_write"}
        with pytest.raises(OdooError, match="Model of action bad should match the one from"):
            client.create("base.automation", {**rule, "action_server_ids": [(0, 0, bad)]})
    with OdooEmulator("16.0") as emu, client_for(emu) as client:
        selection = client.fields_get("ir.actions.server", ("selection",))["state"]["selection"]
        assert "webhook" not in [key for key, _label in selection]
        with pytest.raises(
            OdooError, match=r"Wrong value for ir\.actions\.server\.state: 'webhook'"
        ):
            client.create("ir.actions.server", {"name": "x", "model_id": 1, "state": "webhook"})
