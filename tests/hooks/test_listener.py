"""The hook listener's answers: 202 queued, 404 wrong secret, 400 unknown model or malformed
body, 503 queue full; never a 5xx, whatever is sent. And the queue coalesces per record."""

from __future__ import annotations

import http.client
import io
import json
import threading
from types import SimpleNamespace
from typing import Any, cast

from hypothesis import given
from hypothesis import strategies as st

from jobs.hooks import HintQueue, HookApp
from jobs.service.web import hooks_server
from jobs.sync.hinted import hinted_models

SECRET = "s3cr3t-abcdefghijklmnopqrstuvwxyz"
PATH = f"/hooks/odoo/{SECRET}"
SCP = "slide.channel.partner"


def app(size: int = 10) -> HookApp:
    return HookApp(SECRET, hinted_models(), HintQueue(size))


def call(hook: HookApp, body: Any, path: str = PATH, method: str = "POST", **env: str) -> int:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
        **env,
    }
    status: list[str] = []
    chunks = hook(environ, lambda s, headers: status.append(s))
    assert json.loads(b"".join(chunks))["message"]
    return int(status[0].split()[0])


def hook(model: str = SCP, rid: int = 7, **fields: Any) -> dict[str, Any]:
    body = {"_action": "Send Webhook Notification(#392)", "_id": rid, "_model": model, "id": rid}
    return {**body, **fields}


def test_a_hook_of_a_mirrored_model_is_queued() -> None:
    listener = app()
    assert call(listener, hook(completion=20, member_status="ongoing")) == 202
    assert listener.queue.take(10, 0) == {(SCP, 7): 0}


def test_the_listener_answers_every_hook_on_its_loop_thread() -> None:
    """Odoo's save waits for this answer: no hand-over to a worker thread (hooks_server)."""
    listener = app()
    answered_on: list[str] = []

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        answered_on.append(threading.current_thread().name)
        return listener(environ, start_response)

    cfg = SimpleNamespace(hooks=SimpleNamespace(host="127.0.0.1", port=0))
    server = hooks_server(cast(Any, cfg), recording, host="127.0.0.1", port=0)
    server.start()
    try:
        for rid in (1, 2):
            conn = http.client.HTTPConnection("127.0.0.1", server.addresses[0][1], timeout=10)
            conn.request("POST", PATH, body=json.dumps(hook(rid=rid)))
            assert conn.getresponse().status == 202
            conn.close()
    finally:
        server.close()
    assert answered_on == ["webhook listener", "webhook listener"]
    assert listener.queue.take(10, 0) == {(SCP, 1): 0, (SCP, 2): 0}


def test_wrong_secret_or_path_is_404_and_nothing_is_queued() -> None:
    listener = app()
    for path in ("/hooks/odoo/wrong", "/hooks/odoo/", f"{PATH}/x", "/", PATH.upper()):
        assert call(listener, hook(), path=path) == 404
    assert len(listener.queue) == 0


def test_unknown_model_and_malformed_bodies_are_400() -> None:
    listener = app()
    assert call(listener, hook(model="res.partner")) == 400
    for body in (b"", b"{", b"[]", b"null", {"_model": SCP}, hook(rid=0), {"_id": 3}):
        assert call(listener, body) == 400, body
    assert call(listener, hook(rid=True)) == 400
    assert call(listener, hook(), CONTENT_LENGTH="x") == 400
    assert call(listener, hook(), method="GET") == 405
    assert call(listener, b"{" * 70000) == 413
    assert len(listener.queue) == 0


def test_duplicates_coalesce_and_a_full_queue_answers_503() -> None:
    listener = app(size=2)
    for _ in range(3):  # one create posts twice, a recompute once per step
        assert call(listener, hook(rid=1)) == 202
    assert call(listener, hook(rid=2)) == 202
    assert call(listener, hook(rid=3)) == 503
    assert call(listener, hook(rid=1)) == 202  # already waiting: taken
    assert sorted(listener.queue.take(10, 0)) == [(SCP, 1), (SCP, 2)]
    assert call(listener, hook(rid=3)) == 202


def test_a_record_put_back_waits_its_delay_unless_hinted_again() -> None:
    now = [100.0]
    queue = HintQueue(10, monotonic=lambda: now[0])
    queue.later({(SCP, 1): 1, (SCP, 2): 1}, 0.3)
    assert queue.take(10, 0) == {}
    queue.offer(SCP, 2)  # a fresh hint: due at once, its reads start again
    assert queue.take(10, 0) == {(SCP, 2): 0}
    now[0] += 0.3
    assert queue.take(10, 0) == {(SCP, 1): 1}


@given(
    body=st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.sampled_from(["_model", "_id", "id", "x"]), inner, max_size=4)
            ),
            max_leaves=10,
        ),
    ),
    path=st.sampled_from([PATH, "/hooks/odoo/x", PATH + "/", "/"]),
    method=st.sampled_from(["POST", "GET", "PUT"]),
)
def test_whatever_is_sent_the_answer_is_never_a_5xx(body: Any, path: str, method: str) -> None:
    code = call(app(), body, path=path, method=method)
    assert code in (202, 400, 404, 405, 413)
    if code == 202:
        assert isinstance(body, dict) and body["_model"] in hinted_models()
