"""Bearer tokens of the cockpit's read-only REST API (docs/api.md). The token itself is shown
once, when it is made; the store keeps only its SHA-256, so a copy of the store reads nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from sidecar.store.models.base import Base, utcnow

LIVE = text("revoked_at IS NULL")


class ApiToken(Base):
    """One token of one consuming system, with its scopes and its own rate limit. Revoked, it
    is kept (who had access, until when) and its name is free again."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        Index(
            "ix_api_tokens_live_name",
            "name",
            unique=True,
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    scopes: Mapped[str] = mapped_column(Text)  # space-separated, as in OAuth
    rate_per_minute: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
