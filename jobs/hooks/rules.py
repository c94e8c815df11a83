"""The automation rules the service asks of Odoo (docs/webhooks.md#the-rules-to-create): one per
model whose changes a trainee's progress waits for. `ojt-sidecar hooks check` compares them with
what Odoo has; `hooks install` creates or mends them through the outbox.

A rule is the sidecar's when it bears the name below, or when its webhook posts to a hook path
(`/hooks/odoo/`). Its filter is the sync stream's domain, so that courses and events the
sidecar does not follow post nothing (fewer POSTs: less waiting in Odoo users' saves).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from connectors import OdooClient
from jobs.hooks.listener import PREFIX
from jobs.odoo import automation
from jobs.odoo.automation import FoundRule, RuleSpec
from jobs.odoo.reads import Scope, Stream

NAME_PREFIX = "OJT sidecar: "


@dataclass(frozen=True)
class Wanted:
    label: str
    stream: str  # the sync stream whose model the rule watches and whose domain is its filter
    trigger: str
    trigger_fields: tuple[str, ...]
    fields: tuple[str, ...]  # sent for Odoo's log only: the service reads the record itself

    @property
    def name(self) -> str:
        return NAME_PREFIX + self.label


ON_SAVE, ON_UPDATE = "on_create_or_write", "on_write"
# The eLearning rules fire on a change of what the sync reads, not on every write: without
# trigger fields Odoo posts a lesson's create twice and a membership once per recomputed field
# (count, completion, status), changed or not; with these it posts once per real change (a
# lesson completed: 2-3 POSTs instead of 6, measured on real 18.0 and 19.0, docs/webhooks.md).
# The lesson count is left out: it moves only with the completion, which is watched.
WANTED = (
    Wanted(
        "lesson progress",
        "lessons",
        ON_SAVE,
        ("completed", "quiz_attempts_count"),
        ("slide_id", "partner_id", "completed"),
    ),
    Wanted(
        "course memberships",
        "memberships",
        ON_SAVE,
        ("completion", "member_status", "active"),
        ("channel_id", "partner_id", "completion", "member_status"),
    ),
    Wanted(
        "certification attempts",
        "assessments",
        ON_UPDATE,
        ("state",),
        ("slide_id", "partner_id", "state"),
    ),
    Wanted(
        "event attendance",
        "attendance",
        ON_SAVE,
        ("state", "active"),
        ("event_id", "partner_id", "state"),
    ),
)

State = Literal["ok", "missing", "archived", "differs", "not needed"]


@dataclass
class Verdict:
    """One wanted rule against Odoo: its state, the rule found, and what differs, in words."""

    wanted: Wanted
    model: str
    state: State
    rule: FoundRule | None = None
    problems: list[str] = field(default_factory=list)
    domain: list[Any] | None = None


@dataclass
class Review:
    verdicts: list[Verdict]
    # rules that harm Odoo's users whoever made them (a webhook without a URL), or double ours
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return not self.warnings and all(v.state in ("ok", "not needed") for v in self.verdicts)


def review(found: Sequence[FoundRule], streams: Sequence[Stream], scope: Scope, url: str) -> Review:
    """Each wanted rule's verdict, and the warnings about the rules found."""
    by_name = {s.name: s for s in streams}
    verdicts: list[Verdict] = []
    warnings = [
        f"rule #{r.id} {r.name!r} on {r.model} sends a webhook without a URL: every save it "
        "fires fails in Odoo; set its URL or archive it"
        for r in found
        if r.active and any(not hook.url for hook in r.webhooks)
    ]
    for wanted in WANTED:
        stream = by_name.get(wanted.stream)
        if stream is None:
            continue
        if not stream.applies(scope):
            verdicts.append(Verdict(wanted, stream.model, "not needed"))
            continue
        ours = [r for r in found if r.model == stream.model and _is_ours(r, wanted)]
        verdict = _verdict(wanted, stream.model, ours, stream.domain(scope), url)
        verdicts.append(verdict)
        warnings += [
            f"rule #{r.id} {r.name!r} also posts {stream.model} changes to the sidecar: archive "
            "it, each POST makes Odoo's save wait"
            for r in ours
            if r is not verdict.rule and r.active
        ]
    return Review(verdicts, warnings)


def _is_ours(rule: FoundRule, wanted: Wanted) -> bool:
    return rule.name == wanted.name or any(PREFIX in (h.url or "") for h in rule.webhooks)


def _verdict(
    wanted: Wanted, model: str, ours: list[FoundRule], domain: list[Any], url: str
) -> Verdict:
    if not ours:
        return Verdict(wanted, model, "missing", domain=domain)
    # the active one first, then the one by our name, then the oldest
    rule = sorted(ours, key=lambda r: (not r.active, r.name != wanted.name, r.id))[0]
    problems: list[str] = []
    if rule.trigger != wanted.trigger:
        problems.append(f"its trigger is {rule.trigger!r}, not {wanted.trigger!r}")
    if rule.trigger_fields != set(wanted.trigger_fields):
        shown = ", ".join(wanted.trigger_fields) or "none"
        problems.append(f"its trigger fields are not: {shown}")
    if not automation.same_domain(rule.domain, domain):
        problems.append("its filter is not the configured courses or events")
    hook = rule.webhooks[0]
    if hook.url != url:
        problems.append(f"it posts to {_masked(hook.url)}, not {_masked(url)}")
    state: State = "archived" if not rule.active else ("differs" if problems else "ok")
    return Verdict(wanted, model, state, rule, problems, domain)


def _masked(url: str | None) -> str:
    """A hook URL without its secret (the secret is the only credential)."""
    if not url:
        return "no URL"
    head, sep, _secret = url.partition(PREFIX)
    return f"{head}{PREFIX}***" if sep else url


def specs_for(client: OdooClient, verdicts: Sequence[Verdict], url: str) -> dict[str, RuleSpec]:
    """The rule each verdict that needs a change should become, with Odoo's ids, by label."""
    todo = [v for v in verdicts if v.state in ("missing", "archived", "differs")]
    if not todo:
        return {}
    models = sorted({v.model for v in todo})
    model_ids = automation.model_ids(client, models)
    names = {f for v in todo for f in (*v.wanted.fields, *v.wanted.trigger_fields)}
    field_ids = automation.field_ids(client, models, names)
    return {
        v.wanted.label: RuleSpec(
            name=v.wanted.name,
            model=v.model,
            model_id=model_ids[v.model],
            trigger=v.wanted.trigger,
            trigger_field_ids=_ids(field_ids, v.model, v.wanted.trigger_fields),
            field_ids=_ids(field_ids, v.model, v.wanted.fields),
            domain=v.domain,
            url=url,
        )
        for v in todo
    }


def _ids(known: dict[tuple[str, str], int], model: str, names: Sequence[str]) -> tuple[int, ...]:
    return tuple(known[(model, n)] for n in names if (model, n) in known)
