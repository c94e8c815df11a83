"""Addresses in the config: the URLs of Odoo and of the verification site, and the hosts the
sidecar listens on. Each refusal is one sentence about the setting; none echoes a password
written inside a URL."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any
from urllib.parse import SplitResult, urlsplit

from pydantic import PlainValidator

from sidecar.config.messages import describe, fail

_EXAMPLE = "like http://127.0.0.1:8069"
# One label of a host name. `_` is allowed: container names (odoo_web) resolve in Docker.
_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")
_NUMERIC = re.compile(r"[0-9.]+")
# Path segments of Odoo's web client: a URL copied from the browser, not the server's base.
_BROWSER_SEGMENTS = ("web", "odoo")


def host_problem(text: str) -> str | None:
    """Why `text` is not a host name or an IP address, or None when it is one."""
    if not text:
        return "must not be empty"
    if any(char.isspace() for char in text):
        return "must be a host name or an IP address, without spaces"
    try:
        ipaddress.ip_address(text)
        return None
    except ValueError:
        pass
    if _NUMERIC.fullmatch(text):
        return "is not a valid IP address"
    labels = text.removesuffix(".").split(".")
    if len(text) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return "must be a host name (letters, digits, '-', '.') or an IP address"
    return None


def _host(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        fail(f"must be a host name or an IP address like 127.0.0.1 (got {describe(value)})")
    text = value.strip()
    problem = host_problem(text)
    if problem is not None:
        fail(f"{problem}, like 127.0.0.1 or 0.0.0.0 (got {describe(text)})")
    return text


# An address to listen on: a host name or an IPv4/IPv6 address.
Host = Annotated[str, PlainValidator(_host)]


def _shown(value: Any) -> str:
    """A URL as a refusal may show it: up to its first blank or control character, without
    its query and fragment, where a token or a password is often pasted."""
    if not isinstance(value, str):
        return describe(value)
    text = value.strip()
    cut = next((i for i, c in enumerate(text) if c.isspace() or not c.isprintable()), None)
    shown = text if cut is None else text[:cut] + "…"
    for mark in "?#":
        if mark in shown:
            shown = shown[: shown.index(mark)] + mark + "…"
    return describe(shown)


def _split(value: Any, credentials_hint: str) -> SplitResult:
    """The parts of an http(s) URL with a valid host and port, or one sentence why not."""
    if not isinstance(value, str):
        fail(f"must be an http:// or https:// URL {_EXAMPLE} (got {_shown(value)})")
    text = value.strip()
    if "@" in text:
        # Never echoed: what precedes the @ is most likely a password.
        fail(f"must not carry a user name or password (user:password@host); {credentials_hint}")
    if any(char.isspace() or not char.isprintable() for char in text):
        fail(f"must not contain spaces or other blank or control characters (got {_shown(text)})")
    try:
        parts = urlsplit(text)
    except ValueError:
        fail(f"must be an http:// or https:// URL {_EXAMPLE} (got {_shown(value)})")
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        fail(f"must be an http:// or https:// URL {_EXAMPLE} (got {_shown(value)})")
    if host_problem(parts.hostname) is not None:
        fail(
            f"has an invalid host {describe(parts.hostname)}: expected a host name or an IP "
            f"address (got {_shown(text)})"
        )
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        fail(f"has a port that is not a number from 1 to 65535 (got {_shown(text)})")
    return parts


def _browser_path(parts: SplitResult) -> str | None:
    """The base URL to give instead, when `parts` is an address of Odoo's web client."""
    segments = [segment for segment in parts.path.split("/") if segment]
    for index, segment in enumerate(segments):
        if segment.lower() in _BROWSER_SEGMENTS:
            prefix = "".join(f"/{s}" for s in segments[:index])
            return f"{parts.scheme}://{parts.netloc}{prefix}"
    return None


def _base(parts: SplitResult, text: str) -> str:
    if parts.query or parts.fragment:
        fail(f"must be a base URL without ?query or #fragment (got {_shown(text)})")
    # Callers append paths (`/xmlrpc/2/object`, `/c/<serial>`): keep no trailing slash.
    return text.rstrip("/")


def _odoo_url(value: Any) -> str:
    parts = _split(
        value,
        "give them as odoo.username and odoo.api_key (or odoo.password), taken from the "
        "environment like ${ODOO_API_KEY}",
    )
    text = str(value).strip()
    base = _browser_path(parts)
    if base is not None:
        fail(
            "is the address of Odoo's web client as a browser shows it (/web or /odoo); give "
            f"Odoo's base URL instead, like {base}"
        )
    return _base(parts, text)


# Odoo's base URL (a path prefix such as https://host/erp is fine), without a trailing slash.
OdooUrl = Annotated[str, PlainValidator(_odoo_url)]


def _http_url(value: Any) -> str:
    parts = _split(value, "a public address needs none")
    return _base(parts, str(value).strip())


# An http(s) base URL, stored as text without a trailing slash.
HttpUrl = Annotated[str, PlainValidator(_http_url)]
