"""Odoo method calls by name, and their positional form for `execute_kw`.

The client speaks every method with named parameters (`domain=`, `fields=`, `vals=`, …) and the
record ids apart (`ids=`, absent for a model method such as `search` or `create`). That is the
shape of JSON-2 (Odoo 19+). XML-RPC and JSON-RPC's `execute_kw` take positional arguments, and
the leading parameters of a few methods were renamed across versions (`args` became `domain`),
so those go by position there: the one table below decides which.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# Methods called on the model, not on records: no `ids`.
MODEL_METHODS = frozenset(
    {
        "check_access_rights",
        "create",
        "default_get",
        "fields_get",
        "name_create",
        "name_search",
        "read_group",
        "search",
        "search_count",
        "search_read",
    }
)

# Leading parameters sent by position over execute_kw, in order, after the ids.
POSITIONAL: Mapping[str, tuple[str, ...]] = {
    "check_access_rights": ("operation",),
    "create": ("vals_list",),
    "has_access": ("operation",),
    "read": ("fields",),
    "search": ("domain",),
    "search_count": ("domain",),
    "search_read": ("domain",),
    "write": ("vals",),
}


def execute_kw_args(
    method: str, ids: Sequence[Any] | None, params: Mapping[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """`(args, kwargs)` for `execute_kw(db, uid, secret, model, method, args, kwargs)`."""
    args: list[Any] = [] if ids is None else [list(ids)]
    kwargs = dict(params)
    for name in POSITIONAL.get(method, ()):
        if name not in kwargs:
            break  # the rest cannot go by position without this one
        args.append(kwargs.pop(name))
    return args, kwargs


def named_args(
    method: str, args: Sequence[Any], kwargs: Mapping[str, Any]
) -> tuple[list[Any] | None, dict[str, Any]]:
    """`(ids, params)` of a call written positionally (outbox rows stored before the client took
    named parameters). Raises ValueError for arguments the table cannot name."""
    rest = list(args)
    ids: list[Any] | None = None
    if method not in MODEL_METHODS and rest:
        first = rest.pop(0)
        ids = list(first) if isinstance(first, list | tuple) else [first]
    names = POSITIONAL.get(method, ())
    if len(rest) > len(names):
        raise ValueError(f"{method}: {len(rest)} positional argument(s) without a known name")
    params = dict(kwargs)
    params.update(zip(names, rest, strict=False))
    return ids, params
