"""Odoo's ``Properties`` fields: a definition (a list of dicts) kept on a parent record, and
values kept on each child, read back as the definition with a ``value`` key per property.

As recorded on real servers: a write replaces every value, values are not
validated (a bad selection key reads back False, unknown names are dropped), and the list form
with ``definition_changed`` rewrites the parent's definition. 17.0+ search and order on
``<field>.<property>``; 16.0 cannot, and stores a value for every property at write time (a
property added later reads as None, which XML-RPC cannot marshal). 19.0 leaves the ``value`` key
out for a property that has no value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import PyError, attribute_error, type_error, value_error

TYPES_16 = (
    "boolean",
    "integer",
    "float",
    "char",
    "date",
    "datetime",
    "many2one",
    "many2many",
    "selection",
    "tags",
)
TYPES_17 = (*TYPES_16, "separator")
TYPES_19 = (*TYPES_17, "text", "html", "monetary")
KEYS_16 = ("name", "string", "type", "comodel", "default", "selection", "tags", "domain")
KEYS_17 = (*KEYS_16, "view_in_cards")
KEYS_19 = (*KEYS_17, "suffix", "fold_by_default", "currency_field")
# the keys a property is read back with first, in this order
_HEAD = ("name", "type", "string")

Row = dict[str, Any]


def _allowed(major: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if major == 16:
        return TYPES_16, (*KEYS_16, "view_in_kanban")
    if major >= 19:
        return TYPES_19, KEYS_19
    return TYPES_17, KEYS_17


def _check_one(major: int, prop: Any) -> dict:
    types, keys = _allowed(major)
    if not isinstance(prop, dict):
        raise value_error(f"Wrong property definition {prop!r}")
    extra = [k for k in prop if k not in keys]
    if extra:
        raise value_error(
            f"Some key are not allowed for a properties definition [{', '.join(extra)}]."
        )
    if "name" not in prop:
        if major == 16:
            raise value_error("Some key are missing for a properties definition [name].")
        raise PyError("KeyError", "'name'")
    name = prop["name"]
    if major >= 17 and (not isinstance(name, str) or not name.isidentifier()):
        raise value_error(f"Wrong property field value name {name!r}.")
    if prop.get("type") not in types:
        raise value_error(f"Wrong property type {prop.get('type')!r}.")
    shaped = {k: prop[k] for k in _HEAD if k in prop}
    shaped.update({k: v for k, v in prop.items() if k not in _HEAD})
    if shaped["type"] == "selection" and major >= 17:
        shaped.setdefault("selection", [])
    return shaped


def definition(major: int, value: Any) -> list[dict]:
    """A definition as the server stores it, or the fault it answers for a bad one."""
    if value is False or value is None:
        return []
    if not isinstance(value, list):
        error = type_error if major >= 19 else value_error
        raise error(f"Wrong properties definition type {type(value)!r}")
    return [_check_one(major, prop) for prop in value]


def split_list_form(value: Any) -> tuple[dict, list[dict] | None]:
    """A written value: the dict form, or the list form read returns (values, and the new
    definition when a property carries ``definition_changed``)."""
    if isinstance(value, dict):
        return dict(value), None
    if not isinstance(value, list):
        return {}, None
    values = {
        p["name"]: p.get("value", False) for p in value if isinstance(p, dict) and "name" in p
    }
    changed = any(isinstance(p, dict) and p.get("definition_changed") for p in value)
    if not changed:
        return values, None
    new_def = [
        {k: v for k, v in p.items() if k not in ("value", "definition_changed")}
        for p in value
        if isinstance(p, dict)
    ]
    return values, new_def


def stored_values(major: int, definition_: list[dict], values: dict) -> dict:
    """What a write stores: only the defined names; 16.0 also stores False for the others."""
    names = [p["name"] for p in definition_]
    kept = {n: values[n] for n in names if n in values}
    if major == 16:
        return {n: kept.get(n, False) for n in names}
    return kept


def _shown(prop: dict, value: Any) -> Any:
    if prop.get("type") == "selection" and value not in [o[0] for o in prop.get("selection") or []]:
        return False
    return value


def read_value(major: int, definition_: list[dict], values: dict | None) -> list[dict]:
    """The definition, each property with its value: None where nothing was stored (16.0; and
    17.0-18.0 for a record that never stored any), False for another missing one (17.0-18.0);
    19.0 leaves the key out."""
    stored, values = values, values or {}
    result = []
    for prop in definition_:
        item = dict(prop)
        name = prop["name"]
        if name in values:
            item["value"] = _shown(prop, values[name])
        elif major == 16 or (major < 19 and stored is None):
            # 16.0: a property defined after the record was last written; 17.0 and 18.0: a
            # record that never stored values (made before its parent had a definition). None,
            # which XML-RPC cannot marshal (recorded on real 16.0 and 17.0).
            item["value"] = None
        elif major < 19:
            item["value"] = False
        result.append(item)
    return result


# -- searching and ordering (17.0+) --------------------------------------------------------------

PropGetter = Callable[[Row], tuple[list[dict] | None, Any]]

# (model, properties field) -> (its many2one to the parent, the parent model, definition field)
PARENTS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("project.task", "task_properties"): (
        "project_id",
        "project.project",
        "task_properties_definition",
    ),
    ("hr.applicant", "applicant_properties"): (
        "job_id",
        "hr.job",
        "applicant_properties_definition",
    ),
}


def lookup(env: Any, model: str, fname: str) -> PropGetter:
    """row -> (the parent's definition or None, the row's stored values)."""
    link, parent_model, def_field = PARENTS[(model, fname)]
    parents = env.rows(parent_model)

    def get(row: Row) -> tuple[list[dict] | None, Any]:
        parent = parents.get(row.get(link))
        if parent is None:
            return None, None
        return parent.get(def_field) or [], row.get(fname)

    return get


def no_search_16() -> PyError:
    return attribute_error("'Properties' object has no attribute 'auto_join'")


def _coerce(ptype: str, value: Any) -> Any:
    if value is None or value is False:
        return None
    if ptype in ("integer", "float"):
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    if ptype == "boolean":
        return bool(value)
    return value if isinstance(value, str) else str(value)


def value_getter(lookup: PropGetter, prop: str) -> Callable[[Row], Any]:
    """row -> the property's value as it compares in SQL (None when empty or not defined)."""

    def get(row: Row) -> Any:
        definition_, values = lookup(row)
        if definition_ is None:
            return None
        found = next((p for p in definition_ if p["name"] == prop), None)
        if found is None or not values or prop not in values:
            return None
        value = _shown(found, values[prop])
        if found.get("type") == "boolean":
            return bool(value)
        return _coerce(found.get("type", "char"), value)

    return get


def scalar_type(value: Any) -> str:
    """The field type a domain value compares as."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "float"
    return "char"
