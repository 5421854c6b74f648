"""Logging in: loading the account from the session cookie, and slowing down guessing
(per-account lock after repeated failures, per-address limit)."""
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from portfolio.accounts.models import LoginAttempt, User
from portfolio.core.db import db, login_manager
from portfolio.core.security import client_address, security_log


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """The cookie names the account and its session token; a rotated token ends the session."""
    user_id, _, token = identity.partition(":")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    if user is None or not user.is_enabled or user.session_token != token:
        return None
    return user


def address_blocked(address: str) -> bool:
    window = datetime.now(UTC) - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    recent = db.session.scalar(select(func.count(LoginAttempt.id)).where(
        LoginAttempt.address == address, LoginAttempt.attempted_dt >= window))
    return recent >= current_app.config["LOGIN_ADDRESS_LIMIT"]


def account_locked(user: User) -> bool:
    locked_until = user.locked_until_dt
    if locked_until is not None and locked_until.tzinfo is None:  # SQLite keeps no time zone
        locked_until = locked_until.replace(tzinfo=UTC)
    return locked_until is not None and locked_until > datetime.now(UTC)


def claim_attempt(user_id: int) -> bool:
    """Count a password attempt on the account before the password is checked, in one atomic
    UPDATE committed at once: only attempts that find the count below the limit and the account
    unlocked get through, so however many requests arrive together, at most LOGIN_LOCK_AFTER
    passwords are checked before the lock (on SQLite and PostgreSQL alike)."""
    now = datetime.now(UTC)
    claimed = db.session.execute(
        update(User).where(User.id == user_id, User.failed_logins < current_app.config["LOGIN_LOCK_AFTER"],
                           or_(User.locked_until_dt.is_(None), User.locked_until_dt <= now))
        .values(failed_logins=User.failed_logins + 1).execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.commit()
    return claimed


def lock_if_spent(user_id: int, username: str) -> None:
    """After a wrong password: the account locks once its attempts are spent (the count starts again)."""
    until = datetime.now(UTC) + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    locked = db.session.execute(
        update(User).where(User.id == user_id, User.failed_logins >= current_app.config["LOGIN_LOCK_AFTER"])
        .values(locked_until_dt=until, failed_logins=0).execution_options(synchronize_session=False)
    ).rowcount
    if locked:
        security_log("account_locked", username)


def record_failure(username: str) -> None:
    db.session.add(LoginAttempt(address=client_address(), username=username[:50]))


def record_success(user: User) -> None:
    user.failed_logins, user.locked_until_dt = 0, None
    window = datetime.now(UTC) - timedelta(days=1)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_dt < window))


