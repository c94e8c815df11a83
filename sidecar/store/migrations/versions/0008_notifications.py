"""notifications and notification_opt_outs (docs/notifications.md)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 04:00:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=200), nullable=False, unique=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("program_id", sa.Integer(), sa.ForeignKey("programs.id"), nullable=True),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_notifications_kind", "notifications", ["kind"])
    op.create_index("ix_notifications_program_id", "notifications", ["program_id"])
    op.create_index("ix_notifications_partner_id", "notifications", ["partner_id"])
    op.create_table(
        "notification_opt_outs",
        sa.Column("partner_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
    )
    # Programs that already have trainees start their notifications now: what those trainees
    # reached before is recorded as told, not announced (docs/notifications.md, "Upgrading").
    bind = op.get_bind()
    now = datetime.now(UTC)
    # SQLite keeps UTC datetimes as naive text (sidecar.store.models.base.UTCDateTime).
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f") if bind.dialect.name == "sqlite" else now
    bind.execute(
        sa.text(
            "INSERT INTO notifications (key, kind, program_id, partner_id, occasion, state, "
            "created_at) SELECT 'notify:since:' || p.key, 'since', p.id, 0, '', 'covered', :now "
            "FROM programs p WHERE EXISTS (SELECT 1 FROM students s WHERE s.program_id = p.id)"
        ),
        {"now": stamp},
    )


def downgrade() -> None:
    op.drop_table("notification_opt_outs")
    op.drop_table("notifications")
