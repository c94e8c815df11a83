"""`ojt-sidecar scores check FILE.csv`: the offline scores file, checked before it is imported
(the format: `sidecar/scores.py`). Reads only the file: no config, store or Odoo."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sidecar.cli.options import FilePath
from sidecar.scores import ScoresFileError, read_scores


@click.group()
def scores() -> None:
    """Assignment scores given outside Odoo, as a CSV file."""


@scores.command("check")
@click.argument("csv_file", type=FilePath(dir_okay=False, path_type=Path))
def check(csv_file: Path) -> None:
    """Check a scores file: every row that cannot be imported, with its line and why.

    Columns: trainee (e-mail or contact id), batch, assignment, score, and optionally
    max_score and feedback. Exits 1 when a row or the file is wrong."""
    try:
        found = read_scores(csv_file.read_bytes())
    except ScoresFileError as exc:
        click.echo(f"error: {csv_file}: {exc}", err=True)
        sys.exit(1)
    for problem in found.problems:
        click.echo(f"{csv_file}: {problem}", err=True)
    rows = f"{len(found.rows)} row{'s' * (len(found.rows) != 1)}"
    if found.problems:
        bad = len(found.problems)
        click.echo(f"{rows} can be imported, {bad} cannot (fix {'it' if bad == 1 else 'them'})")
        sys.exit(1)
    click.echo(f"{rows} can be imported")
