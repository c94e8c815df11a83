"""Alembic environment: the connection comes from `sidecar.store.migrate`."""

from __future__ import annotations

from alembic import context

from sidecar.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through sidecar.store.migrate
    raise RuntimeError("run migrations through `ojt-sidecar db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
