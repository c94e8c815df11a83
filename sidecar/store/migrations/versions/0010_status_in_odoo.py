"""status_shown: what the sidecar last showed of each student in Odoo (docs/status-in-odoo.md)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_shown",
        sa.Column(
            "student_id",
            sa.Integer(),
            sa.ForeignKey("students.id"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("tag_status", sa.String(length=20), nullable=True),
        sa.Column("tag_id", sa.Integer(), nullable=True),
        sa.Column("tag_key", sa.String(length=200), nullable=True),
        sa.Column("tag_changes", sa.Integer(), nullable=False),
        sa.Column("tag_applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applicant_id", sa.Integer(), nullable=True),
        sa.Column("property_status", sa.String(length=20), nullable=True),
        sa.Column("property_pct", sa.Float(), nullable=True),
        sa.Column("property_changes", sa.Integer(), nullable=False),
        sa.Column("properties_applied_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("status_shown")
