"""assignments in Odoo's Project app: batches.project_key/odoo_project_id, assignments,
assignment_tasks and students.assignment_average

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 20:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batches") as batch:
        batch.add_column(sa.Column("project_key", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("odoo_project_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("students") as batch:
        batch.add_column(sa.Column("assignment_average", sa.Float(), nullable=True))
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("batches.id"), nullable=False),
        sa.Column("odoo_project_id", sa.Integer(), nullable=False),
        sa.Column("odoo_task_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("max_score", sa.Float(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("batch_id", "odoo_task_id"),
    )
    op.create_index("ix_assignments_batch_id", "assignments", ["batch_id"])
    op.create_table(
        "assignment_tasks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("assignment_id", sa.Integer(), sa.ForeignKey("assignments.id"), nullable=False),
        sa.Column("student_id", sa.Integer(), sa.ForeignKey("students.id"), nullable=False),
        sa.Column("odoo_partner_id", sa.Integer(), nullable=False),
        sa.Column("outbox_key", sa.String(length=200), nullable=False),
        sa.Column("odoo_task_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=200), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("max_score", sa.Float(), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("score_source", sa.String(length=10), nullable=True),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("told", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("assignment_id", "student_id"),
    )
    op.create_index("ix_assignment_tasks_assignment_id", "assignment_tasks", ["assignment_id"])
    op.create_index("ix_assignment_tasks_student_id", "assignment_tasks", ["student_id"])
    op.create_index("ix_assignment_tasks_odoo_partner_id", "assignment_tasks", ["odoo_partner_id"])
    op.create_index("ix_assignment_tasks_odoo_task_id", "assignment_tasks", ["odoo_task_id"])


def downgrade() -> None:
    op.drop_table("assignment_tasks")
    op.drop_table("assignments")
    with op.batch_alter_table("students") as batch:
        batch.drop_column("assignment_average")
    with op.batch_alter_table("batches") as batch:
        batch.drop_column("odoo_project_id")
        batch.drop_column("project_key")
