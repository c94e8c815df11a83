"""`ojt-sidecar scores check FILE.csv` and `scores import FILE.csv`: the offline scores file
(its format: `sidecar/scores.py`), checked on its own, or imported into Odoo and the store
(`jobs/assignments/imports.py`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sidecar.cli.options import CONFIG_OPTION, FilePath, load_or_exit
from sidecar.cli.output import table
from sidecar.scores import ScoresFile, ScoresFileError, read_scores


@click.group()
def scores() -> None:
    """Assignment scores given outside Odoo, as a CSV file."""


@scores.command("check")
@click.argument("csv_file", type=FilePath(dir_okay=False, path_type=Path))
def check(csv_file: Path) -> None:
    """Check a scores file: every row that cannot be imported, with its line and why.

    Columns: trainee (e-mail or contact id), batch, assignment, score, and optionally
    max_score and feedback. Exits 1 when a row or the file is wrong."""
    found = _read(csv_file)
    for problem in found.problems:
        click.echo(f"{csv_file}: {problem}", err=True)
    rows = f"{len(found.rows)} row{'s' * (len(found.rows) != 1)}"
    if found.problems:
        bad = len(found.problems)
        click.echo(f"{rows} can be imported, {bad} cannot (fix {'it' if bad == 1 else 'them'})")
        sys.exit(1)
    click.echo(f"{rows} can be imported")


@scores.command("import")
@CONFIG_OPTION
@click.argument("csv_file", type=FilePath(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what each row would do; change nothing.")
def import_(config_path: Path, csv_file: Path, dry_run: bool) -> None:
    """Import scores into Odoo, as a mentor would score: on each trainee's task, the score,
    max_score and feedback properties (Odoo 17+) and the scored stage.

    Every row gets an outcome (scored, rescored, unchanged, rejected with a reason); a bad row
    stops nothing else, and importing the same file again changes nothing. Exits 1 when a row
    was rejected."""
    from jobs.assignments.imports import import_scores
    from jobs.deliver import deliver
    from sidecar.cli.commands.jobs_at_hand import job_context

    cfg = load_or_exit(config_path)
    found = _read(csv_file)
    with job_context(cfg, "scores") as (ctx, _):
        with ctx.sessions() as session:
            outcomes = import_scores(session, ctx.client, cfg, found.rows, ctx.clock())
            if dry_run:
                session.rollback()
            else:
                session.commit()
        delivery = None if dry_run else deliver(ctx)
    shown = [(o.line, o.result, o.detail) for o in outcomes]
    shown += [(p.line, "rejected", p.reason) for p in found.problems]
    shown.sort()
    would = "would be " if dry_run else ""
    click.echo(table(["line", "outcome", "task or reason"], shown))
    counts = {result: sum(1 for row in shown if row[1] == result) for result in _RESULTS}
    click.echo(
        ("Dry run: " if dry_run else "")
        + ", ".join(f"{n} {would}{result}" for result, n in counts.items() if n)
        + (f"; {delivery.delivered} written to Odoo" if delivery else "")
    )
    if delivery is not None:
        for error in delivery.errors:
            click.echo(f"warning: {error}", err=True)
    if counts["rejected"]:
        sys.exit(1)


_RESULTS = ("scored", "rescored", "unchanged", "rejected")


def _read(csv_file: Path) -> ScoresFile:
    try:
        return read_scores(csv_file.read_bytes())
    except ScoresFileError as exc:
        click.echo(f"error: {csv_file}: {exc}", err=True)
        sys.exit(1)
