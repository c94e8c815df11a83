"""certificates.lang: the language of a certificate's PDF and page (sidecar/i18n); an index on
superseded_by_id, for a page's link back to the certificate it replaced

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Certificates issued before have none: their page is in the configured default language.
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("lang", sa.String(length=8), nullable=True))
        batch.create_index("ix_certificates_superseded_by_id", ["superseded_by_id"])


def downgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.drop_index("ix_certificates_superseded_by_id")
        batch.drop_column("lang")
