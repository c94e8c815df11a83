"""`ojt-sidecar enroll`: one enrollment cycle, or one applicant / contact enrolled by hand."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sidecar.cli.commands.jobs_at_hand import job_context
from sidecar.cli.options import CONFIG_OPTION, ODOO_ID, WAIT_OPTION, load_or_exit
from sidecar.config import Config

if TYPE_CHECKING:
    from jobs.enroll import EnrollReport
    from jobs.rehearsal import Rehearsal

Echo = Callable[[str], None]


@click.command("enroll")
@CONFIG_OPTION
@click.option(
    "--applicant", "applicant_id", type=ODOO_ID, help="Enroll this applicant (after review)."
)
@click.option("--partner", "partner_id", type=ODOO_ID, help="Enroll this contact (with --program).")
@click.option("--program", "program_key", help="Program key, for --partner.")
@click.option("--dry-run", is_flag=True, help="Print every Odoo write it would make; make none.")
@WAIT_OPTION
def enroll_command(
    config_path: Path,
    applicant_id: int | None,
    partner_id: int | None,
    program_key: str | None,
    dry_run: bool,
    wait: bool,
) -> None:
    """Enroll applicants of the OJT stage (one cycle), or one applicant or contact by hand."""
    if applicant_id is not None and (partner_id is not None or program_key is not None):
        _usage("use either --applicant, or --partner with --program, not both")
    if (partner_id is None) != (program_key is None):
        _usage("--partner and --program go together")
    cfg = load_or_exit(config_path)
    if program_key is not None and program_key not in {p.key for p in cfg.programs}:
        known = ", ".join(p.key for p in cfg.programs)
        shown = program_key if len(program_key) <= 60 else program_key[:59] + "…"
        _usage(f"no program {shown!r} in the config (programs: {known})")
    run_enroll(
        cfg, applicant_id, partner_id, program_key, dry_run=dry_run, wait=wait, echo=click.echo
    )


def _usage(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def run_enroll(
    cfg: Config,
    applicant_id: int | None,
    partner_id: int | None,
    program_key: str | None,
    *,
    dry_run: bool,
    wait: bool = False,
    echo: Echo,
) -> None:
    from jobs.enroll import (
        EnrollInputError,
        EnrollSetupError,
        enroll_applicant,
        enroll_partner,
        run_enroll_cycle,
    )

    try:
        with job_context(cfg, "enroll", dry_run=dry_run, wait=wait) as (ctx, rehearsal):
            if applicant_id is not None:
                report = enroll_applicant(ctx, applicant_id)
            elif partner_id is not None and program_key is not None:
                report = enroll_partner(ctx, partner_id, program_key)
            else:
                report = run_enroll_cycle(ctx)
    except EnrollInputError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except EnrollSetupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if rehearsal is not None:
        _print_rehearsal(report, rehearsal, echo)
        return
    _print(report, echo)
    if report.failed or report.delivery_errors:
        sys.exit(1)


def _print_rehearsal(report: EnrollReport, rehearsal: Rehearsal, echo: Echo) -> None:
    for problem in report.problems:
        echo(f"warning: {problem}")
    lines = rehearsal.lines()
    echo(f"Dry run: {len(lines)} Odoo write(s) would be made, none made.")
    if report.idle:
        echo(f"Nothing to enroll: {report.idle}.")
    for line in lines:
        echo(f"  {line}")
    for line in report.without_program:
        echo(f"  no program: {line}")
    for line in report.failed:
        echo(f"  would fail: {line}")


def _print(report: EnrollReport, echo: Echo) -> None:
    for problem in report.problems:
        echo(f"warning: {problem}")
    if report.idle:
        echo(f"Nothing to enroll: {report.idle}.")
    parts = [
        ("applicants read", report.listed),
        ("started", len(report.started)),
        ("enrolled", len(report.enrolled)),
        ("awaiting review", len(report.awaiting_review)),
        ("left the stage", len(report.left_stage)),
        ("refused", len(report.refused)),
        ("failed", len(report.failed)),
        ("writes confirmed", report.delivered),
    ]
    echo("Enrollment: " + ", ".join(f"{n} {what}" for what, n in parts))
    for subject in report.already:
        echo(f"  {subject}: already enrolled, nothing to do")
    for line in report.without_program:
        echo(f"  no program: {line}")
    for line in report.failed:
        echo(f"  failed: {line}")
    for line in report.delivery_errors:
        echo(f"  Odoo refused: {line}")
    for line in report.waiting:
        echo(f"  waiting for Odoo: {line} (continues next cycle)")
