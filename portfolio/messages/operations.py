"""Sending messages: the in-app copy for each account, and the e-mail for those with an address.

`send_message` only writes (and flushes); the caller commits, then calls `deliver` and commits
again. The two commits are the point: the messages and the pending e-mails are recorded before
any mail leaves, so a mail server that fails half way leaves each e-mail marked sent or failed
with its reason, never a message "sent" that was not.
"""
from collections.abc import Iterable, Mapping

from flask import has_request_context, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portfolio.accounts.models import User
from portfolio.core.db import utc_now
from portfolio.messages import mail
from portfolio.messages.models import MailDelivery, MailState, Message


def send_message(session: Session, recipients: Iterable[User], subject: str, body: str, link: str | None,
                 sender: str, config: Mapping, reminder_id: int | None = None) -> list[Message]:
    """A message to each account; with an SMTP server configured, a pending e-mail for each that
    has an address."""
    messages = []
    for user in recipients:
        message = Message(recipient_id=user.id, sender=sender, subject=subject, body=body, link=link,
                          reminder_id=reminder_id)
        if user.email and mail.configured(config):
            message.delivery = MailDelivery(address=user.email, state=MailState.PENDING)
        session.add(message)
        messages.append(message)
    session.flush()
    return messages


def deliver(session: Session, deliveries: list[MailDelivery], config: Mapping) -> None:
    """Try each e-mail once; each ends SENT, or FAILED with the reason (and may be tried again)."""
    deliveries = [d for d in deliveries if d.state is not MailState.SENT]
    results = mail.send(config, [(d.address, d.message.subject, _mail_body(d.message, config)) for d in deliveries])
    for delivery, error in zip(deliveries, results, strict=True):
        delivery.attempts += 1
        delivery.last_attempt_dt = utc_now()
        delivery.state, delivery.error = (MailState.SENT, None) if error is None else (MailState.FAILED, error)
    session.flush()


def _mail_body(message: Message, config: Mapping) -> str:
    base = (config.get("BASE_URL") or (request.host_url if has_request_context() else "")).rstrip("/")
    where = f"\n\n请登录重大工程项目管理系统查看：{base}{message.link}" if message.link else ""
    return f"{message.body}{where}\n\n——{message.sender}（本邮件由系统发送，请勿直接回复）"


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count(Message.id))
                          .where(Message.recipient_id == user_id, Message.read_dt.is_(None))) or 0
