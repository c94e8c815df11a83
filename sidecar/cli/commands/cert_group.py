"""`ojt-sidecar cert …`: issued certificates from the operator's seat (the bodies are in
`certs.py` and `cert_export.py`), and the one way their failures become a sentence."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import click

from sidecar.cli.commands import cert_export
from sidecar.cli.options import CONFIG_OPTION, WAIT_OPTION, load_or_exit


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def certs_call(fn: Callable[[], int | None]) -> None:
    from sidecar.certificates.signing import KeyFileError
    from sidecar.cli.commands.certs import Conflict, UsageProblem

    try:
        code = fn()
    except UsageProblem as exc:
        fail(str(exc), 2)
    except Conflict as exc:
        fail(str(exc))
    except KeyFileError as exc:
        fail(str(exc))
    if code:
        sys.exit(code)


@click.group()
def cert() -> None:
    """Issued certificates: list, show, revoke, re-issue, renew, export."""


JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")


@cert.command("list")
@CONFIG_OPTION
@click.option("--program", "program_key", help="Only this program (key or name).")
@JSON_OPTION
def cert_list(config_path: Path, program_key: str | None, as_json: bool) -> None:
    """Every certificate with its status."""
    from sidecar.cli.commands.certs import cert_list as list_

    cfg = load_or_exit(config_path)
    certs_call(lambda: list_(cfg, program=program_key, as_json=as_json, echo=click.echo))


@cert.command("show")
@CONFIG_OPTION
@click.argument("serial")
@JSON_OPTION
def cert_show(config_path: Path, serial: str, as_json: bool) -> None:
    """One certificate, its status and its delivery through Odoo."""
    from sidecar.cli.commands.certs import cert_show as show

    cfg = load_or_exit(config_path)
    certs_call(lambda: show(cfg, serial, as_json=as_json, echo=click.echo))


@cert.command("revoke")
@CONFIG_OPTION
@click.argument("serial")
@click.option("--reason", required=True, help="Why; shown on the verification page.")
def cert_revoke(config_path: Path, serial: str, reason: str) -> None:
    """Revoke a certificate: its page says so at once."""
    from sidecar.cli.commands.certs import cert_revoke as revoke

    cfg = load_or_exit(config_path)
    certs_call(lambda: revoke(cfg, serial, reason=reason, echo=click.echo))


@cert.command("reissue")
@CONFIG_OPTION
@click.argument("serial")
@WAIT_OPTION
def cert_reissue(config_path: Path, serial: str, wait: bool) -> None:
    """Issue a new certificate from current figures; the old one shows as superseded."""
    from sidecar.cli.commands.certs import cert_reissue as reissue

    cfg = load_or_exit(config_path)
    certs_call(lambda: reissue(cfg, serial, wait=wait, echo=click.echo))


@cert.command("renew")
@CONFIG_OPTION
@click.argument("serial")
@WAIT_OPTION
def cert_renew(config_path: Path, serial: str, wait: bool) -> None:
    """Renew a certificate by hand: a new serial and expiry, whatever the program's rule."""
    from sidecar.cli.commands.certs import cert_reissue as reissue

    cfg = load_or_exit(config_path)
    certs_call(lambda: reissue(cfg, serial, wait=wait, echo=click.echo, renew=True))


cert.add_command(cert_export.export)
