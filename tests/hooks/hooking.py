"""Helpers for the webhook tests: a service config with hooks on, and a tracker's figures."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from sidecar.config import Config, load_config
from sidecar.emulator import OdooEmulator
from sidecar.store.models import ProgressTracker
from tests.service.servicing import free_port, service_config

SSP, SCP = "slide.slide.partner", "slide.channel.partner"
SSP_FIELDS = ("slide_id", "partner_id", "completed")
SCP_FIELDS = ("channel_id", "partner_id", "completion", "member_status")


def hooks_config(tmp_path: Path, emu: OdooEmulator, store_url: str, every: str = "1h") -> Config:
    """The service's test config (schedules `every`), with the hook listener on a free port."""
    path = service_config(tmp_path, emu, store_url, every=every, reconcile="1h")
    secret = secrets.token_urlsafe(32)
    hooks = f"hooks:\n  enabled: true\n  port: {free_port()}\n  secret: {secret}\n"
    path.write_text(path.read_text(encoding="utf-8") + hooks, encoding="utf-8")
    return load_config(path)


def hook_url(cfg: Config) -> str:
    assert cfg.hooks.secret is not None
    return (
        f"http://{cfg.hooks.host}:{cfg.hooks.port}/hooks/odoo/{cfg.hooks.secret.get_secret_value()}"
    )


def new_member(emu: OdooEmulator, name: str = "Hooked Trainee") -> tuple[int, int, list[int]]:
    """A new partner joined to "Basics of Gardening": (partner, membership, its lessons)."""
    env = emu.env
    course = env.search("slide.channel", [("name", "=", "Basics of Gardening")])[0]
    partner = env.create("res.partner", {"name": name, "email": "hooked@example.org"})
    membership = env.create(SCP, {"channel_id": course, "partner_id": partner})
    slides = env.search(
        "slide.slide",
        [("channel_id", "=", course), ("is_published", "=", True), ("is_category", "=", False)],
    )
    return partner, membership, slides


def lessons_done(store_url: str, membership: int) -> int | None:
    """The tracker's completed-lesson count for an Odoo membership (None: no tracker yet)."""
    engine = _engines.get(store_url)
    if engine is None:
        engine = _engines[store_url] = create_engine(store_url)
    with Session(engine) as session:
        return session.scalars(
            select(ProgressTracker.lessons_completed).where(
                ProgressTracker.odoo_membership_id == membership
            )
        ).first()


_engines: dict[str, Engine] = {}  # one per store: looking every 0.1 s must cost little
