"""certificates: status_index and credential (Open Badges 3.0, docs/credentials.md); status_lists

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Certificates issued before stay as they are: no status index, no credential.
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("status_index", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("credential", sa.Text(), nullable=True))
        # Unique: one bit of the status list per certificate (NULLs do not collide).
        batch.create_index("ix_certificates_status_index", ["status_index"], unique=True)
    # The signed status list credentials, made by the jobs and the CLI, served by the site.
    op.create_table(
        "status_lists",
        sa.Column("list_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("credential", sa.Text(), nullable=False),
        sa.Column("revoked_digest", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("status_lists")
    with op.batch_alter_table("certificates") as batch:
        batch.drop_index("ix_certificates_status_index")
        batch.drop_column("credential")
        batch.drop_column("status_index")
