"""`ojt-sidecar notifications send|list|opt-out|opt-in` (docs/notifications.md): run one
notification cycle by hand, see what was decided, and keep a trainee's wish for no reminders."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sidecar.cli.options import CONFIG_OPTION, WAIT_OPTION, load_or_exit

PARTNER_ARG = click.argument("partner", type=click.IntRange(min=1), metavar="PARTNER_ID")


@click.group()
def notifications() -> None:
    """Messages to trainees and mentors through Odoo: send, list, opt-out, opt-in."""


@notifications.command()
@CONFIG_OPTION
@click.option("--dry-run", is_flag=True, help="Show what would be sent; change nothing.")
@WAIT_OPTION
def send(config_path: Path, dry_run: bool, wait: bool) -> None:
    """Decide what is due now, queue each message once and deliver it through Odoo (quiet
    hours hold messages until they end)."""
    from jobs.deliver import deliver
    from jobs.notify import NotifyJob
    from sidecar.cli.commands.jobs_at_hand import job_context

    cfg = load_or_exit(config_path)
    with job_context(cfg, "notify", dry_run=dry_run, wait=wait) as (ctx, rehearsal):
        report = NotifyJob(ctx).run()
        delivery = deliver(ctx)
    if report.skipped:
        click.echo(report.skipped)
        return
    kinds = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in sorted(report.queued.items()))
    would = "Dry run: would queue" if rehearsal is not None else "Queued"
    click.echo(f"{would} {report.total} notification(s)" + (f": {kinds}" if kinds else ""))
    if report.held:
        click.echo(f"{report.held} held until quiet hours end")
    if report.opted_out:
        click.echo(f"{report.opted_out} reminder(s) not sent: the person opted out")
    if rehearsal is not None:
        for line in rehearsal.lines():
            click.echo(f"  would write to Odoo: {line}")
        return
    click.echo(
        f"Delivery: {delivery.delivered} written to Odoo, {delivery.adopted} found from earlier "
        f"attempts, {delivery.retrying} to retry, {delivery.failed} failed"
    )
    for error in delivery.errors:
        click.echo(f"warning: {error}")
    if delivery.failed:
        sys.exit(1)


@notifications.command("list")
@CONFIG_OPTION
@click.option("--partner", type=click.IntRange(min=1), help="Only this contact (Odoo id).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def list_sent(config_path: Path, partner: int | None, limit: int) -> None:
    """The latest notifications decided, newest first, with their delivery state."""
    from sidecar.cli.commands.notify_store import latest

    cfg = load_or_exit(config_path)
    rows = latest(cfg, partner, limit)
    if not rows:
        click.echo("No notifications yet.")
        return
    for line in rows:
        click.echo(line)


@notifications.command("opt-out")
@CONFIG_OPTION
@PARTNER_ARG
@click.option("--note", default="", help="Why, or who asked (kept in the store).")
def opt_out(config_path: Path, partner: int, note: str) -> None:
    """Send this contact no more reminders (milestones, inactivity, expiry); welcome,
    completion and certificates still reach them."""
    from sidecar.cli.commands.notify_store import set_opt_out

    cfg = load_or_exit(config_path)
    changed = set_opt_out(cfg, partner, True, note)
    click.echo(
        f"contact {partner} gets no more reminders"
        if changed
        else f"contact {partner} had already opted out"
    )


@notifications.command("opt-in")
@CONFIG_OPTION
@PARTNER_ARG
def opt_in(config_path: Path, partner: int) -> None:
    """Send this contact reminders again (an opt-out tag in Odoo still stops them)."""
    from sidecar.cli.commands.notify_store import set_opt_out

    cfg = load_or_exit(config_path)
    changed = set_opt_out(cfg, partner, False, "")
    click.echo(
        f"contact {partner} gets reminders again"
        if changed
        else f"contact {partner} had not opted out"
    )
