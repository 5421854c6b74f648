"""Logging in: loading the account from the session cookie, and bounding guessing without letting
one person lock an office out:

- per (address, account): LOGIN_LOCK_AFTER password attempts, then that address waits
  LOGIN_LOCK_MINUTES for that account (`claim_pair_attempt`); colleagues behind the same address
  and the same account from elsewhere are not held up;
- per account, from anywhere: LOGIN_ACCOUNT_LOCK_AFTER wrong passwords in a row lock it
  (`claim_attempt`), which bounds guessing spread over many addresses;
- per address: after LOGIN_ADDRESS_LIMIT failed logins (any names) within the window, a failed
  login from it is answered "too many" whether or not the name exists (a flood of unknown names is
  slowed down and learns nothing), while a known account's right password still logs in.

Attempts are counted before the password is checked, in one atomic UPDATE committed at once, so
however many requests arrive together the bounds hold on SQLite and PostgreSQL alike."""
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portfolio.accounts.models import LoginAttempt, LoginThrottle, User
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
    """Count a password attempt on the account (from any address); False once LOGIN_ACCOUNT_LOCK_AFTER
    attempts in a row are spent or the account is locked."""
    now = datetime.now(UTC)
    claimed = db.session.execute(
        update(User).where(User.id == user_id, User.failed_logins < current_app.config["LOGIN_ACCOUNT_LOCK_AFTER"],
                           or_(User.locked_until_dt.is_(None), User.locked_until_dt <= now))
        .values(failed_logins=User.failed_logins + 1).execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.commit()
    return claimed


def claim_pair_attempt(address: str, username: str) -> bool:
    """Count a password attempt on the account from this address; False once LOGIN_LOCK_AFTER are
    spent and until the lock they earn ends."""
    now = datetime.now(UTC)
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(LoginThrottle).values(address=address, username=username, attempts=0, updated_dt=now)
                       .on_conflict_do_nothing())
    claimed = db.session.execute(
        update(LoginThrottle).where(
            LoginThrottle.address == address, LoginThrottle.username == username,
            LoginThrottle.attempts < current_app.config["LOGIN_LOCK_AFTER"],
            or_(LoginThrottle.locked_until_dt.is_(None), LoginThrottle.locked_until_dt <= now))
        .values(attempts=LoginThrottle.attempts + 1, updated_dt=now).execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.commit()
    return claimed


def lock_if_spent(user_id: int, address: str, username: str) -> None:
    """After a wrong password: the (address, account) pair, and the account itself once its attempts
    from everywhere are spent, lock (their counts start again)."""
    until = datetime.now(UTC) + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    if db.session.execute(
            update(LoginThrottle).where(LoginThrottle.address == address, LoginThrottle.username == username,
                                        LoginThrottle.attempts >= current_app.config["LOGIN_LOCK_AFTER"])
            .values(locked_until_dt=until, attempts=0).execution_options(synchronize_session=False)).rowcount:
        security_log("account_locked_for_address", username)
    if db.session.execute(
            update(User).where(User.id == user_id,
                               User.failed_logins >= current_app.config["LOGIN_ACCOUNT_LOCK_AFTER"])
            .values(locked_until_dt=until, failed_logins=0).execution_options(synchronize_session=False)).rowcount:
        security_log("account_locked", username)


def record_failure(username: str) -> None:
    db.session.add(LoginAttempt(address=client_address(), username=username[:50]))


def record_success(user: User, address: str) -> None:
    user.failed_logins, user.locked_until_dt = 0, None
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.address == address,
                                                   LoginThrottle.username == user.username))
    window = datetime.now(UTC) - timedelta(days=1)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_dt < window))
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.updated_dt < window))


