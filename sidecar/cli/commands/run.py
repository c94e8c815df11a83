"""`ojt-sidecar run`: the jobs on their schedules and the verify site, until SIGTERM/SIGINT.

`--once` runs every job once, in order (enroll, sync, issue, deliver, reconcile when due), and
exits: for cron users and tests. Exit codes: 0 done or stopped on a signal, 1 a job failed
(`--once`) or the site's port is taken, 2 bad config.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from sidecar.cli.options import CONFIG_OPTION, load_or_exit
from sidecar.config import Config


@click.command("run")
@CONFIG_OPTION
@click.option("--no-web", is_flag=True, help="Do not serve the verification site.")
@click.option("--once", is_flag=True, help="Run every job once, in order, then exit.")
def run_command(config_path: Path, no_web: bool, once: bool) -> None:
    """Run the service: enroll, sync, issue, deliver and reconcile on their schedules, with the
    verification site (unless --no-web). SIGTERM or Ctrl-C stops it cleanly."""
    cfg = load_or_exit(config_path)
    _configure_logging(cfg)
    if once:
        sys.exit(run_once(cfg, echo=click.echo))
    sys.exit(run_service(cfg, web=not no_web))


def run_service(cfg: Config, *, web: bool) -> int:
    from jobs.service.runner import ServiceRunner
    from jobs.service.web import PortInUse

    runner = ServiceRunner(cfg, web=web)
    if web and cfg.verify_site.one_core:
        from sidecar.cores import keep_on_one_core

        core = keep_on_one_core()
        if core is not None:
            logging.getLogger(__name__).info("kept on core %s (verify_site.one_core)", core)
    try:
        code = runner.run_forever()
    except PortInUse as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    if not runner.clean_stop:
        # A job stuck in an Odoo call past the shutdown timeout: its run is marked interrupted
        # and its work is safe to redo (as after kill -9); do not wait for it at exit.
        logging.shutdown()
        os._exit(code)
    return code


def run_once(cfg: Config, *, echo: Callable[[str], None] = click.echo) -> int:
    from jobs.service.runner import ServiceRunner

    runner = ServiceRunner(cfg, web=False)
    outcomes = runner.run_once()
    failed = 0
    for job, outcome in outcomes:
        if outcome is None:
            echo(f"{job}: skipped, another replica is running it")
        elif outcome.error is not None:
            failed += 1
            echo(f"{job}: failed: {outcome.error}")
        else:
            echo(f"{job}: {outcome.status}: {outcome.summary}")
    return 1 if failed else 0


def _configure_logging(cfg: Config) -> None:
    """The service logs at the config's level (INFO by default) unless -v asked for DEBUG, in
    the shape given by --log-format, else by the config's `logging.format`."""
    from sidecar.cli.logs import setup

    ctx = click.get_current_context()
    parent = ctx.parent
    params = parent.params if parent is not None else {}
    level = "DEBUG" if params.get("verbose") else cfg.logging.level
    fmt = params.get("log_format") or cfg.logging.format
    source = parent.get_parameter_source("log_format") if parent is not None else None
    if source is None or source.name == "DEFAULT":
        fmt = cfg.logging.format
    setup(level, "json" if fmt == "json" else "text")
