"""Accounts, failed-login records and the audit trail."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.extensions import db
from portfolio.models.columns import enum_type, timestamp_type, utc_now
from portfolio.models.enums import Role
from portfolio.models.region import Region


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role <> 'county' OR region_id IS NOT NULL", name="county_has_region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"))
    is_enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    """Part of the login cookie's identity: changing it ends every session of the account."""
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until_dt: Mapped[datetime | None] = mapped_column(timestamp_type())
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)

    region: Mapped[Region | None] = relationship()

    # Flask-Login's protocol
    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        self.session_token = new_session_token()

    @property
    def label(self) -> str:
        where = f"·{self.region.name}" if self.region else ""
        return f"{self.display_name or self.username}({self.role.label}{where})"


class LoginAttempt(db.Model):
    """A failed login, kept to slow down guessing from one address."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index(None, "address", "attempted_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(50))
    attempted_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)


class AuditEntry(db.Model):
    """One create, update or delete: who, when, which record, each field's old and new value.

    Written in the same transaction as the change; the app offers no way to edit or delete it.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index(None, "table_name", "record_id"),
        Index(None, "project_id"),
        CheckConstraint("action IN ('create', 'update', 'delete')", name="action_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(50))
    """Kept as text too, so the trail still names who it was if the account goes."""
    action: Mapped[str] = mapped_column(String(10))
    table_name: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[int]
    project_id: Mapped[int | None]
    """The project the record belongs to, for the project page's 修改记录 (no foreign key: it outlives deletes)."""
    changes: Mapped[str] = mapped_column(Text)
    """JSON: {field: [old, new]}."""
