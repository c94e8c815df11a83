"""Fixtures for config tests: write a config file to a temp dir and load it."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from sidecar.config import Config, ConfigError, ConfigProblem, load_config
from tests.config.samples import MINIMAL

Loader = Callable[..., Config]
Problems = Callable[..., list[ConfigProblem]]


@pytest.fixture
def minimal() -> dict[str, Any]:
    """A fresh copy of the smallest valid configuration, for a test to break."""
    return copy.deepcopy(MINIMAL)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[Any], Path]:
    """Write data (dumped as YAML) or text to config.yaml in a temp dir; return its path."""

    def _write(content: Any) -> Path:
        path = tmp_path / "config.yaml"
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def load(write: Callable[[Any], Path]) -> Loader:
    """Load data or text as a config file (empty environment unless given)."""

    def _load(content: Any, environ: Mapping[str, str] | None = None) -> Config:
        return load_config(write(content), environ={} if environ is None else environ)

    return _load


@pytest.fixture
def problems(write: Callable[[Any], Path]) -> Problems:
    """The problems reported for data or text; fails the test if it loads."""

    def _problems(content: Any, environ: Mapping[str, str] | None = None) -> list[ConfigProblem]:
        with pytest.raises(ConfigError) as caught:
            load_config(write(content), environ={} if environ is None else environ)
        return caught.value.problems

    return _problems


@pytest.fixture
def problem(problems: Problems) -> Callable[..., str]:
    """The single problem reported, as `path: message`; fails if there are more."""

    def _problem(content: Any, environ: Mapping[str, str] | None = None) -> str:
        found = problems(content, environ)
        assert len(found) == 1, [str(p) for p in found]
        return str(found[0])

    return _problem
