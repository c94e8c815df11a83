"""What the live tests (`./dev test -m live`, against the real Odoo that ODOO_URL, ODOO_DB,
ODOO_USER and ODOO_PASSWORD name) share: the client, their config, and their clean-up."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from connectors import OdooClient, OdooError, OdooSettings
from sidecar.certificates.signing import generate_key
from sidecar.config import Config, load_config

# The start of every live config: the server, and a store, PDFs and key under the test's folder.
SERVER = """\
odoo:
  url: {url}
  database: {db}
  username: {user}
  {credential}
store:
  url: sqlite:///{store}
certificates:
  output_dir: {store}.certificates
  signing_key: {store}.key
"""


def live_client() -> Iterator[OdooClient]:
    settings = OdooSettings(
        url=os.environ.get("ODOO_URL", ""),
        database=os.environ.get("ODOO_DB", ""),
        username=os.environ.get("ODOO_USER", ""),
        secret=os.environ.get("ODOO_PASSWORD", ""),
    )
    with OdooClient(settings) as client:
        yield client


def write_live_config(template: str, tmp_path: Path, **fields: Any) -> Config:
    """`SERVER` + `template` filled with the live server (url, db, user, credential: an API key when
    ODOO_API_KEY is set, so that transport auto speaks JSON-2 on 19+), a store and a signing key
    under `tmp_path`, and `fields`."""
    path = tmp_path / "config.yaml"
    path.write_text(
        (SERVER + template).format(
            url=os.environ["ODOO_URL"],
            db=os.environ["ODOO_DB"],
            user=os.environ["ODOO_USER"],
            store=tmp_path / "store.db",
            credential="api_key: ${ODOO_API_KEY}"
            if os.environ.get("ODOO_API_KEY")
            else "password: ${ODOO_PASSWORD}",
            **fields,
        ),
        encoding="utf-8",
    )
    cfg = load_config(path)
    generate_key(cfg.certificates.signing_key)
    return cfg


def live_course(live: OdooClient, tag: str) -> tuple[int, int]:
    """A public course with one published article lesson, named after `tag`: (course, lesson)."""
    course = live.create("slide.channel", {"name": f"OJT live course {tag}", "enroll": "public"})
    lesson = live.create(
        "slide.slide",
        {
            "name": f"OJT live lesson {tag}",
            "channel_id": course,
            "slide_category": "article",
            "is_published": True,
        },
    )
    return int(course), int(lesson)


def registrations_of(live: OdooClient, events: Sequence[int]) -> list[int]:
    """Every registration (archived ones too) of `events`: they go first, since a registration's
    required `event_id` keeps Odoo from deleting its event (the database refuses it)."""
    if not events:
        return []
    domain = [("event_id", "in", list(events))]
    return live.search("event.registration", domain, context={"active_test": False})


def clean_up(live: OdooClient, steps: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
    """Each (model, method, arguments) in turn; one that fails is reported and the rest run."""
    for model, method, args in steps:
        try:
            live.call(model, method, **args)
        except OdooError as exc:  # leave the rest to clean up; say what stayed
            print(f"cleanup: {model}.{method} {args}: {exc}")
