"""Creating and managing accounts; backing up the database."""
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from portfolio.models import Region, Role, User
from portfolio.passwords import hash_password, password_problem


def create_user(session: Session, username: str, role: Role, region: Region | None, password: str,
                must_change_password: bool = False, display_name: str | None = None) -> User:
    username = username.strip()
    if not username or len(username) > 50:
        raise ValueError("用户名不能为空,且不超过50个字符")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValueError(f"用户名“{username}”已存在")
    if role is Role.COUNTY and region is None:
        raise ValueError("县级账户必须指定县(市、区)")
    if problem := password_problem(password, username):
        raise ValueError(problem)
    user = User(username=username, display_name=display_name, role=role,
                region_id=region.id if region and role is Role.COUNTY else None,
                password_hash=hash_password(password), must_change_password=must_change_password)
    session.add(user)
    session.flush()
    return user


def reset_password(user: User, password: str) -> None:
    """An administrator's reset: a one-time password that must be changed, and every session ended."""
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.failed_logins, user.locked_until_dt = 0, None
    user.end_sessions()


def set_enabled(user: User, enabled: bool) -> None:
    user.is_enabled = enabled
    user.end_sessions()


def backup_sqlite(engine: Engine, out_path: Path) -> None:
    """A consistent copy of a live SQLite database, taken page by page while others may write."""
    if engine.dialect.name != "sqlite":
        raise ValueError("backup 只适用于 SQLite;PostgreSQL 请用 pg_dump(见 README)")
    out_path = out_path.resolve()
    if not out_path.parent.is_dir():
        raise ValueError(f"目录不存在: {out_path.parent}")
    partial = out_path.with_name(f".{out_path.name}.partial")
    partial.unlink(missing_ok=True)
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(partial)
        try:
            raw.driver_connection.backup(target)
        finally:
            target.close()
    finally:
        raw.close()
    partial.replace(out_path)
