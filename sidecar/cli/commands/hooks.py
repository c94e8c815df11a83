"""`ojt-sidecar hooks check|install`: the automation rules in Odoo (17.0+) that post changes to
the service's hook listener (docs/webhooks.md). `check` only reads; `install` creates or mends
them through the outbox, and needs an Odoo user who may edit automation rules."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sidecar.cli.options import CONFIG_OPTION, load_or_exit

if TYPE_CHECKING:
    from jobs.hooks.rules import Review, Verdict


@click.group()
def hooks() -> None:
    """Odoo's automation rules that post changes to the webhook listener (Odoo 17+)."""


@hooks.command()
@CONFIG_OPTION
def check(config_path: Path) -> None:
    """Compare the rules in Odoo with those the service needs; exit 1 when one is missing,
    archived or different, or when a rule harms Odoo's saves. Reads only."""
    from jobs.hooks.install import HooksUnavailable, inspect
    from sidecar.cli.commands.jobs_at_hand import job_context

    cfg = load_or_exit(config_path)
    with job_context(cfg, "hooks", hold=False) as (ctx, _):
        try:
            found = inspect(ctx)
        except HooksUnavailable as exc:
            _refuse(str(exc))
    _show(found)
    if found.ok:
        click.echo("Every rule is in place.")
        return
    click.echo(f"To create or mend them: ojt-sidecar hooks install -c {config_path}")
    sys.exit(1)


@hooks.command()
@CONFIG_OPTION
def install(config_path: Path) -> None:
    """Create the missing rules and mend those that differ (archived, another URL, trigger or
    filter), through the outbox. Running it again changes nothing."""
    from connectors import OdooAccessError
    from jobs.hooks.install import HooksUnavailable
    from jobs.hooks.install import install as install_rules
    from sidecar.cli.commands.jobs_at_hand import job_context

    cfg = load_or_exit(config_path)
    with job_context(cfg, "hooks") as (ctx, _):
        try:
            done = install_rules(ctx)
        except HooksUnavailable as exc:
            _refuse(str(exc))
        except OdooAccessError as exc:
            _refuse(
                f"Odoo refused ({exc.message.splitlines()[0]}): creating automation rules "
                f"needs an Odoo user with Settings rights, and {cfg.odoo.username!r} is not "
                "one; run this with such a user's config, or create the rules by hand "
                "(docs/webhooks.md)"
            )
    if done.waiting:
        click.echo("Changes queued earlier still wait for Odoo: nothing was queued again.")
    for summary in done.queued:
        click.echo(f"queued: {summary}")
    for error in done.errors:
        click.echo(f"warning: {error}", err=True)
    _show(done.after)
    if done.after.ok:
        click.echo("Every rule is in place.")
        return
    click.echo("Some rules are not in place yet: run this again once Odoo answers.")
    sys.exit(1)


def _refuse(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _show(found: Review) -> None:
    for verdict in found.verdicts:
        click.echo(_line(verdict))
    for warning in found.warnings:
        click.echo(f"warning: {warning}", err=True)


def _line(verdict: Verdict) -> str:
    head = f"{verdict.wanted.label} ({verdict.model}): {verdict.state}"
    if verdict.state == "not needed":
        # the event attendance rule watches batch events; the others, the program's courses
        why = (
            "no batch event is known yet"
            if verdict.wanted.stream == "attendance"
            else "no course of the config is found in Odoo yet"
        )
        return f"{head}, {why}"
    if verdict.rule is None:
        return head
    head += f", rule #{verdict.rule.id} {verdict.rule.name!r}"
    return f"{head}: {'; '.join(verdict.problems)}" if verdict.problems else head
