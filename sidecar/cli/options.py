"""What several commands share: the --config option, and loading the config with every problem
reported and exit 2. Here rather than in the click app so that command modules use them without
importing the app back."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

from sidecar.config import Config, ConfigError, load_config
from sidecar.config.addresses import host_problem
from sidecar.config.fieldtypes import MAX_ODOO_ID

# Digits only (no `1_000`, no `٣`), and few enough for int() (Python refuses over 4300).
_WHOLE = re.compile(r"[+-]?[0-9]{1,4000}")


class OdooIdType(click.ParamType):
    """An Odoo record id: a whole number from 1 to 2^31-1, Odoo's `integer` column. A larger
    one names no record, and would overflow the store and XML-RPC far from where it was typed."""

    name = "id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            if not _WHOLE.fullmatch(text):
                shown = text if len(text) <= 40 else text[:39] + "…"
                self.fail(f"{shown!r} is not an Odoo id (a whole number like 42)", param, ctx)
            number = int(text)
        if not 1 <= number <= MAX_ODOO_ID:
            self.fail(f"an Odoo id is from 1 to {MAX_ODOO_ID} (got {text_of(number)})", param, ctx)
        return number


def text_of(number: int) -> str:
    """A number as the operator typed it, unless it is too long to read."""
    digits = len(str(abs(number)))
    return str(number) if digits <= 20 else f"a number of {digits} digits"


class HostType(click.ParamType):
    """A host name or an IP address to listen on, checked as the config checks its own."""

    name = "host"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        problem = host_problem(text)
        if problem is not None:
            self.fail(f"{problem}, like 127.0.0.1 or 0.0.0.0 (got {text[:60]!r})", param, ctx)
        return text


class FilePath(click.Path):
    """click.Path that refuses a NUL byte in one sentence (click's own check would raise)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if "\0" in str(value):
            self.fail("a file path cannot contain a NUL byte", param, ctx)
        return super().convert(value, param, ctx)


ODOO_ID = OdooIdType()
HOST = HostType()

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
    type=FilePath(dir_okay=False, path_type=Path),
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
