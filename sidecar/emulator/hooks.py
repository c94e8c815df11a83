"""Where behaviour modules plug Odoo's model-specific logic into the generic ORM."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .orm import Env

Row = dict[str, Any]
ComputeFn = Callable[["Env", Row], Any]
PrepareFn = Callable[["Env", dict[str, Any]], None]
AfterCreateFn = Callable[["Env", list[int]], None]
BeforeWriteFn = Callable[["Env", list[int], dict[str, Any]], None]
AfterWriteFn = Callable[["Env", list[int], dict[str, Any], dict[int, Row]], None]
UnlinkFn = Callable[["Env", list[int]], None]
MethodFn = Callable[..., Any]
DisplayFn = Callable[["Env", Row], str]


class Hooks:
    """Registries filled by ``behaviours.register_all``; the ORM calls them around operations."""

    def __init__(self) -> None:
        self.computes: dict[str, dict[str, ComputeFn]] = defaultdict(dict)
        # fields that are not stored in Odoo's table but that we keep on the row anyway
        self.kept: dict[str, set[str]] = defaultdict(set)
        self.prepare: dict[str, list[PrepareFn]] = defaultdict(list)
        self.after_create: dict[str, list[AfterCreateFn]] = defaultdict(list)
        self.before_write: dict[str, list[BeforeWriteFn]] = defaultdict(list)
        self.after_write: dict[str, list[AfterWriteFn]] = defaultdict(list)
        self.before_unlink: dict[str, list[UnlinkFn]] = defaultdict(list)
        self.methods: dict[tuple[str, str], MethodFn] = {}
        self.display: dict[str, DisplayFn] = {}

    def method(self, model: str, name: str) -> Callable[[MethodFn], MethodFn]:
        """Decorator: ``model`` may be ``"*"`` for a method every model has."""

        def deco(fn: MethodFn) -> MethodFn:
            self.methods[(model, name)] = fn
            return fn

        return deco

    def compute(self, model: str, name: str) -> Callable[[ComputeFn], ComputeFn]:
        def deco(fn: ComputeFn) -> ComputeFn:
            self.computes[model][name] = fn
            return fn

        return deco
