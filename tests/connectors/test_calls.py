"""Named Odoo calls and their execute_kw form: the wire stays what it was before the client took
named parameters, and a positional call stored by an older sidecar is named back exactly."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.calls import MODEL_METHODS, POSITIONAL, execute_kw_args, named_args


@pytest.mark.parametrize(
    ("method", "ids", "params", "args", "kwargs"),
    [
        ("search", None, {"domain": [("a", "=", 1)], "limit": 5}, [[("a", "=", 1)]], {"limit": 5}),
        ("search_read", None, {"domain": [], "fields": ["x"]}, [[]], {"fields": ["x"]}),
        ("read", [1, 2], {"fields": ["name"], "load": ""}, [[1, 2], ["name"]], {"load": ""}),
        ("write", [3], {"vals": {"a": 1}, "context": {}}, [[3], {"a": 1}], {"context": {}}),
        ("create", None, {"vals_list": {"a": 1}}, [{"a": 1}], {}),
        ("unlink", [4], {}, [[4]], {}),
        ("message_post", [5], {"body": "hi"}, [[5]], {"body": "hi"}),
        ("check_access_rights", None, {"operation": "read", "raise_exception": False},
         ["read"], {"raise_exception": False}),
        ("fields_get", None, {"attributes": ["type"]}, [], {"attributes": ["type"]}),
        ("action_archive", [6], {}, [[6]], {}),
    ],
)  # fmt: skip
def test_named_calls_go_positionally_where_execute_kw_needs_it(
    method: str,
    ids: list[int] | None,
    params: dict[str, Any],
    args: list[Any],
    kwargs: dict[str, Any],
) -> None:
    assert execute_kw_args(method, ids, params) == (args, kwargs)
    assert named_args(method, args, kwargs) == (ids, params)


def test_a_missing_leading_parameter_stops_the_positional_ones() -> None:
    # `read` without fields: nothing after the ids may go by position.
    assert execute_kw_args("read", [1], {"load": ""}) == ([[1]], {"load": ""})


def test_a_stored_call_with_more_arguments_than_names_is_refused() -> None:
    with pytest.raises(ValueError, match="without a known name"):
        named_args("write", [[1], {"a": 1}, "surplus"], {})


def test_a_stored_single_id_becomes_a_list() -> None:
    assert named_args("action_grant_access", [7], {}) == ([7], {})


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)
_methods = st.sampled_from(sorted({*POSITIONAL, *MODEL_METHODS, "action_invite", "message_post"}))


_names = st.sampled_from(
    ["context", "limit", "body", "fields", "vals", "domain", "vals_list", "operation"]
)


@given(
    method=_methods,
    ids=st.lists(st.integers(min_value=1), min_size=1, max_size=4),
    params=st.dictionaries(_names, _values, max_size=4),
)
def test_named_to_positional_and_back_is_the_identity(
    method: str, ids: list[int], params: dict[str, Any]
) -> None:
    record_ids = None if method in MODEL_METHODS else ids
    args, kwargs = execute_kw_args(method, record_ids, params)
    assert named_args(method, args, kwargs) == (record_ids, params)
