"""Model methods callable over RPC: the generic ORM ones and dispatch to behaviour methods.

Arguments are bound like Python would bind them to Odoo's method signature, so positional forms
(``search_read([domain, fields, offset, limit, order])``) and keyword forms both work, and a
wrong argument is a ``TypeError`` fault as on a real server.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from . import access
from .errors import AccessError, OdooError, attribute_error, type_error, value_error
from .hooks import Hooks, MethodFn
from .orm import Env, as_ids
from .versions import Profile


@dataclass
class RecordSet:
    """What a method returns when Odoo would hand back a recordset (not marshallable)."""

    model: str
    ids: list[int]


# Private methods that exist on a real server (16.0 and 18.0 refuse those with an AccessError,
# and report other ``_names`` as missing methods); 16.0 still has ``_read`` and ``_get_name``.
EXISTING_PRIVATE = {"_compute_display_name", "_search", "_create", "_write", "_read_group"}
EXISTING_PRIVATE_16 = {"_read", "_get_name"}
MODEL_PRIVATE = {"slide.channel": {"_action_add_members", "_remove_membership"}}
# public in 17.0, ``@api.private`` from 19.0 on
PRIVATE_FROM_19 = {"exists", "browse", "check_access"}


def _private_exists(env: Env, model: str, method: str) -> bool:
    if method in EXISTING_PRIVATE or method in MODEL_PRIVATE.get(model, set()):
        return True
    return env.version.major == 16 and method in EXISTING_PRIVATE_16


def check_public(env: Env, model: str, method: str) -> None:
    """Refuse private methods the way this version does (AccessError, or a missing method)."""
    profile = env.version
    private = method.startswith("_") or (profile.major >= 19 and method in PRIVATE_FROM_19)
    if not private:
        return
    if not profile.dotted_method_names:
        raise AccessError(f"Private methods (such as {method}) cannot be called remotely.")
    if profile.every_underscore_private or _private_exists(env, model, method):
        raise AccessError(
            f"Private methods (such as '{model}.{method}') cannot be called remotely."
        )
    raise missing_method(env, model, method)


def missing_method(env: Env, model: str, method: str) -> OdooError:
    if env.version.dotted_method_names:
        return attribute_error(f"The method '{model}.{method}' does not exist")
    return attribute_error(f"The method '{method}' does not exist on the model '{model}'")


def call(env: Env, model: str, method: str, args: list | tuple, kwargs: dict | None) -> Any:
    """Run ``model.method(*args, **kwargs)`` exactly as ``execute_kw`` would."""
    check_public(env, model, method)
    env.spec(model)
    kwargs = dict(kwargs or {})
    context = kwargs.pop("context", None)
    if isinstance(context, dict):
        env = env.with_context(**context)
    fn = find_method(env, model, method)
    if fn is None:
        raise missing_method(env, model, method)
    try:
        bound = inspect.signature(fn).bind(env, model, *args, **kwargs)
    except TypeError as exc:
        raise type_error(f"{method}() {exc}") from None
    return fn(*bound.args, **bound.kwargs)


def find_method(env: Env, model: str, method: str) -> Any:
    hooks = env.store.hooks
    fn = hooks.methods.get((model, method))
    if fn is not None:
        return fn
    fn = hooks.methods.get(("*", method))
    spec = env.spec(model)
    if method in ("action_archive", "action_unarchive", "toggle_active") and not spec.has_active:
        # 16.0 defines the archive buttons on every model; without ``active`` they fail
        return _no_active_field if env.version.major == 16 and method != "toggle_active" else None
    if method == "message_post" and not spec.has_chatter:
        return None
    return fn


# -- the ORM methods of every model ---------------------------------------------------------------
# Parameter names and defaults are Odoo's: ``call`` binds the RPC arguments to these signatures.


def create(env: Env, model: str, vals_list: Any) -> Any:
    return env.create(model, vals_list)


def write(env: Env, model: str, ids: Any, vals: dict) -> bool:
    return env.write(model, as_ids(ids), vals)


def unlink(env: Env, model: str, ids: Any) -> bool:
    return env.unlink(model, as_ids(ids))


def read(env: Env, model: str, ids: Any, fields: Any = None, load: Any = "_classic_read") -> list:
    return env.read(model, as_ids(ids), fields or None, _load(load))


def _load(load: Any) -> str:
    """An explicit null ``load`` (JSON) reads many2one fields as bare ids, as ``''`` does."""
    return "" if load is None else load


def search(
    env: Env,
    model: str,
    domain: Any = None,
    offset: int = 0,
    limit: Any = None,
    order: Any = None,
) -> list:
    return env.search(model, domain, offset, limit, order)


def search_count(env: Env, model: str, domain: Any = None, limit: Any = None) -> int:
    n = env.search(model, domain, count=True)
    return min(n, limit) if limit else n


def search_read(
    env: Env,
    model: str,
    domain: Any = None,
    fields: Any = None,
    offset: int = 0,
    limit: Any = None,
    order: Any = None,
    load: Any = "_classic_read",
) -> list:
    ids = env.search(model, domain, offset, limit, order)
    if not ids:
        return []
    return env.read(model, ids, fields or None, _load(load))


def fields_get(env: Env, model: str, allfields: Any = None, attributes: Any = None) -> dict:
    spec = env.spec(model)
    names = [f for f in spec.fields if not allfields or f in allfields]
    result = {}
    for name in names:
        fdef = spec.fields[name]
        if attributes:
            result[name] = {a: fdef[a] for a in attributes if a in fdef}
        else:
            result[name] = dict(fdef)
    return result


def exists(env: Env, model: str, ids: Any) -> list:
    rows = env.rows(model)
    return [i for i in as_ids(ids) if i in rows]


def browse(env: Env, model: str, ids: Any = None) -> RecordSet:
    return RecordSet(model, as_ids(ids))


def check_access_rights(env: Env, model: str, operation: str, raise_exception: bool = True) -> bool:
    if operation not in ("read", "write", "create", "unlink"):
        raise value_error(f"Invalid access mode {operation!r}")
    if access.allowed(env, model, operation):
        return True
    if raise_exception:
        access.check_model(env, model, operation)
    return False


def name_search(
    env: Env,
    model: str,
    name: str = "",
    args: Any = None,
    operator: str = "ilike",
    limit: int = 100,
) -> list:
    ids = env.search(model, args or [], limit=None)
    if name:
        wanted = env.name_matching_ids(model, operator, name)
        ids = [i for i in ids if i in wanted]
    ids = ids[:limit] if limit else ids
    return [[i, env.display_name(model, i)] for i in ids]


def name_get(env: Env, model: str, ids: Any) -> list:
    rows = env.rows(model)
    return [[i, env.display_name(model, i)] for i in as_ids(ids) if i in rows]


def default_get(env: Env, model: str, fields_list: Any) -> dict:
    spec = env.spec(model)
    result = {}
    for fname in fields_list:
        if fname in spec.defaults:
            d = spec.defaults[fname]
            result[fname] = d(env) if callable(d) else d
    return result


def action_archive(env: Env, model: str, ids: Any) -> None:
    env.write(model, as_ids(ids), {"active": False})


def action_unarchive(env: Env, model: str, ids: Any) -> None:
    env.write(model, as_ids(ids), {"active": True})


def toggle_active(env: Env, model: str, ids: Any) -> None:
    for rid in as_ids(ids):
        row = env.row(model, rid)
        env.write(model, [rid], {"active": not (row or {}).get("active")})


# registered for the model "*" (``find_method`` hides the archive ones from models without active)
GENERIC_METHODS: dict[str, MethodFn] = {
    "create": create,
    "write": write,
    "unlink": unlink,
    "read": read,
    "search": search,
    "search_count": search_count,
    "search_read": search_read,
    "fields_get": fields_get,
    "exists": exists,
    "browse": browse,
    "check_access_rights": check_access_rights,
    "name_search": name_search,
    "name_get": name_get,
    "default_get": default_get,
    "action_archive": action_archive,
    "action_unarchive": action_unarchive,
    "toggle_active": toggle_active,
}


def _no_active_field(env: Env, model: str, ids: Any) -> None:
    raise type_error("tuple indices must be integers or slices, not NoneType")


def has_access(env: Env, model: str, ids: Any, operation: str) -> bool:
    """18.0+: whether the user may do ``operation`` on the model (and these records)."""
    return access.allowed(env, model, operation)


def check_access(env: Env, model: str, ids: Any, operation: str) -> None:
    """18.0: ``has_access`` that raises the AccessError instead (private from 19.0)."""
    access.check_model(env, model, operation)


def register(hooks: Hooks, profile: Profile) -> None:
    for name, fn in GENERIC_METHODS.items():
        hooks.method("*", name)(fn)
    if profile.major >= 20:
        del hooks.methods[("*", "check_access_rights")]  # removed; has_access replaces it
    if profile.has_access_methods:
        hooks.method("*", "has_access")(has_access)
        hooks.method("*", "check_access")(check_access)


def ensure_one(model: str, ids: Any) -> int:
    ids = as_ids(ids)
    if len(ids) != 1:
        shown = ", ".join(str(i) for i in ids) + ("," if len(ids) == 1 else "")
        raise value_error(f"Expected singleton: {model}({shown})")
    return ids[0]


__all__ = ["OdooError", "RecordSet", "call", "ensure_one", "register"]
