"""The store on SQLite and PostgreSQL: migrations, config reconcile, UTC timestamps."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.engine import Engine

from sidecar.config import Config
from sidecar.store.engine import make_engine, make_sessionmaker
from sidecar.store.migrate import current_revision, head_revision, upgrade
from sidecar.store.models import Base, CourseIntegration, Program, SyncRun
from sidecar.store.programs import reconcile_programs

CONFIG = {
    "odoo": {
        "url": "http://127.0.0.1:8069",
        "database": "ojt",
        "username": "admin",
        "password": "admin",
    },
    "programs": [
        {
            "key": "a",
            "name": "Program A",
            "courses": [{"course": "Basics of Gardening"}, {"course": 4}],
        },
        {"key": "b", "name": "Program B", "courses": [{"course": "Choose your wood!"}]},
    ],
}


def config(**changes: object) -> Config:
    data = {**CONFIG, **changes}
    return Config.model_validate(data)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def test_migrations_reach_head_and_match_the_models(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrade_twice_is_a_no_op(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_reconcile_creates_programs_and_courses_once(engine: Engine) -> None:
    sessions = make_sessionmaker(engine)
    for _ in range(2):
        with sessions() as session, session.begin():
            reconcile_programs(session, config())
    with sessions() as session:
        programs = session.scalars(select(Program).order_by(Program.key)).all()
        assert [p.key for p in programs] == ["a", "b"]
        refs = [c.course_ref for c in programs[0].courses]
        assert refs == ["Basics of Gardening", "#4"]
        assert programs[0].courses[1].odoo_channel_id == 4


def test_course_removed_from_config_is_archived_and_comes_back(engine: Engine) -> None:
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        reconcile_programs(session, config())
    smaller = [dict(CONFIG["programs"][0], courses=[{"course": 4}]), CONFIG["programs"][1]]
    with sessions() as session, session.begin():
        report = reconcile_programs(session, config(programs=smaller))
    assert report.archived == 1
    with sessions() as session:
        archived = session.scalars(
            select(CourseIntegration).where(CourseIntegration.course_ref == "Basics of Gardening")
        ).one()
        assert archived.status == "archived" and archived.archived_at is not None
    with sessions() as session, session.begin():
        reconcile_programs(session, config())
    with sessions() as session:
        back = session.scalars(
            select(CourseIntegration).where(CourseIntegration.course_ref == "Basics of Gardening")
        ).one()
        assert back.status == "active" and back.archived_at is None


def test_program_removed_from_config_is_deactivated(engine: Engine) -> None:
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        reconcile_programs(session, config())
    with sessions() as session, session.begin():
        reconcile_programs(session, config(programs=[CONFIG["programs"][0]]))
    with sessions() as session:
        b = session.scalars(select(Program).where(Program.key == "b")).one()
        assert b.active is False


def test_timestamps_come_back_in_utc(engine: Engine) -> None:
    sessions = make_sessionmaker(engine)
    local = datetime(2026, 11, 22, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    with sessions() as session, session.begin():
        session.add(SyncRun(started_at=local))
    with sessions() as session:
        run = session.scalars(select(SyncRun)).one()
    assert run.started_at == local
    assert run.started_at.tzinfo is not None
    assert run.started_at.astimezone(UTC).hour == 7


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    sessions = make_sessionmaker(engine)
    with pytest.raises(Exception, match="naive datetime"), sessions() as session, session.begin():
        session.add(SyncRun(started_at=datetime(2026, 1, 1)))


def test_a_read_only_store_is_named_in_one_sentence(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sidecar.cli import main

    store = tmp_path / "store.db"
    store.touch()
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump({**CONFIG, "store": {"url": f"sqlite:///file:{store}?mode=ro&uri=true"}}),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["status", "-c", str(config)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: cannot write to the store {store}: the file is read-only for this user"
    )


def test_replicas_starting_together_on_an_empty_postgresql_take_turns_migrating(
    postgres_url: str,
) -> None:
    engines = [make_engine(postgres_url) for _ in range(4)]
    errors: list[BaseException] = []

    def start(engine: Engine) -> None:
        try:
            upgrade(engine)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert current_revision(engines[0]) == head_revision()
    for engine in engines:
        engine.dispose()


def test_processes_starting_together_on_an_empty_store_take_turns(db_url: str) -> None:
    """The service and a command (or two replicas) opening an empty store at once: each
    migrates and writes the config's programs in turn, none fails, nothing is made twice."""
    from sidecar.store.bootstrap import Store, open_store

    cfg = config(store={"url": db_url})
    together = threading.Barrier(4)
    opened: list[Store] = []
    errors: list[BaseException] = []

    def start() -> None:
        together.wait()
        try:
            opened.append(open_store(cfg))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        with opened[0].sessions() as session:
            assert sorted(session.scalars(select(Program.key))) == ["a", "b"]
        assert sum(s.reconciled.created > 0 for s in opened if s.reconciled) == 1
    finally:
        for store in opened:
            store.close()


def test_a_row_made_first_by_a_concurrent_writer_is_kept(engine: Engine) -> None:
    """The sync and an enrollment (under different leases) may both make one student: found by
    the fault matrix as a duplicate-key error when `run` and `enroll` started together."""
    from sqlalchemy import Table

    from sidecar.store.models import Student
    from sidecar.store.sql import insert_new

    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        reconcile_programs(session, config())
        program = session.scalars(select(Program).where(Program.key == "a")).one()
    table: Table = Student.__table__  # type: ignore[assignment]
    for name in ("Made by the sync", "Made by the enrollment"):
        with sessions() as session, session.begin():
            values = {"program_id": program.id, "odoo_partner_id": 42, "name": name}
            session.execute(insert_new(session, table), [values])
    with sessions() as session:
        names = session.scalars(select(Student.name).where(Student.odoo_partner_id == 42)).all()
    assert names == ["Made by the sync"]
