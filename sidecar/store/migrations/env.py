"""Alembic environment: the connection comes from `sidecar.store.migrate`."""

from __future__ import annotations

from alembic import context

from sidecar.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through sidecar.store.migrate
    raise RuntimeError("run migrations through `ojt-sidecar db upgrade`")

# APScheduler's job store keeps its own table in our database (`ojt-sidecar run`); it is not
# ours to migrate, so autogenerate must not propose dropping it.
FOREIGN_TABLES = {"apscheduler_jobs"}


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (type_ == "table" and name in FOREIGN_TABLES)


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
