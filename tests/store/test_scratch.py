"""The dry runs' scratch store: what its sessions commit lands nowhere, and the live store stays
usable meanwhile (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from sidecar.store.engine import make_engine, make_sessionmaker
from sidecar.store.migrate import upgrade
from sidecar.store.models import SyncRun
from sidecar.store.scratch import scratch_sessions


def runs(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return sorted(session.scalars(select(SyncRun.kind)))


def test_commits_in_the_scratch_store_vanish_and_the_live_store_keeps_working(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    live = make_sessionmaker(engine)
    with live() as session, session.begin():
        session.add(SyncRun(kind="before", status="ok"))
    with scratch_sessions(live) as scratch:
        with scratch() as session, session.begin():
            session.add(SyncRun(kind="rehearsed", status="ok"))
        with scratch() as session:  # a second session sees the first one's commit
            session.add(SyncRun(kind="rehearsed-too", status="ok"))
            session.commit()
            session.add(SyncRun(kind="rolled-back", status="ok"))
            session.rollback()
        assert runs(scratch) == ["before", "rehearsed", "rehearsed-too"]
        # a service writing beside the dry run is not held up by it
        with live() as session, session.begin():
            session.add(SyncRun(kind="meanwhile", status="ok"))
    assert runs(live) == ["before", "meanwhile"]
    with live() as session:
        assert session.scalar(select(func.count()).select_from(SyncRun)) == 2
    engine.dispose()
