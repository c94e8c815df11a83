"""lesson_progress loses its slide_id index: no query filters on it (the recompute reads a
batch of partners' rows by the partner index, jobs/sync/recompute_gather.py), and keeping it
up cost a first pass about a seventh of its landing time, more as the table grew
(docs/benchmarks.md)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 21:30:00
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_lesson_progress_slide_id", table_name="lesson_progress")


def downgrade() -> None:
    op.create_index("ix_lesson_progress_slide_id", "lesson_progress", ["slide_id"])
