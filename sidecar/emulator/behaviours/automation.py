"""Automation rules (``base.automation``, the Automation Rules app) and their server actions
(``ir.actions.server``), as recorded on real 16.0 to 19.0 servers (docs/webhooks.md):
what `ojt-sidecar hooks install` creates and `hooks check` reads. The rules' POSTs themselves
are ``webhooks``'s business.

- 16.0 has no ``webhook`` action state: creating one is refused (Fault 1 ``ValueError``).
- 17.0 and 18.0 rename an action made inside a rule to its state's label ("Send Webhook
  Notification"); 19.0 keeps the name given.
- An action must be on its rule's model (Fault 2, worded per version).
- ``ir.model.fields`` lists every field of every model, so a rule can name the fields it sends.
"""

from __future__ import annotations

from typing import Any

from ..errors import UserError, ValidationError
from ..hooks import Hooks
from ..orm import Env
from ..registry import ModelSpec
from ..store import Store
from ..versions import Profile
from ..webhooks import Webhooks

RULE = "base.automation"
ACTION = "ir.actions.server"
FIELDS = "ir.model.fields"

_STATES_16 = [
    ["code", "Execute Python Code"],
    ["object_create", "Create a new Record"],
    ["object_write", "Update the Record"],
    ["multi", "Execute several actions"],
    ["mail_post", "Send Email"],
    ["followers", "Add Followers"],
    ["next_activity", "Create Next Activity"],
    ["sms", "Send SMS Text Message"],
]
_STATES_17 = [
    ["object_write", "Update Record"],
    ["object_create", "Create Record"],
    ["next_activity", "Create Activity"],
    ["mail_post", "Send Email"],
    ["sms", "Send SMS"],
    ["followers", "Add Followers"],
    ["remove_followers", "Remove Followers"],
    ["code", "Execute Code"],
    ["webhook", "Send Webhook Notification"],
    ["multi", "Execute Existing Actions"],
]
_STATES_19 = [
    *_STATES_17[:2],
    ["object_copy", "Duplicate Record"],
    *_STATES_17[2:9],
    ["multi", "Multi Actions"],
]


def states(profile: Profile) -> list[list[str]]:
    if profile.major < 17:
        return _STATES_16
    return _STATES_17 if profile.major < 19 else _STATES_19


def adapt_specs(specs: dict[str, ModelSpec], profile: Profile) -> None:
    """The action types this version offers."""
    spec = specs.get(ACTION)
    if spec is not None:
        spec.fields["state"]["selection"] = states(profile)


def load_field_catalogue(store: Store) -> None:
    """One ``ir.model.fields`` row per field of every model, as Odoo's registry keeps them.
    Inserted directly: the catalogue is large and is not business data."""
    table = store.tables.get(FIELDS)
    if table is None:
        return
    model_ids = {row["model"]: rid for rid, row in store.tables["ir.model"].rows.items()}
    rid = 0
    for name, spec in store.specs.items():
        for fname, fdef in spec.fields.items():
            rid += 1
            row: dict[str, Any] = dict.fromkeys(table.spec.fields)
            row.update(
                id=rid,
                name=fname,
                model=name,
                model_id=model_ids.get(name),
                field_description=fdef.get("string") or fname,
                ttype=fdef["type"],
                relation=fdef.get("relation"),
            )
            table.insert(row)


def _prepare_action(env: Env, vals: dict[str, Any]) -> None:
    rule_id = vals.get("base_automation_id")
    if not rule_id:
        return
    rule = env.row(RULE, int(rule_id)) or {}
    if vals.get("model_id") and rule.get("model_id") != vals["model_id"]:
        name, rule_name = vals.get("name"), rule.get("name")
        if env.version.major < 19:
            raise UserError(
                f"Model of action {name} should match the one from automated rule {rule_name}."
            )
        raise ValidationError(f"Target model of actions {name} are different from rule model.")
    vals["usage"] = "base_automation"
    if env.version.major < 19 and vals.get("state"):
        vals["name"] = dict(states(env.version)).get(vals["state"], vals.get("name"))


def _model_name(env: Env, row: dict[str, Any]) -> Any:
    return env.get("ir.model", row.get("model_id"), "model") if row.get("model_id") else False


def _watch(env: Env, ids: list[int]) -> None:
    """Rules post from now on: the emulator starts watching changes for them."""
    if env.store.webhooks is None:
        env.store.webhooks = Webhooks(env.store)


def register(hooks: Hooks, profile: Profile) -> None:
    hooks.prepare[ACTION].append(_prepare_action)
    hooks.computes[ACTION]["model_name"] = _model_name
    hooks.computes[RULE]["model_name"] = _model_name
    if profile.major >= 17:
        hooks.after_create[RULE].append(_watch)
