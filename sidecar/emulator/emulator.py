"""``OdooEmulator``: a stock Odoo external API (16.0 to 20.0, 17.0 by default) on a local port,
for tests and the demo."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from . import behaviours, demo_data, methods, showcase_data
from .faults import CallRecord, FaultInjector
from .hooks import Hooks
from .languages import install
from .orm import Env, as_ids
from .registry import load_specs
from .server import EmulatorHTTPServer
from .services import DB_NAME, Services
from .store import Store
from .versions import DEFAULT_VERSION, VERSIONS, profile_for
from .webhooks import Rule, Sent, Webhooks

ADMIN_UID = 2
# apps an emulator can leave out, and their models
OPTIONAL_APPS = {"base_automation": ("base.automation",)}


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Clock:
    """The server's clock: a base function plus an offset that ``advance`` moves."""

    def __init__(self) -> None:
        self.base: Callable[[], datetime] = _utcnow
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return self.base() + self.offset


class InProcessEnv:
    """Direct access for test setup and assertions: same semantics as RPC, run as admin."""

    def __init__(self, emulator: OdooEmulator) -> None:
        self._emu = emulator

    def _run(self, fn: Callable[[Env], Any], context: dict | None = None) -> Any:
        store = self._emu.store
        try:
            with store.lock, store.transaction():
                return fn(Env(store, ADMIN_UID, context or {}))
        finally:
            if store.webhooks is not None:
                store.webhooks.deliver()

    @contextmanager
    def transaction(self, at: datetime | None = None) -> Iterator[None]:
        """Everything inside commits together, stamped ``at`` (default: the clock)."""
        store = self._emu.store
        try:
            with store.transaction(at=at):
                yield
        finally:
            if store.webhooks is not None:
                store.webhooks.deliver()

    def create(self, model: str, vals: dict | list[dict]) -> Any:
        return self._run(lambda env: env.create(model, vals))

    def write(self, model: str, ids: Any, vals: dict) -> bool:
        return self._run(lambda env: env.write(model, as_ids(ids), vals))

    def unlink(self, model: str, ids: Any) -> bool:
        return self._run(lambda env: env.unlink(model, as_ids(ids)))

    def search(
        self,
        model: str,
        domain: list,
        order: str | None = None,
        limit: int | None = None,
        context: dict | None = None,
    ) -> list[int]:
        return self._run(lambda env: env.search(model, domain, 0, limit, order), context)

    def search_read(
        self,
        model: str,
        domain: list,
        fields: list[str] | None = None,
        order: str | None = None,
        limit: int | None = None,
        context: dict | None = None,
    ) -> list[dict]:
        def run(env: Env) -> list[dict]:
            ids = env.search(model, domain, 0, limit, order)
            return env.read(model, ids, fields) if ids else []

        return self._run(run, context)

    def call(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        result = self._run(lambda env: methods.call(env, model, method, list(args), kwargs))
        if isinstance(result, methods.RecordSet) and self._emu.profile.recordsets_as_ids:
            return list(result.ids)
        return result


class OdooEmulator:
    """A fake Odoo server. ``with OdooEmulator() as emu:`` starts and stops it."""

    db = DB_NAME
    versions = VERSIONS

    def __init__(
        self,
        version: str | None = None,
        demo: bool | str = True,
        host: str = "127.0.0.1",
        port: int = 0,
        without_apps: tuple[str, ...] = (),
    ) -> None:
        """`version`: the Odoo version to speak, one of ``VERSIONS`` (default 17.0).
        `port=0` picks a free port (tests); `ojt-sidecar emulator` passes a fixed one.
        `demo`: True for Odoo's demo data (the tests' ids), False for the base records only,
        "showcase" for the dataset `ojt-sidecar demo` shows (`showcase_data`).
        `without_apps`: apps that are not installed, of ``OPTIONAL_APPS`` (their models are
        missing, as on an Odoo where no one installed them)."""
        profile = profile_for(version or DEFAULT_VERSION)
        self.version = profile.version
        self.profile = profile
        self._host, self._port = host, port
        self._clock = Clock()
        hooks = Hooks()
        specs = load_specs(profile)
        missing = {model for app in without_apps for model in OPTIONAL_APPS[app]}
        for model in missing:
            specs.pop(model, None)
        for spec in specs.values():  # and the fields an app adds to others' models
            for fname in [f for f, d in spec.fields.items() if d.get("relation") in missing]:
                del spec.fields[fname]
        methods.register(hooks, profile)
        behaviours.register_all(hooks, specs, profile)
        self.store = Store(specs, hooks, self._clock, profile)
        self.services = Services(self.store, profile.version_info())
        self.faults = FaultInjector()
        self.calls: list[CallRecord] = []
        self._calls_lock = threading.Lock()
        self.env = InProcessEnv(self)
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        demo_data.load(self.store, demo=demo is True)
        if demo == "showcase":
            showcase_data.load(self.store)

    def install_languages(self, *languages: tuple[str, str]) -> None:
        """What an administrator does in Odoo's Settings, Languages: each (code, name), e.g.
        ("fr_FR", "French / Français"), becomes a value every `lang` field accepts (a contact's,
        a user's), as on an Odoo where it is installed. Until then Odoo refuses it."""
        install(self.store.specs, languages)

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> OdooEmulator:
        if self._server is None:
            self._server = EmulatorHTTPServer(self, self._host, self._port)
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.05,), name="odoo-emulator", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            self._thread = None

    def __enter__(self) -> OdooEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self._host in ("", "0.0.0.0") else self._host
        return f"http://{host}:{self.port}"

    # -- webhooks ----------------------------------------------------------------------------
    def add_webhook_rule(
        self,
        model: str,
        url: str | None,
        fields: tuple[str, ...] | list[str] = (),
        name: str = "",
        trigger_fields: tuple[str, ...] | list[str] = (),
    ) -> Rule:
        """An automation rule "on create and edit" of `model` that sends a webhook to `url` with
        `fields`, fired by a change of `trigger_fields` (none: by any write)
        (sidecar/emulator/webhooks.py). Odoo 16.0 has no webhook action: ValueError."""
        if self.profile.major < 17:
            raise ValueError(f"Odoo {self.version} has no webhook action")
        with self.store.lock:
            if self.store.webhooks is None:
                self.store.webhooks = Webhooks(self.store)
            return self.store.webhooks.add_rule(
                model, url, tuple(fields), name or "Send webhook", tuple(trigger_fields)
            )

    @property
    def webhooks_sent(self) -> list[Sent]:
        """Every webhook POST made so far, in order."""
        return list(self.store.webhooks.sent) if self.store.webhooks is not None else []

    # -- calls log ---------------------------------------------------------------------------
    def record_call(self, record: CallRecord) -> None:
        with self._calls_lock:
            self.calls.append(record)

    def reset_calls(self) -> None:
        with self._calls_lock:
            self.calls.clear()

    # -- clock -------------------------------------------------------------------------------
    @property
    def clock(self) -> Callable[[], datetime]:
        return self._clock

    def set_clock(self, fn: Callable[[], datetime]) -> None:
        self._clock.base = fn
        self._clock.offset = timedelta()

    def freeze(self, dt: datetime) -> None:
        self.set_clock(lambda: dt)

    def advance(self, seconds: float) -> None:
        self._clock.offset += timedelta(seconds=seconds)

    # -- users -------------------------------------------------------------------------------
    def new_api_key(
        self, uid: int = ADMIN_UID, name: str = "ojt-sidecar", expiration: datetime | None = None
    ) -> str:
        """A key for `uid`, as a ``res.users.apikeys`` row; `expiration` (18.0 on; naive UTC, or
        aware and converted) is when the key stops working, None for a persistent key."""
        vals: dict[str, Any] = {"name": name, "user_id": uid, "scope": False}
        if expiration is not None:
            if self.profile.major < 18:
                raise ValueError(f"Odoo {self.version} API keys have no expiration date")
            if expiration.tzinfo is not None:
                expiration = expiration.astimezone(UTC).replace(tzinfo=None)
            vals["expiration_date"] = expiration
        key = secrets.token_hex(20)
        with self.store.lock, self.store.transaction():
            rid = Env(self.store, uid, su=True).create("res.users.apikeys", vals)
            self.store.api_keys[key] = int(rid)
        return key

    def create_user(
        self,
        name: str,
        login: str,
        password: str,
        groups: tuple[str, ...] | list[str] = ("internal",),
    ) -> int:
        xmlids = {
            "admin": ["base.group_user", "base.group_system"],
            "internal": ["base.group_user"],
            "portal": ["base.group_portal"],
        }
        group_ids: list[int] = []
        for g in groups:
            group_ids += [self.store.ref(x) for x in xmlids[g]]
        groups_field = self.profile.groups_field
        uid = self.env.create(
            "res.users",
            {"name": name, "login": login, "password": password, groups_field: [(6, 0, group_ids)]},
        )
        return int(uid)
