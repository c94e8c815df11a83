"""Searching, ordering and reading: the read side of the emulated ORM (mixed into ``Env``)."""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from . import access, properties
from .domain import compile_domain, leaves, like_regex, parse
from .errors import UserError, value_error
from .values import format_date, format_datetime

if TYPE_CHECKING:
    from .orm import Env
    from .registry import ModelSpec
    from .store import Store

Row = dict[str, Any]

# odoo/models.py regex_order (17.0)
_ORDER_RE = re.compile(
    r"^(\s*([a-z0-9:_]+|\"[a-z0-9:_]+\")(\.id)?(\s+(desc|asc))?"
    r"(\s+(nulls first|nulls last))?\s*(,|$))+(?<!,)$",
    re.I,
)
# 17.0+: ``<properties field>.<property>`` may be ordered on too
_ORDER_RE_PROPS = re.compile(
    r"^(\s*([a-z0-9:_]+|\"[a-z0-9:_]+\")(\.[a-z0-9_]+)?(\s+(desc|asc))?"
    r"(\s+(nulls first|nulls last))?\s*(,|$))+(?<!,)$",
    re.I,
)
_ORDER_MSG = (
    'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated list '
    "of valid field names (optionally followed by asc/desc for the direction)"
)
_EMPTY_READ = {
    "boolean": False,
    "integer": 0,
    "float": 0.0,
    "monetary": 0.0,
    "many2one_reference": 0,
    "one2many": [],
    "many2many": [],
}
_TEXT_TYPES = ("char", "text", "html", "selection")
# res.users delegates these to its partner (_inherits)
_INHERITS = {"res.users": ("res.partner", "partner_id")}


class QueryMixin:
    """search / read / ordering helpers; ``self`` is always an ``Env`` (the only class that mixes
    this in), so ``cast("Env", self)`` is safe where an ``Env`` is handed on."""

    if TYPE_CHECKING:
        # provided by Env (orm.py)
        store: Store

        @property
        def active_test(self) -> bool: ...
        def spec(self, model: str) -> ModelSpec: ...
        def rows(self, model: str) -> dict[int, Row]: ...
        def row(self, model: str, rid: int | None) -> Row | None: ...
        def is_stored(self, model: str, fname: str) -> bool: ...
        def inverse_of(self, model: str, fname: str) -> str | None: ...
        def with_context(self, **ctx: Any) -> Env: ...

    # -- field access -------------------------------------------------------------------------
    def getter(self, model: str, fname: str) -> Callable[[Row], Any]:
        """A function row -> stored/computed value (x2many as a list of ids, m2o as id|None)."""
        spec = self.spec(model)
        fdef = spec.fields[fname]
        compute = self.store.hooks.computes[model].get(fname)
        if compute is not None:
            env = cast("Env", self)
            return lambda row: compute(env, row)
        if fname == "display_name":
            return lambda row: self.display_name(model, row["id"])
        ftype = fdef["type"]
        if ftype == "one2many":
            index: dict[int, list[int]] | None = None

            def children(row: Row) -> list[int]:
                nonlocal index
                if index is None:
                    index = self.o2m_index(model, fname)
                return index.get(row["id"], [])

            return children
        if self.is_stored(model, fname):
            if ftype == "many2many":
                return lambda row: row.get(fname) or []
            return lambda row: row.get(fname)
        parent = _INHERITS.get(model)
        if parent and fname in self.spec(parent[0]).fields:
            prow = self.rows(parent[0])
            pget = self.getter(parent[0], fname)
            return lambda row: pget(prow[row[parent[1]]]) if row.get(parent[1]) in prow else None
        empty: list[int] | None = [] if ftype in ("one2many", "many2many") else None
        return lambda row: empty

    def o2m_index(self, model: str, fname: str) -> dict[int, list[int]]:
        comodel = self.spec(model).fields[fname]["relation"]
        inverse = self.inverse_of(model, fname)
        if inverse is None or comodel not in self.store.tables:
            return {}
        env = cast("Env", self)
        rows = [
            r
            for r in self.rows(comodel).values()
            if r.get(inverse) is not None and access.visible(env, comodel, r)
        ]
        if self.active_test and self.spec(comodel).has_active:
            rows = [r for r in rows if r.get("active")]
        rows = self.sort_rows(comodel, rows, self.spec(comodel).order)
        index: dict[int, list[int]] = defaultdict(list)
        for r in rows:
            index[r[inverse]].append(r["id"])
        return index

    def get(self, model: str, rid: int | None, fname: str) -> Any:
        row = self.row(model, rid)
        return None if row is None else self.getter(model, fname)(row)

    def display_name(self, model: str, rid: int | None) -> str:
        if model not in self.store.tables:
            return ""  # a model the emulator does not keep (20.0's hr.employee recruiters)
        row = self.row(model, rid)
        if row is None:
            return ""
        fn = self.store.hooks.display.get(model)
        if fn is not None:
            return fn(cast("Env", self), row)
        rec_name = self.spec(model).rec_name
        if rec_name is None:
            return f"{model},{rid}"
        value = self.getter(model, rec_name)(row)
        if self.spec(model).fields[rec_name]["type"] == "many2one":
            return self.display_name(self.spec(model).fields[rec_name]["relation"], value)
        return value or ""

    # -- domain support ------------------------------------------------------------------------
    def matching_ids(self, model: str, domain: list) -> set[int]:
        sub = self.with_context(active_test=False)
        pred = compile_domain(sub, model, domain)
        return {rid for rid, row in self.rows(model).items() if pred(row)}

    def name_matching_ids(self, model: str, op: str, value: Any) -> set[int]:
        if model not in self.store.tables:
            return set()
        if op == "=":
            return {rid for rid in self.rows(model) if self.display_name(model, rid) == value}
        base = op
        pattern = str(value) if base.startswith("=") else f"%{value}%"
        rx = like_regex(pattern, case_insensitive=base.endswith("ilike"))
        return {rid for rid in self.rows(model) if rx.match(self.display_name(model, rid))}

    def hierarchy_ids(self, model: str, value: Any, op: str) -> set[int]:
        ids = set(value if isinstance(value, (list, tuple)) else [value])
        parent = "parent_id" if "parent_id" in self.spec(model).fields else None
        if parent is None:
            return ids
        rows = self.rows(model)
        result = set(ids)
        if op == "child_of":
            changed = True
            while changed:
                new = {r["id"] for r in rows.values() if r.get(parent) in result} - result
                changed = bool(new)
                result |= new
        else:
            todo = list(ids)
            while todo:
                row = rows.get(todo.pop())
                if row and row.get(parent) and row[parent] not in result:
                    result.add(row[parent])
                    todo.append(row[parent])
        return result

    # -- search ---------------------------------------------------------------------------------
    def search(
        self,
        model: str,
        domain: Any = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        count: bool = False,
    ) -> Any:
        env = cast("Env", self)
        spec = self.spec(model)
        access.check_model(env, model, "read")
        domain = list(domain or [])
        tree = parse(domain)
        if (
            spec.has_active
            and self.active_test
            and not any(leaf[0] == "active" for leaf in leaves(tree))
        ):
            domain = [("active", "=", True), *domain]
        domain = access.restrict_domain(env, model, domain)
        pred = compile_domain(env, model, domain)
        rows = self.rows(model)
        candidates = _id_candidates(self.store.tables[model].sorted_ids(), parse(domain))
        order_terms = self.parse_order(model, order) if order else None
        if order_terms is None and not count:
            order_terms = self.parse_order(model, spec.order)
        offset = int(offset or 0)
        limit = int(limit) if limit else None
        if count or order_terms in ([("id", False)], None):
            # rows already come in id order: stop as soon as the page is full
            wanted = None if count or limit is None else offset + limit
            found: list[int] = []
            for rid in candidates:
                if pred(rows[rid]):
                    found.append(rid)
                    if wanted is not None and len(found) >= wanted:
                        break
            if count:
                return len(found)
            return found[offset : offset + limit if limit else None]
        matched = [rows[rid] for rid in candidates if pred(rows[rid])]
        page = self.sort_rows(model, matched, order_terms, offset + limit if limit else None)
        return [r["id"] for r in page[offset : offset + limit if limit else None]]

    def parse_order(self, model: str, order: str) -> list[tuple[str, bool]]:
        spec = self.spec(model)
        props = self.store.profile.major >= 17 and _ORDER_RE_PROPS.match(order)
        if not _ORDER_RE.match(order) and not props:
            raise UserError(_ORDER_MSG.format(order=order))
        terms = []
        for part in order.split(","):
            words = part.strip().split()
            fname, _, sub = words[0].strip('"').partition(".")
            if fname not in spec.fields:
                raise value_error(f"Invalid field {fname!r} on model {model!r}")
            if sub and sub != "id":
                if spec.fields[fname]["type"] != "properties":
                    raise UserError(_ORDER_MSG.format(order=order))
                fname = f"{fname}.{sub}"
            desc = len(words) > 1 and words[1].lower() == "desc"
            terms.append((fname, desc))
        return terms

    def sort_rows(
        self, model: str, rows: list[Row], order: Any, top: int | None = None
    ) -> list[Row]:
        terms = self.parse_order(model, order) if isinstance(order, str) else order
        keys = [(self._sort_key(model, f), desc) for f, desc in terms]
        if len({desc for _, desc in keys}) <= 1:
            desc = keys[0][1] if keys else False

            def key(row: Row) -> tuple:
                return tuple(k(row) for k, _ in keys)

            if top is not None and top < len(rows) // 4:
                pick = heapq.nlargest if desc else heapq.nsmallest
                return pick(top, rows, key=key)
            return sorted(rows, key=key, reverse=desc)
        result = list(rows)
        for k, desc in reversed(keys):
            result.sort(key=k, reverse=desc)
        return result

    def _sort_key(self, model: str, fname: str) -> Callable[[Row], tuple]:
        if "." in fname:
            field, _, prop = fname.partition(".")
            env = cast("Env", self)
            pget = properties.value_getter(properties.lookup(env, model, field), prop)
            return lambda row: (True, "") if (v := pget(row)) is None else (False, v)
        fdef = self.spec(model).fields[fname]
        get = self.getter(model, fname)
        if fdef["type"] == "many2one":
            comodel = fdef["relation"]

            def m2o_key(row: Row) -> tuple:
                v = get(row)
                return (
                    (True, "") if v is None else (False, self.display_name(comodel, v).casefold())
                )

            return m2o_key
        if fdef["type"] in _TEXT_TYPES:
            return lambda row: (True, "") if (v := get(row)) is None else (False, str(v).casefold())
        if fdef["type"] in ("one2many", "many2many"):
            return lambda row: (False, len(get(row)))
        if fdef["type"] == "boolean":
            return lambda row: (False, bool(get(row)))
        # PostgreSQL puts NULL last ascending and first descending: "larger than anything"
        return lambda row: (True, 0) if (v := get(row)) is None else (False, v)

    # -- read -------------------------------------------------------------------------------------
    def read(
        self, model: str, ids: list[int], fields: list[str] | None = None, load: Any = None
    ) -> list[dict]:
        env = cast("Env", self)
        spec = self.spec(model)
        access.check_model(env, model, "read")
        fields = list(fields or [])
        for fname in fields:
            if fname not in spec.fields:
                where = "on" if env.version.major >= 19 else "on model"
                raise value_error(f"Invalid field {fname!r} {where} {model!r}")
        if not fields:
            fields = list(spec.fields)
        if "id" not in fields:
            fields.insert(0, "id")
        rows = self.rows(model)
        present = [rid for rid in ids if rid in rows]
        access.check_records(env, model, present, "read")
        classic = load is None or load == "_classic_read"
        converters = [(f, self._reader(model, f, classic)) for f in fields]
        return [{f: conv(rows[rid]) for f, conv in converters} for rid in present]

    def _reader(self, model: str, fname: str, classic: bool) -> Callable[[Row], Any]:
        fdef = self.spec(model).fields[fname]
        ftype = fdef["type"]
        get = self.getter(model, fname)
        if ftype == "many2one":
            comodel = fdef["relation"]
            known = comodel in self.store.tables
            target_rows = self.rows(comodel) if known else {}

            def m2o(row: Row) -> Any:
                v = get(row)
                if v is None or (known and v not in target_rows):
                    return False
                return [v, self.display_name(comodel, v)] if classic else v

            return m2o
        if ftype == "datetime":
            return lambda row: format_datetime(get(row))
        if ftype == "date":
            return lambda row: format_date(get(row))
        if ftype in ("one2many", "many2many"):
            return lambda row: list(get(row) or [])
        if ftype == "boolean":
            return lambda row: bool(get(row))
        if ftype in ("integer", "many2one_reference"):
            return lambda row: v if (v := get(row)) is not None else 0
        if ftype in ("float", "monetary"):
            return lambda row: float(v) if (v := get(row)) is not None else 0.0
        empty = _EMPTY_READ.get(ftype, False)
        return lambda row: v if (v := get(row)) is not None else empty


def _id_candidates(sorted_ids: list[int], tree: tuple) -> list[int]:
    """Narrow the rows to scan using top-level ``id`` leaves (a primary-key lookup in Odoo)."""
    if tree[0] != "and":
        return sorted_ids
    lo, hi = 0, len(sorted_ids)
    subset: set[int] | None = None
    for child in tree[1]:
        if child[0] != "leaf":
            continue
        path, op, value = child[1]
        if path != "id":
            continue
        if op in (">", ">=", "<", "<=") and isinstance(value, int) and not isinstance(value, bool):
            if op == ">":
                lo = max(lo, bisect_right(sorted_ids, value))
            elif op == ">=":
                lo = max(lo, bisect_left(sorted_ids, value))
            elif op == "<":
                hi = min(hi, bisect_left(sorted_ids, value))
            else:
                hi = min(hi, bisect_right(sorted_ids, value))
        elif op == "=" and isinstance(value, int) and not isinstance(value, bool):
            subset = {value} if subset is None else subset & {value}
        elif op == "in" and isinstance(value, (list, tuple)):
            ints = {v for v in value if isinstance(v, int) and not isinstance(v, bool)}
            subset = ints if subset is None else subset & ints
    if subset is not None:
        window = set(sorted_ids[lo:hi]) if (lo, hi) != (0, len(sorted_ids)) else None
        pool = sorted(i for i in subset if window is None or i in window)
        present = set(sorted_ids) if window is None and len(pool) > 64 else None
        if present is not None:
            return [i for i in pool if i in present]
        return [i for i in pool if _contains(sorted_ids, i)]
    return sorted_ids[lo:hi]


def _contains(sorted_ids: list[int], value: int) -> bool:
    i = bisect_left(sorted_ids, value)
    return i < len(sorted_ids) and sorted_ids[i] == value
