"""A lesson completed in Odoo reaches the tracker through the webhook, with the service's own
listener and worker (`ojt-sidecar run` with `hooks.enabled`) and no poll due. How fast (the
2-second target) is measured by bench/hooks_bench.py, not asserted here: tests never assert
timings."""

from __future__ import annotations

import http.client
import socket
from pathlib import Path

import pytest

from connectors import OdooClient, OdooSettings
from jobs.hooks import Hooks
from jobs.service.runner import ServiceRunner
from jobs.service.web import PortInUse
from sidecar.emulator import OdooEmulator
from sidecar.store.bootstrap import open_store
from tests.conftest import FAST_RETRY
from tests.hooks.hooking import (
    SCP,
    SCP_FIELDS,
    SSP,
    SSP_FIELDS,
    hook_url,
    hooks_config,
    lessons_done,
    new_member,
)
from tests.jobs.syncing import client_for
from tests.service.servicing import count_ok, wait_until


@pytest.mark.parametrize("version", ["17.0", "18.0", "19.0"])
def test_a_lesson_completed_reaches_the_tracker_through_the_webhook(
    tmp_path: Path, version: str
) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with OdooEmulator(version=version) as emu:
        partner, membership, slides = new_member(emu)
        cfg = hooks_config(tmp_path, emu, store_url)
        runner = ServiceRunner(cfg, web=False)
        runner.start()
        writer = OdooClient(
            OdooSettings(
                url=emu.url, database=emu.db, username="admin", secret="admin", retry=FAST_RETRY
            )
        )
        try:
            wait_until(lambda: count_ok(store_url, "sync") >= 1, "the first sync")
            assert lessons_done(store_url, membership) == 0
            emu.add_webhook_rule(SSP, hook_url(cfg), SSP_FIELDS)
            emu.add_webhook_rule(SCP, hook_url(cfg), SCP_FIELDS)
            for done, slide in enumerate(slides[:2], start=1):
                writer.create(SSP, {"slide_id": slide, "partner_id": partner, "completed": True})
                # the wait's bound only keeps a broken hook from hanging the test; the next poll
                # is an hour away, so only the hook can bring the lesson in
                wait_until(lambda n=done: lessons_done(store_url, membership) == n, "the hook", 30)
            assert count_ok(store_url, "sync") == 1  # the poll did not do it
            assert all(s.status == 202 for s in emu.webhooks_sent)
        finally:
            writer.close()
            runner.stop()
    assert runner.hooks is None  # closed with the service


def test_the_listener_over_http_answers_at_once_and_never_with_a_5xx(
    tmp_path: Path, emu: OdooEmulator
) -> None:
    cfg = hooks_config(tmp_path, emu, f"sqlite:///{tmp_path / 'store.db'}")
    store = open_store(cfg)
    hooks = Hooks(cfg, store.sessions, lambda _cfg: client_for(emu), "here:1:abc", port=0)
    hooks.start()
    host, port = hooks.address
    secret = hook_url(cfg).rsplit("/", 1)[1]
    try:
        answers = {
            path: post(host, port, path, body)
            for path, body in [
                (f"/hooks/odoo/{secret}", b'{"_model": "slide.channel.partner", "_id": 1}'),
                ("/hooks/odoo/wrong", b'{"_model": "slide.channel.partner", "_id": 1}'),
                (f"/hooks/odoo/{secret}?x=1", b"not json"),
            ]
        }
        assert list(answers.values()) == [202, 404, 400]
        with socket.create_connection((host, port), timeout=5) as raw:
            raw.sendall(b"POST /hooks/odoo/x HTTP/1.1\r\nContent-Length: zz\r\n\r\n")
            assert int(raw.recv(100).split()[1]) < 500
        wait_until(lambda: hooks.worker.reads >= 1, "the hinted read", 10)
    finally:
        hooks.close()
        store.close()
    assert not hooks.worker._thread.is_alive()


def test_a_taken_hooks_port_stops_the_service_with_one_sentence(
    tmp_path: Path, emu: OdooEmulator
) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    cfg = hooks_config(tmp_path, emu, store_url)
    with socket.socket() as taken:
        taken.bind((cfg.hooks.host, cfg.hooks.port))
        taken.listen()
        runner = ServiceRunner(cfg, web=False)
        with pytest.raises(PortInUse, match=r"webhook listener cannot listen on .*set hooks\.port"):
            runner.start()
    assert runner.hooks is None


def post(host: str, port: int, path: str, body: bytes) -> int:
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request("POST", path, body, {"Content-Type": "application/json"})
        answer = conn.getresponse()
        answer.read()
        return answer.status
    finally:
        conn.close()
