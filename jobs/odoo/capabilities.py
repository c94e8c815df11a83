"""What `ojt-sidecar check` says about this Odoo version: one sentence for each capability it
lacks or does differently, as far as the configured programs use it, and a warning while the
connection uses a protocol that this version deprecates or an API key about to expire."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from connectors import OdooClient, OdooError
from jobs.odoo.profile import OdooProfile, profile_of
from sidecar.config import Config

Level = Literal["ok", "warn", "fail"]
KEY_MODEL = "res.users.apikeys"
EXPIRY_WARNING = timedelta(days=14)


def capability_findings(client: OdooClient, cfg: Config) -> Iterator[tuple[Level, str]]:
    profile = profile_of(client)
    apps = set(cfg.required_apps())
    if "elearning" in apps and not profile.membership_status:
        yield (
            "warn",
            f"Odoo {profile.series} has no course invitations and no archived memberships: a "
            "membership's status is derived from its completion, as Odoo 16 does, and a "
            "membership its trainee leaves disappears at the next reconcile pass",
        )
    if "recruitment" in apps and profile.candidates:
        yield (
            "ok",
            f"Odoo {profile.series} keeps an applicant's contact on its candidate "
            "(hr.candidate): a contact the sidecar makes is linked there",
        )
    if profile.legacy_rpc_deprecated and client.transport.name in ("xmlrpc", "jsonrpc"):
        yield (
            "warn",
            f"Odoo {profile.series} deprecates XML-RPC and JSON-RPC and logs every call, and "
            "Odoo's documentation schedules their removal for Odoo 22 (earlier on Odoo Online): "
            "give the service user an API key (odoo.api_key) and use transport auto or json2",
        )
    yield from _key_expiry(client, profile, cfg)


def _key_expiry(
    client: OdooClient, profile: OdooProfile, cfg: Config
) -> Iterator[tuple[Level, str]]:
    """Odoo 18+ keys may expire (a user reads its own keys' dates); the one in use cannot be
    told apart from the user's others, so any of them close to expiry is named."""
    if cfg.odoo.api_key is None or profile.major < 18:
        return
    try:
        keys = client.search_read_list(KEY_MODEL, [], ["name", "expiration_date"])
    except OdooError:
        return  # not readable here: nothing to say
    now = datetime.now(UTC).replace(tzinfo=None)
    for key in keys:
        expires = _datetime(key.get("expiration_date"))
        if expires is not None and expires - now <= EXPIRY_WARNING:
            when = "has expired" if expires <= now else f"expires on {expires:%Y-%m-%d %H:%M} UTC"
            yield (
                "warn",
                f"the API key {key.get('name')!r} of {cfg.odoo.username} {when}: if the "
                "sidecar uses it, make a new key in Odoo and give it as ODOO_API_KEY before then",
            )


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
