"""What several commands share: the --config option, and loading the config with every problem
reported and exit 2. Here rather than in the click app so that command modules use them without
importing the app back."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sidecar.config import Config, ConfigError, load_config

# For commands that deliver to Odoo or write the mirrors: the service's leases are theirs too.
WAIT_OPTION = click.option(
    "--wait",
    is_flag=True,
    help="If the service (or another command) holds this job's leases, wait for them "
    "instead of stopping.",
)
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


def load_or_exit(path: Path) -> Config:
    """The config at `path`, or every problem printed with the file name and exit 2."""
    try:
        return load_config(path)
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"{path}: {problem}", err=True)
        count = len(exc.problems)
        click.echo(f"{path}: {count} problem{'s' if count != 1 else ''} found", err=True)
        sys.exit(2)
