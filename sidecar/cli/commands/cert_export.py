"""`ojt-sidecar cert export`: a program's or a batch's certificates as one ZIP file (PDFs, Open
Badges credentials, `manifest.csv`), for an admin to hand on or archive."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import click

from sidecar.certificate_bundle import BundleProblem, certificates_of, write_bundle
from sidecar.cli.options import CONFIG_OPTION, load_or_exit
from sidecar.store.models import utcnow


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.command("export")
@CONFIG_OPTION
@click.option("--program", required=True, help="The program's key or name.")
@click.option("--batch", help="Only this batch of the program (its key).")
@click.option(
    "--zip",
    "zip_path",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The ZIP file to write (replaced when it exists).",
)
def export(config_path: Path, program: str, batch: str | None, zip_path: Path) -> None:
    """Write a program's (or a batch's) certificates to one ZIP file with a CSV manifest."""
    from sidecar.store.bootstrap import open_store

    cfg = load_or_exit(config_path)
    folder = zip_path.resolve().parent
    if not folder.is_dir():
        _fail(f"the folder {folder} for --zip does not exist", 2)
    store = open_store(cfg, reconcile=False)
    try:
        with store.sessions() as session:
            certificates = certificates_of(session, program, batch)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{zip_path.name}.")
            try:
                with os.fdopen(fd, "wb") as out:
                    result = write_bundle(
                        out,
                        certificates,
                        cfg.certificates.output_dir,
                        utcnow().date(),
                    )
                os.replace(tmp, zip_path)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
                raise
    except BundleProblem as exc:
        _fail(str(exc), 2)
    finally:
        store.close()
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    click.echo(
        f"wrote {zip_path}: {result.certificates} certificate(s) in the manifest, "
        f"{result.files} file(s)"
    )
    if result.problems:
        sys.exit(1)
