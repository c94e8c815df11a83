"""trainees only: students.internal_user and students.excluded, and the partner of each course's
responsible user (course_integrations.responsible_partner_id, responsible_read_at)

Existing students get no value here: the new program settings change every program's settings
digest, so the first start after the upgrade queues every student for a recompute, which reads
whether they are internal users and marks the ones who no longer count (docs/product-rules.md
§12). Nothing is deleted, and no certificate is touched.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("students") as batch:
        batch.add_column(sa.Column("internal_user", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("excluded", sa.String(length=30), nullable=True))
    with op.batch_alter_table("course_integrations") as batch:
        batch.add_column(sa.Column("responsible_partner_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("responsible_read_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("course_integrations") as batch:
        batch.drop_column("responsible_read_at")
        batch.drop_column("responsible_partner_id")
    with op.batch_alter_table("students") as batch:
        batch.drop_column("excluded")
        batch.drop_column("internal_user")
