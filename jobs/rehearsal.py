"""Dry runs: the real job, rehearsed, so there is no second implementation of what it would do.

`rehearse(ctx)` gives the job a context on which:
- the store is a scratch copy (`sidecar.store.scratch`): the job commits as it always does, and
  everything is thrown away at the end;
- certificate files go to a temporary folder, signed with a throwaway key;
- Odoo is read as usual, but every write is recorded instead of sent. Delivery runs unchanged:
  a `create` answers with a stand-in id (negative, so it can never be a real record), and later
  reads of a stand-in are answered from what the rehearsal made, including what Odoo makes
  alongside a write (a portal wizard's lines; declared by the adapters in `jobs.odoo`). A chain
  of steps that waits for Odoo's answers therefore runs to its end.

What a dry run reports is the scratch outbox: the writes the job queued, and earlier ones it
would send, each with the summary and call delivery would make. Stand-in ids are shown as
`{'$ref': KEY}`, KEY being the write that would make the record.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from connectors import OdooClient
from connectors.retry import READ_ONLY_METHODS
from connectors.transport import Transport
from jobs.context import JobContext
from jobs.odoo import contacts, elearning, mail
from sidecar.certificates.signing import Signer, generate_key
from sidecar.outbox import CANCELLED, PENDING, describe_call, ref
from sidecar.store.models import OutboxMessage
from sidecar.store.scratch import scratch_sessions

FIRST_STAND_IN = -1_000_001

# (model, method) -> the records Odoo makes alongside that write, as (model, values) pairs, given
# the ids written (for a create: the ids it made), the call's parameters and what was made so far.
Alongside = Callable[
    [Sequence[int], dict[str, Any], Callable[[str, int], dict[str, Any] | None]],
    list[tuple[str, dict[str, Any]]],
]
ALONGSIDE: dict[tuple[str, str], Alongside] = {**contacts.MADE_ALONGSIDE}
ONLY_READING = elearning.ONLY_READING


@dataclass
class Made:
    """The records a rehearsal made, by model and stand-in id."""

    records: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    next_id: int = FIRST_STAND_IN

    def new(self, model: str, values: dict[str, Any]) -> int:
        made_id, self.next_id = self.next_id, self.next_id - 1
        self.records.setdefault(model, {})[made_id] = {**values, "id": made_id}
        return made_id

    def get(self, model: str, made_id: int) -> dict[str, Any] | None:
        return self.records.get(model, {}).get(made_id)

    def matching(self, model: str, domain: Sequence[Any]) -> list[int]:
        return [i for i, rec in self.records.get(model, {}).items() if _matches(rec, domain)]


@dataclass
class RehearsedWrite:
    summary: str
    call: str
    earlier: bool  # queued before the dry run, sent by it


@dataclass
class Rehearsal:
    ctx: JobContext
    folder: Path
    writes: list[RehearsedWrite] = field(default_factory=list)

    def signer(self) -> Signer:
        """A signing key for the dry run's certificates, which nobody will ever see."""
        path = self.folder / "dry-run-signing.key"
        if not path.exists():
            generate_key(path)
        return Signer.load(path)

    def lines(self) -> list[str]:
        return [
            f"{'queued earlier: ' if w.earlier else ''}{w.summary}\n    {w.call}"
            for w in self.writes
        ]


@contextmanager
def rehearse(ctx: JobContext) -> Iterator[Rehearsal]:
    """A context for a dry run of any job; on exit `writes` holds what it would have written."""
    with (
        scratch_sessions(ctx.sessions) as sessions,
        tempfile.TemporaryDirectory(prefix="ojt-dry-run-") as folder,
    ):
        with sessions() as session:
            before = session.scalar(select(func.max(OutboxMessage.id))) or 0
            earlier = set(
                session.scalars(select(OutboxMessage.id).where(OutboxMessage.state == PENDING))
            )
        made = Made()
        client = OdooClient(ctx.client.settings, RehearsalTransport(ctx.client.transport, made))
        files = Path(folder) / "certificates"
        certificates = ctx.cfg.certificates.model_copy(update={"output_dir": files})
        cfg = ctx.cfg.model_copy(update={"certificates": certificates})
        rehearsal = Rehearsal(
            replace(ctx, cfg=cfg, sessions=sessions, client=client, files_root=files),
            Path(folder),
        )
        yield rehearsal
        with sessions() as session:
            rows = session.scalars(
                select(OutboxMessage)
                .where(
                    (OutboxMessage.id > before) | OutboxMessage.id.in_(earlier),
                    OutboxMessage.state != CANCELLED,
                )
                .order_by(OutboxMessage.id)
            ).all()
            rehearsal.writes = _written(rows, earlier)


def _written(rows: Sequence[OutboxMessage], earlier: set[int]) -> list[RehearsedWrite]:
    keys = {r.result_id: r.key for r in rows if r.result_id is not None}
    return [
        RehearsedWrite(
            _STAND_IN_TEXT.sub(lambda m: _label(int(m.group()), keys), r.summary or r.key),
            describe_call(
                r.model,
                r.method,
                _shown(r.args.get("ids"), keys),
                _shown(r.args.get("params") or {}, keys),
            ),
            r.id in earlier,
        )
        for r in rows
    ]


class RehearsalTransport:
    """Reads go to Odoo, answered about the rehearsal's own records from `made`; writes are
    recorded in `made` and never sent."""

    name = "rehearsal"

    def __init__(self, real: Transport, made: Made) -> None:
        self._real = real
        self.made = made

    def version(self) -> dict[str, Any]:
        return self._real.version()

    def login(self) -> int | None:
        return self._real.login()

    def close(self) -> None:
        """The real transport belongs to the job's own client."""

    def call(
        self, model: str, method: str, ids: Sequence[Any] | None, params: dict[str, Any]
    ) -> Any:
        if method in READ_ONLY_METHODS or (model, method) in ONLY_READING:
            return self._read(model, method, ids, params)
        if method == "create":
            return self._create(model, params)
        written = [i for i in ids or () if isinstance(i, int)]
        self._alongside(model, method, written, params)
        if method == "message_post":
            return self.made.new(mail.MESSAGE, {"model": model, "res_id": next(iter(written), 0)})
        return True

    def _create(self, model: str, params: dict[str, Any]) -> int | list[int]:
        values = params.get("vals_list", params.get("vals", {}))
        many = isinstance(values, list)
        made = [self.made.new(model, dict(v)) for v in (values if many else [values])]
        self._alongside(model, "create", made, params)
        return made if many else made[0]

    def _alongside(self, model: str, method: str, ids: list[int], params: dict[str, Any]) -> None:
        also = ALONGSIDE.get((model, method))
        for other, values in also(ids, params, self.made.get) if also else ():
            self.made.new(other, values)

    def _read(
        self, model: str, method: str, ids: Sequence[Any] | None, params: dict[str, Any]
    ) -> Any:
        if method == "read" and ids is not None:
            real = [i for i in ids if not _stand_in(i)]
            rows = self._real.call(model, method, real, params) if real else []
            fields = params.get("fields") or []
            for i in ids:
                record = self.made.get(model, i) if _stand_in(i) else None
                if record is not None:
                    rows.append({"id": i, **{f: record.get(f, False) for f in fields}})
            return rows
        answer = self._real.call(model, method, ids, params)
        if method in ("search", "search_count") and model in self.made.records:
            extra = self.made.matching(model, params.get("domain") or [])
            return answer + len(extra) if method == "search_count" else [*answer, *extra]
        return answer


def _stand_in(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value <= FIRST_STAND_IN


def _matches(record: dict[str, Any], domain: Sequence[Any]) -> bool:
    """Whether a made record satisfies a domain of `=` and `in` terms (all of them); any other
    operator, `|` or `!` makes it not match: a dry run errs towards "not found"."""
    for term in domain:
        if term == "&":
            continue
        if not isinstance(term, list | tuple) or len(term) != 3:
            return False
        name, op, value = term
        have = record.get(name)
        if op == "=" and have == value:
            continue
        if op == "in" and isinstance(value, list | tuple) and have in value:
            continue
        return False
    return True


_STAND_IN_TEXT = re.compile(rf"-\d{{{len(str(-FIRST_STAND_IN))},}}")


def _label(value: int, keys: dict[int, str]) -> str:
    return f"<new: {keys[value]}>" if value in keys else "<made by Odoo alongside>"


def _shown(value: Any, keys: dict[int, str]) -> Any:
    """Stand-in ids replaced by the write that would make the record."""
    if _stand_in(value):
        return ref(keys[value]) if value in keys else _label(value, keys)
    if isinstance(value, dict):
        return {k: _shown(v, keys) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_shown(v, keys) for v in value]
    return value
