"""Commands run by hand take the service's leases: while the service (or anyone) delivers the
outbox, `issue` says who does and writes nothing; with `--wait` it waits its turn; and while a
command holds the leases, the service cannot take them."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from jobs.service.by_hand import holding
from jobs.service.leases import release, try_acquire
from sidecar.certificates.signing import generate_key
from sidecar.cli import main
from sidecar.cli.demo.runner import simulate_completions, write_demo_config
from sidecar.config import Config, load_config
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import open_store
from sidecar.store.models import utcnow
from tests.jobs.syncing import client_for

SERVICE = "vm:4242:a1b2c3"
TTL = timedelta(minutes=2)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def config(tmp_path: Path, emu: OdooEmulator) -> Path:
    """Two trainees ready for a certificate, synced."""
    path = write_demo_config(tmp_path, emu.url, emu.db)
    cfg = load_config(path)
    generate_key(cfg.certificates.signing_key)
    with client_for(emu) as client:
        simulate_completions(client, "junior-developers", cfg, count=2)
    assert invoke("sync", "-c", str(path))[0] == 0
    return path


def writes_to_odoo(emu: OdooEmulator) -> list[str]:
    return [
        f"{c.model}.{c.model_method}"
        for c in emu.calls
        if c.model_method in ("create", "write", "message_post")
    ]


def service_takes(cfg: Config, name: str) -> int | None:
    store = open_store(cfg, reconcile=False)
    try:
        with store.sessions() as session, session.begin():
            return try_acquire(session, name, SERVICE, TTL, utcnow())
    finally:
        store.close()


def service_releases(cfg: Config, name: str, token: int) -> None:
    store = open_store(cfg, reconcile=False)
    try:
        with store.sessions() as session, session.begin():
            release(session, name, SERVICE, token)
    finally:
        store.close()


def test_issue_while_the_service_delivers_says_who_and_writes_nothing(
    config: Path, emu: OdooEmulator
) -> None:
    cfg = load_config(config)
    assert service_takes(cfg, "outbox") is not None
    emu.reset_calls()
    code, out, err = invoke("issue", "-c", str(config))
    assert code == 1, out
    assert err.startswith(f"error: {SERVICE} is running deliveries to Odoo (it has held the")
    assert "'outbox' lease for " in err and err.rstrip().endswith("or add --wait.")
    assert "; it runs out in " in err and " unless renewed)" in err  # if its holder died
    assert "Traceback" not in err + out
    assert writes_to_odoo(emu) == []
    code, out, _ = invoke("cert", "list", "-c", str(config), "--json")
    assert code == 0 and out.strip() == "[]"  # nothing issued either: the job never started


def test_issue_with_wait_runs_once_the_service_lets_go(config: Path, emu: OdooEmulator) -> None:
    cfg = load_config(config)
    token = service_takes(cfg, "outbox")
    assert token is not None
    releaser = threading.Timer(1.5, service_releases, (cfg, "outbox", token))
    releaser.start()
    started = time.monotonic()
    code, out, err = invoke("issue", "-c", str(config), "--wait")
    releaser.join()
    assert code == 0, out + err
    assert time.monotonic() - started >= 1.5
    assert "2 certificate(s) issued" in out
    # and the command let go of every lease it took: the service takes them at once
    for name in ("issue", "outbox"):
        assert service_takes(cfg, name) is not None


def test_while_a_command_holds_the_leases_the_service_cannot_take_them(config: Path) -> None:
    cfg = load_config(config)
    store = open_store(cfg, reconcile=False)
    try:
        with holding(store.sessions, "enroll", TTL, wait=False):
            assert service_takes(cfg, "outbox") is None
            assert service_takes(cfg, "enroll") is None
            assert service_takes(cfg, "sync") is not None  # another job's lease is free
        assert service_takes(cfg, "outbox") is not None
    finally:
        store.close()


def test_reissue_takes_effect_at_once_while_the_service_delivers(
    config: Path, emu: OdooEmulator
) -> None:
    """The page shows the new certificate at once; Odoo hears of it from whoever holds the
    outbox, exactly once."""
    from verify_site.app import create_app

    assert invoke("issue", "-c", str(config))[0] == 0
    cfg = load_config(config)
    code, out, _ = invoke("cert", "list", "-c", str(config), "--json")
    old = json.loads(out)[0]["serial"]
    token = service_takes(cfg, "outbox")
    assert token is not None
    emu.reset_calls()
    code, out, err = invoke("cert", "reissue", "-c", str(config), old)
    assert code == 0, out + err
    assert f"its delivery to Odoo is queued: {SERVICE} is running deliveries" in out
    assert writes_to_odoo(emu) == []
    new = out.split(" as ", 1)[1].split()[0]
    site = create_app(cfg).test_client()
    assert site.get(f"/c/{old}.page.json").get_json()["status"]["state"] == "superseded"
    assert site.get(f"/c/{new}.page.json").get_json()["status"]["state"] == "valid"

    service_releases(cfg, "outbox", token)
    assert invoke("issue", "-c", str(config))[0] == 0  # delivers what the re-issue queued
    delivered = writes_to_odoo(emu)
    assert "ir.attachment.create" in delivered, delivered  # the new PDF, on the contact
    assert invoke("issue", "-c", str(config))[0] == 0
    assert writes_to_odoo(emu) == delivered  # and nothing a second time
