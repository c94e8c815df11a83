"""The `sync` section: the overlap window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sidecar.config import Config, ConfigError

BASE = {
    "odoo": {
        "url": "http://127.0.0.1:8069",
        "database": "ojt",
        "username": "admin",
        "password": "admin",
    },
    "programs": [{"key": "a", "name": "A", "courses": [{"course": 1}]}],
}


def test_overlap_defaults_to_five_minutes() -> None:
    assert Config.model_validate(BASE).sync.overlap == timedelta(minutes=5)


def test_overlap_takes_a_duration() -> None:
    cfg = Config.model_validate({**BASE, "sync": {"overlap": "2m"}})
    assert cfg.sync.overlap == timedelta(minutes=2)


def test_unknown_sync_key_is_an_error() -> None:
    with pytest.raises((ConfigError, ValueError), match="overlapp"):
        Config.model_validate({**BASE, "sync": {"overlapp": "2m"}})


def test_jsonrpc_with_a_url_path_is_refused_at_the_transport_key() -> None:
    odoo = {**BASE["odoo"], "url": "http://127.0.0.1:8069/erp", "transport": "jsonrpc"}
    with pytest.raises((ConfigError, ValueError), match="under a path"):
        Config.model_validate({**BASE, "odoo": odoo})
