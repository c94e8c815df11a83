"""Check an Odoo domain (Polish prefix notation) before it is ever sent to Odoo."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from typing import Any

from sidecar.config.messages import describe
from sidecar.config.problems import Loc

# Term operators Odoo 16 to 19 accept in a leaf; `any`/`not any` take a sub-domain (17+).
TERM_OPERATORS = (
    "=",
    "!=",
    "<=",
    "<",
    ">",
    ">=",
    "=?",
    "=like",
    "=ilike",
    "like",
    "not like",
    "ilike",
    "not ilike",
    "in",
    "not in",
    "child_of",
    "parent_of",
    "any",
    "not any",
)
# How many terms each logical operator consumes.
ARITY = {"&": 2, "|": 2, "!": 1}


def domain_findings(
    domain: list[Any] | tuple[Any, ...], loc: Loc = ()
) -> Iterator[tuple[Loc, str]]:
    """Yield (location, message) for every malformed part of `domain`.

    Leaves are `[field, operator, value]`; `'&'`, `'|'` take two terms and `'!'` one; terms
    side by side are joined by an implicit `'&'`, as in Odoo.
    """
    expected = 1  # terms still owed to the operators seen so far (Odoo's normalize_domain)
    for index, token in enumerate(domain):
        if expected == 0:
            expected = 1  # implicit '&' between top-level terms
        if isinstance(token, str):
            if token not in ARITY:
                yield (
                    (*loc, index),
                    f"must be '&', '|', '!' or a [field, operator, value] condition "
                    f"(got {describe(token)})",
                )
                continue
            expected += ARITY[token] - 1
        elif isinstance(token, list | tuple):
            expected -= 1
            yield from _leaf_findings(token, (*loc, index))
        else:
            yield (
                (*loc, index),
                f"must be '&', '|', '!' or a [field, operator, value] condition "
                f"(got {describe(token)})",
            )
    if domain and expected > 0:
        yield (
            loc,
            f"is incomplete: its operators need {expected} more condition"
            f"{'s' if expected > 1 else ''} ('&' and '|' combine the next two, '!' the next one)",
        )


def _leaf_findings(leaf: list[Any] | tuple[Any, ...], loc: Loc) -> Iterator[tuple[Loc, str]]:
    if len(leaf) != 3:
        yield loc, f"must be a [field, operator, value] condition with 3 parts (got {len(leaf)})"
        return
    field, operator, value = leaf
    # Odoo's TRUE_LEAF (1, '=', 1) and FALSE_LEAF (0, '=', 1) use numbers for the field.
    if not (isinstance(field, str) and field.strip()) and field not in (0, 1):
        yield (*loc, 0), f"must be a field name like 'email_from' (got {describe(field)})"
    if operator not in TERM_OPERATORS:
        yield (
            (*loc, 1),
            f"unknown operator {describe(operator)}; use one of: {', '.join(TERM_OPERATORS)}",
        )
    elif operator in ("any", "not any") and isinstance(value, list | tuple):
        yield from domain_findings(value, (*loc, 2))
        return
    yield from _value_findings(value, (*loc, 2))


# What XML-RPC and JSON can carry to Odoo: XML-RPC refuses integers beyond 32 bits and
# objects such as dates, JSON refuses infinities; any of those would fail every enrollment run.
_INT_RANGE = range(-(2**31), 2**31)


def _value_findings(value: Any, loc: Loc) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            if isinstance(item, list | tuple):
                yield (*loc, index), f"must be a single value, not a list (got {describe(item)})"
            else:
                yield from _value_findings(item, (*loc, index))
        return
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int):
        if value not in _INT_RANGE:
            yield (
                loc,
                f"must be a number Odoo can take, from -2^31 to 2^31-1 (got {describe(value)})",
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield loc, f"must be a finite number (got {describe(value)})"
    elif isinstance(value, date):
        yield loc, f"must be text: write the date in quotes, like '{value.isoformat()}'"
    else:
        yield loc, f"must be text, a number, true, false or a list of them (got {describe(value)})"


def freeze_domain(domain: list[Any] | tuple[Any, ...]) -> tuple[Any, ...]:
    """The domain as nested tuples, so a frozen config cannot be changed through it."""
    return tuple(freeze_domain(t) if isinstance(t, list | tuple) else t for t in domain)
