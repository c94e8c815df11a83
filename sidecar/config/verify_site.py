"""The `verify_site` section: the public verification site."""

from __future__ import annotations

from typing import Annotated, Literal

from sidecar.config.base import Section
from sidecar.config.fieldtypes import Host, between


class VerifySiteConfig(Section):
    """The public verification site."""

    host: Host = "127.0.0.1"
    port: Annotated[int, between(1, 65535)] = 8080
    name_display: Literal["full", "initials"] = "full"
    rate_limit_per_minute: Annotated[int, between(1, 1_000_000)] = 60  # per client address
    # Reverse proxies in front whose X-Forwarded-For / -Proto are believed (0: none).
    trust_proxy: Annotated[int, between(0, 100)] = 0
    # Keep the process that serves the site (under `run`, the whole service) on one core: its
    # pages other than a cached certificate page come faster there (sidecar/cores.py).
    one_core: bool = False
