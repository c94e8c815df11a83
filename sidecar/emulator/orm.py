"""The emulated ORM: create / write / unlink with Odoo's validation, defaults, x2many commands,
magic columns, constraints and the behaviour hooks. Reading and searching live in ``query.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from . import access
from .errors import UserError, ValidationError, missing_record, value_error
from .query import QueryMixin
from .registry import ModelSpec
from .store import Row, Store
from .values import to_stored_date, to_stored_datetime
from .versions import Profile

MAGIC = ("id", "create_date", "create_uid", "write_date", "write_uid")
REQUIRED_MSG = (
    "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
    "- Delete: another model requires the record being deleted. If possible, archive it instead."
    "\n\nModel: {desc} ({model})\nField: {string} ({name})"
)
# 19.0 words it differently, and reports it (like unique constraints) as a ValidationError
REQUIRED_MSG_19 = (
    "The operation cannot be completed: Missing required value for the field '{string}' ({name})."
    "\nModel: '{desc}' ({model})\n- create/update: a mandatory field is not set\n"
    "- delete: another model requires the record being deleted, you can archive it instead"
)


def as_ids(value: Any) -> list[int]:
    """Record ids as Odoo accepts them in ``args[0]``: a bare id or a list of ids."""
    if value is None or value is False:
        return []
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    return [int(value)]


def _drop_foreign(spec: ModelSpec, vals: dict, given: set[str]) -> None:
    """Forget the values behaviour hooks added for fields this version's model lacks (one set of
    hooks serves every version); what the caller sent is checked as it is."""
    for key in [k for k in vals if k not in given and k not in spec.fields]:
        if not key.startswith("_") and key != "id":
            del vals[key]


class Env(QueryMixin):
    """An Odoo-like environment: a user, a context, and the current transaction's timestamp."""

    def __init__(self, store: Store, uid: int, context: dict | None = None, su: bool = False):
        self.store = store
        self.uid = uid
        self.context: dict = dict(context or {})
        self.su = su

    # -- environment helpers ----------------------------------------------------------------
    def with_context(self, **ctx: Any) -> Env:
        return Env(self.store, self.uid, {**self.context, **ctx}, self.su)

    def sudo(self) -> Env:
        return Env(self.store, self.uid, self.context, su=True)

    def with_user(self, uid: int) -> Env:
        return Env(self.store, uid, self.context, self.su)

    @property
    def version(self) -> Profile:
        """The Odoo version this server speaks."""
        return self.store.profile

    @property
    def now(self) -> datetime:
        return self.store.tx_now or self.store.clock()

    @property
    def active_test(self) -> bool:
        return bool(self.context.get("active_test", True))

    def spec(self, model: str) -> ModelSpec:
        try:
            return self.store.specs[model]
        except KeyError:
            raise UserError(f"Object {model} doesn't exist") from None

    def rows(self, model: str) -> dict[int, Row]:
        return self.store.tables[model].rows

    def row(self, model: str, rid: int | None) -> Row | None:
        if rid is None:
            return None
        return self.store.tables[model].rows.get(rid)

    def ref(self, xmlid: str) -> int:
        return self.store.ref(xmlid)

    @property
    def user_partner_id(self) -> int:
        return self.rows("res.users")[self.uid]["partner_id"]

    def is_stored(self, model: str, fname: str) -> bool:
        fdef = self.spec(model).fields[fname]
        return fdef.get("store", True) or fname in self.store.hooks.kept[model]

    # -- create ------------------------------------------------------------------------------
    def create(self, model: str, vals_list: dict | list[dict]) -> Any:
        single = isinstance(vals_list, dict)
        items = [vals_list] if single else list(vals_list)
        spec = self.spec(model)
        access.check_model(self, model, "create")
        table = self.store.tables[model]
        hooks = self.store.hooks
        ids: list[int] = []
        for vals in items:
            if not isinstance(vals, dict):
                raise value_error(f"Invalid values {vals!r}")
            vals = dict(vals)
            given = set(vals)
            self._apply_defaults(spec, vals)
            for prep in hooks.prepare.get(model, []):
                prep(self, vals)
            _drop_foreign(spec, vals, given)
            forced_id = vals.pop("id", None) if self.su else None
            # keys starting with "_" are emulator bookkeeping set by hooks, not Odoo fields
            private = {k: vals.pop(k) for k in list(vals) if k.startswith("_")}
            self._check_fields(spec, vals)
            rid = int(forced_id) if forced_id else table.next_id
            table.next_id = max(table.next_id, rid + 1)
            row: Row = {
                "id": rid,
                "create_date": self.now,
                "write_date": self.now,
                "create_uid": self.uid,
                "write_uid": self.uid,
                **private,
            }
            later: dict[str, Any] = {}
            for fname, value in vals.items():
                fdef = spec.fields[fname]
                if fdef["type"] == "one2many":
                    later[fname] = value
                elif self.is_stored(model, fname):
                    row[fname] = self._convert(model, fname, fdef, value, None)
            self._fill_empty(spec, row)
            self._check_required(spec, row)
            self._check_uniques(spec, row)
            self.store.touch(model, rid)
            table.insert(row)
            for fname, value in later.items():
                self._apply_one2many(model, rid, fname, value)
            ids.append(rid)
        for after in hooks.after_create.get(model, []):
            after(self, ids)
        if self.store.webhooks is not None:
            self.store.webhooks.created(self, model, ids)
        return ids[0] if single else ids

    def _apply_defaults(self, spec: ModelSpec, vals: dict) -> None:
        for fname, default in spec.defaults.items():
            if fname not in vals:
                vals[fname] = default(self) if callable(default) else default
        for key, value in self.context.items():
            if key.startswith("default_") and key[8:] in spec.fields and key[8:] not in vals:
                vals[key[8:]] = value

    def _fill_empty(self, spec: ModelSpec, row: Row) -> None:
        for fname, fdef in spec.fields.items():
            if fname in row or not fdef.get("store", True):
                continue
            ftype = fdef["type"]
            if ftype == "boolean":
                row[fname] = False
            elif ftype == "many2many":
                row[fname] = []

    def _check_fields(self, spec: ModelSpec, vals: dict) -> None:
        for fname in vals:
            if fname not in spec.fields:
                if self.version.major >= 19:
                    raise value_error(f"Invalid field {fname!r} in {spec.name!r}")
                raise value_error(f"Invalid field {fname!r} on model {spec.name!r}")

    def _check_required(self, spec: ModelSpec, row: Row) -> None:
        for fname, fdef in spec.fields.items():
            if not fdef.get("required") or not fdef.get("store", True):
                continue
            if fdef["type"] in ("one2many", "many2many"):
                continue
            value = row.get(fname)
            if value is None or (value is False and fdef["type"] != "boolean"):
                names = {"desc": spec.description, "model": spec.name, "name": fname}
                if self.version.major >= 19:
                    raise ValidationError(REQUIRED_MSG_19.format(string=fdef["string"], **names))
                raise UserError(REQUIRED_MSG.format(string=fdef["string"], **names))

    def _check_uniques(self, spec: ModelSpec, row: Row) -> None:
        table = self.store.tables[spec.name]
        for fnames, message in spec.uniques:
            key = tuple(row.get(f) for f in fnames)
            if any(k is None for k in key):
                continue
            other = table.unique_index(fnames).get(key)
            if other is not None and other != row["id"]:
                error = ValidationError if self.version.major >= 19 else UserError
                raise error(f"The operation cannot be completed: {message}")

    def _convert(self, model: str, fname: str, fdef: dict, value: Any, old: Any) -> Any:
        """A client value to its stored form (validating selections and many2one targets)."""
        ftype = fdef["type"]
        if ftype == "many2one":
            if value is False or value is None or value == 0:
                return None
            if isinstance(value, (list, tuple)):
                value = value[0]
            rid = int(value)
            comodel = fdef["relation"]
            if comodel in self.store.tables and rid not in self.rows(comodel):
                raise missing_record(comodel, [rid], self.uid)
            return rid
        if ftype == "many2many":
            return self._m2m_commands(list(old or []), value)
        if ftype == "datetime":
            return to_stored_datetime(value)
        if ftype == "date":
            return to_stored_date(value)
        if ftype == "boolean":
            return bool(value)
        if ftype == "selection":
            if value is False or value is None:
                return None
            keys = {k for k, _ in fdef.get("selection") or []}
            if keys and value not in keys:
                raise value_error(f"Wrong value for {model}.{fname}: {value!r}")
            return value
        if ftype == "integer":
            return None if value is False or value is None else int(value)
        if ftype in ("float", "monetary"):
            return None if value is False or value is None else float(value)
        if value is False:
            return None
        return value

    def _m2m_commands(self, current: list[int], value: Any) -> list[int]:
        if value is False or value is None:
            return []
        result = list(current)
        for cmd in value:
            if isinstance(cmd, int):
                # a plain list of ids replaces the set, like (6, 0, ids)
                return [int(c) for c in value]
            op = cmd[0]
            if op == 6:
                result = [int(i) for i in cmd[2]]
            elif op == 5:
                result = []
            elif op == 4 and cmd[1] not in result:
                result.append(int(cmd[1]))
            elif op in (3, 2):
                result = [i for i in result if i != cmd[1]]
            elif op == 0:
                raise value_error("Creating records through a many2many command is not supported")
        return result

    def _apply_one2many(self, model: str, rid: int, fname: str, value: Any) -> None:
        fdef = self.spec(model).fields[fname]
        comodel = fdef["relation"]
        inverse = self.inverse_of(model, fname)
        if inverse is None or value is False or value is None:
            return
        sub = self.sudo()
        for cmd in value:
            if isinstance(cmd, int):
                cmd = (4, cmd)
            op = cmd[0]
            if op == 0:
                sub.create(comodel, {**cmd[2], inverse: rid})
            elif op == 1:
                sub.write(comodel, [cmd[1]], cmd[2])
            elif op == 2:
                sub.unlink(comodel, [cmd[1]])
            elif op == 3:
                sub.write(comodel, [cmd[1]], {inverse: False})
            elif op == 4:
                sub.write(comodel, [cmd[1]], {inverse: rid})
            elif op in (5, 6):
                keep = set(cmd[2]) if op == 6 else set()
                children = [r["id"] for r in self.rows(comodel).values() if r.get(inverse) == rid]
                drop = [c for c in children if c not in keep]
                if drop:
                    sub.write(comodel, drop, {inverse: False})
                if keep:
                    sub.write(comodel, sorted(keep), {inverse: rid})

    def inverse_of(self, model: str, fname: str) -> str | None:
        spec = self.spec(model)
        if fname in spec.inverses:
            return spec.inverses[fname]
        comodel = spec.fields[fname].get("relation")
        if comodel not in self.store.specs:
            return None
        candidates = [
            name
            for name, f in self.store.specs[comodel].fields.items()
            if f["type"] == "many2one" and f.get("relation") == model and f.get("store", True)
        ]
        return candidates[0] if len(candidates) == 1 else None

    # -- write -------------------------------------------------------------------------------
    def write(self, model: str, ids: Iterable[int], vals: dict) -> bool:
        spec = self.spec(model)
        ids = as_ids(ids)
        access.check_model(self, model, "write")
        rows = self.rows(model)
        missing = [i for i in ids if i not in rows]
        if missing:
            raise missing_record(model, missing, self.uid)
        access.check_records(self, model, ids, "write")
        vals = dict(vals)
        self._check_fields(spec, vals)
        hooks = self.store.hooks
        given = set(vals)
        for before in hooks.before_write.get(model, []):
            before(self, ids, vals)
        _drop_foreign(spec, vals, given)
        previous = {i: dict(rows[i]) for i in ids}
        o2m = {f: v for f, v in vals.items() if spec.fields[f]["type"] == "one2many"}
        table = self.store.tables[model]
        for rid in ids:
            row = rows[rid]
            self.store.touch(model, rid)
            table.unindex(row)
            for fname, value in vals.items():
                if fname in MAGIC or fname in o2m or not self.is_stored(model, fname):
                    continue
                row[fname] = self._convert(model, fname, spec.fields[fname], value, row.get(fname))
            row["write_date"] = self.now
            row["write_uid"] = self.uid
            self._check_required(spec, row)
            self._check_uniques(spec, row)
            table.reindex(row)
            for fname, value in o2m.items():
                self._apply_one2many(model, rid, fname, value)
        for after in hooks.after_write.get(model, []):
            after(self, ids, vals, previous)
        if self.store.webhooks is not None:
            self.store.webhooks.written(self, model, ids, set(vals))
        return True

    def touch_write(self, model: str, rid: int, values: dict[str, Any]) -> None:
        """Store computed values the way Odoo's recompute does: bumping write_date/write_uid."""
        row = self.rows(model)[rid]
        if self.store.webhooks is not None:
            self.store.webhooks.recomputed(self, model, rid, dict(row), values)
        self.store.touch(model, rid)
        row.update(values)
        row["write_date"] = self.now
        row["write_uid"] = self.uid

    # -- unlink ------------------------------------------------------------------------------
    def unlink(self, model: str, ids: Iterable[int]) -> bool:
        self.spec(model)
        ids = as_ids(ids)
        access.check_model(self, model, "unlink")
        table = self.store.tables[model]
        missing = [i for i in ids if i not in table.rows]
        if missing:
            raise missing_record(model, missing, self.uid)
        for before in self.store.hooks.before_unlink.get(model, []):
            before(self, ids)
        for rid in ids:
            if rid in table.rows:
                self.store.touch(model, rid)
                table.remove(rid)
        return True
