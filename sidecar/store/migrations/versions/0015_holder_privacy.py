"""certificates.holder_token and hidden_at: the holder's choice to hide their page's details
(docs/credentials.md, "The holder's privacy")

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 16:00:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("holder_token", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))
    # Certificates issued before get a token of their own, so their holders can choose too.
    certificates = sa.table("certificates", sa.column("id"), sa.column("holder_token"))
    connection = op.get_bind()
    ids = connection.execute(sa.select(certificates.c.id)).scalars().all()
    for cert_id in ids:
        connection.execute(
            certificates.update()
            .where(certificates.c.id == cert_id)
            .values(holder_token=secrets.token_urlsafe(24))
        )


def downgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("hidden_at")
        batch.drop_column("holder_token")
