"""`ojt-sidecar batches`: every batch, written in the config or made in Odoo, with its dates,
status, registered trainees and certificates. Reads the store only (no Odoo call)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from sidecar.cli.options import CONFIG_OPTION, load_or_exit
from sidecar.cli.output import table


@click.command()
@CONFIG_OPTION
@click.option("--program", "program_key", help="Only this program's batches (its key).")
@click.option("--all", "archived", is_flag=True, help="Archived batches too.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def batches(config_path: Path, program_key: str | None, archived: bool, as_json: bool) -> None:
    """List batches: dates, origin (config or odoo), status, registered, certified."""
    from sidecar.store.batch_queries import batch_rows
    from sidecar.store.bootstrap import open_store

    cfg = load_or_exit(config_path)
    if program_key is not None and program_key not in {p.key for p in cfg.programs}:
        known = ", ".join(p.key for p in cfg.programs)
        click.echo(f"error: no program {program_key!r} in the config (programs: {known})", err=True)
        sys.exit(2)
    store = open_store(cfg)
    try:
        with store.sessions() as session:
            rows = batch_rows(session, program_key, archived=archived)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps([row.to_json() for row in rows], indent=2))
        return
    if not rows:
        click.echo("no batches yet (programs[].batches in the config, or events tagged in Odoo)")
        return
    click.echo(
        table(
            [
                "program",
                "batch",
                "name",
                "start",
                "end",
                "from",
                "status",
                "registered",
                "certified",
            ],
            [
                (
                    r.program,
                    r.key,
                    r.name,
                    r.start,
                    r.end,
                    r.origin,
                    r.status,
                    r.registered,
                    r.certified,
                )
                for r in rows
            ],
        )
    )
