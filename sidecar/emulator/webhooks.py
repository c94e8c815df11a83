"""Automation rules that "Send Webhook Notification" (Odoo 17+, `base_automation`), as recorded
on real 17.0 to 19.0 servers (docs/webhooks.md).

A test registers a rule (`OdooEmulator.add_webhook_rule(model, url, fields)`); then every
create, write and stored recompute of that model in a call posts
`{"_action", "_id", "_model", "id", <fields>}` (many2one as a bare id, datetimes with
microseconds, keys sorted) to the URL: one `urllib` POST with a 1 s timeout, errors only
recorded, never retried, in the calling request's thread before its answer is sent. A create
posts twice (identical bodies); a recompute posts once per recomputed field, with the values
after it (a membership: `0/joined`, `20/joined`, `20/ongoing` as the lesson count, the
completion and the status are written). A rule with trigger fields posts only when one of them
changed: once for a create, and once per recompute step that changed one. The body is taken
when the change is made.

- **17.0 and 18.0** post before the commit: the call's changes are hidden again (the rows put
  back as they were) while it posts, so a read that arrives with the POST sees the old data,
  and other writes wait; then they are applied. A call that fails still posts what it had.
- **19.0 and 20.0** post after the commit (nothing for a call that failed).
- **16.0** has no webhook action: registering a rule is refused.
- A rule without a URL makes the triggering write fail (the UserError Odoo raises).
"""

from __future__ import annotations

import ast
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .domain import compile_domain
from .errors import UserError

if TYPE_CHECKING:
    from .orm import Env
    from .store import Store

Row = dict[str, Any]
TIMEOUT = 1.0  # Odoo's requests.post(..., timeout=1)
NO_URL = (
    "I'll be happy to send a webhook for you, but you really need to give me a URL to reach "
    "out to..."
)
# Calls that only read: they never wait for a 17/18 call that is posting before its commit.
READ_METHODS = frozenset(
    {
        "read",
        "search",
        "search_read",
        "search_count",
        "fields_get",
        "name_search",
        "read_group",
        "check_access_rights",
        "context_get",
        "version",
        "login",
        "authenticate",
    }
)


@dataclass(frozen=True)
class Rule:
    rule_id: int
    action_id: int
    model: str
    url: str | None
    fields: tuple[str, ...]
    name: str
    trigger: str = "on_create_or_write"
    trigger_fields: frozenset[str] = frozenset()
    domain: str | None = None  # the rule's filter_domain, as Odoo keeps it (text)

    def fires(self, event: str, changed: set[str] | None) -> bool:
        """Whether a create, or a write of the `changed` fields, triggers the rule."""
        if event == "create":
            return self.trigger in ("on_create", "on_create_or_write")
        if self.trigger not in ("on_write", "on_create_or_write"):
            return False
        return not self.trigger_fields or changed is None or bool(self.trigger_fields & changed)


@dataclass
class Sent:
    """One POST as the emulator made it, for tests to look at."""

    url: str
    body: dict[str, Any]
    at: float  # time.monotonic() when it was sent
    seconds: float = 0.0
    status: int | None = None  # None: timed out or refused
    error: str | None = None


@dataclass
class _Outgoing:
    posts: list[tuple[str, bytes, dict[str, Any]]] = field(default_factory=list)
    hidden: dict[tuple[str, int], Row | None] | None = None  # the changes held back (17/18)


class Webhooks:
    """The rules of one emulator and the POSTs they make. Wired into the store (transaction
    start and end), the ORM (create, write, recompute) and the server (before an answer)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.rules: list[Rule] = []
        self.sent: list[Sent] = []
        self.waits: list[float] = []  # per call that posted: seconds its answer waited for them
        self.before_commit = store.profile.major < 19
        self._pending: list[tuple[str, bytes, dict[str, Any]]] = []
        self._turn = threading.Condition(store.lock)
        self._hidden_by: int | None = None  # the thread posting before its commit
        self._local = threading.local()

    def add_rule(
        self,
        model: str,
        url: str | None,
        fields: tuple[str, ...],
        name: str,
        trigger_fields: tuple[str, ...] = (),
    ) -> Rule:
        n = len(self.rules) + 1
        rule = Rule(
            n, 390 + n, model, url, tuple(fields), name, trigger_fields=frozenset(trigger_fields)
        )
        self.rules.append(rule)
        return rule

    # -- the ORM's changes (inside the call's transaction) -----------------------------------
    def created(self, env: Env, model: str, ids: list[int]) -> None:
        for rid in ids:
            self._collect(env, model, rid, env.rows(model)[rid], "create", None)

    def written(
        self, env: Env, model: str, ids: list[int], changed: set[str] | None = None
    ) -> None:
        for rid in ids:
            self._collect(env, model, rid, env.rows(model)[rid], "write", changed)

    def recomputed(self, env: Env, model: str, rid: int, old: Row, values: dict[str, Any]) -> None:
        """One write per recomputed field, in order, each posting the values after it: to a
        rule without trigger fields whether the field changed or not, to one with them only
        when it is one of them and changed (as on real 18.0 and 19.0)."""
        rules = self._rules(model)
        if not rules or all(old.get(f) == v for f, v in values.items()):
            return
        step = dict(old)
        for fname, value in values.items():
            changed = {fname} if step.get(fname) != value else set()
            step[fname] = value
            self._collect(env, model, rid, dict(step), "write", changed)

    def _rules(self, model: str) -> list[Rule]:
        return [rule for rule in (*self.rules, *self._recorded()) if rule.model == model]

    def _recorded(self) -> list[Rule]:
        """The rules kept as records (`base.automation` and its webhook actions), as created over
        the API; archived rules post nothing."""
        tables = self.store.tables
        if "base.automation" not in tables or "ir.actions.server" not in tables:
            return []
        models = {rid: row["model"] for rid, row in tables["ir.model"].rows.items()}
        field_names = tables["ir.model.fields"].rows
        rules: list[Rule] = []
        for action in tables["ir.actions.server"].rows.values():
            rule = tables["base.automation"].rows.get(action.get("base_automation_id") or 0)
            if action.get("state") != "webhook" or rule is None or not rule.get("active"):
                continue
            rules.append(
                Rule(
                    rule["id"],
                    action["id"],
                    models.get(rule.get("model_id") or 0, ""),
                    action.get("webhook_url") or None,
                    tuple(field_names[f]["name"] for f in action.get("webhook_field_ids") or []),
                    action.get("name") or "",
                    rule.get("trigger") or "",
                    frozenset(field_names[f]["name"] for f in rule.get("trigger_field_ids") or []),
                    rule.get("filter_domain") or None,
                )
            )
        return rules

    def _collect(
        self, env: Env, model: str, rid: int, row: Row, event: str, changed: set[str] | None
    ) -> None:
        for rule in self._rules(model):
            if not rule.fires(event, changed) or not _in_filter(env, rule, row):
                continue
            if not rule.url:
                raise UserError(NO_URL)
            body = {"_action": self._action(rule), "_id": rid, "_model": model, "id": rid}
            for fname in rule.fields:
                body[fname] = _plain(row.get(fname, False))
            data = json.dumps(body, sort_keys=True).encode()
            # Odoo posts two identical bodies for one create under "on create and edit", unless
            # the rule has trigger fields (the second comes from a write that changed none)
            twice = event == "create" and rule.trigger == "on_create_or_write"
            times = 2 if twice and not rule.trigger_fields else 1
            self._pending.extend([(rule.url, data, body)] * times)

    def _action(self, rule: Rule) -> str:
        # 17.0 and 18.0 rename the action to its state's label; 19.0 keeps the given name
        name = "Send Webhook Notification" if self.before_commit else rule.name
        return f"{name}(#{rule.action_id})"

    # -- the transaction (store lock held) ---------------------------------------------------
    def wait_turn(self) -> None:
        """At the start of a call: a writing call waits while another call is posting before
        its commit (Odoo's row locks); a reading one goes on and sees the old data."""
        if getattr(self._local, "readonly", False):
            return
        while self._hidden_by is not None and self._hidden_by != threading.get_ident():
            self._turn.wait()

    def at_commit(self, journal: dict[tuple[str, int], Row | None]) -> None:
        out = self._take()
        if out is None or not self.before_commit:
            return
        after = {key: _copy(self.store.tables[key[0]].rows.get(key[1])) for key in journal}
        self._put(journal)  # hidden again until the POSTs are out
        out.hidden = after
        self._hidden_by = threading.get_ident()

    def at_rollback(self) -> None:
        out = self._take()
        if out is not None and not self.before_commit:
            out.posts.clear()  # 19+: "cancelled due to a rollback"

    def _take(self) -> _Outgoing | None:
        posts, self._pending = self._pending, []
        if not posts:
            return None
        out = _Outgoing(posts)
        self._local.out = out
        return out

    def _put(self, images: dict[tuple[str, int], Row | None]) -> None:
        for (model, rid), image in images.items():
            table = self.store.tables[model]
            if rid in table.rows:
                table.remove(rid)
            if image is not None:
                table.insert(_copy(image) or {})

    # -- after the call (store lock released), before its answer ------------------------------
    def note_call(self, method: str | None) -> None:
        self._local.readonly = method in READ_METHODS

    def deliver(self) -> None:
        """Post what this thread's call collected; on 17/18 then commit what was held back."""
        out: _Outgoing | None = getattr(self._local, "out", None)
        self._local.out = None
        self._local.readonly = False
        if out is None:
            return
        started = time.monotonic()
        try:
            for url, data, body in out.posts:
                self.sent.append(_post(url, data, body))
        finally:  # whatever happened, the held-back changes are committed and writers let in
            self.waits.append(time.monotonic() - started)
            if out.hidden is not None:
                with self._turn:
                    self._put(out.hidden)
                    self._hidden_by = None
                    self._turn.notify_all()


def _post(url: str, data: bytes, body: dict[str, Any]) -> Sent:
    sent = Sent(url, body, time.monotonic())
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            sent.status = answer.status
    except urllib.error.HTTPError as exc:
        sent.status, sent.error = exc.code, str(exc)
    except Exception as exc:  # timed out, refused, not a URL: Odoo only logs it
        sent.error = str(exc) or exc.__class__.__name__
    sent.seconds = time.monotonic() - sent.at
    return sent


def _in_filter(env: Env, rule: Rule, row: Row) -> bool:
    """Whether the row passes the rule's filter (`filter_domain`); one that cannot be read
    filters everything out."""
    if not rule.domain:
        return True
    try:
        domain = ast.literal_eval(rule.domain)
        return bool(compile_domain(env, rule.model, domain)(row))
    except (ValueError, SyntaxError, TypeError, KeyError):
        return False


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _copy(row: Row | None) -> Row | None:
    if row is None:
        return None
    return {k: (list(v) if isinstance(v, list) else v) for k, v in row.items()}
