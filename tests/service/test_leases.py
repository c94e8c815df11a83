"""Job leases on SQLite and PostgreSQL: one holder at a time, take-over after expiry with a new
fencing token, and a holder that lost its lease can neither renew nor release it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from jobs.service.leases import LeaseKeeper, release, renew, try_acquire
from sidecar.store.engine import make_engine, make_sessionmaker
from sidecar.store.migrate import upgrade
from sidecar.store.models import JobLease

T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    upgrade(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def acquire(sessions: sessionmaker[Session], holder: str, now: datetime) -> int | None:
    with sessions() as session, session.begin():
        return try_acquire(session, "sync", holder, TTL, now)


def test_first_holder_gets_the_lease_and_a_second_does_not(
    sessions: sessionmaker[Session],
) -> None:
    token = acquire(sessions, "a", T0)
    assert token == 1
    assert acquire(sessions, "b", T0 + timedelta(seconds=10)) is None
    with sessions() as session:
        lease = session.scalars(select(JobLease)).one()
    assert (lease.holder, lease.expires_at, lease.fencing_token) == ("a", T0 + TTL, 1)


def test_an_expired_lease_is_taken_over_with_a_new_fencing_token(
    sessions: sessionmaker[Session],
) -> None:
    old = acquire(sessions, "a", T0)
    new = acquire(sessions, "b", T0 + TTL + timedelta(seconds=1))
    assert old is not None and new is not None and new > old
    later = T0 + TTL + timedelta(seconds=2)
    with sessions() as session, session.begin():
        assert not renew(session, "sync", "a", old, TTL, later)
        assert not release(session, "sync", "a", old)
        assert renew(session, "sync", "b", new, TTL, later)
    assert acquire(sessions, "a", later) is None


def test_a_released_lease_is_free_at_once(sessions: sessionmaker[Session]) -> None:
    token = acquire(sessions, "a", T0)
    assert token is not None
    with sessions() as session, session.begin():
        assert release(session, "sync", "a", token)
        assert not renew(session, "sync", "a", token, TTL, T0)
    assert acquire(sessions, "b", T0 + timedelta(seconds=1)) == token + 1


def test_the_holder_takes_its_own_lease_again_with_a_new_token(
    sessions: sessionmaker[Session],
) -> None:
    first = acquire(sessions, "a", T0)
    again = acquire(sessions, "a", T0 + timedelta(seconds=1))
    assert first is not None and again == first + 1
    with sessions() as session, session.begin():
        assert not renew(session, "sync", "a", first, TTL, T0)  # the older token is fenced off


def test_many_contenders_at_once_give_exactly_one_holder(sessions: sessionmaker[Session]) -> None:
    start = threading.Barrier(8)
    won: list[str] = []

    def contend(name: str) -> None:
        start.wait()
        if acquire(sessions, name, T0) is not None:
            won.append(name)

    threads = [threading.Thread(target=contend, args=(f"r{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1


def test_the_keeper_asks_the_job_to_stop_once_its_lease_is_taken_over(
    sessions: sessionmaker[Session],
) -> None:
    now = datetime.now(UTC)
    token = acquire(sessions, "a", now)
    assert token is not None
    keeper = LeaseKeeper(sessions, {"sync": token}, "a", TTL)
    assert keeper.renew_now() and not keeper.should_stop()
    with sessions() as session, session.begin():  # another replica, after an expiry
        session.get(JobLease, "sync").expires_at = now - timedelta(seconds=1)  # type: ignore[union-attr]
    assert acquire(sessions, "b", now) is not None
    assert not keeper.renew_now()
    assert keeper.should_stop() and keeper.lost == "sync"


def test_the_keeper_asks_the_job_to_stop_before_an_unrenewed_lease_expires(
    sessions: sessionmaker[Session],
) -> None:
    clock = [100.0]
    keeper = LeaseKeeper(sessions, {}, "a", TTL, monotonic=lambda: clock[0])
    assert not keeper.should_stop()
    clock[0] += TTL.total_seconds() * 0.7
    assert not keeper.should_stop()
    clock[0] += TTL.total_seconds() * 0.15  # less than a fifth of the lease left
    assert keeper.should_stop()
