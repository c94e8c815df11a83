"""`ojt-sidecar hooks check|install`: the automation rules that post Odoo's changes to the hook
listener (`jobs.hooks.rules`), read from Odoo and compared; and, on `install`, created or
mended through the outbox, each change under its own key, then delivered at once."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs.context import JobContext
from jobs.deliver import deliver
from jobs.hooks.rules import Review, review, specs_for
from jobs.incremental.scope import resolve_scope
from jobs.odoo import automation
from jobs.odoo.profile import profile_of
from jobs.sync.streams import streams_for
from sidecar.config.hooks import hook_url
from sidecar.outbox import PENDING, Write, enqueue, next_round
from sidecar.store.models import OutboxMessage

KEY_PREFIX = "hooks:"


class HooksUnavailable(Exception):
    """This Odoo or this config cannot have the rules: one sentence saying why and what to do."""


@dataclass
class Installed:
    before: Review
    after: Review
    queued: list[str] = field(default_factory=list)  # what was asked of Odoo, in words
    waiting: bool = False  # changes queued earlier were not delivered yet: none queued again
    errors: list[str] = field(default_factory=list)


def target_url(ctx: JobContext) -> str:
    """The URL the rules must post to, or HooksUnavailable naming the setting to give."""
    hooks = ctx.cfg.hooks
    if hooks.secret is None:
        raise HooksUnavailable(
            "hooks.secret is not set: the rules' URL carries it, e.g. secret: ${OJT_HOOKS_SECRET}"
        )
    url = hook_url(hooks)
    if url is None:  # a listener on every address: Odoo needs to be told which one
        raise HooksUnavailable(
            f"hooks.host is {hooks.host or 'every address'}: set hooks.url to the address at "
            "which Odoo's server reaches the listener, e.g. http://sidecar.internal:8091"
        )
    return url


def inspect(ctx: JobContext) -> Review:
    """The wanted rules against those Odoo has. Reads only."""
    url = target_url(ctx)
    client = ctx.client
    if not automation.offers_webhooks(client):
        raise HooksUnavailable(
            f"Odoo {client.version().serie} has no webhook action (it came with 17.0): poll more "
            "often instead, e.g. schedules: {sync: {every: 30s}} (docs/webhooks.md#odoo-16)"
        )
    if not automation.rules_app_installed(client):
        raise HooksUnavailable(
            "the Automation Rules app (base_automation) is not installed in Odoo: install it "
            "(Apps, search 'Automation Rules'), then run this again"
        )
    with ctx.sessions() as session:
        scope, _problems = resolve_scope(session, client)
        session.rollback()  # a check keeps nothing, not even the course ids it looked up
    streams = streams_for(profile_of(client))
    found = automation.rules_on(client, sorted({s.model for s in streams}))
    return review(found, streams, scope, url)


def install(ctx: JobContext) -> Installed:
    """Queue what the rules lack, deliver it, and look again. The caller holds the outbox lease."""
    before = inspect(ctx)
    url = target_url(ctx)
    specs = specs_for(ctx.client, before.verdicts, url)
    result = Installed(before, before)
    with ctx.sessions() as session:
        result.waiting = _pending(session)
        if not result.waiting:
            for verdict in before.verdicts:
                spec = specs.get(verdict.wanted.label)
                if spec is None:
                    continue
                prefix = f"{KEY_PREFIX}{verdict.wanted.label}:"
                key = f"{prefix}{next_round(session, prefix)}"
                writes: list[Write] = (
                    [automation.create_rule(key, spec)]
                    if verdict.rule is None
                    else automation.mend_rule(key, spec, verdict.rule)
                )
                for write in writes:
                    enqueue(session, write)
                    result.queued.append(write.summary)
            session.commit()
    result.errors = deliver(ctx).errors
    result.after = inspect(ctx)
    return result


def _pending(session: Session) -> bool:
    row = session.scalar(
        select(OutboxMessage.id)
        .where(OutboxMessage.key.like(f"{KEY_PREFIX}%"), OutboxMessage.state == PENDING)
        .limit(1)
    )
    return row is not None
