"""Signing in and out: the cookie's flags, CSRF, lock-out after failures, sign-out ending the
session in the store, and a `next` that cannot leave the site."""

from __future__ import annotations

from sqlalchemy import select

from sidecar.store.models import AppSession
from tests.cockpit.world import World, csrf, signin


def test_the_cookie_is_signed_httponly_secure_lax_and_the_store_keeps_no_token(
    world: World,
) -> None:
    client = world.app.test_client()
    answer = signin(client, "admin", "admin")
    cookie = answer.headers["Set-Cookie"]
    for flag in ("HttpOnly", "Secure", "SameSite=Lax"):
        assert flag in cookie
    with world.store.sessions() as db:
        (row,) = db.scalars(select(AppSession)).all()
        assert row.role == "admin" and len(row.token_hash) == 64
        assert row.token_hash not in cookie
    page = client.get("/dashboard")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]


def test_a_form_without_its_csrf_token_is_refused(world: World) -> None:
    client = world.app.test_client()
    answer = client.post("/signin", data={"login": "admin", "secret": "admin"})
    assert answer.status_code == 400
    assert "did not come from this site" in answer.get_data(as_text=True)
    signed_in = world.client("admin")
    assert signed_in.post("/signout").status_code == 400
    assert signed_in.get("/dashboard").status_code == 200  # still signed in


def test_repeated_failures_lock_the_login_even_for_the_right_password(world: World) -> None:
    client = world.app.test_client()
    for _ in range(world.cfg.app.lockout_after):
        assert signin(client, "mentor.a", "wrong").status_code == 401
    locked = signin(client, "mentor.a", "pass-mentor-a")
    assert locked.status_code == 429
    assert "try again after" in locked.get_data(as_text=True)
    assert signin(client, "mentor.b", "pass-mentor-b").status_code == 302


def test_sign_out_ends_the_session_for_a_copied_cookie_too(world: World) -> None:
    client = world.client("mentor.b")
    copied = world.app.test_client()
    cookie = client.get_cookie("ojt_cockpit")
    assert cookie is not None
    copied.set_cookie("ojt_cockpit", cookie.value)
    assert copied.get("/dashboard").status_code == 200
    token = csrf(client, "/dashboard")
    assert client.post("/signout", data={"csrf_token": token}).status_code == 302
    assert copied.get("/dashboard").status_code == 302  # sent to sign in
    with world.store.sessions() as db:
        assert db.scalars(select(AppSession.ended_at)).one() is not None


def test_next_never_leaves_the_site(world: World) -> None:
    client = world.app.test_client()
    token = csrf(client)
    for target in (
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "/%09/evil.example",
        "/%0a/evil.example",
        "/\t/evil.example",
    ):
        answer = client.post(
            f"/signin?next={target}",
            data={"login": "admin", "secret": "admin", "csrf_token": token},
        )
        assert answer.location == "/"
        client.delete_cookie("ojt_cockpit")
        token = csrf(client)
