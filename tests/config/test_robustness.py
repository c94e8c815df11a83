"""Whatever the file holds, load_config returns a Config or raises ConfigError: no traceback."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sidecar.config import Config, ConfigError, load_config
from tests.config.samples import MINIMAL

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.dates(),
    st.sampled_from(["${X}", "${X:-1}", "$$", "${", "5m", "#ABCDEF", "http://h", "{program}"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), inner, max_size=3),
    ),
    max_leaves=8,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, item in data.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found += _paths(item, (*prefix, index))
    return found


def _load(data: Any) -> Config | ConfigError:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        try:
            return load_config(path, environ={"X": "7"})
        except ConfigError as exc:
            assert exc.problems and all(p.message for p in exc.problems)
            return exc


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.data())
def test_any_single_replacement_loads_or_reports(data: st.DataObject) -> None:
    config = copy.deepcopy(MINIMAL)
    target = data.draw(st.sampled_from(_paths(config)[1:]))
    parent: Any = config
    for part in target[:-1]:
        parent = parent[part]
    parent[target[-1]] = data.draw(values)
    _load(config)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(values)
def test_any_document_loads_or_reports(document: Any) -> None:
    _load(document)


@settings(deadline=None)
@given(st.text(max_size=200))
def test_any_text_loads_or_reports(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_config(path, environ={})
        except ConfigError as exc:
            assert exc.problems
