"""One-time form tokens: a form that must act once (印发督办单, 确认催报, 重发邮件) carries a token,
recorded in the same transaction as the action; a second post of the same form — a double click,
a reload, two at once — finds it taken and does nothing."""
from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portfolio.core.db import db, timestamp_type, utc_now

TOKEN = re.compile(r"[0-9a-f]{32}")
ALREADY_DONE = "这个操作已经提交过（可能是重复点击），本次没有重复执行。"


class SubmissionToken(db.Model):
    __tablename__ = "submission_tokens"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    used_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)


def new_token() -> str:
    return secrets.token_hex(16)


def claim(session: Session, token: str | None) -> bool:
    """Record the token (flushed): False when it is not one of ours; IntegrityError when it was used —
    at once on SQLite, or when the other transaction commits on PostgreSQL."""
    if not token or not TOKEN.fullmatch(token):
        return False
    session.add(SubmissionToken(token=token))
    session.flush()
    return True


def used(session: Session, token: str | None) -> bool:
    return bool(token) and session.scalar(select(SubmissionToken.token).where(SubmissionToken.token == token)) is not None
