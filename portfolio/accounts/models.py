"""Accounts and failed-login records."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.core.audit import Audited
from portfolio.core.db import db, enum_type, timestamp_type, utc_now
from portfolio.core.enums import LabelledEnum
from portfolio.registry.models import Region


class Role(LabelledEnum):
    ADMIN = "admin", "管理员"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    VIEWER = "viewer", "只读"


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(Audited, db.Model):
    audit_table_label = "账户"
    audit_field_labels = {
        "username": "用户名", "display_name": "姓名", "role": "角色", "region_id": "县(市、区)", "is_enabled": "启用",
        "must_change_password": "须修改密码", "password_hash": "密码", "email": "电子邮箱",
    }
    audit_not_recorded = Audited.audit_not_recorded | {"session_token", "failed_logins", "locked_until_dt"}
    audit_secret = frozenset({"password_hash"})
    audit_references = {"region_id": ("regions", "name")}

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role <> 'county' OR region_id IS NOT NULL", name="county_has_region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(254))
    """Where 催报 and 督办单 are e-mailed, when the app has an SMTP server (README.md, "E-mail")."""
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


class LoginThrottle(db.Model):
    """The password attempts on one account from one address: counted before the password is checked
    (`login.claim_pair_attempt`), so at most LOGIN_LOCK_AFTER are checked before that address waits for
    that account — the others behind the same address (an office's NAT, a proxy) log in as before."""

    __tablename__ = "login_throttles"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(50), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    locked_until_dt: Mapped[datetime | None] = mapped_column(timestamp_type())
    updated_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now, onupdate=utc_now)


class LoginAttempt(db.Model):
    """A failed login, kept to slow down guessing from one address."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index(None, "address", "attempted_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(50))
    attempted_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)
