"""Creating and managing accounts. Operations flush; the view or command commits once."""
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.accounts.models import Role, User
from portfolio.accounts.passwords import hash_password, password_problem
from portfolio.registry.models import Region

EMAIL_PATTERN = re.compile(r"[^@\s<>,;:\"()\[\]]+@([^@\s<>,;:\"()\[\].]+\.)+[^@\s<>,;:\"()\[\].]+")
"""An address a mail server will take: one @, a domain of dot-separated labels (none empty), no spaces
or list separators."""


def checked_email(text: str | None) -> str | None:
    """The address to keep (blank: none), or ValueError saying why it is refused — the one check of
    the account form, the command line and the API."""
    address = (text or "").strip()
    if not address:
        return None
    if len(address) > 254 or not EMAIL_PATTERN.fullmatch(address) or not address.isascii():
        raise ValueError(f"电子邮箱“{address[:60]}”格式不正确，应类似 name@example.gov.cn")
    return address


def set_email(user: User, text: str | None) -> None:
    user.email = checked_email(text)


def create_user(session: Session, username: str, role: Role, region: Region | None, password: str,
                must_change_password: bool = False, display_name: str | None = None,
                email: str | None = None) -> User:
    username = username.strip()
    if not username or len(username) > 50:
        raise ValueError("用户名不能为空，且不超过50个字符")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValueError(f"用户名“{username}”已存在")
    if role is Role.COUNTY and region is None:
        raise ValueError("县级账户必须指定县(市、区)")
    if problem := password_problem(password, username):
        raise ValueError(problem)
    email = checked_email(email)
    user = User(username=username, display_name=display_name, role=role, email=email,
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
