"""The `app` section: the cockpit, the web app for admins, mentors and trainees
(docs/cockpit.md). Who may do what is read from Odoo at sign-in; these settings say which of
Odoo's groups make an admin or a mentor."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Annotated, Any, ClassVar

from sidecar.config.base import Finding, Section, have
from sidecar.config.fieldtypes import Duration, Host, HttpUrl, OdooRef, Secret, between


class CockpitConfig(Section):
    """The cockpit web app (`ojt-sidecar app`, or hosted by `ojt-sidecar run` when enabled):
    its own address, apart from the public verification site."""

    _has_cross_checks: ClassVar[bool] = True

    # Hosted by `ojt-sidecar run` too; `ojt-sidecar app` serves it whatever this says.
    enabled: bool = False
    host: Host = "127.0.0.1"
    port: Annotated[int, between(1, 65535)] = 8090
    # Signs the session cookie and the CSRF tokens: at least 32 characters, e.g.
    # secret_key: ${OJT_APP_SECRET}. Changing it signs everybody out.
    secret_key: Secret = None
    # The address people open, for links in mails (the one-time sign-in link); unset:
    # http://<host>:<port>.
    url: HttpUrl | None = None
    # Members of this Odoo group (a res.groups XML id such as base.group_system, or its name)
    # are admins; they see every program.
    admin_group: OdooRef = "base.group_system"
    # Members of this group are mentors even when nothing names them responsible yet; they see
    # the batches they are responsible for, none until an admin assigns one. Unset: only
    # responsibility (program, batch event, course) makes a mentor.
    mentor_group: OdooRef | None = None
    # A signed-in session ends after this long, whatever is going on; roles are read from Odoo
    # again at the next sign-in.
    session_lifetime: Duration = timedelta(hours=8)
    # Sign-in failures for one login before it is locked, and for how long.
    lockout_after: Annotated[int, between(1, 100)] = 5
    lockout_for: Duration = timedelta(minutes=15)
    # Sign-in attempts per client address and minute, failures or not.
    signin_per_minute: Annotated[int, between(1, 10_000)] = 10
    # Send cookies only over HTTPS. Browsers treat http://127.0.0.1 and http://localhost as
    # secure, so the default works on one machine; behind a proxy, serve HTTPS.
    secure_cookies: bool = True
    # QR check-in to a batch's session (its event) opens this long before it starts and closes
    # this long after it ends.
    checkin_margin: Duration = timedelta(minutes=30)
    # Reverse proxies in front whose X-Forwarded-For / -Proto are believed (0: none).
    trust_proxy: Annotated[int, between(0, 100)] = 0

    @classmethod
    def _cross_problems(cls, values: Mapping[str, Any]) -> Iterator[Finding]:
        if not have(values, "enabled", "secret_key"):
            return
        secret = values["secret_key"]
        if secret is None and values["enabled"]:
            yield (
                ("secret_key",),
                "the app is enabled but has no secret_key: set it, e.g. "
                "secret_key: ${OJT_APP_SECRET}",
            )
        elif secret is not None and not _KEY.fullmatch(secret.get_secret_value()):
            yield (
                ("secret_key",),
                "must be at least 32 characters without spaces, e.g. from: "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'",
            )

    def base_url(self) -> str:
        if self.url is not None:
            return self.url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


_KEY = re.compile(r"\S{32,400}")
