"""Options several commands share; here rather than in `sidecar.cli` so that command modules
registered by the CLI can use them without importing it back."""

from __future__ import annotations

from pathlib import Path

import click

CONFIG_OPTION = click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default="config.yaml",
    show_default=True,
    envvar="OJT_SIDECAR_CONFIG",
    show_envvar=True,
    help="The operator's YAML config file.",
)
