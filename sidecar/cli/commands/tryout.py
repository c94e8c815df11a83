"""`ojt-sidecar demo` and `ojt-sidecar emulator`: the product on the built-in Odoo emulator."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import click

# The Odoo versions the built-in emulator speaks (19.0 and later also serve JSON-2).
ODOO_VERSION_OPTION = click.option(
    "--odoo-version",
    type=click.Choice(["16.0", "17.0", "18.0", "19.0", "20.0"]),
    default="17.0",
    show_default=True,
    help="The Odoo version the emulator speaks (19.0 and 20.0 also serve JSON-2).",
)


WEEK_SECONDS = 7 * 24 * 3600


def _finite(value: float | None) -> float | None:
    # click's range lets nan through: every comparison with it is false.
    if value is not None and math.isnan(value):
        raise click.BadParameter("must be a number of seconds from 1 to 604800, not nan")
    return value


@click.command()
@click.option(
    "--dir",
    "workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default="demo-run",
    show_default=True,
    help="Where the demo writes its config and data.",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=1, max=WEEK_SECONDS),
    callback=lambda _ctx, _param, value: _finite(value),
    metavar="SECONDS",
    help="Stop after this many seconds. Default: run until Ctrl-C (activity lasts a minute).",
)
@click.option(
    "--keep-running", is_flag=True, help="Run until Ctrl-C (the default without --duration)."
)
@ODOO_VERSION_OPTION
def demo(workdir: Path, duration: float | None, keep_running: bool, odoo_version: str) -> None:
    """The product on the built-in Odoo emulator: seeded data, the service on fast schedules, a
    minute of trainee activity and a live summary; exit 0 once certificates were issued."""
    from sidecar.cli.demo.runner import run_demo

    if keep_running and duration is not None:
        raise click.UsageError("--keep-running and --duration exclude each other")
    sys.exit(run_demo(workdir, duration=duration, echo=click.echo, version=odoo_version))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8069, show_default=True, type=click.IntRange(0, 65535))
@click.option("--no-demo", is_flag=True, help="Start empty (admin user and company only).")
@ODOO_VERSION_OPTION
def emulator(host: str, port: int, no_demo: bool, odoo_version: str) -> None:
    """Serve the built-in Odoo emulator (for trying the sidecar without an Odoo)."""
    from sidecar.cli.demo.runner import serve_emulator

    serve_emulator(host, port, demo=not no_demo, version=odoo_version, echo=click.echo)
