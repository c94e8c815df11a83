"""Property: the emulator's ``search`` agrees with a small reference evaluator written here.

The reference states Odoo 17's SQL semantics directly, one rule per operator (NULL handling
included), and shares no code with the emulator.
"""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sidecar.emulator import OdooEmulator

MODEL = "res.partner.category"
BASE = datetime(2026, 11, 22, 3, 35, 44)
NAMES = ["a", "ab", "Ab", "b_c", "a%b", "xyz", ""]
PATTERNS = ["a", "A", "b", "_", "%", "a_", "b%", "", "z", "a%b"]
STAMPS = [
    "2026-11-22",
    "2026-11-22 03:35:44",
    "2026-11-22 03:35:45",
    "2026-11-22 03:35:46",
    "2026-11-21",
    "2026-11-22T03:35:45",
    "2026-11-22 03:35:44.500000",
]


# ---------- the reference evaluator -------------------------------------------------------------
def like(text: str, pattern: str, fold: bool) -> bool:
    """SQL LIKE by plain recursion: % = any run, _ = one character."""
    if fold:
        text, pattern = text.lower(), pattern.lower()
    if not pattern:
        return not text
    head, rest = pattern[0], pattern[1:]
    if head == "%":
        return any(like(text[i:], rest, False) for i in range(len(text) + 1))
    if not text:
        return False
    return (head == "_" or head == text[0]) and like(text[1:], rest, False)


def as_datetime(value: str, op: str) -> datetime:
    if len(value) == 10:
        value += " 23:59:59" if op in (">", "<=") else " 00:00:00"
    value = value.replace("T", " ")
    fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in value else "%Y-%m-%d %H:%M:%S"
    return datetime.strptime(value, fmt)


def leaf_holds(rows: dict[int, dict], row: dict, leaf: tuple) -> bool:
    path, op, value = leaf
    if "." in path:
        first, rest = path.split(".", 1)
        parent = rows.get(row[first]) if row[first] is not None else None
        return parent is not None and leaf_holds(rows, parent, (rest, op, value))
    x = row[path]
    if path == "active":
        if op in ("=", "!="):
            return (bool(x) == bool(value)) == (op == "=")
        values = {bool(v) for v in value}
        return (bool(x) in values) == (op == "in")
    if path == "write_date" and value is not False and not isinstance(value, list):
        value = as_datetime(value, op)
    if op in ("like", "ilike", "=like", "=ilike", "not like", "not ilike"):
        negative = op.startswith("not")
        base = op.removeprefix("not ")
        if value in ("", False):
            return x is None if negative else True
        pattern = value if base.startswith("=") else f"%{value}%"
        if x is None:
            return negative
        return like(str(x), pattern, base.endswith("ilike")) != negative
    if op in ("in", "not in"):
        listed_null = any(v is False for v in value)  # not "False in value": 0 == False
        real = [v for v in value if v is not False]
        if x is None:
            return listed_null == (op == "in")
        return (x in real) == (op == "in")
    if value is False:
        if op == "=":
            return x is None
        if op == "!=":
            return x is not None
        return False
    if op == "=":
        return x is not None and x == value
    if op == "!=":
        return x is None or x != value
    if x is None:
        return False
    return {"<": x < value, "<=": x <= value, ">": x > value, ">=": x >= value}[op]


def holds(rows: dict[int, dict], row: dict, node: Any) -> bool:
    kind = node[0]
    if kind == "leaf":
        return leaf_holds(rows, row, node[1])
    if kind == "not":
        return not holds(rows, row, node[1])
    if kind == "and":
        return holds(rows, row, node[1]) and holds(rows, row, node[2])
    return holds(rows, row, node[1]) or holds(rows, row, node[2])


def to_prefix(node: Any) -> list:
    kind = node[0]
    if kind == "leaf":
        return [list(node[1])]
    if kind == "not":
        return ["!", *to_prefix(node[1])]
    return ["&" if kind == "and" else "|", *to_prefix(node[1]), *to_prefix(node[2])]


# ---------- strategies ------------------------------------------------------------------------
def leaves_for(prefix: str) -> st.SearchStrategy:
    comparisons = ["=", "!=", "<", "<=", ">", ">="]
    return st.one_of(
        st.tuples(
            st.just(prefix + "name"),
            st.sampled_from(
                ["=", "!=", "like", "ilike", "=like", "=ilike", "not like", "not ilike"]
            ),
            st.sampled_from([*PATTERNS, False]),
        ),
        st.tuples(
            st.just(prefix + "name"),
            st.sampled_from(["in", "not in"]),
            st.lists(st.sampled_from([*NAMES, False]), max_size=3),
        ),
        st.tuples(
            st.just(prefix + "color"),
            st.sampled_from(comparisons),
            st.one_of(st.integers(-1, 4), st.just(False)),
        ),
        st.tuples(
            st.just(prefix + "color"),
            st.sampled_from(["in", "not in"]),
            st.lists(st.one_of(st.integers(0, 3), st.just(False)), max_size=3),
        ),
        st.tuples(st.just(prefix + "active"), st.sampled_from(["=", "!="]), st.booleans()),
        st.tuples(
            st.just(prefix + "active"),
            st.sampled_from(["in", "not in"]),
            st.lists(st.booleans(), max_size=2),
        ),
        st.tuples(
            st.just(prefix + "write_date"), st.sampled_from(comparisons), st.sampled_from(STAMPS)
        ),
    )


LEAF = st.one_of(
    leaves_for(""),
    leaves_for("parent_id."),
    st.tuples(
        st.just("parent_id"),
        st.sampled_from(["=", "!="]),
        st.one_of(st.sampled_from([1, 2, 3, 4]), st.just(False)),
    ),
    st.tuples(
        st.just("parent_id"),
        st.sampled_from(["in", "not in"]),
        st.lists(st.one_of(st.integers(1, 6), st.just(False)), max_size=3),
    ),
).map(lambda leaf: ("leaf", leaf))

DOMAIN = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.tuples(st.just("not"), inner),
        st.tuples(st.sampled_from(["and", "or"]), inner, inner),
    ),
    max_leaves=6,
)

RECORD = st.fixed_dictionaries(
    {
        "name": st.sampled_from(NAMES),
        "color": st.one_of(st.integers(0, 3), st.none()),
        "active": st.booleans(),
        "parent": st.one_of(st.none(), st.integers(0, 5)),
        "stamp": st.integers(0, 3_000_000),  # microseconds after BASE
    }
)


@pytest.fixture(scope="module")
def emulator() -> Iterator[OdooEmulator]:
    with OdooEmulator(demo=False) as emu:
        yield emu


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=st.lists(RECORD, min_size=1, max_size=6),
    domains=st.lists(DOMAIN, min_size=1, max_size=2),
    active_test=st.booleans(),
)
def test_search_agrees_with_reference(
    emulator: OdooEmulator, records: list[dict], domains: list, active_test: bool
) -> None:
    env = emulator.env
    env.unlink(MODEL, env.search(MODEL, [], context={"active_test": False}))
    ids: list[int] = []
    for rec in records:
        with env.transaction(at=BASE + timedelta(microseconds=rec["stamp"])):
            vals = {
                "name": rec["name"],
                "color": False if rec["color"] is None else rec["color"],
                "active": rec["active"],
            }
            if rec["parent"] is not None and rec["parent"] < len(ids):
                vals["parent_id"] = ids[rec["parent"]]
            ids.append(env.create(MODEL, vals))
    rows = {}
    for row in emulator.store.tables[MODEL].rows.values():
        rows[row["id"]] = {
            "id": row["id"],
            "name": row.get("name"),
            "color": row.get("color"),
            "active": row.get("active"),
            "parent_id": row.get("parent_id"),
            "write_date": row["write_date"],
        }
    # several top-level terms are joined by an implicit '&'
    domain = [term for node in domains for term in to_prefix(node)]
    tree = domains[0]
    for node in domains[1:]:
        tree = ("and", tree, node)
    mentions_active = any(isinstance(t, list) and t[0] == "active" for t in domain)
    expected = sorted(
        rid
        for rid, row in rows.items()
        if holds(rows, row, tree) and (not active_test or mentions_active or row["active"])
    )
    models = xmlrpc.client.ServerProxy(f"{emulator.url}/xmlrpc/2/object")
    got = models.execute_kw(
        "ojt",
        2,
        "admin",
        MODEL,
        "search",
        [domain],
        {"order": "id", "context": {"active_test": active_test}},
    )
    assert got == expected, domain
