"""Configs that would exhaust memory, time or the stack get one sentence and exit 2: a YAML
"billion laughs", an alias that contains itself, nesting no config needs, a huge file, and
`-c /dev/zero`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from sidecar.cli import main
from sidecar.config import ConfigError, load_config

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
)

BROKEN = {
    "billion laughs": (LAUGHS, "more than 20,000 values once its YAML aliases are expanded"),
    "alias inside itself": ("odoo: &loop\n  again: *loop\n", "alias that contains itself"),
    "deep nesting": ("odoo: " + "[" * 600 + "]" * 600 + "\n", "nested far deeper"),
    "nesting beyond any config": (
        "odoo: " + "[" * 60 + "]" * 60 + "\n",
        "more than 40 levels deep",
    ),
    "huge file": ("# padding\n" * 120_000, "larger than 1 MiB: that is not a config file"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_config_that_would_exhaust_the_loader_is_one_sentence(tmp_path: Path, name: str) -> None:
    text, said = BROKEN[name]
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert said in str(caught.value)
    result = CliRunner().invoke(main, ["check-config", "-c", str(path)])
    assert result.exit_code == 2, result.output
    assert said in result.stderr and "Traceback" not in result.output + result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_is_not_a_config() -> None:
    result = CliRunner().invoke(main, ["check-config", "-c", "/dev/zero"])
    assert result.exit_code == 2
    assert "/dev/zero is larger than 1 MiB: that is not a config file" in result.stderr


EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.yaml"


@pytest.mark.parametrize(
    ("every", "said"),
    [
        ("99999999999d", "must be at most 365 days (got '99999999999d')"),
        (".inf", "must be a duration like 30s, 5m, 2h or 1d, or a number of seconds (got inf)"),
        (".nan", "must be a duration like 30s, 5m, 2h or 1d, or a number of seconds (got nan)"),
    ],
)
def test_a_schedule_beyond_any_use_is_named(tmp_path: Path, every: str, said: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "  issue: {every: 15m}", f"  issue: {{every: {every}}}", 1
    )
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check-config", "-c", str(path)])
    assert result.exit_code == 2, result.output
    assert f"schedules.issue.every: {said}" in result.stderr
    assert "Traceback" not in result.output + result.stderr
