"""`ojt-sidecar backup` and `ojt-sidecar restore`: one archive with the store, the signing key,
its public key list and the certificate PDFs (`sidecar.store.backup`, `sidecar.store.restore`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from sidecar.cli.options import CONFIG_OPTION, load_or_exit
from sidecar.config import Config

if TYPE_CHECKING:
    from sidecar.store.backup import BackupReport, Locations, StoreFacts
    from sidecar.store.restore import RestoreReport

Echo = Callable[[str], None]

PG_DUMP_HINT = (
    "pg_dump --format=custom --file=ojt-sidecar-$(date +%F).dump <database>; "
    "see docs/operations.md, Backup and restore"
)


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def locations(cfg: Config) -> Locations:
    from sidecar.certificates.signing import public_keys_path
    from sidecar.store.backup import Locations
    from sidecar.store.bootstrap import store_url

    key = cfg.certificates.signing_key
    return Locations(store_url(cfg), key, public_keys_path(key), cfg.certificates.output_dir)


@click.command()
@CONFIG_OPTION
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The archive to write (default: ojt-sidecar-backup-<UTC time>.tar.gz here).",
)
def backup(config_path: Path, output: Path | None) -> None:
    """Write one archive: the store (SQLite; PostgreSQL is backed up with pg_dump), the signing
    key and its public keys, the certificate PDFs, and a manifest of checksums. Safe while the
    service runs."""
    from sidecar import __version__
    from sidecar.store.archive import BackupError
    from sidecar.store.backup import write_backup

    cfg = load_or_exit(config_path)
    now = datetime.now(UTC)
    archive = output or Path(f"ojt-sidecar-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz")
    try:
        report = write_backup(locations(cfg), archive, version=__version__, now=now)
    except BackupError as exc:
        _fail(str(exc))
    say_backed_up(cfg, report, click.echo)


def say_backed_up(cfg: Config, report: BackupReport, echo: Echo) -> None:
    manifest = report.manifest
    files = manifest["files"]
    size = report.archive.stat().st_size
    echo(f"Backed up to {report.archive} ({len(files)} file(s), {size / 1e6:.1f} MB compressed)")
    if manifest["store_included"]:
        echo(f"  store: {cfg.store.display_url}, {_store_line(manifest)}")
    else:
        echo(
            f"  store: on PostgreSQL ({cfg.store.display_url}), not in the archive: "
            f"back it up with pg_dump ({PG_DUMP_HINT})"
        )
    keys = [f["path"] for f in files if f["path"].startswith("keys/")]
    echo(f"  signing key: {len(keys)} key file(s) from {cfg.certificates.signing_key.parent}")
    pdfs = len(files) - len(keys) - int(manifest["store_included"])
    echo(f"  certificates: {pdfs} file(s) from {cfg.certificates.output_dir}")
    for path in report.missing:
        echo(f"warning: {path} does not exist, so the archive holds none")
    if report.private_key:
        echo(
            "warning: the archive holds the private signing key: whoever has it can issue "
            "certificates in your name; keep it encrypted and access-controlled"
        )


def _counts(facts: StoreFacts | None) -> str:
    if facts is None or facts.certificates is None:
        return "no certificates"
    return f"{facts.certificates} certificate(s), {facts.revoked} revoked"


def _store_line(manifest: dict[str, object]) -> str:
    counts = manifest.get("certificates")
    issued = revoked = None
    if isinstance(counts, dict):
        issued, revoked = counts.get("issued"), counts.get("revoked")
    what = (
        f"{issued} certificate(s), {revoked} revoked" if issued is not None else "no certificates"
    )
    return f"schema revision {manifest.get('schema_revision') or 'none'}, {what}"


@click.command()
@CONFIG_OPTION
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace a store, signing key or certificate files that already exist.",
)
def restore(config_path: Path, archive: Path, force: bool) -> None:
    """Bring a backup archive back where the config says, after checking every file against its
    manifest; then apply pending migrations. Stop the service (every replica) first."""
    from sidecar.store.archive import BackupError
    from sidecar.store.restore import restore_backup

    cfg = load_or_exit(config_path)
    try:
        report = restore_backup(locations(cfg), archive, force=force, now=datetime.now(UTC))
    except BackupError as exc:
        _fail(str(exc))
    say_restored(cfg, report, click.echo)


def say_restored(cfg: Config, report: RestoreReport, echo: Echo) -> None:
    manifest = report.checked.manifest
    echo(
        f"Checked {report.checked.archive}: {len(report.checked.entries)} file(s) match the "
        f"manifest (made {manifest.get('created_at')} by ojt-sidecar "
        f"{manifest.get('sidecar_version')})"
    )
    facts, before = report.facts, report.checked.revision or "empty"
    if report.checked.store_included:
        moved = (
            f"upgraded from schema revision {before} to {report.revision_after}"
            if before != report.revision_after
            else f"schema revision {before}"
        )
        echo(f"  store: {cfg.store.display_url}, {moved}, {_counts(facts)}")
    else:
        echo(
            f"  store: on PostgreSQL ({cfg.store.display_url}), restored with pg_restore, not "
            f"from this archive; now at schema revision {report.revision_after}, {_counts(facts)}"
        )
    if report.looked_up:
        echo(
            f"  {report.looked_up} pending Odoo write(s) will be looked for in Odoo before "
            "they are sent: the backup cannot know which were sent after it"
        )
    keys = [str(path) for name, path in sorted(report.written.items()) if name.startswith("keys/")]
    if keys:
        echo(f"  signing key: {' and '.join(keys)}")
    pdfs = sum(1 for name in report.written if name.startswith("certificates/"))
    echo(f"  certificates: {pdfs} file(s) into {cfg.certificates.output_dir}")
    if report.kept_keys:
        echo(
            f"  kept {len(report.kept_keys)} newer public key(s) from the list that was there, "
            "as retired, so the certificates they signed still verify"
        )
