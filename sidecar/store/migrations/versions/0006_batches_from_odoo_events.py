"""batches found in Odoo: programs.batch_tag, batches.origin and batches.description

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programs") as batch:
        batch.add_column(sa.Column("batch_tag", sa.String(length=200), nullable=True))
    with op.batch_alter_table("batches") as batch:
        batch.add_column(
            sa.Column("origin", sa.String(length=10), server_default="config", nullable=False)
        )
        batch.add_column(sa.Column("description", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("description")
        batch.drop_column("origin")
    with op.batch_alter_table("programs") as batch:
        batch.drop_column("batch_tag")
