"""Odoo's automation rules (`base.automation`, the Automation Rules app, 17.0+) whose action
"Send Webhook Notification" posts to the service's hook listener: reading them, and the writes
that create or mend them (docs/webhooks.md).

A rule and its action are made in one `create` (the action as a one2many line). 17.0 and 18.0
rename the action to "Send Webhook Notification"; the rule keeps its name, which is how the
sidecar finds its own rules again. 16.0 has no webhook action at all.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from connectors import OdooClient
from jobs.odoo.reads import WITH_ARCHIVED, as_text
from sidecar.outbox import Lookup, Write

RULE = "base.automation"
ACTION = "ir.actions.server"
MODEL = "ir.model"
FIELD = "ir.model.fields"
RULE_FIELDS = ("name", "model_id", "active", "trigger", "trigger_field_ids", "filter_domain")
ACTION_FIELDS = ("base_automation_id", "state", "webhook_url", "webhook_field_ids")


@dataclass(frozen=True)
class Webhook:
    """One "Send Webhook Notification" action of a rule."""

    id: int
    url: str | None
    fields: frozenset[str]


@dataclass(frozen=True)
class FoundRule:
    """One automation rule as Odoo keeps it, with its webhook actions (field names resolved)."""

    id: int
    name: str
    model: str
    active: bool
    trigger: str
    trigger_fields: frozenset[str]
    domain: str | None
    webhooks: tuple[Webhook, ...]


def offers_webhooks(client: OdooClient) -> bool:
    """Whether this Odoo's server actions can send webhooks (17.0+)."""
    state = client.fields_get(ACTION, ("selection",)).get("state") or {}
    return any(key == "webhook" for key, _label in state.get("selection") or [])


def rules_app_installed(client: OdooClient) -> bool:
    """Whether the Automation Rules app (`base_automation`) is installed."""
    return client.search_count(MODEL, [("model", "=", RULE)]) > 0


def model_ids(client: OdooClient, models: list[str]) -> dict[str, int]:
    rows = client.search_read_list(MODEL, [("model", "in", models)], ["model"])
    return {str(r["model"]): int(r["id"]) for r in rows}


def field_ids(client: OdooClient, models: list[str], names: set[str]) -> dict[tuple[str, str], int]:
    """(model, field name) -> the field's `ir.model.fields` id, for these models and names."""
    rows = client.search_read_list(
        FIELD, [("model", "in", models), ("name", "in", sorted(names))], ["model", "name"]
    )
    return {(str(r["model"]), str(r["name"])): int(r["id"]) for r in rows}


def rules_on(client: OdooClient, models: list[str]) -> list[FoundRule]:
    """Every rule (archived too) on these models that has a webhook action, in id order."""
    ids = model_ids(client, models)
    by_id = {v: k for k, v in ids.items()}
    rules = client.search_read_list(
        RULE, [("model_id", "in", list(by_id))], list(RULE_FIELDS), order="id",
        names=False, context=WITH_ARCHIVED,
    )  # fmt: skip
    if not rules:
        return []
    actions = client.search_read_list(
        ACTION,
        [("base_automation_id", "in", [r["id"] for r in rules]), ("state", "=", "webhook")],
        list(ACTION_FIELDS),
        order="id",
        names=False,
    )
    wanted = {f for r in rules for f in r.get("trigger_field_ids") or []}
    wanted |= {f for a in actions for f in a.get("webhook_field_ids") or []}
    names = _field_names(client, sorted(wanted))
    found = []
    for rule in rules:
        hooks = tuple(
            Webhook(
                int(a["id"]),
                as_text(a.get("webhook_url")) or None,
                frozenset(names.get(f, str(f)) for f in a.get("webhook_field_ids") or []),
            )
            for a in actions
            if a.get("base_automation_id") == rule["id"]
        )
        if hooks:
            found.append(_found(rule, by_id, names, hooks))
    return found


def _found(
    rule: dict[str, Any], models: dict[int, str], names: dict[int, str], hooks: tuple[Webhook, ...]
) -> FoundRule:
    return FoundRule(
        id=int(rule["id"]),
        name=as_text(rule.get("name")) or "",
        model=models.get(int(rule.get("model_id") or 0), ""),
        active=bool(rule.get("active")),
        trigger=as_text(rule.get("trigger")) or "",
        trigger_fields=frozenset(names.get(f, str(f)) for f in rule.get("trigger_field_ids") or []),
        domain=as_text(rule.get("filter_domain")) or None,
        webhooks=hooks,
    )


def _field_names(client: OdooClient, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {int(r["id"]): str(r["name"]) for r in client.read(FIELD, ids, ["name"])}


def same_domain(kept: str | None, wanted: list[Any] | None) -> bool:
    """Whether the domain Odoo keeps (text, perhaps reformatted by a person) is `wanted`."""
    if wanted is None:
        return kept in (None, "", "[]")
    try:
        return _plain(ast.literal_eval(kept or "[]")) == _plain(wanted)
    except (ValueError, SyntaxError):
        return False


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class RuleSpec:
    """A rule as the sidecar wants it, with the Odoo ids its writes name."""

    name: str
    model: str
    model_id: int
    trigger: str
    trigger_field_ids: tuple[int, ...]
    field_ids: tuple[int, ...]
    domain: list[Any] | None
    url: str

    def rule_values(self) -> dict[str, Any]:
        return {
            "trigger": self.trigger,
            "trigger_field_ids": [(6, 0, list(self.trigger_field_ids))],
            "filter_domain": repr(self.domain) if self.domain else False,
            "active": True,
        }

    def action_values(self) -> dict[str, Any]:
        return {"webhook_url": self.url, "webhook_field_ids": [(6, 0, list(self.field_ids))]}


def create_rule(key: str, spec: RuleSpec) -> Write:
    """The rule and its webhook action, in one call; an earlier attempt is found by name."""
    action = {"name": spec.name, "state": "webhook", "model_id": spec.model_id}
    values = {
        "name": spec.name,
        "model_id": spec.model_id,
        **spec.rule_values(),
        "action_server_ids": [(0, 0, {**action, **spec.action_values()})],
    }
    return Write(
        key=key,
        model=RULE,
        method="create",
        params={"vals_list": [values]},
        lookup=Lookup(RULE, [("name", "=", spec.name), ("model_id", "=", spec.model_id)]),
        summary=f"automation rule {spec.name!r} on {spec.model}",
    )


def mend_rule(key: str, spec: RuleSpec, rule: FoundRule) -> list[Write]:
    """Writes that make an existing rule (and its first webhook action) what `spec` says."""
    writes = [
        Write(
            key=f"{key}:rule",
            model=RULE,
            method="write",
            ids=[rule.id],
            params={"vals": spec.rule_values()},
            summary=f"automation rule {spec.name!r}: trigger, filter, active",
        )
    ]
    writes.append(
        Write(
            key=f"{key}:action",
            model=ACTION,
            method="write",
            ids=[rule.webhooks[0].id],
            params={"vals": spec.action_values()},
            summary=f"automation rule {spec.name!r}: its webhook's URL and fields",
        )
    )
    return writes
