"""`ojt-sidecar submit`: hand in files for a trainee's assignment, posted on their task in
Odoo as the trainee (`jobs/assignments/submit.py`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sidecar.cli.options import CONFIG_OPTION, FilePath, load_or_exit


@click.command()
@CONFIG_OPTION
@click.option("--trainee", required=True, help="The trainee's e-mail, or Odoo contact id.")
@click.option("--batch", required=True, help="The batch, as named in Odoo (its event).")
@click.option("--assignment", required=True, help="The assignment's title.")
@click.option("--note", default="", help="A line for the mentor, posted with the files.")
@click.argument("files", nargs=-1, required=True, type=FilePath(dir_okay=False, path_type=Path))
def submit(
    config_path: Path, trainee: str, batch: str, assignment: str, note: str, files: tuple[Path, ...]
) -> None:
    """Hand in FILES for a trainee's assignment: they are posted on the trainee's own task in
    Odoo, as the trainee, and the assignment counts as handed in. Handing in the same files
    again posts nothing twice."""
    from jobs.assignments.submit import SubmissionError
    from jobs.assignments.submit import submit as hand_in
    from jobs.deliver import deliver
    from jobs.odoo.profile import profile_of
    from sidecar.cli.commands.jobs_at_hand import job_context

    cfg = load_or_exit(config_path)
    who: str | int = int(trainee) if trainee.strip().isdigit() else trainee
    with job_context(cfg, "submit") as (ctx, _):
        with ctx.sessions() as session:
            try:
                done = hand_in(
                    session,
                    cfg,
                    ctx.files,
                    trainee=who,
                    batch=batch,
                    assignment=assignment,
                    files=list(files),
                    note=note[:1000],
                    content_field=profile_of(ctx.client).attachment_content,
                    now=ctx.clock(),
                )
            except SubmissionError as exc:
                click.echo(f"error: {exc}", err=True)
                sys.exit(1)
            session.commit()
        delivery = deliver(ctx)
    if done.already:
        click.echo(f"These files were already handed in on task {done.task_id} ({done.title}).")
    else:
        click.echo(f"Handed in {done.files} file(s) on task {done.task_id} ({done.title}).")
    for error in delivery.errors:
        click.echo(f"warning: {error}", err=True)
