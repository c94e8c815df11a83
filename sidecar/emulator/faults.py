"""Fault injection for reliability tests, and the log of calls the emulator received."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["latency", "http_status", "drop_before", "drop_after", "fault"]
KINDS = ("latency", "http_status", "drop_before", "drop_after", "fault")


@dataclass
class FaultRule:
    """One injected failure. ``None`` in a matcher means "any"; ``times`` counts firings."""

    kind: str
    model: str | None = None
    method: str | None = None
    service: str | None = None
    times: int | None = None
    rate: float | None = None
    seconds: float = 0.0
    status: int = 503
    fault_code: int = 1
    fault_string: str = ""
    fired: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {KINDS}")

    def matches(self, service: str | None, model: str | None, method: str | None) -> bool:
        if self.service is not None and self.service != service:
            return False
        if self.model is not None and self.model != model:
            return False
        # ``method`` is execute_kw's model method, or the service method outside ``object``
        return self.method is None or self.method == method


@dataclass(frozen=True)
class CallRecord:
    transport: str  # "xmlrpc" | "jsonrpc" | "json2"
    service: str | None
    method: str | None  # the service method: execute_kw, authenticate, ...
    model: str | None = None
    model_method: str | None = None


class FaultInjector:
    """Rules checked in order; the first that matches (and passes its ``rate`` draw) fires."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._random = random.Random(0)

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def seed(self, n: int) -> None:
        with self._lock:
            self._random = random.Random(n)

    @property
    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def pick(self, service: str | None, model: str | None, method: str | None) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if not rule.matches(service, model, method):
                    continue
                if rule.rate is not None and self._random.random() >= rule.rate:
                    continue
                rule.fired += 1
                if rule.times is not None and rule.fired >= rule.times:
                    self._rules.remove(rule)
                return rule
        return None
