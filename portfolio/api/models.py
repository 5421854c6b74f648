"""API tokens: named, per account, stored as a digest, revocable."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.core.audit import Audited
from portfolio.core.db import db, timestamp_type, utc_now


class ApiToken(Audited, db.Model):
    """A token acts with its account's role and region. The secret is shown once when it is made;
    only its SHA-256 digest is kept (a random 240-bit secret needs no slow hash)."""

    audit_table_label = "API令牌"
    audit_field_labels = {"name": "名称", "user_id": "账户", "revoked_dt": "撤销时间"}
    audit_not_recorded = Audited.audit_not_recorded | {"digest", "prefix", "last_used_dt", "use_count",
                                                       "window_start", "window_count"}
    audit_references = {"user_id": ("users", "username")}

    __tablename__ = "api_tokens"
    __table_args__ = (
        # an account's active tokens have different names, also when two are made at once
        Index("uq_api_tokens_active_name", "user_id", "name", unique=True,
              sqlite_where=text("revoked_dt IS NULL"), postgresql_where=text("revoked_dt IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    """The secret's first characters, so its owner can tell tokens apart."""
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)
    last_used_dt: Mapped[datetime | None] = mapped_column(timestamp_type())
    use_count: Mapped[int] = mapped_column(default=0, server_default="0")
    revoked_dt: Mapped[datetime | None] = mapped_column(timestamp_type())
    window_start: Mapped[int] = mapped_column(default=0, server_default="0")
    """The minute (since the epoch) the rate limit is counting."""
    window_count: Mapped[int] = mapped_column(default=0, server_default="0")
    """Requests in that minute."""

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_dt is None
