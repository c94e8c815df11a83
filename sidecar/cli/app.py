"""The `ojt-sidecar` click app: the composition root, the only place that wires `jobs` and
`verify_site` together (each command imports what it needs when it runs).

Exit codes: 0 success, 1 a check or an Odoo call failed (or Ctrl-C: click's "Aborted!"), 2 bad
config or usage; `run` and `serve` stop cleanly on a signal with 0.
No traceback ever reaches the user: known failures become one plain sentence.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from sidecar import __version__
from sidecar.cli.commands import backup, batches, hooks, notify, scores, submit, tryout
from sidecar.cli.commands.cert_group import JSON_OPTION, cert
from sidecar.cli.commands.cert_group import certs_call as _certs_call
from sidecar.cli.options import CONFIG_OPTION, HOST, WAIT_OPTION, FilePath, load_or_exit
from sidecar.statuses import StudentStatus


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class _Group(click.Group):
    """Turns failures we understand into one plain sentence and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from alembic.util import CommandError
        from sqlalchemy.exc import SQLAlchemyError

        from connectors import OdooError
        from sidecar.store.bootstrap import StoreUnusable

        try:
            return super().invoke(ctx)
        except OdooError as exc:
            _fail(f"Odoo: {exc}")
        except StoreUnusable as exc:
            _fail(str(exc))
        except SQLAlchemyError as exc:
            _fail(f"the sidecar's store: {_first_line(exc)}")
        except CommandError as exc:  # e.g. a store written by a newer ojt-sidecar
            _fail(f"the sidecar's store cannot be migrated: {_first_line(exc)}")
        except OSError as exc:  # a folder that cannot be created, a full disk, no permission
            where = f" ({exc.filename})" if exc.filename else ""
            _fail(f"{exc.strerror or exc}{where}")


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="ojt-sidecar")
@click.option("-v", "--verbose", is_flag=True, help="Log every Odoo retry and step.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    envvar="OJT_SIDECAR_LOG_FORMAT",
    show_envvar=True,
    help="Log lines for people (text) or one JSON object per line for log collectors.",
)
@click.pass_context
def main(ctx: click.Context, verbose: bool, log_format: str) -> None:
    """ojt-sidecar: on-the-job training on a stock Odoo (eLearning, Recruitment, Events)."""
    from sidecar.cli.logs import setup

    if ctx.invoked_subcommand is None:  # a bare `ojt-sidecar` asks what there is: not an error
        click.echo(ctx.get_help())
        ctx.exit(0)

    setup("DEBUG" if verbose else "WARNING", "json" if log_format == "json" else "text")


@main.command("check-config")
@CONFIG_OPTION
def check_config(config_path: Path) -> None:
    """Validate a config file: every problem at once, each with its path."""
    from jobs.preflight import signing_key_finding
    from sidecar.config.messages import mask_credentials

    cfg = load_or_exit(config_path)
    programs = ", ".join(p.key for p in cfg.programs)
    # Masked whatever the setting: a password URL pasted as the database name shows as ***.
    click.echo(
        mask_credentials(
            f"{config_path}: valid — {len(cfg.programs)} program(s) ({programs}), "
            f"Odoo {cfg.odoo.url} database {cfg.odoo.database!r}, store {cfg.store.display_url}"
        )
    )
    key = signing_key_finding(cfg)
    if key.level != "ok":  # the config is valid; the key is state it names, so a warning
        warning = key.text.removeprefix("signing key: ")
        click.echo(mask_credentials(f"{config_path}: warning: {warning}"), err=True)


@main.command()
@CONFIG_OPTION
def check(config_path: Path) -> None:
    """Connect to Odoo and check version, login, apps, access rights and configured records."""
    from jobs.odoo_session import client_from_config
    from jobs.preflight import run_preflight

    cfg = load_or_exit(config_path)
    with client_from_config(cfg, max_attempts=2) as client:
        findings = run_preflight(client, cfg)
    for finding in findings:
        click.echo(str(finding))
    failed = sum(1 for f in findings if f.level == "fail")
    if failed:
        click.echo(f"{failed} check(s) failed", err=True)
        sys.exit(1)


@main.command()
@CONFIG_OPTION
@WAIT_OPTION
def deliver(config_path: Path, wait: bool) -> None:
    """Deliver the outbox once: every write to Odoo that is due (tasks, notes, certificates)."""
    from jobs.service.work import ServiceRun, run_deliver
    from sidecar.cli.commands.jobs_at_hand import job_context

    cfg = load_or_exit(config_path)
    with job_context(cfg, "deliver", wait=wait) as (ctx, _):
        result = run_deliver(ServiceRun(ctx))
    click.echo(result.summary)
    failed = getattr(result.result, "failed", 0)
    sys.exit(1 if failed else 0)


@main.command()
@CONFIG_OPTION
@click.option("--full", is_flag=True, help="Re-read everything instead of what changed.")
@click.option("--dry-run", is_flag=True, help="Read and compare, but store nothing.")
@WAIT_OPTION
def sync(config_path: Path, full: bool, dry_run: bool, wait: bool) -> None:
    """Run one sync cycle: Odoo progress into the tracker tables."""
    from sidecar.cli.commands.sync import run_sync_command

    cfg = load_or_exit(config_path)
    run_sync_command(cfg, full=full, dry_run=dry_run, wait=wait, echo=click.echo)


@main.command()
@CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(config_path: Path, as_json: bool) -> None:
    """Per program: students by status, average progress, last successful sync."""
    from sidecar.cli.commands.status import status_command

    status_command(load_or_exit(config_path), as_json=as_json, echo=click.echo)


@main.command()
@CONFIG_OPTION
@click.option("--program", "program_key", required=True, help="Program key from the config.")
@click.option(
    "--status",
    "status_filter",
    type=click.Choice([s.value for s in StudentStatus]),
    help="Only students with this status.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def students(config_path: Path, program_key: str, status_filter: str | None, as_json: bool) -> None:
    """List a program's students with their figures."""
    from sidecar.cli.commands.status import students_command

    students_command(
        load_or_exit(config_path), program_key, status_filter, as_json=as_json, echo=click.echo
    )


from sidecar.cli.commands.cockpit import app_command  # noqa: E402
from sidecar.cli.commands.enroll import enroll_command  # noqa: E402
from sidecar.cli.commands.report import report  # noqa: E402
from sidecar.cli.commands.run import run_command  # noqa: E402
from sidecar.cli.commands.webhooks_out import webhooks  # noqa: E402

main.add_command(app_command)
main.add_command(webhooks)
main.add_command(enroll_command)
main.add_command(run_command)


@main.command()
@CONFIG_OPTION
@click.option(
    "--dry-run", is_flag=True, help="Show what would be issued and written; change nothing."
)
@WAIT_OPTION
def issue(config_path: Path, dry_run: bool, wait: bool) -> None:
    """Run one issuance cycle: close done batches, issue certificates, deliver them via Odoo."""
    from sidecar.cli.commands.certs import run_issue_command

    cfg = load_or_exit(config_path)
    _certs_call(lambda: run_issue_command(cfg, dry_run=dry_run, wait=wait, echo=click.echo))


@main.group()
def keys() -> None:
    """The Ed25519 key that signs certificates."""


@keys.command("generate")
@CONFIG_OPTION
@click.option(
    "--rotate", is_flag=True, help="Replace an existing key; its public half stays known."
)
def keys_generate(config_path: Path, rotate: bool) -> None:
    """Create the signing key named by certificates.signing_key."""
    from sidecar.cli.commands.certs import keys_generate as generate

    cfg = load_or_exit(config_path)
    _certs_call(lambda: generate(cfg, rotate=rotate, echo=click.echo))


@main.command("verify-pdf")
@click.option(
    "-c",
    "--config",
    "config_path",
    type=FilePath(dir_okay=False, path_type=Path),
    envvar="OJT_SIDECAR_CONFIG",
    help="Config whose signing key's public keys to trust (default: config.yaml if present).",
)
@click.option(
    "--keys",
    "keys_file",
    type=FilePath(dir_okay=False, path_type=Path),
    help="Public keys to trust instead: a verify site's /.well-known/ojt-sidecar/keys.json.",
)
@click.argument("pdf", type=FilePath(dir_okay=False, path_type=Path))
@JSON_OPTION
def verify_pdf(config_path: Path | None, keys_file: Path | None, pdf: Path, as_json: bool) -> None:
    """Check a certificate PDF offline: payload, signature, key and QR code agree."""
    from sidecar.cli.commands.verify_pdf import verify_pdf_command

    if keys_file is not None and config_path is not None:
        raise click.UsageError("-c and --keys exclude each other: give the keys one way")
    if keys_file is None and config_path is None and Path("config.yaml").exists():
        config_path = Path("config.yaml")
    cfg = load_or_exit(config_path) if config_path is not None else None
    _certs_call(
        lambda: verify_pdf_command(cfg, pdf, as_json=as_json, echo=click.echo, keys_file=keys_file)
    )


@main.command()
@CONFIG_OPTION
@click.option("--host", type=HOST, help="Address to listen on (default: verify_site.host).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: verify_site.port).")
def serve(config_path: Path, host: str | None, port: int | None) -> None:
    """Serve the public verification site (waitress)."""
    from verify_site.serve import serve as serve_site

    serve_site(load_or_exit(config_path), host=host, port=port)


@main.group()
def db() -> None:
    """The sidecar's own database."""


@db.command("upgrade")
@CONFIG_OPTION
def db_upgrade(config_path: Path) -> None:
    """Apply pending schema migrations (also done at every start)."""
    from sidecar.store.bootstrap import store_url
    from sidecar.store.engine import make_engine
    from sidecar.store.migrate import current_revision, upgrade

    cfg = load_or_exit(config_path)
    engine = make_engine(store_url(cfg))
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    where = cfg.store.display_url
    if before == after:
        click.echo(f"{where}: already at revision {after}")
    else:
        click.echo(f"{where}: upgraded from {before or 'empty'} to {after}")
    engine.dispose()


main.add_command(tryout.demo)
main.add_command(tryout.emulator)

main.add_command(backup.backup)
main.add_command(backup.restore)
main.add_command(scores.scores)
main.add_command(submit.submit)
main.add_command(batches.batches)
main.add_command(hooks.hooks)
main.add_command(notify.notifications)
main.add_command(report)
main.add_command(cert)

from sidecar.cli.commands.api_tokens import api_token  # noqa: E402

main.add_command(api_token)


def run() -> None:
    """Console entry point."""
    try:
        main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
