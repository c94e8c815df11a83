"""What the site needs to know, gathered once: from the operator's config or given directly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, TypedDict, Unpack

from sidecar.config import Config

NameDisplay = Literal["full", "initials"]


def local_today() -> date:
    return date.today()


@dataclass(frozen=True)
class SiteSettings:
    store_url: str
    output_dir: Path
    # Only its public keys are read and published (`<signing_key>.public.json`): the site never
    # loads the private key, the status list comes signed from the store (docs/credentials.md).
    signing_key: Path | None
    name_display: NameDisplay = "full"
    rate_limit_per_minute: int = 60
    issuer_name: str | None = None
    trust_proxy: int = 0  # reverse-proxy hops whose X-Forwarded-For/-Proto are believed
    clock: Callable[[], date] = local_today  # "today" for the expiry rule
    # certificates.verify_base_url: names the issuer's did:web and the status list's URL
    public_url: str | None = None
    # The page language of a certificate issued before languages were recorded (sidecar/i18n)
    default_language: str = "en"

    @property
    def initials_only(self) -> bool:
        return self.name_display == "initials"


class Overrides(TypedDict, total=False):
    """Settings given directly, over (or, without a config, instead of) the config's."""

    store_url: str | None
    output_dir: Path | None
    name_display: NameDisplay | None
    rate_limit_per_minute: int | None
    signing_key: Path | None
    issuer_name: str | None
    trust_proxy: int | None
    clock: Callable[[], date] | None
    public_url: str | None
    default_language: str | None


def settings_from(config: Config | None, **given: Unpack[Overrides]) -> SiteSettings:
    """Explicit arguments win over the config; without a config, `store_url` and `output_dir`
    are required."""
    store_url = given.get("store_url")
    output_dir = given.get("output_dir")
    signing_key = given.get("signing_key")
    name_display = given.get("name_display")
    rate_limit_per_minute = given.get("rate_limit_per_minute")
    issuer_name = given.get("issuer_name")
    trust_proxy = given.get("trust_proxy")
    clock = given.get("clock")
    public_url = given.get("public_url")
    default_language = given.get("default_language")
    if config is not None:
        store_url = store_url or config.store.url.get_secret_value()
        output_dir = output_dir or config.certificates.output_dir
        signing_key = signing_key or config.certificates.signing_key
        name_display = name_display or config.verify_site.name_display
        rate_limit_per_minute = rate_limit_per_minute or config.verify_site.rate_limit_per_minute
        issuer_name = issuer_name or config.certificates.issuer.name
        if trust_proxy is None:
            trust_proxy = config.verify_site.trust_proxy
        public_url = public_url or config.certificates.verify_base_url
        default_language = default_language or config.certificates.default_language
    if store_url is None or output_dir is None:
        raise ValueError("create_app needs a config, or store_url and output_dir")
    return SiteSettings(
        store_url=store_url,
        output_dir=Path(output_dir),
        signing_key=signing_key,
        name_display=name_display or "full",
        rate_limit_per_minute=rate_limit_per_minute or 60,
        issuer_name=issuer_name,
        trust_proxy=int(trust_proxy or 0),
        clock=clock or local_today,
        public_url=str(public_url).rstrip("/") if public_url else None,
        default_language=default_language or "en",
    )
