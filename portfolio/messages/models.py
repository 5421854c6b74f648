"""A message to one account, and the e-mail sent for it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.core.db import db, enum_type, timestamp_type, utc_now
from portfolio.core.enums import LabelledEnum
from portfolio.cycle.models import Reminder  # noqa: F401  (the table the reminder_id points to)


class Message(db.Model):
    """One account's copy of a notice (催报, a 督办单, a returned report…): unread until opened."""

    __tablename__ = "messages"
    __table_args__ = (Index(None, "recipient_id", "read_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sender: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    """A path inside the app to what the message is about."""
    sent_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)
    read_dt: Mapped[datetime | None] = mapped_column(timestamp_type())
    reminder_id: Mapped[int | None] = mapped_column(ForeignKey("reminders.id", ondelete="SET NULL"), index=True)
    """The 催报 this message carried, if it did (the 报送情况 page lists each one's e-mails)."""

    recipient: Mapped[User] = relationship()
    delivery: Mapped[MailDelivery | None] = relationship(back_populates="message", uselist=False,
                                                         cascade="all, delete-orphan")


class MailState(LabelledEnum):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class MailDelivery(db.Model):
    """The e-mail for a message: sent, or failed with the server's reason (and may be retried)."""

    __tablename__ = "mail_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    address: Mapped[str] = mapped_column(String(254))
    state: Mapped[MailState] = mapped_column(enum_type(MailState, "state"), default=MailState.PENDING)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_attempt_dt: Mapped[datetime | None] = mapped_column(timestamp_type())

    message: Mapped[Message] = relationship(back_populates="delivery")
