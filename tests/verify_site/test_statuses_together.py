"""One round of the server's loop reads the statuses of its cached pages in one query
(`Register.statuses_read_together`, verify_site/serve.py): the same answers as one query each,
read after every one of those requests arrived, seen only by the loop's thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask

from sidecar.certificates.status import Status
from tests.verify_site.conftest import TODAY, AddCert, MakeApp, at
from verify_site.register_errors import Dropped
from verify_site.serve import _statuses_together


def round_of(app: Flask, requests: list[Any]) -> Any:
    """The context `serve`'s dispatcher puts a round of the loop's requests in."""
    return _statuses_together(app.extensions["verify_site"])(requests)


def parsed(serial: str, host: str = "localhost") -> Any:
    """What waitress hands the dispatcher: its parsed request."""
    return SimpleNamespace(command="GET", path=f"/c/{serial}", query="", headers={"HOST": host})


def counting(app: Flask) -> dict[str, int]:
    """Count the status queries: one serial each (`run`), several at once (`run_many`)."""
    query = app.extensions["verify_site"].register._status_query
    counts = {"run": 0, "run_many": 0}
    for name in counts:
        real = getattr(query, name)

        def counted(*args: Any, _real: Callable[..., Any] = real, _name: str = name) -> Any:
            counts[_name] += 1
            return _real(*args)

        setattr(query, name, counted)
    return counts


@pytest.fixture
def two_pages(make_app: MakeApp, add_cert: AddCert, update_cert: Callable[..., None]) -> Any:
    """A site whose cache holds a valid and a revoked certificate's page."""
    valid, revoked = add_cert(), add_cert()
    update_cert(revoked, revoked_at=at(TODAY), revoked_reason="issued in error")
    app = make_app()
    client = app.test_client()
    for cert in (valid, revoked):
        assert client.get(f"/c/{cert.serial}").status_code == 200
    return app, valid.serial, revoked.serial


def test_a_round_of_cached_pages_reads_their_statuses_in_one_query(two_pages: Any) -> None:
    app, valid, revoked = two_pages
    register = app.extensions["verify_site"].register
    counts = counting(app)
    with round_of(app, [parsed(valid), parsed(revoked), parsed("not-cached")]):
        inside = [register.status_of(s, TODAY) for s in (valid, revoked, valid)]
    assert counts == {"run": 0, "run_many": 1}
    assert [status.state for status in inside if isinstance(status, Status)] == [
        "valid",
        "revoked",
        "valid",
    ]
    assert register.status_of(valid, TODAY) == inside[0]  # after the round: its own query again
    assert counts == {"run": 1, "run_many": 1}


def test_a_round_with_one_cached_page_reads_as_before(two_pages: Any) -> None:
    app, valid, _ = two_pages
    counts = counting(app)
    # another host than the page was rendered for is not a cached page either
    with round_of(app, [parsed(valid), parsed(valid, host="elsewhere.example")]):
        app.extensions["verify_site"].register.status_of(valid, TODAY)
    assert counts == {"run": 1, "run_many": 0}


def test_other_threads_never_see_a_rounds_statuses(two_pages: Any) -> None:
    app, valid, revoked = two_pages
    register = app.extensions["verify_site"].register
    counts = counting(app)
    with round_of(app, [parsed(valid), parsed(revoked)]):
        worker = threading.Thread(target=register.status_of, args=(valid, TODAY))
        worker.start()
        worker.join(10)
    assert counts == {"run": 1, "run_many": 1}


def test_a_store_that_fails_the_rounds_read_leaves_each_page_to_its_own(two_pages: Any) -> None:
    app, valid, revoked = two_pages
    register = app.extensions["verify_site"].register
    counts = counting(app)

    def dropped(*_: Any) -> None:
        raise Dropped("the store does not answer")

    register._status_query.run_many = dropped
    with round_of(app, [parsed(valid), parsed(revoked)]):
        states = [register.status_of(s, TODAY).state for s in (valid, revoked)]
    assert states == ["valid", "revoked"]
    assert counts["run"] == 2
