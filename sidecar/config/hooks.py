"""The `hooks` section: Odoo's webhook notifications as hints for the sync (docs/webhooks.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, ClassVar

from sidecar.config.base import Finding, Section, have
from sidecar.config.fieldtypes import Host, HttpUrl, Secret, between


class HooksConfig(Section):
    """Odoo's webhook notifications (automation rules, Odoo 17+): hints that make the sync read
    the changed records at once. Off by default; polling stays on either way."""

    _has_cross_checks: ClassVar[bool] = True

    enabled: bool = False
    # The hook listener: its own address, apart from the verification site and /metrics.
    host: Host = "127.0.0.1"
    port: Annotated[int, between(1, 65535)] = 8091
    # The secret part of the URL Odoo posts to (/hooks/odoo/<secret>): Odoo sends no header, so
    # the URL is the credential. At least 22 characters of letters, digits, - and _ (>= 128 bits).
    secret: Secret = None
    # Where Odoo's server reaches the listener (for `hooks install` and `hooks check`), e.g.
    # http://sidecar.internal:8091; unset: http://<host>:<port> when host is one address.
    url: HttpUrl | None = None
    # Records waiting to be read; beyond it the listener answers 503 and the poll catches up.
    queue_size: Annotated[int, between(1, 1_000_000)] = 10000

    @classmethod
    def _cross_problems(cls, values: Mapping[str, Any]) -> Iterator[Finding]:
        if not have(values, "enabled", "secret") or not values["enabled"]:
            return
        secret = values["secret"]
        if secret is None:
            yield (
                ("secret",),
                "hooks are enabled but have no secret: set it, e.g. secret: ${OJT_HOOKS_SECRET}",
            )
        elif not _URL_SECRET.fullmatch(secret.get_secret_value()):
            yield (
                ("secret",),
                "must be at least 22 characters of letters, digits, - and _ (128 bits or "
                "more), e.g. from: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'",
            )


_URL_SECRET = re.compile(r"[A-Za-z0-9_-]{22,200}")


WILDCARD_HOSTS = ("0.0.0.0", "::", "")
HOOK_PATH = "/hooks/odoo/"  # + the secret: where Odoo's rules post, and what the listener serves


def hook_url(hooks: HooksConfig) -> str | None:
    """The URL Odoo's rules post to: `hooks.url` (or the listener's own address when it is one
    address) + /hooks/odoo/<secret>; None without a secret or without a reachable address."""
    if hooks.secret is None:
        return None
    base = hooks.url
    if base is None:
        if hooks.host in WILDCARD_HOSTS:
            return None
        host = f"[{hooks.host}]" if ":" in hooks.host else hooks.host
        base = f"http://{host}:{hooks.port}"
    return f"{base}{HOOK_PATH}{hooks.secret.get_secret_value()}"
