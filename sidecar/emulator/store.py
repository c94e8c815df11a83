"""In-memory tables, and the undo journal that makes each RPC call all-or-nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from .hooks import Hooks
from .registry import ModelSpec
from .versions import DEFAULT_VERSION, Profile, profile_for

Row = dict[str, Any]


class Table:
    """Rows of one model, keyed by id. Ids only grow (like a PostgreSQL sequence, never reused)."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.rows: dict[int, Row] = {}
        self.next_id = 1
        self._sorted: list[int] | None = []
        # unique-constraint indexes, built on first use: fields -> {key: id}
        self._unique: dict[tuple[str, ...], dict[tuple, int]] = {}

    def unique_index(self, fields: tuple[str, ...]) -> dict[tuple, int]:
        index = self._unique.get(fields)
        if index is None:
            index = {}
            for rid, row in self.rows.items():
                key = tuple(row.get(f) for f in fields)
                if None not in key:
                    index[key] = rid
            self._unique[fields] = index
        return index

    def unindex(self, row: Row) -> None:
        for fields, index in self._unique.items():
            key = tuple(row.get(f) for f in fields)
            if index.get(key) == row["id"]:
                del index[key]

    def reindex(self, row: Row) -> None:
        for fields, index in self._unique.items():
            key = tuple(row.get(f) for f in fields)
            if None not in key:
                index[key] = row["id"]

    def sorted_ids(self) -> list[int]:
        if self._sorted is None:
            self._sorted = sorted(self.rows)
        return self._sorted

    def insert(self, row: Row) -> None:
        rid = row["id"]
        if self._sorted is not None and (not self._sorted or self._sorted[-1] < rid):
            self._sorted.append(rid)
        else:
            self._sorted = None
        self.rows[rid] = row
        self.reindex(row)
        self.next_id = max(self.next_id, rid + 1)

    def remove(self, rid: int) -> None:
        self.unindex(self.rows[rid])
        del self.rows[rid]
        self._sorted = None


class Store:
    """All tables, credentials and the transaction machinery. One lock serialises model work."""

    def __init__(
        self,
        specs: dict[str, ModelSpec],
        hooks: Hooks,
        clock: Callable[[], datetime],
        profile: Profile | None = None,
    ):
        self.profile = profile or profile_for(DEFAULT_VERSION)
        self.specs = specs
        self.hooks = hooks
        self.tables = {name: Table(spec) for name, spec in specs.items()}
        self.clock = clock
        self.lock = threading.RLock()
        self.passwords: dict[int, str] = {}
        # API key -> its res.users.apikeys row (Odoo stores only a hash of the key there)
        self.api_keys: dict[str, int] = {}
        self.xmlids: dict[str, tuple[str, int]] = {}
        self.journal: dict[tuple[str, int], Row | None] | None = None
        self.tx_now: datetime | None = None
        self.webhooks: Any = None  # webhooks.Webhooks, once a test registers a webhook rule

    def ref(self, xmlid: str) -> int:
        return self.xmlids[xmlid][1]

    def key_uid(self, key: str) -> int | None:
        """The user an API key authenticates, None for an unknown, removed or expired key (Odoo
        accepts a key while ``expiration_date IS NULL OR expiration_date >= now()``)."""
        row = self.tables["res.users.apikeys"].rows.get(self.api_keys.get(key, 0))
        if row is None:
            return None
        expiry = row.get("expiration_date")
        if expiry is not None and expiry < self.clock():
            return None
        return int(row["user_id"])

    # -- journal -----------------------------------------------------------------------------
    def touch(self, model: str, rid: int) -> None:
        """Remember a row's state before its first change in the running transaction."""
        if self.journal is None:
            return
        key = (model, rid)
        if key not in self.journal:
            row = self.tables[model].rows.get(rid)
            self.journal[key] = None if row is None else _copy_row(row)

    @contextmanager
    def transaction(self, at: datetime | None = None) -> Iterator[datetime]:
        """Run a block as one transaction stamped with a single timestamp; undo it on error."""
        with self.lock:
            if self.journal is not None:
                # nested: join the running transaction (and its timestamp)
                assert self.tx_now is not None
                yield self.tx_now
                return
            if self.webhooks is not None:
                self.webhooks.wait_turn()
            self.journal = {}
            self.tx_now = at or self.clock()
            try:
                yield self.tx_now
                if self.webhooks is not None:
                    self.webhooks.at_commit(self.journal)
            except BaseException:
                self._rollback()
                if self.webhooks is not None:
                    self.webhooks.at_rollback()
                raise
            finally:
                self.journal = None
                self.tx_now = None

    def _rollback(self) -> None:
        assert self.journal is not None
        for (model, rid), before in self.journal.items():
            table = self.tables[model]
            if rid in table.rows:
                table.remove(rid)
            if before is not None:
                table.insert(before)


def _copy_row(row: Row) -> Row:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in row.items()}
