"""Odoo domain checks: prefix notation, leaves, operators."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sidecar.config.domains import domain_findings

LEAF = ["email_from", "!=", False]


@pytest.mark.parametrize(
    "domain",
    [
        [],
        [LEAF],
        [LEAF, LEAF],
        ["&", LEAF, LEAF],
        ["|", LEAF, "!", LEAF],
        ["!", LEAF],
        [(1, "=", 1)],
        [["job_id", "any", [["name", "ilike", "dev"]]]],
        ["|", "|", LEAF, LEAF, LEAF],
    ],
)
def test_well_formed_domains_have_no_findings(domain: list[Any]) -> None:
    assert list(domain_findings(domain)) == []


def test_operator_without_enough_terms_is_found() -> None:
    assert [loc for loc, _ in domain_findings(["&", LEAF])] == [()]


def test_leaf_with_two_parts_is_found() -> None:
    assert list(domain_findings([["email_from", "!="]])) == [
        ((0,), "must be a [field, operator, value] condition with 3 parts (got 2)")
    ]


def test_leaf_field_must_be_a_name() -> None:
    assert [loc for loc, _ in domain_findings([[None, "=", 1]])] == [(0, 0)]


def test_unknown_logical_operator_is_found() -> None:
    assert [loc for loc, _ in domain_findings(["^", LEAF, LEAF])] == [(0,)]


def test_sub_domain_of_any_is_checked() -> None:
    found = list(domain_findings([["job_id", "any", [["name", "like!", "x"]]]]))
    assert [loc for loc, _ in found] == [(0, 2, 0, 1)]


def _terms(depth: int) -> st.SearchStrategy[list[Any]]:
    leaf = st.just([LEAF])
    if depth == 0:
        return leaf
    sub = _terms(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(st.sampled_from(["&", "|"]), sub, sub).map(lambda t: [t[0], *t[1], *t[2]]),
        sub.map(lambda t: ["!", *t]),
    )


@given(st.lists(_terms(3), min_size=1, max_size=4))
def test_any_composition_of_well_formed_terms_is_well_formed(terms: list[list[Any]]) -> None:
    domain = [token for term in terms for token in term]
    assert list(domain_findings(domain)) == []


@given(_terms(3))
def test_dropping_the_last_leaf_of_an_operator_term_is_found(term: list[Any]) -> None:
    if term[0] not in ("&", "|", "!"):
        return
    assert list(domain_findings(term[:-1]))
