"""The cockpit (docs/cockpit.md): sessions, sign-ins, mentor actions, check-ins, webhooks out

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 07:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    # the registration's ticket code (17.0+), for QR check-in
    with op.batch_alter_table("attendance") as table:
        table.add_column(sa.Column("barcode", sa.String(length=64), nullable=True))
        table.create_index("ix_attendance_barcode", ["barcode"])
    op.create_table(
        "app_sessions",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=True, index=True),
        sa.Column("login", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("program_ids", sa.Text(), nullable=False),
        sa.Column("batch_ids", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("how", sa.String(length=20), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
        sa.Column("ended_at", STAMP, nullable=True),
    )
    op.create_table(
        "app_signin_failures",
        sa.Column("login", sa.String(length=200), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_at", STAMP, nullable=False),
        sa.Column("locked_until", STAMP, nullable=True),
    )
    op.create_table(
        "app_signin_links",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column("partner_id", sa.Integer(), nullable=False, index=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
        sa.Column("used_at", STAMP, nullable=True),
    )

    op.create_table(
        "mentor_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False, index=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("by_name", sa.String(length=300), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("applied_at", STAMP, nullable=True, index=True),
        sa.Column("outcome", sa.Text(), nullable=True),
    )

    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("how", sa.String(length=20), nullable=False),
        sa.Column("by_name", sa.String(length=300), nullable=False),
        sa.Column("at", STAMP, nullable=False),
        sa.UniqueConstraint("batch_id", "partner_id"),
    )

    op.create_table(
        "webhook_events",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column("key", sa.String(length=200), nullable=False, unique=True),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "event_id",
            sa.String(length=40),
            sa.ForeignKey("webhook_events.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False, index=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", STAMP, nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", STAMP, nullable=True),
    )
    op.create_table(
        "webhook_marks",
        sa.Column("type", sa.String(length=40), primary_key=True),
        sa.Column("stamp", STAMP, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("webhook_marks")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_events")
    op.drop_table("checkins")
    op.drop_table("mentor_actions")
    op.drop_table("app_signin_links")
    op.drop_table("app_signin_failures")
    op.drop_table("app_sessions")
    with op.batch_alter_table("attendance") as table:
        table.drop_index("ix_attendance_barcode")
        table.drop_column("barcode")
