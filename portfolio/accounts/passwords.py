"""Password hashing (argon2id) and the password policy."""
import secrets
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
# OWASP's recommended minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
COMMON_PASSWORDS = frozenset(
    line.strip().lower() for line in (Path(__file__).parent / "common_passwords.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)


@cache
def dummy_hash() -> str:
    """A hash no password matches, checked when the account does not exist, so that unknown and
    known accounts take the same time to refuse (accounts cannot be enumerated by timing)."""
    return HASHER.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is refused, in Chinese; None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"密码至少{MIN_LENGTH}个字符"
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        return "这是常见密码，容易被猜中，请换一个"
    if username and username.lower() in lowered:
        return "密码不能包含用户名"
    return None
