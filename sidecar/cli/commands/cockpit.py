"""`ojt-sidecar app`: the cockpit web app on its own address (docs/cockpit.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sidecar.cli.options import CONFIG_OPTION, HOST, load_or_exit


@click.command("app")
@CONFIG_OPTION
@click.option("--host", type=HOST, help="Address to listen on (default: app.host).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: app.port).")
def app_command(config_path: Path, host: str | None, port: int | None) -> None:
    """Serve the cockpit: the web app for admins, mentors and trainees (waitress)."""
    from waitress import create_server

    from jobs.service.web import cockpit_app
    from sidecar.cockpit.app import CockpitNotConfigured
    from sidecar.store.bootstrap import open_store

    cfg = load_or_exit(config_path)
    store = open_store(cfg)
    try:
        wsgi = cockpit_app(cfg, store.sessions)
    except CockpitNotConfigured as exc:
        store.close()
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    host = host or cfg.app.host
    port = cfg.app.port if port is None else port
    try:
        server = create_server(wsgi, host=host, port=port, threads=8, ident="ojt-sidecar")
    except OSError as exc:
        store.close()
        click.echo(f"error: the cockpit cannot listen on {host}:{port}: {exc.strerror}", err=True)
        sys.exit(1)
    click.echo(f"cockpit: serving on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        store.close()
    click.echo("cockpit: stopped", err=True)
