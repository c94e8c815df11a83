"""The outbox: every write to Odoo is first a row here, added in the same transaction as the
business change that calls for it, and delivered later by `jobs.deliver`.

Odoo has no idempotency keys, so each write carries its own way to be recognised: a `lookup`
(a model and a domain) that finds what an earlier attempt made when that attempt's answer was
lost. Delivery counts an attempt *before* sending it; from then on, a row is looked up before it
is sent again. Together with the unique `key` that makes "a crash, an outage or a re-run never
posts twice" a property of this table rather than of each caller.

Arguments may hold placeholders, resolved at delivery:
- `{"$ref": KEY}`: the Odoo id that the row KEY created (that row is delivered first);
- `{"$file_b64": PATH}`: the base64 content of a file under the deliverer's files root, so PDFs
  stay on disk rather than in the database.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from sidecar.statuses import OutboxState
from sidecar.store.models import OutboxMessage

REF = "$ref"
FILE_B64 = "$file_b64"

# Methods whose repetition does no harm: they may be re-sent without a lookup (following a
# record twice leaves one follower).
IDEMPOTENT_METHODS = frozenset({"write", "message_subscribe"})

PENDING, DELIVERED = OutboxState.PENDING, OutboxState.DELIVERED
FAILED, CANCELLED = OutboxState.FAILED, OutboxState.CANCELLED


def ref(key: str) -> dict[str, str]:
    return {REF: key}


def file_b64(path: str) -> dict[str, str]:
    return {FILE_B64: path}


@dataclass(frozen=True)
class Lookup:
    """Finds the record an earlier, unconfirmed attempt of a write may have made."""

    model: str
    domain: Sequence[Any]

    def as_json(self) -> dict[str, Any]:
        return {"model": self.model, "domain": list(self.domain)}


@dataclass(frozen=True)
class Write:
    """One call to Odoo that changes something: `model.method` on the records `ids` (None for a
    model method such as `create`) with named parameters, as `OdooClient.call` takes them."""

    key: str
    model: str
    method: str
    ids: Sequence[Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    lookup: Lookup | None = None
    summary: str = ""
    subject: str | None = None

    def __post_init__(self) -> None:
        if self.lookup is None and self.method not in IDEMPOTENT_METHODS:
            # Without a way to find an earlier attempt, a lost answer would force a choice
            # between losing the write and doubling it.
            raise ValueError(f"{self.model}.{self.method} needs a lookup to be delivered once")

    def refs(self) -> list[str]:
        return sorted(set(refs_in([self.ids, self.params, self.lookup_json()])))

    def lookup_json(self) -> dict[str, Any] | None:
        return self.lookup.as_json() if self.lookup else None

    def describe(self) -> str:
        return describe_call(self.model, self.method, self.ids, self.params)


def describe_call(
    model: str, method: str, ids: Sequence[Any] | None, params: dict[str, Any]
) -> str:
    """One line for dry runs and logs: what would be written, without file contents."""
    shown_ids = _short(list(ids)) if ids is not None else ""
    parts = (f"{model}.{method}", shown_ids, _short(params) if params else "")
    return " ".join(part for part in parts if part)


def refs_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if set(value) == {REF}:
            yield str(value[REF])
            return
        for item in value.values():
            yield from refs_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from refs_in(item)


def enqueue(session: Session, write: Write) -> OutboxMessage:
    """Add the write unless a row with its key exists (then return that row): enqueueing is
    idempotent, so a business step re-run after a crash adds nothing. The existing row is
    returned whatever its state, failed or cancelled included: a write that must really happen
    again needs a new key (enrollment adds a round number; `next_round` counts one)."""
    existing = row_of(session, write.key)
    if existing is not None:
        return existing
    row = _new_row(write)
    session.add(row)
    session.flush()
    return row


def enqueue_all(session: Session, writes: Sequence[Write]) -> list[OutboxMessage]:
    """`enqueue` for each write in turn, with one query for the keys queued already, one insert
    for the new rows and one query reading them back: the row of each write, the row already
    queued under its key when there is one (for a key repeated in `writes`, the first one's).

    The new rows go in as one Core insert of many rows, not through the ORM: on SQLite the ORM
    inserts a row at a time to learn each id, and a full sync's status step queues one write
    per student (docs/benchmarks.md)."""
    keys = list(dict.fromkeys(w.key for w in writes))
    if not keys:
        return []
    rows = {row.key: row for row in session.scalars(_rows_with(keys))}
    new: dict[str, dict[str, Any]] = {}
    for write in writes:
        if write.key not in rows and write.key not in new:
            new[write.key] = _values(write)
    if new:
        session.execute(insert(OutboxMessage), list(new.values()))
        rows.update((row.key, row) for row in session.scalars(_rows_with(list(new))))
    return [rows[write.key] for write in writes]


def _rows_with(keys: list[str]) -> Select[OutboxMessage]:
    return select(OutboxMessage).where(OutboxMessage.key.in_(keys))


def enqueue_new(
    session: Session, writes: Sequence[Write], *, along: Sequence[object] = ()
) -> list[OutboxMessage]:
    """Add the rows of writes whose keys cannot have been queued before (each names something
    made in this transaction, a new certificate's serial), with `along`, in one flush and no
    query. Should a key exist after all, the flush fails on the unique key: nothing is doubled."""
    session.add_all(along)
    rows = [_new_row(write) for write in writes]
    session.add_all(rows)
    session.flush()
    return rows


def _new_row(write: Write) -> OutboxMessage:
    return OutboxMessage(**_values(write))


def _values(write: Write) -> dict[str, Any]:
    refs = write.refs()
    return {
        "key": write.key,
        "subject": write.subject,
        "model": write.model,
        "method": write.method,
        "args": {
            "ids": None if write.ids is None else list(write.ids),
            "params": dict(write.params),
        },
        "lookup": write.lookup_json(),
        "depends_on": refs[0] if refs else None,
        "summary": write.summary[:300],
        "state": PENDING,
    }


def row_of(session: Session, key: str) -> OutboxMessage | None:
    """The outbox row of this key, whatever its state; None when nothing was queued under it."""
    return session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))


def made_by(session: Session, key: str) -> int | None:
    """The id of the record the write `key` made in Odoo, once delivered."""
    row = row_of(session, key)
    return row.result_id if row is not None else None


def next_round(session: Session, prefix: str) -> int:
    """How many rows have a key starting with `prefix`: the round of the next change made under
    it (`prefix` + round), so a change that undoes an earlier one gets a key of its own."""
    count = session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.key.like(f"{prefix}%"))
    )
    return int(count or 0)


def latest_of_round(session: Session, prefix: str) -> OutboxMessage | None:
    """The newest row whose key starts with `prefix` (the last round of a change), if any."""
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.key.like(f"{prefix}%"))
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).first()


def counts(session: Session) -> dict[str, int]:
    """Rows per state, for status and metrics."""
    rows = session.execute(
        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    ).all()
    return {state: int(n) for state, n in rows}


def settled_subjects(session: Session, subjects: Sequence[str]) -> set[str]:
    """Subjects among `subjects` whose every row is delivered."""
    if not subjects:
        return set()
    open_ = set(
        session.scalars(
            select(OutboxMessage.subject).where(
                OutboxMessage.subject.in_(list(subjects)), OutboxMessage.state != DELIVERED
            )
        )
    )
    present = set(
        session.scalars(
            select(OutboxMessage.subject).where(OutboxMessage.subject.in_(list(subjects)))
        )
    )
    return {s for s in subjects if s in present and s not in open_}


def _short(value: Any, limit: int = 160) -> str:
    text = repr(_without_files(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _without_files(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {FILE_B64}:
            return f"<file {value[FILE_B64]}>"
        return {k: _without_files(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_files(v) for v in value]
    return value
