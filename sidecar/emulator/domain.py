"""Odoo domains compiled to a Python predicate over stored rows, once per query.

Semantics follow what Odoo 17 generates in SQL (odoo/osv/expression.py), including PostgreSQL's
NULL rules: ``!=``/``not in``/``not like`` also match empty values, comparisons never do, and
``= False`` means "is empty". Datetime literals are parsed like PostgreSQL does, and a date-only
literal gets ``23:59:59`` for ``>``/``<=`` and ``00:00:00`` otherwise, as Odoo appends it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from . import properties
from .errors import value_error
from .values import parse_pg_date, parse_pg_timestamp, whole_second_leaf

if TYPE_CHECKING:
    from .orm import Env

Row = dict[str, Any]
Predicate = Callable[[Row], bool]

OPERATORS = {
    "=",
    "!=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "not in",
    "like",
    "ilike",
    "=like",
    "=ilike",
    "not like",
    "not ilike",
    "child_of",
    "parent_of",
    "=?",
}
TRUE_LEAF = (1, "=", 1)
FALSE_LEAF = (0, "=", 1)
_RELATIONAL = ("many2one", "one2many", "many2many")


def _true(row: Row) -> bool:
    return True


def _false(row: Row) -> bool:
    return False


def parse(domain: Iterable[Any]) -> tuple:
    """Prefix notation to a tree: ('and'|'or', [children]), ('not', child), ('leaf', leaf)."""
    items = list(domain or [])
    pos = 0

    def expr() -> tuple:
        nonlocal pos
        if pos >= len(items):
            raise value_error(f"Invalid domain {items!r}")
        item = items[pos]
        pos += 1
        if item == "&" or item == "|":
            left, right = expr(), expr()
            return ("and" if item == "&" else "or", [left, right])
        if item == "!":
            return ("not", expr())
        if isinstance(item, (list, tuple)) and len(item) == 3:
            return ("leaf", tuple(item))
        if item is True or item is False:
            return ("leaf", TRUE_LEAF if item else FALSE_LEAF)
        raise value_error(f"Invalid leaf {item!r}")

    nodes = []
    while pos < len(items):
        nodes.append(expr())
    return ("and", nodes)


def leaves(tree: tuple) -> Iterable[tuple]:
    kind = tree[0]
    if kind == "leaf":
        yield tree[1]
    elif kind == "not":
        yield from leaves(tree[1])
    else:
        for child in tree[1]:
            yield from leaves(child)


def compile_domain(env: Env, model: str, domain: Any) -> Predicate:
    return _compile(env, model, parse(domain))


def _compile(env: Env, model: str, tree: tuple) -> Predicate:
    kind = tree[0]
    if kind == "leaf":
        return compile_leaf(env, model, tree[1])
    if kind == "not":
        inner = _compile(env, model, tree[1])
        return lambda row: not inner(row)
    parts = [_compile(env, model, child) for child in tree[1]]
    parts = [p for p in parts if p is not (_true if kind == "and" else _false)]
    if not parts:
        return _true if kind == "and" else _false
    if len(parts) == 1:
        return parts[0]
    if kind == "and":
        return lambda row: all(p(row) for p in parts)
    return lambda row: any(p(row) for p in parts)


def like_regex(pattern: str, case_insensitive: bool) -> re.Pattern[str]:
    out = []
    for ch in pattern:
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    flags = re.S | (re.I if case_insensitive else 0)
    return re.compile("^" + "".join(out) + "$", flags)


def compile_leaf(env: Env, model: str, leaf: tuple) -> Predicate:
    path, op, value = leaf
    if leaf == TRUE_LEAF:
        return _true
    if leaf == FALSE_LEAF:
        return _false
    if not isinstance(path, str) or op not in OPERATORS:
        raise value_error(f"Invalid leaf {leaf!r}")
    if op == "<>":
        op = "!="
    if op == "=?":
        if value is None or value is False:
            return _true
        op = "="
    spec = env.spec(model)
    fname, _, rest = path.partition(".")
    fdef = spec.fields.get(fname)
    if fdef is None:
        if env.version.major >= 19:
            raise value_error(f"Invalid field {model}.{fname} in condition {tuple(leaf)!r}")
        raise value_error(f"Invalid field {model}.{fname} in leaf {leaf!r}")
    ftype = fdef["type"]
    if rest and ftype == "properties":
        return _property_leaf(env, model, fname, rest, op, value)
    if rest:
        if ftype not in _RELATIONAL:
            raise value_error(f"Invalid field {model}.{path} in leaf {leaf!r}")
        matched = env.matching_ids(fdef["relation"], [(rest, op, value)])
        return _relational_in(env, model, fname, ftype, matched, match_empty=False)
    if op in ("child_of", "parent_of"):
        ids = env.hierarchy_ids(model, value, op)
        return (
            _id_in(env, model, fname, ftype, ids)
            if fname == "id"
            else _relational_in(env, model, fname, ftype, ids, match_empty=False)
        )
    if ftype in _RELATIONAL:
        return _relational_leaf(env, model, fname, fdef, op, value)
    get = env.getter(model, fname)
    if ftype == "datetime" and env.version.whole_second_datetimes:
        return whole_second_leaf(get, op, value)
    return _scalar_leaf(get, ftype, op, value)


def _property_leaf(env: Env, model: str, fname: str, prop: str, op: str, value: Any) -> Predicate:
    """``<field>.<property>``: compared like a column of the property's type (17.0+)."""
    if env.version.major == 16:
        raise properties.no_search_16()
    get = properties.value_getter(properties.lookup(env, model, fname), prop)
    sample = value[0] if isinstance(value, (list, tuple)) and value else value
    return _scalar_leaf(get, properties.scalar_type(sample), op, value)


def _id_in(env: Env, model: str, fname: str, ftype: str, ids: set[int]) -> Predicate:
    return lambda row: row["id"] in ids


def _relational_in(
    env: Env, model: str, fname: str, ftype: str, ids: set[int], match_empty: bool
) -> Predicate:
    get = env.getter(model, fname)
    if ftype == "many2one":

        def m2o(row: Row) -> bool:
            v = get(row)
            return match_empty if v is None else v in ids

        return m2o
    return lambda row: any(i in ids for i in get(row)) or (match_empty and not get(row))


def _as_id_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _relational_leaf(
    env: Env, model: str, fname: str, fdef: dict, op: str, value: Any
) -> Predicate:
    ftype = fdef["type"]
    comodel = fdef["relation"]
    get = env.getter(model, fname)
    if op in ("like", "ilike", "=like", "=ilike", "not like", "not ilike") or (
        isinstance(value, str) and op in ("=", "!=")
    ):
        # A name search on the comodel, as Odoo does for relational fields and text values.
        positive = {"not like": "like", "not ilike": "ilike", "!=": "="}.get(op, op)
        matched = env.name_matching_ids(comodel, positive, value)
        pred = _relational_in(env, model, fname, ftype, matched, match_empty=False)
        if positive != op:
            return lambda row: not pred(row)
        return pred
    if op in ("=", "!=", "in", "not in"):
        values = _as_id_list(value) if op in ("in", "not in") else [value]
        wanted = {v for v in values if v is not False and v is not None}
        has_null = any(v is False or v is None for v in values)
        negative = op in ("!=", "not in")
        if ftype == "many2one":

            def m2o(row: Row) -> bool:
                v = get(row)
                if v is None:
                    # "!= x" and "not in [...]" match empty values unless False was listed
                    return has_null != negative
                return (v in wanted) != negative

            return m2o

        def x2m(row: Row) -> bool:
            ids = get(row)
            hit = any(i in wanted for i in ids) or (has_null and not ids)
            return not hit if negative else hit

        return x2m
    # <, > on a many2one compare the stored id
    return _scalar_leaf(get, "integer", op, value)


def _coerce(ftype: str, op: str, value: Any) -> Any:
    if value is False or value is None:
        return None
    if ftype == "datetime":
        if isinstance(value, str) and len(value) == 10:
            value += " 23:59:59" if op in (">", "<=") else " 00:00:00"
        return parse_pg_timestamp(value)
    if ftype == "date":
        return parse_pg_date(value)
    if ftype == "boolean":
        return bool(value)
    if ftype in ("integer", "many2one_reference"):
        return int(value)
    if ftype in ("float", "monetary"):
        return float(value)
    return value


def _scalar_leaf(get: Callable[[Row], Any], ftype: str, op: str, value: Any) -> Predicate:
    if op in ("like", "ilike", "=like", "=ilike", "not like", "not ilike"):
        return _like_leaf(get, op, value)
    if op in ("in", "not in"):
        values = _as_id_list(value)
        wanted = {_coerce(ftype, "=", v) for v in values if v is not False and v is not None}
        has_null = any(v is False or v is None for v in values)
        if ftype == "boolean":
            # booleans are never NULL here: False in the list means False
            if has_null:
                wanted.add(False)
            if op == "in":
                return lambda row: bool(get(row)) in wanted
            return lambda row: bool(get(row)) not in wanted
        if op == "in":
            return lambda row: (
                ((v := get(row)) is None and has_null) or (v is not None and v in wanted)
            )
        return lambda row: (
            ((v := get(row)) is None and not has_null) or (v is not None and v not in wanted)
        )
    if ftype == "boolean" and op in ("=", "!="):
        target = bool(value) if op == "=" else not bool(value)
        return lambda row: bool(get(row)) is target
    right = _coerce(ftype, op, value)
    if right is None:
        if op == "=":
            return lambda row: get(row) is None
        if op == "!=":
            return lambda row: get(row) is not None
        return _false
    if op == "=":
        return lambda row: get(row) == right
    if op == "!=":
        return lambda row: (v := get(row)) is None or v != right
    if op == "<":
        return lambda row: (v := get(row)) is not None and v < right
    if op == "<=":
        return lambda row: (v := get(row)) is not None and v <= right
    if op == ">":
        return lambda row: (v := get(row)) is not None and v > right
    if op == ">=":
        return lambda row: (v := get(row)) is not None and v >= right
    raise value_error(f"Invalid operator {op!r}")


def _like_leaf(get: Callable[[Row], Any], op: str, value: Any) -> Predicate:
    negative = op.startswith("not ")
    base = op[4:] if negative else op
    if value is False or value is None or value == "":
        # Odoo matches everything (NULL included) for an empty pattern.
        if negative:
            return lambda row: get(row) is None
        return _true
    pattern = str(value) if base.startswith("=") else f"%{value}%"
    rx = like_regex(pattern, case_insensitive=base.endswith("ilike"))

    def text(v: Any) -> str:
        return v if isinstance(v, str) else str(v)

    if negative:
        return lambda row: (v := get(row)) is None or not rx.match(text(v))
    return lambda row: (v := get(row)) is not None and bool(rx.match(text(v)))
